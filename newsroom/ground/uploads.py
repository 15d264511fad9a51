"""Accepting uploaded files safely: generated names and images checked before they are kept.

This lives in the lowest app because every app takes images (logos,
portraits, photos); the media app adds what only photos need.

Uploads can be 100 MB and 100 megapixels, and one worker may hold only so
much memory, so nothing here reads a whole file at once: metadata is found by
walking the file's structure, pixels are checked without being decoded at
full size where the format allows it, and only small parts are kept in memory.
"""

import math
import re
import secrets
import struct
import warnings
import zlib
from contextlib import nullcontext
from pathlib import PurePath
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from newsroom.ground.heif import open_tiles

# Pillow format name → file extensions we accept for it.
IMAGE_FORMATS = {
    "JPEG": {".jpg", ".jpeg", ".jpe"},
    "PNG": {".png"},
    "WEBP": {".webp"},
    "TIFF": {".tif", ".tiff"},
    # iPhones save HEIC by default; pillow-heif teaches Pillow to read it.
    "HEIF": {".heic", ".heif", ".hif"},
}
FORMAT_EXTENSIONS = {
    "JPEG": ".jpg",
    "PNG": ".png",
    "WEBP": ".webp",
    "TIFF": ".tif",
    "HEIF": ".heic",
}
FORMAT_NAMES = {"WEBP": "WebP", "HEIF": "HEIC"}

# The longest side a JPEG can have is 65,535 pixels, and every photo gets
# JPEG renditions: a side beyond that could never be served.
MAX_IMAGE_SIDE = 65_500
# Thumbnails are 400 × 400 and link previews 1200 × 630: a strip narrower
# than this would be a line of a pixel or two in the one and scaled up
# hundreds of times in the other.
MAX_ASPECT_RATIO = 20
# Formats whose pixels can only be decoded whole, at full size: memory grows
# with the pixels, so they get a lower limit than JPEG, which decodes at 1/8
# scale for checking and for renditions. Pillow holds 4 bytes a pixel for
# colour; Pillow's WebP decoder about 16, for its frame buffers and copies.
# HEIC is read a row of its tiles at a time (newsroom.ground.heif), so phones'
# tiled photos are accepted up to the general limit; the limit here is for
# what libheif decodes at once, about 7 bytes a pixel (its HEVC frames,
# YCbCr and RGB): a HEIC stored in one piece, or one row of tiles.
# Measured in bench/uploads.py against a worker's budget of 150 MB.
WHOLE_DECODE_PIXELS = {"HEIF": 16_000_000, "WEBP": 8_000_000}
# Read tile by tile, a HEIC still costs memory as it goes: libheif keeps each
# tile's compressed data once read, so the whole file's worth by the end.
# 50 megapixels take an iPhone's largest, HEIF Max (48.8).
HEIF_MAX_PIXELS = 50_000_000
WHOLE_DECODE_DEFAULT = 20_000_000
# Progressive JPEGs keep every DCT coefficient of the image in memory while
# they decode (128 bytes per 8 × 8 block of each colour channel), whatever
# the scale. About 36 megapixels with the usual 4:2:0 colour, 18 with full.
PROGRESSIVE_COEFFICIENT_BYTES = 110 * 1024 * 1024
# Real metadata is kilobytes, Lightroom's largest a few megabytes. More is
# either a mistake or a way to make us hold it in memory.
MAX_METADATA_BYTES = 16 * 1024 * 1024

CHUNK_SIZE = 1024 * 1024


def apply_pixel_limit():
    """Make Pillow's own bomb guard agree with ours, so its errors tell the same limit."""
    Image.MAX_IMAGE_PIXELS = settings.NEWSROOM_MAX_IMAGE_PIXELS


def register_heif():
    """Let Pillow open HEIC and HEIF, without decoding their thumbnails."""
    from pillow_heif import register_heif_opener

    register_heif_opener(thumbnails=False)


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


def format_of(image):
    """Pillow's format name as we file it: a JPEG with preview images (MPO) is a JPEG."""
    return "JPEG" if image.format == "MPO" else image.format


