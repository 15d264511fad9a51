"""Embedded photo metadata: read it on upload, clean and stamp it on every file we serve.

Uploads tell us their title, caption, credit, copyright and when they were
taken, so editors get those fields prefilled. The same files also carry things
journalists must never receive from us: where the photographer stood (GPS),
serial numbers and owner names that identify the camera and its owner, maker
notes (a vendor blob full of both), the embedded EXIF thumbnail (which can show
the uncropped original) and unique image IDs. Every served file is cleaned of
those and stamped with our rights, in IPTC and XMP, because that is what a
newspaper photo desk's software shows next to the picture.

pyexiv2 (exiv2) edits metadata only: the compressed image data of an original
download stays byte for byte what the photographer sent.
"""

import io
import re
import shutil
import struct
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pyexiv2
from PIL import Image, UnidentifiedImageError

from newsroom.ground.uploads import (
    APP0,
    APP15,
    COM,
    SOI,
    SOS,
    is_metadata_marker,
    iso_boxes,
    jpeg_structure,
    png_chunks,
)

# exiv2 logs warnings for every odd tag of every camera; they are not errors for us.
pyexiv2.set_log_level(4)

# Formats whose metadata exiv2 can both read and rewrite, and which we serve.
WRITABLE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/tiff"}

# pyexiv2 decodes every value strictly with the encoding it is given. Metadata
# from cameras and old tools is often Latin-1 or cp1252, which strict UTF-8 would
# refuse; Latin-1 maps each byte to one character and never fails, and
# `_text()` then works out what the bytes really are.
BYTE_FOR_BYTE = "latin-1"
UTF8 = "utf-8"

# EXIF groups that are part of the standard file structure. Any other group is
# a decoded maker note (Exif.Canon.*, Exif.Nikon3.*, Exif.Sony1.*, ...). In a
# TIFF, SubImage*/SubThumb* hold real image data and must stay.
STANDARD_EXIF_GROUPS = {"Image", "Image2", "Image3", "Photo", "Iop", "GPSInfo", "Thumbnail"}
STANDARD_EXIF_GROUP_PREFIXES = ("SubImage", "SubThumb")

PERSONAL_EXIF_KEYS = {
    "Exif.Image.GPSTag",
    "Exif.Image.CameraSerialNumber",
    "Exif.Photo.BodySerialNumber",
    "Exif.Photo.LensSerialNumber",
    "Exif.Photo.CameraOwnerName",
    "Exif.Photo.ImageUniqueID",
    "Exif.Photo.MakerNote",
}
PERSONAL_XMP_KEYS = {
    "Xmp.aux.SerialNumber",
    "Xmp.aux.LensSerialNumber",
    "Xmp.aux.OwnerName",
    "Xmp.exifEX.BodySerialNumber",
    "Xmp.exifEX.LensSerialNumber",
    "Xmp.exifEX.CameraOwnerName",
    "Xmp.exifEX.ImageUniqueID",
    "Xmp.exif.ImageUniqueID",
}
# The photographer's address, phone numbers, e-mail and web site, and XMP's
# own thumbnail (a base64 JPEG, as revealing as the EXIF one). In IIM the
# nearest thing to contact info is the Contact dataset, filled the same way.
PERSONAL_XMP_PREFIXES = ("Xmp.iptc.CreatorContactInfo", "Xmp.xmp.Thumbnails")
PERSONAL_IPTC_KEYS = {"Iptc.Application2.Contact"}

# The last part of an XMP key ("Xmp.exif.GPSLatitude",
# "Xmp.iptcExt.LocationCreated[1]/Iptc4xmpExt:GPSLongitude", "Xmp.drone-dji.GpsLatitude").
XMP_PROPERTY_NAME = re.compile(r"[^./:]+$")

ORIENTATION_KEYS = {"Exif.Image.Orientation", "Xmp.tiff.Orientation"}

# Tells IPTC readers the text is UTF-8 (ISO 2022 escape "ESC % G"). Without it
# they assume Latin-1 and show "BÃ¤ckman".
IPTC_UTF8 = "\x1b%G"

# Maximum lengths in bytes from the IPTC IIM 4.2 specification. Photo-desk
# software may cut or reject longer values; XMP carries the full text anyway.
IPTC_MAX_BYTES = {
    "Iptc.Application2.ObjectName": 64,
    "Iptc.Application2.Byline": 32,
    "Iptc.Application2.Credit": 32,
    "Iptc.Application2.Copyright": 128,
    "Iptc.Application2.Caption": 2000,
    "Iptc.Application2.SpecialInstructions": 256,
}

