"""Making the files we serve for a photo: renditions and a cleaned original.

Every file gets the same treatment: personal metadata (location, serial
numbers, owner) removed, and the photo's title, caption, credit, copyright and
usage terms written into IPTC and XMP, so they travel with the file.

Memory stays within what one worker can spare whatever the upload: JPEGs
are decoded at reduced scale for each size (libjpeg does that almost for
free), the other formats are decoded once and read in horizontal bands, each
band made small before the next is read; the full-size print JPEG is
written band by band too; and the original is cleaned by copying its
compressed data through, never by loading it.
"""

import io
import logging
import math
import struct
import tempfile
import zlib
from contextlib import contextmanager
from functools import partial
from types import SimpleNamespace

from django.core.files import File
from django.db import transaction
from PIL import Image
from pilkit.processors import ProcessorPipeline
from pilkit.utils import img_to_fobj

from media.imagegenerators import Draft, Print, ToSRGB
from media.metadata import clean_and_stamp, clean_file, clean_jpeg
from media.models import Photo, Rendition
from media.sizes import SIZES
from newsroom.ground.heif import open_tiles
from newsroom.ground.orientation import UPRIGHT
from newsroom.ground.uploads import EOI, FORMAT_EXTENSIONS, SOF_MARKERS, SOS, jpeg_structure

logger = logging.getLogger(__name__)

# Pixels of one band read from a decoded image: two megabytes.
BAND_PIXELS = 500_000


def render_photo(photo):
    """Make every file of the photo's current version, then retire the files it replaces."""
    storage = photo.image.storage
    previous = {rendition.size: rendition.file.name for rendition in photo.renditions.all()}
    kept = make_files(photo, photo.sizes_made())
    Photo.objects.filter(pk=photo.pk, version=photo.version).update(
        rendered_version=photo.version, rendering_failed_at=None, rendering_error=""
    )
    for name in set(previous.values()) - kept:
        storage.delete(name)


def missing_sizes(photo):
    """The sizes of the photo's current version that have no file: added since its files
    were made, or their file gone from storage."""
    renditions = {rendition.size: rendition for rendition in photo.renditions.all()}
    missing = []
    for size in photo.sizes_made():
        rendition = renditions.get(size.name)
        if (
            rendition is None
            or rendition.version != photo.version
            or not rendition.file.storage.exists(rendition.file.name)
        ):
            missing.append(size)
    return missing


def add_missing_files(photo):
    """Make the files the photo's made version lacks, and only those: every other file keeps
    its bytes, its name and its address. Returns the sizes made ([] when nothing is
    missing), or None when another worker is at it. The photo's renditions should be
    prefetched.
    """
    if not photo.claim_adding():
        return None
    try:
        missing = missing_sizes(photo)
        if missing:
            make_files(photo, missing)
        return missing
    finally:
        photo.release_adding_claim()


def make_files(photo, sizes):
    """Make and record the photo's files in `sizes`; the names of the files stored."""
    kept = set()
    with photo.image.storage.open(photo.image.name, "rb") as master:
        for size, make in file_makers(photo, master, sizes):
            extension = FORMAT_EXTENSIONS[photo.image_format] if size.is_original else ".jpg"
            with tempfile.TemporaryFile() as made:
                make(made)
                kept.add(store(photo, size, extension, made))
    return kept


def store(photo, size, extension, made):
    """Save one made file (an open temporary file) and record it as the photo's `size`.

    Recorded only while the photo is still at the version the file was made of:
    an edit meanwhile has queued the new version's files, and this one is let go.
    """
    storage = photo.image.storage
    name = f"renditions/{photo.pk}/{photo.version}-{size.name}{extension}"
    if storage.exists(name):
        storage.delete(name)  # a stalled earlier run: replace its file
    length = made.seek(0, io.SEEK_END)
    made.seek(0)
    crc32 = 0
    while chunk := made.read(1024 * 1024):
        crc32 = zlib.crc32(chunk, crc32)  # kept, so a ZIP can lay itself out before sending
    made.seek(0)
    with Image.open(made) as image:
        width, height = image.size
    made.seek(0)
    stored = storage.save(name, File(made, name=name))
    with transaction.atomic():
        current = Photo.objects.select_for_update().filter(pk=photo.pk, version=photo.version)
        if not current.exists():
            transaction.on_commit(partial(storage.delete, stored))
            return stored
        Rendition.objects.update_or_create(
            photo=photo,
            size=size.name,
            defaults={
                "file": stored,
                "version": photo.version,
                "width": width,
                "height": height,
                "bytes": length,
                "crc32": crc32,
            },
        )
    return stored