def decode_image(upload, formats=IMAGE_FORMATS):
    """Check the image in full and return (format, width, height).

    Raises ValidationError naming the file when it is empty, too big, not an
    allowed format, damaged, or hides something. The file is rewound afterwards.
    """
    name = display_name(upload)
    check_size(upload, name, settings.NEWSROOM_MAX_UPLOAD_BYTES)
    apply_pixel_limit()
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow warns past our limit (check_dimensions then refuses with the
            # image's size) and raises past twice it, before we see the size.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload, formats=list(formats)) as image:
                image_format, (width, height) = format_of(image), image.size
                check_dimensions(image, image_format, name)
                if image_format != "HEIF":
                    verify_pixels(image, image_format, upload)
            if image_format == "HEIF":  # from the file, once Pillow has let go of its copy
                verify_heif(width, height, upload, name)
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise too_many_pixels(name, None, None) from None
    except UnidentifiedImageError:
        raise ValidationError(
            _("“%(name)s” is not a %(formats)s image."),
            code="format",
            params={"name": name, "formats": format_names(formats)},
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError, zlib.error, struct.error):
        raise damaged(name) from None
    finally:
        upload.seek(0)
    extension = PurePath(getattr(upload, "name", "") or "").suffix.lower()
    if extension and extension not in formats[image_format]:
        raise ValidationError(
            _("“%(name)s” is named like a %(extension)s file but contains a %(format)s image."),
            code="extension",
            params={
                "name": name,
                "extension": extension,
                "format": FORMAT_NAMES.get(image_format, image_format),
            },
        )
    check_hidden_content(upload, image_format, name)
    return image_format, width, height


def damaged(name):
    return ValidationError(
        _("“%(name)s” is damaged or incomplete and could not be read."),
        code="damaged",
        params={"name": name},
    )


def check_dimensions(image, image_format, name):
    """Refuse what we could never render, or not within a worker's memory, before decoding."""
    width, height = image.size
    if width * height > settings.NEWSROOM_MAX_IMAGE_PIXELS:
        raise too_many_pixels(name, width, height)
    if max(width, height) > MAX_IMAGE_SIDE:
        raise ValidationError(
            _(
                "“%(name)s” is %(width)s × %(height)s pixels; sides up to %(limit)s pixels are "
                "accepted, the most a JPEG (which every photo is served as) can have."
            ),
            code="too_long",
            params={"name": name, "width": width, "height": height, "limit": MAX_IMAGE_SIDE},
        )
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        raise ValidationError(
            _(
                "“%(name)s” is %(width)s × %(height)s pixels, a strip more than %(ratio)s times "
                "as long as it is wide; thumbnails and link previews cannot be made of it. "
                "Crop it to at most 1:%(ratio)s."
            ),
            code="aspect_ratio",
            params={"name": name, "width": width, "height": height, "ratio": MAX_ASPECT_RATIO},
        )
    if image_format == "HEIF" and width * height > HEIF_MAX_PIXELS:
        raise over_format_limit(
            _(
                "“%(name)s” is a HEIC image of %(pixels)s megapixels; HEIC images are accepted "
                "up to %(limit)s megapixels (a phone's largest, such as an iPhone's HEIF Max, "
                "are 48). Save it as a JPEG, accepted up to %(jpeg_limit)s megapixels."
            ),
            name,
            width * height,
            f"{HEIF_MAX_PIXELS / 1_000_000:g}",
        )
    whole = WHOLE_DECODE_PIXELS.get(image_format, WHOLE_DECODE_DEFAULT)
    limit = min(whole, settings.NEWSROOM_MAX_IMAGE_PIXELS)
    # HEIC is decoded a row of its tiles at a time: verify_heif checks those.
    if image_format not in ("JPEG", "HEIF") and width * height > limit:
        raise over_format_limit(
            _(
                "“%(name)s” is a %(format)s image of %(pixels)s megapixels. %(format)s images "
                "must be decoded whole, so we accept them up to %(limit)s megapixels; save it "
                "as a JPEG, accepted up to %(jpeg_limit)s megapixels."
            ),
            name,
            width * height,
            f"{limit / 1_000_000:g}",
            format=FORMAT_NAMES.get(image_format, image_format),
        )
    if image_format == "JPEG" and is_progressive(image):
        needed = coefficient_bytes(image)
        if needed > PROGRESSIVE_COEFFICIENT_BYTES:
            scale = needed / (width * height)
            raise over_format_limit(
                _(
                    "“%(name)s” is a progressive JPEG of %(pixels)s megapixels; progressive "
                    "JPEGs must be decoded whole, so with its colour resolution we accept them "
                    "up to %(limit)s megapixels. Save it as a standard (baseline) JPEG, "
                    "accepted up to %(jpeg_limit)s megapixels."
                ),
                name,
                width * height,
                f"{PROGRESSIVE_COEFFICIENT_BYTES / scale / 1_000_000:.0f}",
            )


def over_format_limit(message, name, pixels, limit, **params):
    """A refusal of more pixels than a format may have here, giving JPEG's own limit."""
    return ValidationError(
        message,
        code="too_many_pixels",
        params={
            "name": name,
            "pixels": f"{pixels / 1_000_000:.1f}",
            "limit": limit,
            "jpeg_limit": f"{settings.NEWSROOM_MAX_IMAGE_PIXELS / 1_000_000:g}",
            **params,
        },
    )


def is_progressive(image):
    return bool(image.info.get("progressive") or image.info.get("progression"))


def coefficient_bytes(image):
    """What libjpeg holds for a progressive JPEG: 64 two-byte coefficients per block."""
    width, height = image.size
    sampling = [(h, v) for _id, h, v, _table in image.layer] or [(1, 1)]
    h_max = max(h for h, _v in sampling)
    v_max = max(v for _h, v in sampling)
    blocks = sum(
        math.ceil(math.ceil(width * h / h_max) / 8) * math.ceil(math.ceil(height * v / v_max) / 8)
        for h, v in sampling
    )
    return blocks * 128


def verify_pixels(image, image_format, upload):
    """Decode every pixel's data, at reduced scale or streamed where the format allows.

    JPEG: libjpeg reads every coefficient even at 1/8 scale, so damage is
    found just the same, in 1/64 of the memory. PNG: the chunks' checksums
    and the complete zlib stream are checked without keeping the pixels.
    The rest are decoded whole (their pixel limit keeps that affordable).
    """
    if image_format == "JPEG":
        width, height = image.size
        image.draft(image.mode, (math.ceil(width / 8), math.ceil(height / 8)))
        image.load()
    elif image_format == "PNG":
        verify_png(image, upload)
    else:
        image.load()


def verify_heif(width, height, upload, name):
    """Decode every tile of a HEIC photo once, after checking what it decodes at once."""
    with open_tiles(upload) or nullcontext() as tiles:
        at_once = tiles.row_pixels if tiles and tiles.readable else width * height
        limit = min(WHOLE_DECODE_PIXELS["HEIF"], settings.NEWSROOM_MAX_IMAGE_PIXELS)
        if at_once > limit:
            raise over_format_limit(
                _(
                    "“%(name)s” is a HEIC image stored in one piece of %(pixels)s megapixels. "
                    "Pieces of HEIC images are decoded whole, so we accept them up to "
                    "%(limit)s megapixels (phones store theirs in small tiles); save it as a "
                    "JPEG, accepted up to %(jpeg_limit)s megapixels."
                ),
                name,
                at_once,
                f"{limit / 1_000_000:g}",
            )
        if tiles:
            tiles.verify()
        else:  # a libheif without the tile functions: decoded whole, in its own buffer
            from pillow_heif import open_heif

            upload.seek(0)
            open_heif(upload, convert_hdr_to_8bit=True).data  # noqa: B018 (decodes)


# Markup a browser would run if the file were ever served as a page: a
# "polyglot" that is an image and a web page at once.
HIDDEN_MARKUP = re.compile(
    rb"<(?:script|html|body|iframe|object|embed|svg|\?php|!doctype)\b", re.I
)
# Longest match, less one: how much of one chunk is kept to find a tag split across two.
MARKUP_OVERLAP = 16


class Markup(Exception):
    """Found markup: `found` is the tag, `where` says in which part of the file."""

    def __init__(self, found, where):
        super().__init__(found, where)
        self.found, self.where = found, where


IN_METADATA = "metadata"
AFTER_END = "trailing"


def search_markup(data, where):
    match = HIDDEN_MARKUP.search(data)
    if match:
        raise Markup(match.group().decode("latin-1"), where)


def search_metadata(data):
    """Search a metadata block; an EXIF block's thumbnail is compressed pixels, not text."""
    exif = data.removeprefix(b"Exif\x00\x00")
    thumbnail = exif_thumbnail(exif)
    if thumbnail:
        search_markup(exif[: thumbnail[0]], IN_METADATA)
        search_markup(exif[thumbnail[1] :], IN_METADATA)
    else:
        search_markup(data, IN_METADATA)


def exif_thumbnail(exif):
    """(start, end) of the JPEG thumbnail in an EXIF (TIFF) block, or None."""
    endian = {b"II": "<", b"MM": ">"}.get(exif[:2])
    try:
        (offset,) = struct.unpack_from(endian + "I", exif, 4)
        (count,) = struct.unpack_from(endian + "H", exif, offset)
        (offset,) = struct.unpack_from(endian + "I", exif, offset + 2 + 12 * count)
        (count,) = struct.unpack_from(endian + "H", exif, offset)
        entries = {}
        for number in range(count):
            tag, _kind, _count, value = struct.unpack_from(
                endian + "HHII", exif, offset + 2 + 12 * number
            )
            entries[tag] = value
    except (struct.error, TypeError):
        return None
    start, length = entries.get(0x0201), entries.get(0x0202)
    if start and length and start + length <= len(exif):
        return start, start + length
    return None


def search_stream(upload, start, length, where):
    """Search `length` bytes from `start` for markup, a chunk at a time."""
    upload.seek(start)
    tail = b""
    while length > 0:
        chunk = upload.read(min(CHUNK_SIZE, length))
        if not chunk:
            break
        length -= len(chunk)
        search_markup(tail + chunk, where)
        tail = chunk[-MARKUP_OVERLAP:]


def check_hidden_content(upload, image_format, name):
    """Refuse images that carry something else: web page code where markup can hide.

    Only the metadata (JPEG APPn and comment segments, PNG text chunks, WebP
    and TIFF metadata, HEIF items other than pixels) and bytes after the image's
    end are searched. Compressed pixels are random bytes in which a short tag
    turns up by chance in about one camera photo of a few hundred; searching
    them refused ordinary photos.
    """
    checkers = {
        "JPEG": check_jpeg,
        "PNG": check_png,
        "WEBP": check_webp,
        "TIFF": check_tiff,
        "HEIF": check_heif,
    }
    try:
        checkers[image_format](upload, upload.size)
    except Markup as markup:
        if markup.where == IN_METADATA:
            message = _(
                "“%(name)s” contains text that a browser could run as a web page "
                "(“%(found)s…”), in its metadata. Save the photo again without that text."
            )
        else:
            message = _(
                "“%(name)s” contains text that a browser could run as a web page "
                "(“%(found)s…”), after the end of the image. Save the photo again."
            )
        raise ValidationError(
            message, code="markup", params={"name": name, "found": markup.found}
        ) from None
    except TrailingData:
        raise ValidationError(
            _("“%(name)s” has data after the end of the image."),
            code="trailing_data",
            params={"name": name},
        ) from None
    except TooMuchMetadata:
        raise ValidationError(
            _("“%(name)s” carries more than %(limit)s of metadata; save it again without."),
            code="metadata_size",
            params={"name": name, "limit": filesizeformat(MAX_METADATA_BYTES)},
        ) from None
    except (OSError, ValueError, struct.error, zlib.error, EOFError):
        raise damaged(name) from None
    finally:
        upload.seek(0)


class TrailingData(Exception):
    """Bytes after the end of an image, in a format where nothing belongs there."""


class TooMuchMetadata(Exception):
    pass


# JPEG

SOI, EOI, SOS, COM = 0xD8, 0xD9, 0xDA, 0xFE
# Start of frame: C0 to CF, less DHT (C4), JPG (C8) and DAC (CC).
SOF_MARKERS = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
APP0, APP15 = 0xE0, 0xEF
# Markers that stand alone, without a length: restarts, SOI, EOI, TEM.
STANDALONE_MARKERS = {*range(0xD0, 0xD8), SOI, EOI, 0x01}
# In compressed data, FF is followed by 00 (a stuffed byte), a restart marker
# or a fill byte; any other byte after FF ends the data.
NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def is_metadata_marker(marker):
    return APP0 <= marker <= APP15 or marker == COM


def jpeg_structure(upload, start=0):
    """Walk a JPEG from `start` and yield its parts, reading a chunk at a time.

    ("segment", marker, offset, length): a marker segment; `offset` is where
    its FF is, `length` counts marker, length field and payload.
    ("data", offset, length): compressed data after a scan header.
    ("junk", offset, length): bytes between segments that belong to none,
    skipped the way libjpeg skips them (a segment that lies about its length).
    ("end", offset): `offset` is just after the EOI marker.
    Raises ValueError for a JPEG whose structure is broken.
    """
    upload.seek(start)
    if upload.read(2) != b"\xff\xd8":
        raise ValueError("not a JPEG")
    yield ("segment", SOI, start, 2)
    position = start + 2
    while True:
        marker_at = find_marker(upload, position)
        if marker_at > position:
            yield ("junk", position, marker_at - position)
        position = marker_at
        upload.seek(position)
        marker = upload.read(2)[1]
        if marker == EOI:
            yield ("end", position + 2)
            return
        if marker in STANDALONE_MARKERS:
            yield ("segment", marker, position, 2)
            position += 2
            continue
        size = upload.read(2)
        if len(size) < 2:
            raise ValueError("cut JPEG segment")
        length = 2 + int.from_bytes(size, "big")
        yield ("segment", marker, position, length)
        position += length
        if marker == SOS:
            end = find_marker(upload, position)
            yield ("data", position, end - position)
            position = end


def find_marker(upload, position):
    """Where the next marker at or after `position` is: compressed data and junk end there."""
    upload.seek(position)
    carried = b""
    while True:
        chunk = upload.read(CHUNK_SIZE)
        if not chunk:
            raise ValueError("JPEG without an end")
        data = carried + chunk
        match = NEXT_MARKER.search(data)
        if match:
            return position - len(carried) + match.start()
        # A lone FF at the end may start a marker in the next chunk.
        carried = data[-1:] if data.endswith(b"\xff") else b""
        position += len(chunk)


def check_jpeg(upload, size, start=0, depth=0):
    end = size
    for part in jpeg_structure(upload, start):
        if part[0] == "segment" and is_metadata_marker(part[1]):
            _kind, _marker, offset, length = part
            upload.seek(offset + 4)
            search_metadata(upload.read(length - 4))
        elif part[0] == "junk":
            search_stream(upload, part[1], part[2], IN_METADATA)
        elif part[0] == "end":
            end = part[1]
    if end < size:
        check_jpeg_trailer(upload, end, size, depth)


def check_jpeg_trailer(upload, start, size, depth):
    """After a JPEG's end, cameras add preview images (MPF) and phones short videos."""
    upload.seek(start)
    head = upload.read(12)
    if head.startswith(b"\xff\xd8\xff") and depth < 4:
        check_jpeg(upload, size, start, depth + 1)
    elif head[4:8] == b"ftyp":
        check_boxes(upload, start, size, media_boxes={b"mdat"})
    elif head.strip(b"\x00\xff"):
        search_stream(upload, start, size - start, AFTER_END)


# ISO base media (HEIF, and the videos phones append to photos)


def iso_boxes(upload, start, end):
    """Yield (type, offset of the payload, payload length) of the boxes between start and end."""
    position = start
    while position + 8 <= end:
        upload.seek(position)
        header = upload.read(8)
        length, kind = struct.unpack(">I4s", header)
        header_size = 8
        if length == 1:
            length = struct.unpack(">Q", upload.read(8))[0]
            header_size = 16
        elif length == 0:
            length = end - position
        if length < header_size or position + length > end:
            raise ValueError("broken box")
        yield kind, position + header_size, length - header_size
        position += length
    if position < end:
        raise TrailingData


def check_boxes(upload, start, end, media_boxes):
    """Search every box but those holding compressed media."""
    for kind, offset, length in iso_boxes(upload, start, end):
        if kind not in media_boxes:
            search_stream(upload, offset, length, IN_METADATA)


def check_heif(upload, size):
    # EXIF and XMP items may live in mdat: they are read out of the image by
    # pillow-heif and searched on their own.
    check_boxes(upload, 0, size, media_boxes={b"mdat"})
    upload.seek(0)
    with Image.open(upload, formats=["HEIF"]) as image:
        search_metadata(image.info.get("exif") or b"")
        search_markup(image.info.get("xmp") or b"", IN_METADATA)


# PNG

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_PIXEL_CHUNKS = {b"IDAT", b"fdAT"}
PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
# Adam7: (first column, first row, column step, row step) of each pass.
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2)]
ADAM7 += [(0, 1, 1, 2)]