X_DEFAULT = 'lang="x-default"'
LANGUAGE_PREFIX = re.compile(r'^lang="[^"]*" ')
EXIF_DATETIME = re.compile(r"(\d{4})[:-](\d\d)[:-](\d\d)[ T](\d\d):(\d\d)(?::(\d\d))?")
EXIF_OFFSET = re.compile(r"([+-])(\d\d):?(\d\d)")


@dataclass(frozen=True)
class Embedded:
    """What an upload says about itself; "" / None when absent."""

    title: str = ""
    caption: str = ""
    credit: str = ""
    copyright: str = ""
    # Aware when the camera recorded its UTC offset, naive otherwise.
    taken_at: datetime | None = None


@dataclass(frozen=True)
class Rights:
    """What we stamp into served files; an empty value removes the tag."""

    title: str
    caption: str
    credit: str
    copyright: str
    usage_terms: str
    # The language of the texts above, and (language, title, caption) in others:
    # XMP carries every language, IPTC (one language only) the first.
    language: str = ""
    translations: tuple[tuple[str, str, str], ...] = ()


class _ImageData(pyexiv2.ImageData):
    """pyexiv2.ImageData that frees its copy of the bytes even when exiv2 rejects them.

    pyexiv2 copies the data into a C buffer before exiv2 looks at it and frees
    it only in close(), which nobody can call when the constructor raised; a
    worker fed broken uploads would leak one copy of each.
    """

    def __init__(self, data: bytes) -> None:
        try:
            super().__init__(data)
        except Exception:
            buffer = getattr(self, "buffer", None)
            if buffer is not None:
                buffer.destroy()
            raise


@contextmanager
def _opened(data: bytes) -> Iterator[pyexiv2.ImageData]:
    """Open bytes with exiv2 and always free them, whatever happens inside."""
    image = _ImageData(data)
    try:
        yield image
    finally:
        image.close()


def _is_image(data: bytes) -> bool:
    """Whether Pillow recognises the bytes as some image format, broken or not."""
    try:
        with warnings.catch_warnings():
            # Pillow warns about the broken metadata we already know of.
            warnings.simplefilter("ignore")
            Image.open(io.BytesIO(data)).close()
        return True
    except UnidentifiedImageError:
        return False
    except Exception:
        # Recognised, but e.g. too many pixels to open: still an image.
        return True


# Reading


def _read_quietly(read) -> dict:
    """One metadata block; a broken block must not hide the others."""
    try:
        return read(BYTE_FOR_BYTE)
    except Exception:
        return {}


def _repair_mojibake(text: str) -> str:
    """Undo UTF-8 that some tool read as Latin-1/cp1252 and saved again ("BÃ¤ckman")."""
    if text.isascii():
        return text
    for legacy in ("cp1252", "latin-1"):
        try:
            repaired = text.encode(legacy).decode(UTF8)
        except UnicodeError:
            continue
        if repaired != text:
            return repaired
    return text


def _text(raw: str) -> str:
    """Turn a value read byte for byte into the text it means.

    UTF-8 is what XMP requires and what modern cameras and tools write into
    EXIF and IPTC; anything that is not valid UTF-8 is legacy Windows/Latin-1.
    """
    data = raw.encode(BYTE_FOR_BYTE)
    try:
        text = data.decode(UTF8)
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = raw
    return _repair_mojibake(text).strip("\x00 \t\r\n")


def _plain(value: object) -> str:
    """Plain text from a value pyexiv2 returned as text, list or language alternatives."""
    if isinstance(value, dict):
        # XMP language alternatives: the default language, else the first given.
        value = value.get(X_DEFAULT) or next(iter(value.values()), "")
    if isinstance(value, list):
        # Repeated IPTC datasets and XMP arrays (several creators).
        parts = (_plain(item) for item in value)
        return ", ".join(part for part in parts if part)
    return _text(LANGUAGE_PREFIX.sub("", str(value), count=1))


def _first(metadata: dict, keys: list[str]) -> str:
    """The first non-empty value among `keys`, in order of preference."""
    for key in keys:
        text = _plain(metadata.get(key, ""))
        if text:
            return text
    return ""


def _exif_offset(raw: str) -> timezone | None:
    """A UTC offset such as "+02:00" from Exif.Photo.OffsetTimeOriginal."""
    match = EXIF_OFFSET.fullmatch(raw.strip())
    if not match:
        return None
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    try:
        return timezone(-delta if sign == "-" else delta)
    except ValueError:
        return None


def _exif_datetime(raw: str, offset: str) -> datetime | None:
    """EXIF's "2022:07:01 14:03:00"; cameras write zeros or blanks when the clock was unset."""
    match = EXIF_DATETIME.match(raw.strip())
    if not match:
        return None
    year, month, day, hour, minute, second = (int(part or 0) for part in match.groups())
    try:
        taken = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    zone = _exif_offset(offset)
    return taken.replace(tzinfo=zone) if zone else taken


