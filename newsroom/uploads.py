"""Accepting uploaded files safely: generated names and images decoded before they are kept.

This lives in the lowest app because every app takes images (logos,
portraits, photos); the media app adds what only photos need.
"""

import re
import secrets
import warnings
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

# Pillow format name → file extensions we accept for it.
IMAGE_FORMATS = {
    "JPEG": {".jpg", ".jpeg", ".jpe"},
    "PNG": {".png"},
    "WEBP": {".webp"},
    "TIFF": {".tif", ".tiff"},
}
FORMAT_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "TIFF": ".tif"}


@deconstructible
class RandomName:
    """`upload_to` that stores files under an unguessable name in `folder`.

    The uploader's file name never reaches the storage; models keep it as data.
    """

    def __init__(self, folder):
        self.folder = folder

    def __call__(self, instance, filename):
        extension = PurePath(filename).suffix.lower()[:10]
        return f"{self.folder}/{secrets.token_hex(16)}{extension}"

    def __eq__(self, other):
        return isinstance(other, RandomName) and other.folder == self.folder


def display_name(upload):
    """The uploader's file name, shortened so a message stays readable."""
    name = PurePath(getattr(upload, "name", "") or "").name or _("the file")
    return name if len(name) <= 60 else f"{name[:40]}…{name[-15:]}"


def decode_image(upload, formats=IMAGE_FORMATS):
    """Decode the whole image and return (format, width, height).

    Raises ValidationError naming the file when it is empty, too big, not an
    allowed format, or damaged. The file is rewound afterwards.
    """
    name = display_name(upload)
    check_size(upload, name, settings.NEWSROOM_MAX_UPLOAD_BYTES)
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its own limit; we refuse outright.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload, formats=list(formats)) as image:
                image_format, (width, height) = image.format, image.size
                if width * height > settings.NEWSROOM_MAX_IMAGE_PIXELS:
                    raise too_many_pixels(name, width, height)
                image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels(name, None, None) from None
    except UnidentifiedImageError:
        raise ValidationError(
            _("“%(name)s” is not a %(formats)s image."),
            code="format",
            params={"name": name, "formats": format_names(formats)},
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise ValidationError(
            _("“%(name)s” is damaged or incomplete and could not be read."),
            code="damaged",
            params={"name": name},
        ) from None
    finally:
        upload.seek(0)
    extension = PurePath(getattr(upload, "name", "") or "").suffix.lower()
    if extension and extension not in formats[image_format]:
        raise ValidationError(
            _("“%(name)s” is named like a %(extension)s file but contains a %(format)s image."),
            code="extension",
            params={"name": name, "extension": extension, "format": image_format},
        )
    check_hidden_content(upload, image_format, name)
    return image_format, width, height


# Markup a browser would run if the file were ever served as a page: a
# "polyglot" that is an image and a web page at once.
HIDDEN_MARKUP = re.compile(
    rb"<(?:script|html|body|iframe|object|embed|svg|\?php|!doctype)\b", re.I
)
PNG_END = b"IEND\xae\x42\x60\x82"


def check_hidden_content(upload, image_format, name):
    """Refuse images that carry something else: web page code, or data after a PNG's end."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if HIDDEN_MARKUP.search(data):
        raise ValidationError(
            _("“%(name)s” contains web page code (HTML or script) besides the image."),
            code="markup",
            params={"name": name},
        )
    if image_format == "PNG" and not data.endswith(PNG_END):
        raise ValidationError(
            _("“%(name)s” has data after the end of the image."),
            code="trailing_data",
            params={"name": name},
        )


def check_size(upload, name, limit):
    size = getattr(upload, "size", None)
    if not size:
        raise ValidationError(_("“%(name)s” is empty."), code="empty", params={"name": name})
    if size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; files up to %(limit)s are accepted."),
            code="too_big",
            params={"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
        )


def too_many_pixels(name, width, height):
    limit = settings.NEWSROOM_MAX_IMAGE_PIXELS / 1_000_000
    if width and height:
        message = _(
            "“%(name)s” is %(width)s × %(height)s pixels; images up to %(limit)g megapixels "
            "are accepted."
        )
    else:
        message = _(
            "“%(name)s” has too many pixels; images up to %(limit)g megapixels are accepted."
        )
    return ValidationError(
        message,
        code="too_many_pixels",
        params={"name": name, "width": width, "height": height, "limit": limit},
    )


def format_names(formats):
    names = [{"WEBP": "WebP"}.get(name, name) for name in formats]
    return ", ".join(names[:-1]) + _(" or ") + names[-1] if len(names) > 1 else names[0]


def validate_image(upload):
    """Model field validator: the file must be a real, whole, allowed image."""
    if getattr(upload, "_committed", False):
        # Already stored: validated when it was uploaded.
        return
    decode_image(upload)


# Documents: what each accepted type starts with, and its usual extensions.
DOCUMENT_TYPES = {
    "PDF": ({".pdf", ".ai"}, "application/pdf"),
    "SVG": ({".svg"}, "image/svg+xml"),
    "EPS": ({".eps", ".ps"}, "application/postscript"),
    "JPEG": (IMAGE_FORMATS["JPEG"], "image/jpeg"),
    "PNG": (IMAGE_FORMATS["PNG"], "image/png"),
    "WEBP": (IMAGE_FORMATS["WEBP"], "image/webp"),
}
SVG_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!DOCTYPE[^>]*>\s*)?<svg[\s>]", re.S | re.I
)
SVG_ACTIVE_CONTENT = re.compile(rb"<script|<foreignObject|\son[a-z]+\s*=|javascript:", re.I)


def detect_document(upload):
    """Return (type, content type) of a fact sheet, logo or PDF, judged by its bytes.

    Raises ValidationError naming the file when it is empty, too big, of a
    type we do not take, damaged, or named like another type.
    """
    name = display_name(upload)
    check_size(upload, name, settings.NEWSROOM_MAX_DOCUMENT_BYTES)
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    kind = document_kind(data, upload, name)
    extension = PurePath(getattr(upload, "name", "") or "").suffix.lower()
    extensions, content_type = DOCUMENT_TYPES[kind]
    if extension and extension not in extensions:
        raise ValidationError(
            _("“%(name)s” is named like a %(extension)s file but is a %(kind)s file."),
            code="extension",
            params={"name": name, "extension": extension, "kind": kind},
        )
    return kind, content_type


def document_kind(data, upload, name):
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise ValidationError(
                _("“%(name)s” is an incomplete PDF."), code="damaged", params={"name": name}
            )
        return "PDF"
    if data.startswith((b"%!PS-Adobe", b"\xc5\xd0\xd3\xc6")):
        return "EPS"
    if SVG_START.match(data.removeprefix(b"\xef\xbb\xbf")):
        if SVG_ACTIVE_CONTENT.search(data):
            raise ValidationError(
                _("“%(name)s” is an SVG with scripts or code-running links; save it without."),
                code="svg_script",
                params={"name": name},
            )
        return "SVG"
    try:
        image_format, _width, _height = decode_image(
            upload, formats={key: IMAGE_FORMATS[key] for key in ("JPEG", "PNG", "WEBP")}
        )
    except ValidationError as error:
        if error.code != "format":
            raise
        raise ValidationError(
            _("“%(name)s” is not a PDF, SVG, EPS, PNG, JPEG or WebP file."),
            code="format",
            params={"name": name},
        ) from None
    return image_format


def validate_document(upload):
    """Model field validator for documents."""
    if getattr(upload, "_committed", False):
        return
    detect_document(upload)