def png_chunks(upload):
    """Yield (type, offset of data, length) of each chunk, checking every checksum."""
    upload.seek(0)
    if upload.read(8) != PNG_SIGNATURE:
        raise ValueError("not a PNG")
    position = 8
    while True:
        upload.seek(position)
        header = upload.read(8)
        if len(header) < 8:
            raise ValueError("PNG without an end")
        length, kind = struct.unpack(">I4s", header)
        crc = zlib.crc32(kind)
        remaining = length
        while remaining:
            chunk = upload.read(min(CHUNK_SIZE, remaining))
            if not chunk:
                raise ValueError("cut PNG chunk")
            crc = zlib.crc32(chunk, crc)
            remaining -= len(chunk)
        if upload.read(4) != struct.pack(">I", crc):
            raise ValueError("PNG chunk checksum")
        yield kind, position + 8, length
        position += 12 + length
        if kind == b"IEND":
            return


def png_rows(width, height, bit_depth, colour_type, interlaced):
    """(rows, bytes per row including its filter byte) of each pass of the image data."""
    bits = bit_depth * PNG_CHANNELS[colour_type]
    passes = ADAM7 if interlaced else [(0, 0, 1, 1)]
    rows = []
    for column, row, column_step, row_step in passes:
        columns = math.ceil((width - column) / column_step) if width > column else 0
        count = math.ceil((height - row) / row_step) if height > row else 0
        if columns and count:
            rows.append((count, 1 + math.ceil(columns * bits / 8)))
    return rows