def _xmp_datetime(raw: str) -> datetime | None:
    """XMP's ISO 8601 date-time. A bare date or year is not a moment, so it is ignored."""
    if "T" not in raw:
        return None
    try:
        return datetime.fromisoformat(raw.strip())
    except ValueError:
        return None


def _taken_at(exif: dict, xmp: dict) -> datetime | None:
    """When the photo was taken, from the most precise source that has it."""
    original = _plain(exif.get("Exif.Photo.DateTimeOriginal", ""))
    offset = _plain(exif.get("Exif.Photo.OffsetTimeOriginal", ""))
    candidates = [
        _exif_datetime(original, offset),
        _xmp_datetime(_plain(xmp.get("Xmp.exif.DateTimeOriginal", ""))),
        _xmp_datetime(_plain(xmp.get("Xmp.photoshop.DateCreated", ""))),
    ]
    return next((taken for taken in candidates if taken), None)


def read_embedded(data: bytes) -> Embedded:
    """Title, caption, credit, copyright and capture time an upload carries, to prefill forms.

    Metadata is a convenience: broken or unsupported metadata gives an empty
    Embedded. Bytes that are not an image at all raise ValueError, so the
    upload form can say so.
    """
    try:
        with _opened(data) as image:
            return _embedded(image)
    except Exception:
        # exiv2 errors arrive as RuntimeError, but C++ exceptions can map to
        # other Python types; none of them may stop an upload that is an image.
        if not _is_image(data):
            raise ValueError("The file is not an image.") from None
        return Embedded()


def _embedded(image) -> Embedded:
    exif = _read_quietly(image.read_exif)
    iptc = _read_quietly(image.read_iptc)
    xmp = _read_quietly(image.read_xmp)
    everything = {**exif, **iptc, **xmp}
    return Embedded(
        title=_first(everything, ["Iptc.Application2.ObjectName", "Xmp.dc.title"]),
        caption=_first(
            everything,
            ["Iptc.Application2.Caption", "Xmp.dc.description", "Exif.Image.ImageDescription"],
        ),
        credit=_first(
            everything,
            [
                "Iptc.Application2.Credit",
                "Xmp.photoshop.Credit",
                "Iptc.Application2.Byline",
                "Xmp.dc.creator",
                "Exif.Image.Artist",
            ],
        ),
        copyright=_first(
            everything,
            ["Iptc.Application2.Copyright", "Xmp.dc.rights", "Exif.Image.Copyright"],
        ),
        taken_at=_taken_at(exif, xmp),
    )


# Cleaning


def _exif_group(key: str) -> str:
    return key.split(".")[1]


def _is_maker_note(key: str) -> bool:
    """Maker-note tags as exiv2 decodes them, plus its bookkeeping group Exif.MakerNote.*."""
    group = _exif_group(key)
    if group in STANDARD_EXIF_GROUPS:
        return False
    return not group.startswith(STANDARD_EXIF_GROUP_PREFIXES)


def _is_personal_exif(key: str) -> bool:
    return key in PERSONAL_EXIF_KEYS or _exif_group(key) == "GPSInfo" or _is_maker_note(key)


def _is_personal_xmp(key: str) -> bool:
    match = XMP_PROPERTY_NAME.search(key)
    is_gps = bool(match) and match.group().lower().startswith("gps")
    return is_gps or key in PERSONAL_XMP_KEYS or key.startswith(PERSONAL_XMP_PREFIXES)


def _removals(keys, is_personal, keep_orientation: bool) -> dict:
    """`{key: None}` for every key to delete (pyexiv2 deletes a tag set to None)."""
    doomed = {key for key in keys if is_personal(key)}
    if not keep_orientation:
        doomed |= ORIENTATION_KEYS & set(keys)
    return dict.fromkeys(sorted(doomed))


def _has_thumbnail(exif: dict) -> bool:
    return any(_exif_group(key) == "Thumbnail" for key in exif)


# Stamping


def _or_none(value: str) -> str | None:
    """An empty rights value removes the tag instead of writing an empty one."""
    return value or None


def _fit_iptc(key: str, value: str) -> str:
    """Cut to the IIM byte limit without splitting a UTF-8 character."""
    limit = IPTC_MAX_BYTES[key]
    return value.encode(UTF8)[:limit].decode(UTF8, "ignore")


