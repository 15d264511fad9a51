"""Renditions of photos, as django-imagekit specs.

Every rendition starts with a draft step: JPEG can decode at 1/2, 1/4 or 1/8
scale almost for free, so a 24-megapixel original is never decoded at full
size just to make a 2048-pixel copy. LANCZOS does the final, exact resize.
Then the image is turned upright, converted to sRGB and made opaque, so every
rendition looks the same in every browser and photo desk.
"""

import io
import math

from imagekit import ImageSpec
from imagekit.processors import ResizeToFit, Transpose
from PIL import Image, ImageCms, ImageFile

# EXIF orientations that swap width and height.
ROTATED_ORIENTATIONS = {5, 6, 7, 8}
EXIF_ORIENTATION = 0x0112
SIXTEEN_BIT_MODES = {"I", "I;16", "I;16B", "I;16L", "I;16N"}
SRGB = ImageCms.createProfile("sRGB")


def upright_swapped(image):
    """Whether the EXIF orientation turns the stored image by 90°."""
    try:
        return image.getexif().get(EXIF_ORIENTATION) in ROTATED_ORIENTATIONS
    except (OSError, ValueError, SyntaxError):
        return False


def upright_size(image):
    width, height = image.size
    return (height, width) if upright_swapped(image) else (width, height)


def fit_size(width, height, box):
    """Size of an upright `width`×`height` image fitted into `box`, never enlarged."""
    ratio = min(box[0] / width, box[1] / height, 1)
    return max(1, round(width * ratio)), max(1, round(height * ratio))


class Draft:
    """Have the JPEG decoder scale down while decoding, to just above the target size.

    libjpeg-turbo decodes at 1/8, 1/4, 3/8 or 1/2 scale for a fraction of a
    full decode. Pillow's public `draft()` offers the halvings only; 3/8 is
    what takes a 24-megapixel photo (6000 px) to the web size (2048 px) with
    the least work left for the LANCZOS resize, so it is asked for the same way
    `draft()` asks for the others. `cover` is for crops (the image must cover
    the box), otherwise it must fit. The box is upright; a photo stored
    sideways (EXIF orientation 5–8) is measured the way it will be shown.
    """

    # (denominator Pillow hands to libjpeg, the scale libjpeg then decodes at)
    SCALES = ((8, 1 / 8), (4, 2 / 8), (3, 3 / 8), (2, 4 / 8))

    def __init__(self, width, height, cover=False):
        self.width, self.height, self.cover = width, height, cover

    def process(self, image):
        if image.format != "JPEG" or len(image.tile) != 1 or image.decoderconfig:
            return image
        upright = upright_size(image)
        scales = (self.width / upright[0], self.height / upright[1])
        needed = max(scales) if self.cover else min(scales)
        denominator, scale = next(
            ((denominator, scale) for denominator, scale in self.SCALES if scale >= needed),
            (1, 1),
        )
        if denominator > 1:
            decode_scaled(image, denominator, scale)
        return image


def decode_scaled(image, denominator, scale):
    """What Pillow's JPEG `draft()` does, for any scale libjpeg offers."""
    width = math.ceil(image.size[0] * scale)
    height = math.ceil(image.size[1] * scale)
    decoder, _extent, offset, args = image.tile[0]
    image.tile = [ImageFile._Tile(decoder, (0, 0, width, height), offset, args)]
    image.decoderconfig = (denominator, 0)
    image._size = (width, height)


class ToSRGB:
    """Opaque 8-bit sRGB: what every browser and photo desk shows the same way.

    Embedded ICC profiles (Adobe RGB, Display P3, CMYK press profiles) are
    converted, not dropped, so colours do not shift; 16-bit images are scaled
    rather than clipped; transparency is flattened onto white.
    """

    def process(self, image):
        image = self.eight_bit(image)
        image = self.flatten(image)
        profile = image.info.get("icc_profile")
        if profile:
            try:
                source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
                return ImageCms.profileToProfile(image, source, SRGB, outputMode="RGB")
            except (ImageCms.PyCMSError, OSError, ValueError):
                pass  # a broken profile: fall back to a plain conversion
        return image if image.mode == "RGB" else image.convert("RGB")

    @staticmethod
    def eight_bit(image):
        if image.mode in SIXTEEN_BIT_MODES:
            info = image.info
            image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
            image.info = info
        return image

    @staticmethod
    def flatten(image):
        if image.mode == "P":
            image = image.convert("RGBA")
        if image.mode in ("RGBA", "LA", "PA"):
            info = image.info
            background = Image.new("RGB", image.size, (255, 255, 255))
            rgba = image.convert("RGBA")
            background.paste(rgba, mask=rgba.getchannel("A"))
            background.info = {key: value for key, value in info.items() if key == "icc_profile"}
            return background
        return image