def verify_png(image, upload):
    """Every chunk's checksum, and the image data: complete, with valid row filters."""
    header = None
    decompressor = zlib.decompressobj()
    expected = []
    position = 0  # in the decompressed data
    for kind, offset, length in png_chunks(upload):
        if kind == b"IHDR":
            upload.seek(offset)
            header = struct.unpack(">IIBBBBB", upload.read(13))
            width, height, bit_depth, colour_type, _c, _f, interlaced = header
            for count, stride in png_rows(width, height, bit_depth, colour_type, interlaced):
                expected.append((position, count, stride))
                position += count * stride
            total, position = position, 0
        elif kind == b"IDAT":
            if header is None:
                raise ValueError("PNG data before its header")
            upload.seek(offset)
            remaining = length
            while remaining:
                data = upload.read(min(CHUNK_SIZE, remaining))
                remaining -= len(data)
                while data:
                    piece = decompressor.decompress(data, CHUNK_SIZE)
                    data = decompressor.unconsumed_tail
                    check_filters(piece, position, expected)
                    position += len(piece)
                    if position > total:
                        raise ValueError("too much PNG data")
    if header is None or not decompressor.eof or position != total:
        raise ValueError("incomplete PNG data")


def check_filters(piece, position, passes):
    """Each row starts with a filter type, 0 to 4; anything else is damage."""
    end = position + len(piece)
    for start, count, stride in passes:
        first = max(start, position)
        last = min(start + count * stride, end)
        if first >= last:
            continue
        offset = (start - first) % stride
        filters = piece[first - position + offset : last - position : stride]
        if filters and max(filters) > 4:
            raise ValueError("bad PNG row filter")


