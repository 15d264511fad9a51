"""Renditions of photos, as django-imagekit specs.

Every rendition starts with `DraftForFit`: JPEG can decode at 1/2, 1/4 or 1/8
scale almost for free, so a 24-megapixel original is never decoded at full
size just to make a 2048-pixel copy. LANCZOS does the final, exact resize.
"""

import math

from imagekit import ImageSpec, register
from imagekit.processors import ResizeToFit, Transpose

# EXIF orientations that swap width and height.
ROTATED_ORIENTATIONS = {5, 6, 7, 8}
EXIF_ORIENTATION = 0x0112


class GeneratedByTask:
    """Cache file strategy: never generate while a page asks for a rendition.

    Renditions are made by `media.tasks.generate_renditions` after a photo is
    saved; until then the serving view shows a placeholder.
    """

    def should_verify_existence(self, file):
        return True


class DraftForFit:
    """Ask the JPEG decoder for the smallest scale still at least the target size."""

    def __init__(self, width, height):
        self.width, self.height = width, height

    def process(self, image):
        if not hasattr(image, "draft") or image.format != "JPEG":
            return image
        width, height = image.size
        upright = (height, width) if upright_swapped(image) else (width, height)
        ratio = min(self.width / upright[0], self.height / upright[1])
        if ratio < 1:
            image.draft(None, (math.ceil(width * ratio), math.ceil(height * ratio)))
        return image


def upright_swapped(image):
    try:
        return image.getexif().get(EXIF_ORIENTATION) in ROTATED_ORIENTATIONS
    except (OSError, ValueError, SyntaxError):
        return False


def fit_size(width, height, box):
    """Size of an upright `width`×`height` image fitted into `box`, never enlarged."""
    ratio = min(box[0] / width, box[1] / height, 1)
    return max(1, round(width * ratio)), max(1, round(height * ratio))


class FitRendition(ImageSpec):
    box = (0, 0)
    format = "JPEG"
    options = {"quality": 85, "progressive": True, "optimize": True}

    @property
    def processors(self):
        return [
            DraftForFit(*self.box),
            Transpose(),
            ResizeToFit(*self.box, upscale=False),
        ]


class Thumbnail(FitRendition):
    box = (400, 400)
    options = {"quality": 80, "progressive": True, "optimize": True}


class Web(FitRendition):
    box = (2048, 2048)


register.generator("media:photo:thumbnail", Thumbnail)
register.generator("media:photo:web", Web)
