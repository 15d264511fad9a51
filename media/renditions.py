"""Making the files we serve for a photo: renditions and a cleaned original.

Every file gets the same treatment: personal metadata (location, serial
numbers, owner) removed, and the photo's title, caption, credit, copyright and
usage terms written into IPTC and XMP, so they travel with the file.
"""

import io
import logging
import zlib

from django.core.files.base import ContentFile
from PIL import Image

from media.imagegenerators import Print, Social, Square, Standard, Thumbnail, Web, Wide
from media.metadata import clean_and_stamp
from media.models import CROP_SIZES, Photo, Rendition, Size
from newsroom.uploads import FORMAT_EXTENSIONS

logger = logging.getLogger(__name__)

SPECS = {
    Size.THUMBNAIL: Thumbnail,
    Size.WEB: Web,
    Size.SOCIAL: Social,
    Size.PRINT: Print,
    Size.WIDE: Wide,
    Size.STANDARD: Standard,
    Size.SQUARE: Square,
}


def sizes_for(photo):
    # A JPEG original is already the best print file: no recompressed copy of it.
    sizes = [Size.THUMBNAIL, Size.WEB, Size.SOCIAL, Size.ORIGINAL, *CROP_SIZES]
    return sizes if photo.is_jpeg else [*sizes, Size.PRINT]


def render_photo(photo):
    """Make every file of the photo's current version, then retire the files it replaces."""
    with photo.image.open("rb") as master:
        original = master.read()
    storage = photo.image.storage
    previous = {rendition.size: rendition.file.name for rendition in photo.renditions.all()}
    kept = set()
    for size in sizes_for(photo):
        data = make_file(photo, size, original)
        extension = FORMAT_EXTENSIONS[photo.image_format] if size == Size.ORIGINAL else ".jpg"
        name = f"renditions/{photo.pk}/{photo.version}-{size}{extension}"
        if storage.exists(name):
            storage.delete(name)  # a stalled earlier run: replace its file
        stored = storage.save(name, ContentFile(data))
        width, height = Image.open(io.BytesIO(data)).size
        Rendition.objects.update_or_create(
            photo=photo,
            size=size,
            defaults={
                "file": stored,
                "version": photo.version,
                "width": width,
                "height": height,
                "bytes": len(data),
                "crc32": zlib.crc32(data),
            },
        )
        kept.add(stored)
    Photo.objects.filter(pk=photo.pk, version=photo.version).update(rendered_version=photo.version)
    for name in set(previous.values()) - kept:
        storage.delete(name)


def make_file(photo, size, original):
    if size == Size.ORIGINAL:
        # The original keeps its pixels and orientation tag; only metadata changes.
        return clean_and_stamp(original, photo.rights, keep_orientation=True)
    source = ContentFile(original, name=photo.image.name)
    source.instance = photo  # the social crop reads the focal point from it
    rendered = SPECS[size](source=source).generate().read()
    return clean_and_stamp(rendered, photo.rights, keep_orientation=False)