PNG_TEXT_CHUNKS = {b"tEXt", b"zTXt", b"iTXt"}


def check_png(upload, size):
    end = 0
    collected = 0
    for kind, offset, length in png_chunks(upload):
        end = offset + length + 4
        if kind in PNG_PIXEL_CHUNKS:
            continue
        if kind == b"eXIf" and length <= MAX_METADATA_BYTES:
            upload.seek(offset)
            search_metadata(upload.read(length))
        else:
            search_stream(upload, offset, length, IN_METADATA)
        if kind in PNG_TEXT_CHUNKS:
            collected += length
            if collected > MAX_METADATA_BYTES:
                raise TooMuchMetadata
            upload.seek(offset)
            search_markup(png_text(kind, upload.read(length)), IN_METADATA)
    if end < size:
        upload.seek(end)
        search_stream(upload, end, size - end, AFTER_END)
        raise TrailingData


def png_text(kind, data):
    """The text of a text chunk, decompressed if it is compressed (and not too much)."""
    _keyword, _null, rest = data.partition(b"\x00")
    if kind == b"zTXt":
        return inflate(rest[1:])
    if kind == b"iTXt":
        compressed, rest = rest[:1], rest[2:]
        _language, _null, rest = rest.partition(b"\x00")
        _translated, _null, text = rest.partition(b"\x00")
        return inflate(text) if compressed == b"\x01" else text
    return rest