def _iptc_rights(rights: Rights) -> dict:
    values = {
        "Iptc.Application2.ObjectName": rights.title,
        "Iptc.Application2.Caption": rights.caption,
        "Iptc.Application2.Credit": rights.credit,
        "Iptc.Application2.Copyright": rights.copyright,
        "Iptc.Application2.SpecialInstructions": rights.usage_terms,
    }
    stamped: dict = {key: _or_none(_fit_iptc(key, value)) for key, value in values.items()}
    # By-line is repeatable (one entry per photographer); pyexiv2 writes lists as repeats.
    byline = _fit_iptc("Iptc.Application2.Byline", rights.credit)
    stamped["Iptc.Application2.Byline"] = [byline] if byline else None
    stamped["Iptc.Envelope.CharacterSet"] = IPTC_UTF8
    return stamped


def _language_alternative(value: str) -> dict | None:
    """XMP's lang-alt form, which is what dc:title, dc:description, dc:rights use."""
    return {X_DEFAULT: value} if value else None


def _in_languages(text: str, language: str, others: dict[str, str]) -> dict | None:
    """A text and its translations as XMP language alternatives, the default first."""
    given = {code: other for code, other in others.items() if other}
    if not text and not given:
        return None
    alternatives = {X_DEFAULT: text or next(iter(given.values()))}
    if text and language:
        alternatives[f'lang="{language}"'] = text
    alternatives |= {f'lang="{code}"': other for code, other in given.items()}
    return alternatives


def _xmp_rights(rights: Rights) -> dict:
    titles = {code: title for code, title, _caption in rights.translations}
    captions = {code: caption for code, _title, caption in rights.translations}
    return {
        "Xmp.dc.title": _in_languages(rights.title, rights.language, titles),
        "Xmp.dc.description": _in_languages(rights.caption, rights.language, captions),
        "Xmp.dc.creator": [rights.credit] if rights.credit else None,
        "Xmp.dc.rights": _language_alternative(rights.copyright),
        "Xmp.photoshop.Credit": _or_none(rights.credit),
        "Xmp.xmpRights.UsageTerms": _language_alternative(rights.usage_terms),
        "Xmp.xmpRights.Marked": "True" if rights.copyright else None,
    }


def _exif_rights(rights: Rights) -> dict:
    # EXIF says ASCII, but exiv2 writes the UTF-8 bytes as they are, and
    # exiftool, Windows, macOS and Lightroom all read them as UTF-8. Skipping
    # non-ASCII values would leave the uploader's stale credit in place.
    return {
        "Exif.Image.ImageDescription": _or_none(rights.caption),
        "Exif.Image.Artist": _or_none(rights.credit),
        "Exif.Image.Copyright": _or_none(rights.copyright),
    }


def _is_legacy_text(raw: str) -> bool:
    """Whether a value read byte for byte is not UTF-8, i.e. Latin-1 or cp1252."""
    try:
        raw.encode(BYTE_FOR_BYTE).decode(UTF8)
    except UnicodeDecodeError:
        return True
    return False


def _iptc_as_utf8(iptc_detail: dict) -> dict:
    """Legacy-encoded IPTC text the stamp leaves in place, re-encoded as UTF-8.

    The stamp marks the whole IPTC block as UTF-8; a Latin-1 City or Keywords
    left as it was would then read as garbage.
    """
    changes = {}
    for key, detail in iptc_detail.items():
        value = detail["value"]
        values = value if isinstance(value, list) else [value]
        if detail["typeName"] == "String" and any(_is_legacy_text(item) for item in values):
            texts = [_text(item) for item in values]
            changes[key] = texts if isinstance(value, list) else texts[0]
    return changes


def _exif_changes(image: pyexiv2.ImageData, rights: Rights | None, keep_orientation: bool) -> dict:
    # Strict reads here: a block we cannot read is a block we cannot clean.
    changes = _removals(image.read_exif(BYTE_FOR_BYTE), _is_personal_exif, keep_orientation)
    if rights:
        changes |= _exif_rights(rights)
    return changes


def _xmp_changes(image: pyexiv2.ImageData, rights: Rights | None, keep_orientation: bool) -> dict:
    changes = _removals(image.read_xmp(BYTE_FOR_BYTE), _is_personal_xmp, keep_orientation)
    if rights:
        changes |= _xmp_rights(rights)
    return changes


def _iptc_changes(image: pyexiv2.ImageData, rights: Rights | None) -> dict:
    # WebP has no place for IPTC; exiv2 reports it as not writable there.
    if image.get_access_mode()["iptc"] != "read+write":
        return {}
    iptc_detail = image.read_iptc_detail(BYTE_FOR_BYTE)
    removals = {key: None for key in iptc_detail if key in PERSONAL_IPTC_KEYS}
    if not rights:
        return removals
    return _iptc_as_utf8(iptc_detail) | removals | _iptc_rights(rights)


def _remove_thumbnail(image: pyexiv2.ImageData) -> None:
    """Drop the EXIF thumbnail (IFD1): it can show the uncropped original."""
    if _has_thumbnail(image.read_exif(BYTE_FOR_BYTE)):
        image.clear_thumbnail()