def file_makers(photo, master, sizes):
    """Yield (size, function that writes that file into an open file) for each of `sizes`."""
    scaled = [size for size in sizes if size.scaled]
    full = [size for size in sizes if not size.scaled and not size.is_original]
    if photo.is_jpeg:
        # Decoded at the smallest scale libjpeg offers above each size, never whole.
        for size in scaled:
            yield size, partial(write_scaled_jpeg, photo, size, master)
        scaled = []
    if full or scaled:
        # Decoded once, for every size. The print file is made first and the
        # decoded image let go, so it and the scaled sizes' work never add up.
        # Its own handle: decoders may close the file they were given.
        with (
            photo.image.storage.open(photo.image.name, "rb") as handle,
            decoded(handle, photo.image_format) as source,
        ):
            working = reduced(source, scaled) if scaled else None
            for size in full:
                yield size, partial(write_stamped_print, photo, source)
        for size in scaled:
            yield size, partial(write_scaled, photo, size, working)
    for size in sizes:
        if size.is_original:
            yield size, partial(write_original, photo, master)


def write_original(photo, master, destination):
    master.seek(0)
    clean_file(master, destination, photo.image_format, photo.rights, keep_orientation=True)


def write_stamped_print(photo, source, destination):
    """The print JPEG, cleaned and stamped like every file, then streamed into `destination`."""
    with tempfile.TemporaryFile() as printed:
        write_print(source, printed)
        printed.seek(0)
        clean_jpeg(
            printed,
            destination,
            photo.rights,
            keep_orientation=True,
            orientation=source.orientation,
        )


def spec_for(photo, size, source=None):
    source = source or SimpleNamespace(instance=photo)
    source.instance = photo  # the social crop reads the focal point from it
    return size.spec(source=source)


def write_scaled_jpeg(photo, size, master, destination):
    """A JPEG's rendition, decoded at the smallest scale libjpeg offers above its size."""
    master.seek(0)
    source = File(master, name=photo.image.name)
    rendered = spec_for(photo, size, source).generate().read()
    destination.write(clean_and_stamp(rendered, photo.rights, keep_orientation=False))


def write_scaled(photo, size, working, destination):
    """A rendition of an image already upright, sRGB and reduced to just above the sizes."""
    spec = spec_for(photo, size)
    processors = [p for p in spec.processors if not isinstance(p, Draft)]
    image = ProcessorPipeline(processors).process(working)  # processors make new images
    rendered = img_to_fobj(image, spec.format, **spec.options).read()
    destination.write(clean_and_stamp(rendered, photo.rights, keep_orientation=False))


# Decoding whole, reading in bands


class Decoded:
    """A decoded image read as horizontal bands of opaque 8-bit sRGB."""

    def __init__(self, size, band, orientation=1, close=None):
        self.size, self.band, self.orientation, self._close = size, band, orientation, close

    def bands(self, rows):
        height = self.size[1]
        for top in range(0, height, rows):
            yield ToSRGB().process(self.band(top, min(top + rows, height)))

    def close(self):
        if self._close:
            self._close()
        self.band = None  # and with it the decoder's buffer it reads from


@contextmanager
def decoded(master, image_format):
    source = decode_heif(master) if image_format == "HEIF" else decode(master)
    try:
        yield source
    finally:
        source.close()


def decode(master):
    image = Image.open(master)
    orientation = image.getexif().get(0x0112, 1) if hasattr(image, "getexif") else 1
    image.load()
    width = image.size[0]
    return Decoded(
        image.size,
        lambda top, bottom: image.crop((0, top, width, bottom)),
        orientation if orientation in UPRIGHT else 1,
        image.close,
    )


def decode_heif(master):
    """A HEIC photo read a row of its tiles at a time, or whole where it cannot be."""
    tiles = open_tiles(master)
    if tiles is None or not tiles.readable:
        if tiles:
            tiles.close()
        return decode_heif_whole(master)
    icc = tiles.icc_profile()

    def band(top, bottom):
        rows = tiles.band(top, bottom)
        if icc:
            rows.info["icc_profile"] = icc
        return rows

    return Decoded(tiles.size, band, tiles.orientation, tiles.close)