def inflate(data):
    decompressor = zlib.decompressobj()
    text = decompressor.decompress(data, MAX_METADATA_BYTES)
    if decompressor.unconsumed_tail:
        raise TooMuchMetadata
    return text


# WebP

WEBP_PIXEL_CHUNKS = {b"VP8 ", b"VP8L", b"ALPH", b"ANMF"}


def check_webp(upload, size):
    upload.seek(0)
    _riff, length, _webp = struct.unpack("<4sI4s", upload.read(12))
    end = min(8 + length, size)
    position = 12
    while position + 8 <= end:
        upload.seek(position)
        kind, chunk_length = struct.unpack("<4sI", upload.read(8))
        if kind == b"EXIF" and chunk_length <= MAX_METADATA_BYTES:
            search_metadata(upload.read(chunk_length))
        elif kind not in WEBP_PIXEL_CHUNKS:
            search_stream(upload, position + 8, chunk_length, IN_METADATA)
        position += 8 + chunk_length + chunk_length % 2
    if end < size:
        search_stream(upload, end, size - end, AFTER_END)


# TIFF

TIFF_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}
TIFF_TYPE_SIZES |= {13: 4, 16: 8, 17: 8, 18: 8}
# Where the pixels are, not metadata: strip and tile offsets and sizes.
# Photoshop's layers (ImageSourceData) are compressed pixels too.
TIFF_PIXEL_TAGS = {273, 279, 324, 325, 37724}
# Tags that point to more tags: EXIF, GPS, interoperability, sub-images.
TIFF_IFD_TAGS = {330, 34665, 34853, 40965}


def check_tiff(upload, size):
    upload.seek(0)
    order = upload.read(2)
    endian = {b"II": "<", b"MM": ">"}.get(order)
    if endian is None:
        raise ValueError("not a TIFF")
    magic, first = struct.unpack(endian + "HI", upload.read(6))
    if magic != 42:
        raise ValueError("BigTIFF or not a TIFF")
    pending, seen, collected = [first], set(), 0
    while pending:
        offset = pending.pop()
        if offset == 0 or offset in seen or len(seen) > 1000:
            continue
        seen.add(offset)
        upload.seek(offset)
        (count,) = struct.unpack(endian + "H", upload.read(2))
        entries = upload.read(12 * count)
        (next_ifd,) = struct.unpack(endian + "I", upload.read(4))
        pending.append(next_ifd)
        for number in range(count):
            tag, kind, values, value = struct.unpack(
                endian + "HHI4s", entries[12 * number : 12 * number + 12]
            )
            if tag in TIFF_PIXEL_TAGS:
                continue
            length = TIFF_TYPE_SIZES.get(kind, 1) * values
            if tag in TIFF_IFD_TAGS and length <= 4:
                pending.append(struct.unpack(endian + "I", value)[0])
            if length <= 4:
                search_markup(value[:length], IN_METADATA)
                continue
            collected += length
            if collected > MAX_METADATA_BYTES + 2 * size:
                raise TooMuchMetadata
            (at,) = struct.unpack(endian + "I", value)
            search_stream(upload, at, min(length, size - at), IN_METADATA)