def _apply(image, rights: Rights | None, keep_orientation: bool) -> None:
    """Remove personal metadata and, given rights, stamp them (an open exiv2 image)."""
    if image.get_mime_type() not in WRITABLE_TYPES:
        raise ValueError(f"Cannot clean metadata of {image.get_mime_type()} files.")
    _remove_thumbnail(image)
    exif_changes = _exif_changes(image, rights, keep_orientation)
    iptc_changes = _iptc_changes(image, rights)
    xmp_changes = _xmp_changes(image, rights, keep_orientation)
    # Each modify call rewrites the whole file in memory, so skip empty ones.
    if exif_changes:
        image.modify_exif(exif_changes, encoding=UTF8)
    if iptc_changes:
        image.modify_iptc(iptc_changes, encoding=UTF8)
    if xmp_changes:
        image.modify_xmp(xmp_changes, encoding=UTF8)


def _rewrite(data: bytes, rights: Rights | None, keep_orientation: bool) -> bytes:
    with _opened(data) as image:
        _apply(image, rights, keep_orientation)
        return image.get_bytes()


def _rewrite_or_refuse(data: bytes, rights: Rights | None, keep_orientation: bool) -> bytes:
    """Never serve a file we could not clean: any exiv2 failure becomes ValueError."""
    try:
        return _rewrite(data, rights, keep_orientation)
    except ValueError:
        raise
    except Exception as error:
        raise ValueError(f"Cannot clean this image's metadata: {error}") from error


def strip_personal_data(data: bytes) -> bytes:
    """The same file without GPS, serial numbers, owner names, maker notes, thumbnail, IDs.

    Raises ValueError for files whose metadata cannot be rewritten, so that a
    caller never serves an uncleaned file by accident.
    """
    return _rewrite_or_refuse(data, None, keep_orientation=True)


def clean_and_stamp(data: bytes, rights: Rights, *, keep_orientation: bool = True) -> bytes:
    """A servable copy: personal metadata removed, our rights written into IPTC, XMP and EXIF.

    The original keeps its EXIF orientation because its pixels are stored
    sideways; renditions are already upright and pass keep_orientation=False
    so viewers do not turn them a second time.
    """
    return _rewrite_or_refuse(data, rights, keep_orientation)


# Files as they are stored: exiv2 is given their metadata only.
#
# exiv2 holds a whole file in memory, several times over while it rewrites
# it: a 100 MB original would cost a worker half a gigabyte. A JPEG's
# metadata all comes before its compressed data, a PNG's outside its IDAT
# chunks, so exiv2 gets a small stand-in file of the metadata alone and the
# compressed data is copied from the stored file behind the cleaned metadata,
# a chunk at a time, byte for byte.

CHUNK_SIZE = 1024 * 1024
JFIF = b"JFIF\x00"
EXIF_HEADER = b"Exif\x00\x00"
XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
ICC_HEADER = b"ICC_PROFILE\x00"
PHOTOSHOP_HEADER = b"Photoshop 3.0\x00"
ADOBE_HEADER = b"Adobe"
# The kinds of APPn segment a served JPEG keeps (exiv2 cleans and stamps the
# first four). Any other (vendor blobs, maker previews, MPF, action-camera
# GPS tracks, comments) is left out: we cannot vouch for what it carries.
KEPT_APP_SEGMENTS = {
    (0xE0, JFIF): "jfif",
    (0xE1, EXIF_HEADER): "exif",
    (0xE1, XMP_HEADER): "xmp",
    (0xED, PHOTOSHOP_HEADER): "iptc",
    (0xE2, ICC_HEADER): "icc",  # colours: the pixels mean nothing without it
    (0xEE, ADOBE_HEADER): "adobe",  # how CMYK and YCCK pixels are to be read
}
# Blocks exiv2 may fail on, dropped one after another until it succeeds.
DROPPABLE = ["exif", "xmp", "iptc"]


def _segment_kind(marker: int, payload_start: bytes) -> str | None:
    for (kept_marker, header), kind in KEPT_APP_SEGMENTS.items():
        if marker == kept_marker and payload_start.startswith(header):
            return kind
    return None


def _copy(source, destination, start: int, length: int) -> None:
    source.seek(start)
    while length > 0:
        chunk = source.read(min(CHUNK_SIZE, length))
        if not chunk:
            raise ValueError("The stored file is shorter than its structure says.")
        destination.write(chunk)
        length -= len(chunk)


