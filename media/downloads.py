"""What journalists download: readable file names, the sizes on offer, whole sets as one ZIP."""

import csv
import hashlib
import io
import logging
import re
from collections import defaultdict
from pathlib import PurePath

import zipstream.ng
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from zipstream import ZipStream
from zlib_ng import zlib_ng

from media.models import SIZE_HINTS, Rendition, Size
from newsroom.http import streamed

logger = logging.getLogger(__name__)

# A ZIP checksums every byte it carries. zipstream-ng uses the CRC-32 of the
# zlib Python was built with, which on common builds is several times slower
# than zlib-ng's; the checksum is the same, so let the ZIPs use the fast one.
zipstream.ng.crc32 = zlib_ng.crc32

CHUNK_SIZE = 1024 * 1024
# Characters no file system or ZIP tool should see in a name.
UNSAFE_CHARACTERS = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def clean_name(text, limit=80):
    """Text made safe as (part of) a file name: no separators, no control characters."""
    text = " ".join(UNSAFE_CHARACTERS.sub(" ", text or "").split())
    return text.strip(" .")[:limit].rstrip(" .")


def photo_title(photo):
    return (
        clean_name(photo.title)
        or clean_name(PurePath(photo.original_filename).stem)
        or f"photo {photo.pk}"
    )


def file_name(photo, size, stored_name):
    """“2022-05-15 Hankook 12h Hockenheimring – Third on the podium (web).jpg”."""
    day = timezone.localdate(photo.taken_at or photo.created_at)
    set_title = clean_name(photo.photo_set.title, 60)
    extension = PurePath(stored_name).suffix.lower()
    return f"{day:%Y-%m-%d} {set_title} – {photo_title(photo)} ({size}){extension}"


def document_file_name(document):
    """“Lestrup Racing Team – Logo (SVG).svg”."""
    extension = document.extension
    title = clean_name(document.title)
    if extension and title.lower().endswith(extension):
        # A title that is a file name ("Fact sheet.pdf") keeps one extension, not two.
        title = clean_name(title[: -len(extension)])
    newsroom = clean_name(document.newsroom.name, 60)
    return f"{newsroom} – {title or 'document'}{extension}"