# Errors


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
    names = [FORMAT_NAMES.get(name, name) for name in formats]
    return ", ".join(names[:-1]) + _(" or ") + names[-1] if len(names) > 1 else names[0]


def validate_image(upload):
    """Model field validator: the file must be a real, whole, allowed image."""
    if getattr(upload, "_committed", False):
        # Already stored: validated when it was uploaded.
        return
    decode_image(upload)


# Requests


def largest_request():
    """The most one request may carry: the largest file, plus room for the form around it."""
    largest = max(settings.NEWSROOM_MAX_UPLOAD_BYTES, settings.NEWSROOM_MAX_DOCUMENT_BYTES)
    return largest + 1024 * 1024


class RequestSizeLimit:
    """Answer 413 to a request whose body is bigger than any upload we accept, unread.

    Django caps form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but not files: a
    request with many big files would be read to the end, into temporary
    files, before any view could refuse it. This runs before anything reads
    the body (the CSRF check does).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = largest_request()
        if length > limit:
            message = _(
                "This upload is %(size)s; one request may carry at most %(limit)s. "
                "Upload fewer files at a time, or smaller ones."
            ) % {"size": filesizeformat(length), "limit": filesizeformat(limit)}
            response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
            # The client has not sent the rest: do not wait for it on this connection.
            response["Connection"] = "close"
            return response
        return self.get_response(request)


# Documents: what each accepted type starts with, and its usual extensions.
DOCUMENT_TYPES = {
    "PDF": ({".pdf", ".ai"}, "application/pdf"),
    "SVG": ({".svg"}, "image/svg+xml"),
    "EPS": ({".eps", ".ps"}, "application/postscript"),
    "JPEG": (IMAGE_FORMATS["JPEG"], "image/jpeg"),
    "PNG": (IMAGE_FORMATS["PNG"], "image/png"),
    "WEBP": (IMAGE_FORMATS["WEBP"], "image/webp"),
}


def detect_document(upload):
    """Return (type, content type) of a fact sheet, logo or PDF, judged by its bytes.

    Raises ValidationError naming the file when it is empty, too big, of a
    type we do not take, damaged, or named like another type.
    """
    name = display_name(upload)
    check_size(upload, name, settings.NEWSROOM_MAX_DOCUMENT_BYTES)
    kind = document_kind(upload, name)
    extension = PurePath(getattr(upload, "name", "") or "").suffix.lower()
    extensions, content_type = DOCUMENT_TYPES[kind]
    if extension and extension not in extensions:
        raise ValidationError(
            _("“%(name)s” is named like a %(extension)s file but is a %(kind)s file."),
            code="extension",
            params={"name": name, "extension": extension, "kind": kind},
        )
    return kind, content_type


def document_kind(upload, name):
    upload.seek(0)
    start = upload.read(1024)
    upload.seek(max(0, upload.size - 2048))
    end = upload.read(2048)
    upload.seek(0)
    if start.startswith(b"%PDF-"):
        if b"%%EOF" not in end:
            raise ValidationError(
                _("“%(name)s” is an incomplete PDF."), code="damaged", params={"name": name}
            )
        return "PDF"
    if start.startswith((b"%!PS-Adobe", b"\xc5\xd0\xd3\xc6")):
        return "EPS"
    if start.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<") and check_svg(upload, name):
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


# SVG: parsed as XML, never with entities, never fetching anything.

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
XLINK_NAMESPACE = "http://www.w3.org/1999/xlink"
XHTML_NAMESPACE = "http://www.w3.org/1999/xhtml"
# Elements that run code, embed other documents or pages, or react to events.
ACTIVE_ELEMENTS = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"}
# Attributes holding an address the viewer would follow or load.
LINK_ATTRIBUTES = {"href", "src", "action", "formaction", "data"}
# Animations can set any attribute, links included, to any of these values.
ANIMATION_VALUES = {"to", "from", "values", "by"}
# Pictures embedded in the file itself are fine; nothing else may come as data.
EMBEDDED_PICTURE = re.compile(r"data:image/(?:png|jpeg|jpg|gif|webp);", re.I)
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]*)", re.I)
# What a browser ignores inside a URL's scheme: "java\tscript:" is javascript:.
URL_IGNORED = re.compile(r"[\x00-\x20]")


class ActiveSvg(Exception):
    def __init__(self, code, detail=""):
        super().__init__(code, detail)
        self.code, self.detail = code, detail


class NotSvg(Exception):
    """Well-formed XML, but its root is not an <svg> element."""


def check_svg(upload, name):
    """True for a safe SVG; False for what is not an SVG at all; ValidationError otherwise."""
    checker = SvgChecker()
    parser = expat.ParserCreate(namespace_separator=" ")
    # Entities are refused where they are declared, and no external DTD or
    # entity is ever read: expat fetches nothing unless told how.
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = refuse_internal_subset
    parser.EntityDeclHandler = refuse_entities
    parser.ExternalEntityRefHandler = refuse_entities
    parser.ProcessingInstructionHandler = refuse_stylesheets
    parser.StartElementHandler = checker.start
    parser.EndElementHandler = checker.end
    parser.CharacterDataHandler = checker.text
    upload.seek(0)
    try:
        while chunk := upload.read(CHUNK_SIZE):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except ActiveSvg as active:
        raise svg_error(active, name) from None
    except NotSvg:
        return False
    except expat.ExpatError as error:
        if not checker.elements:
            return False  # not XML at all: the caller says what we accept
        raise ValidationError(
            _("“%(name)s” is a damaged SVG: %(error)s."),
            code="damaged",
            params={"name": name, "error": expat.ErrorString(error.code)},
        ) from None
    finally:
        upload.seek(0)
    return True


def refuse_internal_subset(name, system_id, public_id, has_internal_subset):
    # A bare <!DOCTYPE svg PUBLIC …> declares nothing and is never fetched; a
    # subset in brackets can declare entities and default attributes (an
    # onload for every element), so it is refused whatever it holds.
    if has_internal_subset:
        raise ActiveSvg("svg_entities")


def refuse_entities(*args):
    raise ActiveSvg("svg_entities")


def refuse_stylesheets(target, data):
    if target.lower() == "xml-stylesheet":
        raise ActiveSvg("svg_external", "xml-stylesheet")


def local_name(qualified):
    """ "http://www.w3.org/2000/svg script" (expat's form) → ("http://…/svg", "script")."""
    namespace, _space, name = qualified.rpartition(" ")
    return namespace, name


class SvgChecker:
    """expat handlers that refuse anything active, in any namespace or prefix."""

    def __init__(self):
        self.elements = 0
        self.open = []  # lower-case names of the elements we are inside
        self.style = []

    def start(self, tag, attributes):
        namespace, name = local_name(tag)
        if not self.elements and (name != "svg" or namespace not in (SVG_NAMESPACE, "")):
            raise NotSvg
        self.elements += 1
        lowered = name.lower()
        self.open.append(lowered)
        if lowered in ACTIVE_ELEMENTS or namespace == XHTML_NAMESPACE:
            raise ActiveSvg("svg_script", f"<{name}>")
        target = local_name(attributes.get("attributeName", ""))[1].lower()
        animates_link = lowered in {"animate", "set"} and target in LINK_ATTRIBUTES
        for qualified, value in attributes.items():
            attribute = local_name(qualified)[1].lower()
            if attribute.startswith("on") or (attribute == "attributename" and target[:2] == "on"):
                raise ActiveSvg("svg_script", f"{attribute}=")
            if attribute in LINK_ATTRIBUTES:
                check_address(value, lowered)
            elif animates_link and attribute in ANIMATION_VALUES:
                for address in value.split(";"):
                    check_address(address, lowered)
            elif attribute == "style":
                check_css(value)

    def end(self, tag):
        if self.open.pop() == "style":
            check_css("".join(self.style))
            self.style = []

    def text(self, text):
        if self.open and self.open[-1] == "style":
            self.style.append(text)


def check_address(value, element):
    """A link or reference: to a part of the file itself, or a picture carried in it.

    Links that readers follow (<a>) may go to web sites and e-mail addresses;
    everything the viewer would load must come from the file itself.
    """
    address = URL_IGNORED.sub("", value)
    lowered = address.lower()
    if not address or address.startswith("#"):
        return
    if lowered.startswith(("javascript:", "vbscript:")):
        raise ActiveSvg("svg_script", lowered.split(":")[0] + ":")
    if lowered.startswith("data:"):
        if element == "image" and EMBEDDED_PICTURE.match(address):
            return
        raise ActiveSvg("svg_script", "data:")
    if element == "a" and lowered.startswith(("https://", "http://", "mailto:")):
        return
    raise ActiveSvg("svg_external", value[:60])


def check_css(text):
    if "@import" in text.lower():
        raise ActiveSvg("svg_external", "@import")
    for address in CSS_URL.findall(text):
        check_address(address, "style")


def svg_error(active, name):
    if active.code == "svg_entities":
        message = _(
            "“%(name)s” contains XML entity declarations, which we do not accept for "
            "security. Save the SVG again without them (most programs can export a "
            "plain SVG)."
        )
    elif active.code == "svg_external":
        message = _(
            "“%(name)s” is an SVG that loads something from elsewhere (%(detail)s). "
            "Save it with everything it shows inside the file."
        )
    else:
        message = _(
            "“%(name)s” is an SVG with scripts or code-running links (%(detail)s); "
            "save it without."
        )
    return ValidationError(
        message, code=active.code, params={"name": name, "detail": active.detail}
    )


def validate_document(upload):
    """Model field validator for documents."""
    if getattr(upload, "_committed", False):
        return
    detect_document(upload)