def decode_heif_whole(master):
    """libheif's own buffer, read band by band: no second full-size copy of the pixels."""
    import pillow_heif

    master.seek(0)

    heif = pillow_heif.open_heif(master, convert_hdr_to_8bit=True)
    data, stride, mode = heif.data, heif.stride, heif.mode
    width, height = heif.size
    icc = heif.info.get("icc_profile")

    def band(top, bottom):
        part = data[top * stride : bottom * stride]
        rows = Image.frombuffer(mode, (width, bottom - top), part, "raw", mode, stride, 1)
        rows = rows.copy()  # not a view into libheif's buffer
        if icc:
            rows.info["icc_profile"] = icc
        return rows

    # libheif has turned the pixels already (its own rotation and mirroring boxes).
    return Decoded((width, height), band, 1, None)


def reduce_factor(source, sizes=None):
    """The largest whole factor that keeps the image above what every scaled size needs
    (of `sizes`; by default every size there is)."""
    sizes = [size for size in sizes or SIZES.values() if size.scaled]
    width, height = source.size
    upright = (height, width) if source.orientation in (5, 6, 7, 8) else (width, height)
    needs = [size.spec.needs(*upright) for size in sizes]
    factor = min(upright[0] / max(n[0] for n in needs), upright[1] / max(n[1] for n in needs))
    return max(1, math.floor(factor))


def reduced(source, sizes=None):
    """The whole image, upright, reduced by a whole factor, read band by band."""
    factor = reduce_factor(source, sizes)
    width, height = source.size
    rows = factor * max(1, BAND_PIXELS // (width * factor))
    working = Image.new("RGB", (math.ceil(width / factor), math.ceil(height / factor)))
    for number, band in enumerate(source.bands(rows)):
        small = band.reduce(factor) if factor > 1 else band
        working.paste(small, (0, number * rows // factor))
    for turn in UPRIGHT.get(source.orientation, []):
        working = working.transpose(turn)
    return working


# The full-size print JPEG, written in bands


def write_print(source, destination):
    """Every pixel as a JPEG, encoded band by band and joined with restart markers.

    A baseline JPEG may restart its compressed data every so many blocks
    (restart markers, part of the standard and read by every decoder). Each
    band is encoded on its own, with the same tables, and becomes one
    restart interval: the file is what one encoder would have written with
    those markers, and only a band is ever in memory. The stored pixels
    keep their orientation, which the file's EXIF then states, like the
    original's.
    """
    width, height = source.size
    options = Print.options | {"progressive": False, "optimize": False}
    blocks_across = math.ceil(width / 8)  # 4:4:4: one 8 × 8 block per MCU
    rows = 8 * max(1, min(65535 // blocks_across, BAND_PIXELS // (8 * width)))
    header = None
    for number, band in enumerate(source.bands(rows)):
        buffer = io.BytesIO()
        band.save(buffer, "JPEG", **options)
        band_header, data = split_scan(buffer.getvalue())
        if header is None:
            header = band_header
            destination.write(with_height(header, height, blocks_across * rows // 8))
        elif number:
            destination.write(bytes([0xFF, 0xD0 + (number - 1) % 8]))
        destination.write(data)
    destination.write(b"\xff\xd9")


def split_scan(jpeg):
    """(everything up to and including the scan header, the compressed data) of a JPEG."""
    handle = io.BytesIO(jpeg)
    for part in jpeg_structure(handle):
        if part[0] == "segment" and part[1] == SOS:
            end = part[2] + part[3]
            return jpeg[:end], jpeg[end:-2]
    raise ValueError("no scan")


def with_height(header, height, interval):
    """The first band's header, stating the whole image's height and the restart interval."""
    out = bytearray()
    handle = io.BytesIO(header + bytes([0xFF, EOI]))
    for part in jpeg_structure(handle):
        if part[0] != "segment":
            continue
        _part, marker, offset, length = part
        segment = bytearray(header[offset : offset + length])
        if marker in SOF_MARKERS:
            struct.pack_into(">H", segment, 5, height)
        if marker == SOS:
            out += b"\xff\xdd\x00\x04" + struct.pack(">H", interval)  # DRI
        out += segment
    return bytes(out)
