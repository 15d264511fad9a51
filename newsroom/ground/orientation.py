"""EXIF orientation: how a camera says its stored pixels are turned.

Renditions turn camera JPEGs by it, and HEIC's rotation and mirroring boxes
are read as the orientation with the same effect.
"""

from PIL import Image

# EXIF orientation → the turns, in order, that make the stored pixels upright.
UPRIGHT = {
    1: [],
    2: [Image.Transpose.FLIP_LEFT_RIGHT],
    3: [Image.Transpose.ROTATE_180],
    4: [Image.Transpose.FLIP_TOP_BOTTOM],
    5: [Image.Transpose.TRANSPOSE],
    6: [Image.Transpose.ROTATE_270],
    7: [Image.Transpose.TRANSVERSE],
    8: [Image.Transpose.ROTATE_90],
}