def _jpeg_header(source) -> tuple[list, int]:
    """The kept segments before the first scan as (kind, bytes), and where that scan starts."""
    kept, total = [], 0
    for part in jpeg_structure(source):
        if part[0] != "segment":
            continue  # junk between segments
        _part, marker, offset, length = part
        if marker == SOS:
            source.seek(offset)
            kept.append(("sos", source.read(length)))
            return kept, offset
        if marker in (SOI, COM):
            continue
        source.seek(offset)
        if APP0 <= marker <= APP15:
            head = source.read(4 + 32)[4:]
            kind = _segment_kind(marker, head)
            if kind is None:
                continue
            source.seek(offset)
        else:
            kind = "table"
        total += length
        if total > MAX_HEADER_BYTES:
            raise ValueError("More metadata than we clean.")
        kept.append((kind, source.read(length)))
    raise ValueError("A JPEG without image data.")


# What exiv2 may be given as one stand-in: far beyond any real camera's metadata.
MAX_HEADER_BYTES = 16 * 1024 * 1024


def _stand_in(segments: list, leave_out: set) -> bytes:
    """SOI, the segments, EOI: a JPEG exiv2 can read and rewrite, without its pixels."""
    kept = b"".join(data for kind, data in segments if kind not in leave_out)
    return b"\xff\xd8" + kept + b"\xff\xd9"


def _until_scan(stand_in: bytes) -> bytes:
    """exiv2's rewritten stand-in, up to (not including) its scan header."""
    handle = io.BytesIO(stand_in)
    for part in jpeg_structure(handle):
        if part[0] == "segment" and part[1] == SOS:
            return stand_in[: part[2]]
    raise ValueError("exiv2 lost the scan header.")