class FocalCrop:
    """Cover the box, then crop around the focal point (x, y as fractions of the image).

    Without `upscale`, a photo smaller than the box gets the largest crop of
    the box's shape it holds, at its own pixels.
    """

    def __init__(self, width, height, x=0.5, y=0.5, upscale=True):
        self.width, self.height, self.x, self.y = width, height, x, y
        self.upscale = upscale

    def process(self, image):
        if not self.upscale:
            shrink = min(1, image.width / self.width, image.height / self.height)
            self.width = max(1, round(self.width * shrink))
            self.height = max(1, round(self.height * shrink))
        scale = max(self.width / image.width, self.height / image.height)
        size = (
            max(self.width, round(image.width * scale)),
            max(self.height, round(image.height * scale)),
        )
        image = image.resize(size, Image.Resampling.LANCZOS)
        left = clamp(round(self.x * size[0] - self.width / 2), 0, size[0] - self.width)
        top = clamp(round(self.y * size[1] - self.height / 2), 0, size[1] - self.height)
        return image.crop((left, top, left + self.width, top + self.height))


def clamp(value, low, high):
    return max(low, min(value, high))


class PhotoSpec(ImageSpec):
    format = "JPEG"
    options = {"quality": 85, "progressive": True, "optimize": True}
    # Bump when the processing of existing sizes changes: every photo gets a new
    # version, so every file is made again under a new address. A new size needs
    # no bump (`manage.py render_photos --missing` makes it, and only it).
    revision = 1
    # Made from a smaller working copy of the photo (False: from every pixel).
    scaled = True
    box = (0, 0)

    @classmethod
    def sized(cls, width, height, **attributes):
        """This spec with another box: `Square.sized(1080, 1080)` for a new size."""
        return type(
            f"{cls.__name__}{width}x{height}", (cls,), {"box": (width, height), **attributes}
        )

    @classmethod
    def pixels(cls, width, height):
        """The made file's pixels for an upright `width`×`height` photo."""
        return width, height

    @classmethod
    def needs(cls, width, height):
        """The pixels of the working copy this size is made from (at least)."""
        return width, height


class FitSpec(PhotoSpec):
    @property
    def processors(self):
        return [Draft(*self.box), Transpose(), ToSRGB(), ResizeToFit(*self.box, upscale=False)]

    @classmethod
    def pixels(cls, width, height):
        return fit_size(width, height, cls.box)

    needs = pixels


class Thumbnail(FitSpec):
    box = (400, 400)
    options = {"quality": 80, "progressive": True, "optimize": True}


class Medium(FitSpec):
    """What a phone shows across its screen: 1024 px, half the web size's pixels a side."""

    box = (1024, 1024)
    options = {"quality": 82, "progressive": True, "optimize": True}


class Web(FitSpec):
    box = (2048, 2048)


class Social(PhotoSpec):
    """1200×630 for link previews, cropped around the editor's focal point."""

    box = (1200, 630)
    upscale = True

    @property
    def processors(self):
        photo = getattr(self.source, "instance", None)
        x, y = (photo.focal_x, photo.focal_y) if photo is not None else (0.5, 0.5)
        crop = FocalCrop(*self.box, x, y, upscale=self.upscale)
        return [Draft(*self.box, cover=True), Transpose(), ToSRGB(), crop]

    @classmethod
    def pixels(cls, width, height):
        """The box; without `upscale`, the largest crop of its shape the photo holds."""
        if cls.upscale:
            return cls.box
        shrink = min(1, width / cls.box[0], height / cls.box[1])
        return max(1, round(cls.box[0] * shrink)), max(1, round(cls.box[1] * shrink))

    @classmethod
    def needs(cls, width, height):
        """Enough pixels to cover the box, never more than the photo has."""
        cover = min(1, max(cls.box[0] / width, cls.box[1] / height))
        return math.ceil(width * cover), math.ceil(height * cover)


class Wide(Social):
    """16:9, 4:3 and 1:1 for search engines' article data: 1200 px wide where the photo has it."""

    box = (1200, 675)
    upscale = False


class Standard(Wide):
    box = (1200, 900)


class Square(Wide):
    box = (1200, 1200)


class Print(PhotoSpec):
    """Every original pixel, upright, as a high-quality sRGB JPEG (for PNG and TIFF originals)."""

    options = {"quality": 92, "progressive": True, "optimize": True, "subsampling": 0}
    processors = [Transpose(), ToSRGB()]
    scaled = False