def read_file(file):
    """A stored file, a chunk at a time, from any storage."""
    with file.storage.open(file.name, "rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            yield chunk


def stored_rendition(photo, size):
    """The rendition that answers `size`: a JPEG's print size is its original."""
    wanted = Size.ORIGINAL if size == Size.PRINT and photo.is_jpeg else size
    return next((r for r in photo.renditions.all() if r.size == wanted), None)


class Links:
    """Where the media kit's pages and files are, for the public site.

    Preview passes subclass it to send their holders to views that check the
    pass instead of publication.
    """

    def photo_file(self, photo, size):
        return photo.file_url(size)

    def photo_download(self, photo, size):
        return self.photo_file(photo, size) + "?download"

    def photo_page(self, photo):
        return photo.get_absolute_url()

    def photo_set(self, photo_set):
        return photo_set.get_absolute_url()

    def set_zip(self, photo_set, size):
        return reverse("media:photoset-zip", args=[photo_set.pk, size])

    def document(self, document):
        return document.get_absolute_url()


PUBLIC_LINKS = Links()


class PhotoDownloads:
    """A photo with the sizes a journalist can download, for templates.

    Needs the photo's renditions prefetched: no query per photo.
    """

    def __init__(self, photo, links=PUBLIC_LINKS):
        self.photo, self.links = photo, links

    def __getattr__(self, name):
        return getattr(self.photo, name)

    def sizes(self):
        for size in self.photo.download_sizes():
            rendition = stored_rendition(self.photo, size)
            yield {
                "size": size,
                "label": Size(size).label,
                "hint": SIZE_HINTS[size],
                "url": self.links.photo_download(self.photo, size),
                "width": rendition.width if rendition else None,
                "height": rendition.height if rendition else None,
                "bytes": rendition.bytes if rendition else None,
                "ready": rendition is not None,
            }


class UniqueNames:
    """Flat entry names that differ even on case-insensitive file systems."""

    def __init__(self):
        self.taken = set()

    def make(self, stem, extension):
        name, n = f"{stem}{extension}", 1
        while name.casefold() in self.taken:
            n += 1
            name = f"{stem} ({n}){extension}"
        self.taken.add(name.casefold())
        return name


class SetArchive:
    """A photo set as a stored (not deflated) ZIP with CREDITS.txt and credits.csv.

    Its exact length is known before streaming, so the response carries a
    Content-Length and browsers show progress. Files are read a chunk at a
    time while the ZIP is sent: memory stays flat whatever the set's size.
    """

    def __init__(self, photo_set, size):
        self.photo_set, self.size = photo_set, size
        photos = list(photo_set.photos.all())
        # One joined query, not an IN list of every photo: sets can be huge.
        renditions = defaultdict(dict)
        for rendition in Rendition.objects.filter(
            photo__photo_set=photo_set, size__in=[size, Size.ORIGINAL]
        ).order_by():
            renditions[rendition.photo_id][rendition.size] = rendition
        self.entries, self.missing = [], []
        names = UniqueNames()
        width = max(2, len(str(len(photos))))
        for number, photo in enumerate(photos, start=1):
            wanted = Size.ORIGINAL if size == Size.PRINT and photo.is_jpeg else size
            rendition = renditions[photo.pk].get(wanted)
            if rendition is None:
                self.missing.append(photo)
                continue
            extension = PurePath(rendition.file.name).suffix.lower()
            name = names.make(f"{number:0{width}d} {photo_title(photo)}", extension)
            self.entries.append((name, photo, rendition))
        self.zip = ZipStream(sized=True)
        for name, _photo, rendition in self.entries:
            self.zip.add(read_file(rendition.file), name, size=rendition.bytes)
        self.zip.add(self.credits_text(), "CREDITS.txt")
        self.zip.add(self.credits_csv(), "credits.csv")

    @property
    def length(self):
        return len(self.zip)

    @property
    def etag(self):
        # Weak: entry timestamps differ between downloads, the contents do not.
        parts = [self.size] + [
            f"{name}:{rendition.version}" for name, _p, rendition in self.entries
        ]
        return f'W/"{hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]}"'

    @property
    def content_disposition(self):
        title = clean_name(self.photo_set.title, 80) or "photos"
        return content_disposition_header(True, f"{title} ({self.size}).zip")

    def response(self, request):
        response = StreamingHttpResponse(
            streamed(request, self.stream()), content_type="application/zip"
        )
        response["Content-Length"] = str(self.length)
        return response

    def stream(self):
        total, sent = self.length, 0
        chunks = iter(self.zip)
        try:
            for chunk in chunks:
                sent += len(chunk)
                yield chunk
        finally:
            chunks.close()  # closes the file being read, too
            if sent < total:
                logger.info(
                    "ZIP of photo set %s stopped after %s of %s bytes: the client left.",
                    self.photo_set.pk,
                    sent,
                    total,
                )

    def rows(self):
        for name, photo, rendition in self.entries:
            yield {
                "file": name,
                "title": photo.title,
                "caption": photo.caption,
                "credit": photo.credit,
                "copyright": photo.copyright,
                "license": photo.usage_terms,
                "width": rendition.width,
                "height": rendition.height,
                "taken": timezone.localtime(photo.taken_at).isoformat() if photo.taken_at else "",
            }

    def credits_text(self):
        newsroom = self.photo_set.newsroom
        lines = [
            f"{self.photo_set.title}",
            f"{newsroom.name} · {Size(self.size).label} size",
            "",
            "Use each photo with its credit and within its license.",
            "",
        ]
        for row in self.rows():
            lines.append(row["file"])
            for label in ("title", "caption", "credit", "copyright", "license"):
                if row[label]:
                    lines.append(f"  {label.capitalize()}: {row[label]}")
            lines.append("")
        if self.missing:
            lines.append(
                f"{len(self.missing)} more photo(s) are still being prepared and are not included."
            )
        return "\r\n".join(lines).encode("utf-8")

    def credits_csv(self):
        buffer = io.StringIO()
        fields = [
            "file",
            "title",
            "caption",
            "credit",
            "copyright",
            "license",
            "width",
            "height",
            "taken",
        ]
        writer = csv.DictWriter(buffer, fieldnames=fields)
        writer.writeheader()
        writer.writerows(self.rows())
        # The byte-order mark makes spreadsheet programs read the file as UTF-8.
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