def _orientation(segments: list) -> int | None:
    """The EXIF orientation as Pillow reads it (what our sizes were computed from)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(_stand_in(segments, set()))) as image:
                return image.getexif().get(0x0112)
    except Exception:
        return None


def _clean_stand_in(segments, rights, keep_orientation, orientation=None) -> bytes:
    """Clean and stamp the stand-in; drop the blocks exiv2 cannot read, one after another."""
    orientation = orientation or (_orientation(segments) if keep_orientation else None)
    leave_out: set = set()
    for drop in [None, *DROPPABLE]:
        if drop:
            leave_out.add(drop)
        try:
            cleaned = _rewrite_or_refuse(_stand_in(segments, leave_out), rights, keep_orientation)
        except ValueError:
            continue
        if keep_orientation and orientation and orientation != 1:
            with _opened(cleaned) as image:
                if "Exif.Image.Orientation" not in image.read_exif(BYTE_FOR_BYTE):
                    image.modify_exif({"Exif.Image.Orientation": str(orientation)})
                    cleaned = image.get_bytes()
        return _until_scan(cleaned)
    raise ValueError("Cannot clean this image's metadata, even without it.")


def clean_jpeg(source, destination, rights: Rights, *, keep_orientation=True, orientation=None):
    """Write a cleaned, stamped copy of the JPEG file `source` into `destination`.

    The compressed data is copied as it is; between the scans of a
    progressive JPEG only what decoders need is kept, and what comes after
    the image's end (preview images, phone videos) is left out, since it
    carries metadata of its own. `orientation` is set when given (a print
    file keeps the stored pixels and says how to turn them).
    """
    segments, scan_start = _jpeg_header(source)
    destination.write(_clean_stand_in(segments, rights, keep_orientation, orientation))
    for part in jpeg_structure(source):
        if part[0] == "end":
            break
        if part[0] == "segment":
            _part, marker, offset, length = part
            if offset >= scan_start and not is_metadata_marker(marker):
                _copy(source, destination, offset, length)
        elif part[0] == "data":
            _part, offset, length = part
            _copy(source, destination, offset, length)
    destination.write(b"\xff\xd9")


def jpeg_metadata(source) -> bytes:
    """A stand-in JPEG with the metadata of the JPEG file `source`, to read it cheaply."""
    segments, _scan_start = _jpeg_header(source)
    return _stand_in(segments, set())


# PNG: the same, with the IDAT chunks as the part copied through.

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EMPTY_IDAT = b"\x00\x00\x00\x00IDAT\x35\xaf\x06\x1e"


def _png_stand_in(source) -> tuple[bytes, list]:
    """The PNG with one empty IDAT where its image data was, and where that data lies."""
    parts, pixels, total = [PNG_SIGNATURE], [], 0
    for kind, offset, length in png_chunks(source):
        if kind == b"IDAT":
            if not pixels:
                parts.append(EMPTY_IDAT)
            pixels.append((offset - 8, length + 12))
            continue
        total += length
        if total > MAX_HEADER_BYTES:
            raise ValueError("More metadata than we clean.")
        source.seek(offset - 8)
        parts.append(source.read(length + 12))
    return b"".join(parts), pixels


def clean_png(source, destination, rights: Rights, *, keep_orientation=True):
    stand_in, pixels = _png_stand_in(source)
    cleaned = _rewrite_or_refuse(stand_in, rights, keep_orientation)
    at = cleaned.find(EMPTY_IDAT)
    if at < 0:
        raise ValueError("exiv2 lost the image data's place.")
    destination.write(cleaned[:at])
    for offset, length in pixels:
        _copy(source, destination, offset, length)
    destination.write(cleaned[at + len(EMPTY_IDAT) :])


def png_metadata(source) -> bytes:
    return _png_stand_in(source)[0]


# TIFF and WebP: exiv2 rewrites a copy on disk (their data is spread through
# the file); it maps the file instead of holding it, about twice its size.


@contextmanager
def _local_copy(source) -> Iterator[str]:
    """The path of a temporary file holding what `source` holds."""
    with tempfile.NamedTemporaryFile(suffix=".image") as copy:
        source.seek(0)
        shutil.copyfileobj(source, copy, CHUNK_SIZE)
        copy.flush()
        yield copy.name


def _open_path(path: str):
    try:
        return pyexiv2.Image(path)
    except Exception as error:
        raise ValueError(f"Cannot clean this image's metadata: {error}") from error


def clean_whole(source, destination, rights: Rights, *, keep_orientation=True):
    with _local_copy(source) as path:
        image = _open_path(path)
        try:
            _apply(image, rights, keep_orientation)
        except ValueError:
            raise
        except Exception as error:
            raise ValueError(f"Cannot clean this image's metadata: {error}") from error
        finally:
            image.close()
        with open(path, "rb") as cleaned:
            shutil.copyfileobj(cleaned, destination, CHUNK_SIZE)


def _read_whole(source) -> Embedded:
    with _local_copy(source) as path:
        try:
            image = pyexiv2.Image(path)
        except Exception:
            return Embedded()
        try:
            return _embedded(image)
        finally:
            image.close()


# HEIF (iPhone photos): exiv2 reads but cannot write it. Its EXIF and XMP are
# items the container points to; each is cleaned through a stand-in JPEG and
# written back in its own place, padded to its old length, so nothing else in
# the file moves. Rights go into the EXIF when they fit; the full-size JPEG
# made for print carries all of them.


def _full_box(data: bytes) -> tuple[int, bytes]:
    return data[0], data[4:]


def _heif_items(source, size: int) -> list[tuple[str, int, int]]:
    """(kind, file offset, length) of the EXIF and XMP items of a HEIF file."""
    meta = next(
        (
            (offset, length)
            for kind, offset, length in iso_boxes(source, 0, size)
            if kind == b"meta"
        ),
        None,
    )
    if meta is None:
        return []
    kinds, places = {}, {}
    for kind, offset, length in iso_boxes(source, meta[0] + 4, meta[0] + meta[1]):
        source.seek(offset)
        if kind == b"iinf":
            kinds = _item_kinds(source, offset, length)
        elif kind == b"iloc":
            places = _item_places(source.read(length))
    items = []
    for item, kind in kinds.items():
        if item not in places:
            continue
        method, extents = places[item]
        if method != 0 or len(extents) != 1:
            raise ValueError("A HEIF metadata item we cannot rewrite in place.")
        items.append((kind, *extents[0]))
    return items


def _item_kinds(source, offset: int, length: int) -> dict[int, str]:
    source.seek(offset)
    version, _rest = _full_box(source.read(6))
    header = 4 + (2 if version == 0 else 4)
    kinds = {}
    for kind, entry, entry_length in iso_boxes(source, offset + header, offset + length):
        if kind != b"infe":
            continue
        source.seek(entry)
        version, data = _full_box(source.read(min(entry_length, 4096)))
        if version < 2:
            continue
        id_size = 2 if version == 2 else 4
        item = int.from_bytes(data[:id_size], "big")
        item_type = data[id_size + 2 : id_size + 6]
        content_type = data[id_size + 6 :].partition(b"\x00")[2].partition(b"\x00")[0]
        if item_type == b"Exif":
            kinds[item] = "exif"
        elif item_type == b"mime" and content_type == b"application/rdf+xml":
            kinds[item] = "xmp"
    return kinds


def _item_places(data: bytes) -> dict[int, tuple[int, list[tuple[int, int]]]]:
    """iloc: item → (construction method, [(offset, length), …])."""
    version, data = _full_box(data)
    offset_size, length_size = data[0] >> 4, data[0] & 15
    base_size, index_size = data[1] >> 4, (data[1] & 15) if version else 0
    position = 2

    def number(size):
        nonlocal position
        value = int.from_bytes(data[position : position + size], "big")
        position += size
        return value

    count = number(2 if version < 2 else 4)
    places = {}
    for _item in range(count):
        item = number(2 if version < 2 else 4)
        method = number(2) & 15 if version else 0
        number(2)  # data reference index
        base = number(base_size)
        extents = []
        for _extent in range(number(2)):
            number(index_size)
            extent_offset = number(offset_size)
            extents.append((base + extent_offset, number(length_size)))
        places[item] = (method, extents)
    return places


def _metadata_jpeg(exif: bytes = b"", xmp: bytes = b"") -> bytes:
    """A one-pixel JPEG carrying `exif` (a TIFF block) and `xmp`, for exiv2."""
    buffer = io.BytesIO()
    Image.new("L", (1, 1)).save(buffer, "JPEG")
    tiny = buffer.getvalue()
    segments = b""
    if exif:
        segments += _app1(EXIF_HEADER + exif)
    if xmp:
        segments += _app1(XMP_HEADER + xmp)
    return tiny[:2] + segments + tiny[2:]


def _app1(payload: bytes) -> bytes:
    if len(payload) > 65533:
        raise ValueError("Metadata too long for a JPEG segment.")
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def _app1_payload(data: bytes, header: bytes) -> bytes:
    for part in jpeg_structure(io.BytesIO(data)):
        if part[0] == "segment" and part[1] == 0xE1:
            payload = data[part[2] + 4 : part[2] + part[3]]
            if payload.startswith(header):
                return payload[len(header) :]
    return b""


def _heif_exif_tiff(item: bytes) -> tuple[int, bytes]:
    """Where the TIFF block starts in an EXIF item, and the block."""
    start = 4 + int.from_bytes(item[:4], "big")
    if item[start : start + 6] == EXIF_HEADER:
        start += 6
    return start, item[start:]


def _cleaned_item(kind: str, item: bytes, rights: Rights) -> bytes:
    """The item cleaned, at most as long as it was (padded with what its format ignores)."""
    if kind == "exif":
        start, tiff = _heif_exif_tiff(item)
        for stamp in (rights, None):
            cleaned = _app1_payload(_rewrite(_metadata_jpeg(exif=tiff), stamp, True), EXIF_HEADER)
            if len(cleaned) <= len(tiff):
                return item[:start] + cleaned.ljust(len(tiff), b"\x00")
        raise ValueError("The cleaned EXIF is longer than the original's place.")
    for stamp in (rights, None):
        cleaned = _app1_payload(_rewrite(_metadata_jpeg(xmp=item), stamp, True), XMP_HEADER)
        if len(cleaned) <= len(item):
            return cleaned.ljust(len(item), b" ")
    # XML allows white space after the document: an empty packet, padded.
    return b" " * len(item)


def clean_heif(source, destination, rights: Rights, **_options):
    size = source.seek(0, io.SEEK_END)
    patches = []
    for kind, offset, length in _heif_items(source, size):
        if length > MAX_HEADER_BYTES:
            raise ValueError("More metadata than we clean.")
        source.seek(offset)
        patches.append((offset, _cleaned_item(kind, source.read(length), rights)))
    position = 0
    for offset, patch in sorted(patches):
        _copy(source, destination, position, offset - position)
        destination.write(patch)
        position = offset + len(patch)
    _copy(source, destination, position, size - position)


def heif_metadata(source) -> bytes:
    """A stand-in JPEG with the HEIF file's EXIF and XMP, for reading them."""
    size = source.seek(0, io.SEEK_END)
    exif = xmp = b""
    for kind, offset, length in _heif_items(source, size):
        source.seek(offset)
        item = source.read(min(length, 65000))
        if kind == "exif":
            exif = _heif_exif_tiff(item)[1]
        else:
            xmp = item
    return _metadata_jpeg(exif=exif, xmp=xmp)


# One entry point per job, by format.

CLEANERS = {"JPEG": clean_jpeg, "PNG": clean_png, "HEIF": clean_heif}


def clean_file(source, destination, image_format: str, rights: Rights, *, keep_orientation=True):
    """Write a servable copy of the stored file `source`: personal data out, rights in.

    Raises ValueError when the metadata cannot be cleaned: never serve it then.
    """
    cleaner = CLEANERS.get(image_format, clean_whole)
    try:
        cleaner(source, destination, rights, keep_orientation=keep_orientation)
    except ValueError:
        raise
    except Exception as error:
        raise ValueError(f"Cannot clean this image's metadata: {error}") from error


STAND_INS = {"JPEG": jpeg_metadata, "PNG": png_metadata, "HEIF": heif_metadata}


def read_file_metadata(source, image_format: str) -> Embedded:
    """What an upload says about itself, read from its metadata only."""
    try:
        stand_in = STAND_INS.get(image_format)
        if stand_in is None:
            return _read_whole(source)
        return read_embedded(stand_in(source))
    except (ValueError, OSError, struct.error):
        return Embedded()
    finally:
        source.seek(0)
