"""What journalists download: readable file names, the sizes on offer, whole sets as one ZIP."""

import bisect
import csv
import hashlib
import io
import logging
import re
import struct
import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

from django.urls import reverse
from django.utils import timezone

from media import sizes
from media.models import Photo, Rendition
from media.sizes import SIZES
from newsroom.ground.http import content_disposition

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1024 * 1024
# Characters no file system or ZIP tool should see in a name.
UNSAFE_CHARACTERS = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def clean_name(text, limit=80):
    """Text made safe as (part of) a file name: no separators, no control characters."""
    text = " ".join(UNSAFE_CHARACTERS.sub(" ", text or "").split())
    return text.strip(" .")[:limit].rstrip(" .")


# Spreadsheet programs run a cell that starts with one of these as a formula
# (=HYPERLINK(…) that leaks data, @SUM, +, -, and a tab or CR before them).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value):
    """The value as a CSV cell no spreadsheet runs: text that could start a formula gets a
    leading apostrophe, which spreadsheets show as text (OWASP's advice on CSV injection).

    Captions and credits come from editors and from the IPTC fields of uploaded files, so a
    photo agency's file could otherwise put a formula into a journalist's spreadsheet.
    """
    text = str(value)
    return "'" + text if text.lstrip(" ").startswith(FORMULA_START) else text


def photo_title(photo):
    return (
        clean_name(photo.title)
        or clean_name(PurePath(photo.original_filename).stem)
        or f"photo {photo.pk}"
    )


def video_title(video):
    return (
        clean_name(video.title)
        or clean_name(PurePath(video.original_filename).stem)
        or f"video {video.pk}"
    )


def file_name(photo, size, stored_name):
    """“2022-05-15 Hankook 12h Hockenheimring – Third on the podium (web).jpg”."""
    day = timezone.localdate(photo.taken_at or photo.created_at)
    set_title = clean_name(photo.photo_set.title, 60)
    extension = PurePath(stored_name).suffix.lower()
    return f"{day:%Y-%m-%d} {set_title} – {photo_title(photo)} ({size}){extension}"


def video_file_name(video, kind, stored_name):
    """“2022-05-15 Hankook 12h Hockenheimring – Pit stop (web).mp4”."""
    day = timezone.localdate(video.created_at)
    set_title = clean_name(video.photo_set.title, 60)
    extension = PurePath(stored_name).suffix.lower()
    return f"{day:%Y-%m-%d} {set_title} – {video_title(video)} ({kind}){extension}"


def subtitle_file_name(subtitle, form):
    return f"{video_title(subtitle.video)} ({subtitle.language}).{form}"


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
    """The rendition that answers `size` (a name): a JPEG's print size is its original."""
    wanted = photo.stored_size(size)
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

    def release_page(self, release):
        return release.get_absolute_url()

    def set_zip(self, photo_set, size):
        return reverse("media:photoset-zip", args=[photo_set.pk, size])

    def document(self, document):
        return document.get_absolute_url()

    def video_page(self, video):
        return video.get_absolute_url()

    def video_file(self, video, kind):
        return video.file_url(kind)

    def video_download(self, video, kind):
        return self.video_file(video, kind) + "?download"

    def subtitle_file(self, subtitle, form):
        return subtitle.file_url(form)

    def selection_start(self):
        return reverse("media:selection-start")

    def selection_page(self, items):
        return reverse("media:selection", args=[items])

    def selection_zip(self, items, size):
        return reverse("media:selection-zip", args=[items, size])


PUBLIC_LINKS = Links()


class PhotoDownloads:
    """A photo with the sizes a journalist can download, for templates.

    Needs the photo's renditions prefetched: no query per photo. With its texts in the
    page's language prefetched too (`media.models.texts_in`), it shows the title, caption
    and alt text written in that language, and the photo's own for each one not written
    there; `caption_language` says which language the caption shown is in.
    """

    def __init__(self, photo, links=PUBLIC_LINKS):
        self.photo, self.links = photo, links
        written = getattr(photo, "written_texts", None)
        self.written = written[0] if written else None

    def __getattr__(self, name):
        return getattr(self.photo, name)

    def __str__(self):
        return self.title or str(self.photo)

    def _in_language(self, field):
        value = getattr(self.written, field) if self.written else ""
        return value or getattr(self.photo, field)

    @property
    def title(self):
        return self._in_language("title")

    @property
    def caption(self):
        return self._in_language("caption")

    @property
    def alt(self):
        if self.written and self.written.alt:
            return self.written.alt
        return self.photo.alt

    @property
    def caption_language(self):
        if self.written and self.written.caption:
            return self.written.language
        return self.photo.photo_set.newsroom.language

    def sizes(self):
        for size in self.photo.download_sizes():
            rendition = stored_rendition(self.photo, size.name)
            yield {
                "size": size.name,
                "label": size.label,
                "hint": size.hint,
                "url": self.links.photo_download(self.photo, size.name),
                "width": rendition.width if rendition else None,
                "height": rendition.height if rendition else None,
                "bytes": rendition.bytes if rendition else None,
                "ready": rendition is not None,
            }


class VideoDownloads:
    """A video with its player's sources and the files a journalist can download."""

    def __init__(self, video, links=PUBLIC_LINKS):
        self.video, self.links = video, links

    def __getattr__(self, name):
        return getattr(self.video, name)

    def __str__(self):
        return str(self.video)

    @property
    def poster_url(self):
        return self.links.video_file(self.video, sizes.POSTER)

    @property
    def web_url(self):
        return self.links.video_file(self.video, sizes.WEB_VIDEO)

    @property
    def page_url(self):
        return self.links.video_page(self.video)

    @property
    def web_file(self):
        return self.video.served_file(sizes.WEB_VIDEO)

    def files(self):
        for kind, kept in self.video.downloads():
            yield {
                "kind": kind.name,
                "label": kind.label,
                "hint": kind.about,
                "url": self.links.video_download(self.video, kind.name),
                "width": kept.width,
                "height": kept.height,
                "bytes": kept.bytes,
                "codec": codec_label(kept),
            }

    def structured_data(self, absolute):
        """schema.org `VideoObject` for search engines, with `absolute` making full URLs."""
        video, web = self.video, self.web_file
        data = {
            "@context": "https://schema.org",
            "@type": "VideoObject",
            "name": str(video),
            "description": video.caption or str(video),
            "thumbnailUrl": absolute(self.poster_url),
            "uploadDate": video.created_at.isoformat(),
            "duration": f"PT{round(video.duration)}S",
            "creditText": video.credit,
            "copyrightNotice": video.copyright or video.credit,
            "usageInfo": str(video.usage_terms),
        }
        if web is not None:
            data |= {
                "contentUrl": absolute(self.web_url),
                "encodingFormat": "video/mp4",
                "width": web.width,
                "height": web.height,
            }
        return {key: value for key, value in data.items() if value}

    def subtitles(self):
        for subtitle in self.video.subtitles.all():
            yield {
                "language": subtitle.language,
                "label": subtitle.get_language_display(),
                "track": self.links.subtitle_file(subtitle, "vtt"),
                "srt": self.links.subtitle_file(subtitle, "srt") + "?download",
                "vtt": self.links.subtitle_file(subtitle, "vtt") + "?download",
            }


CODEC_NAMES = {
    "h264": "H.264",
    "hevc": "H.265",
    "prores": "ProRes",
    "vp8": "VP8",
    "vp9": "VP9",
    "av1": "AV1",
    "aac": "AAC",
    "opus": "Opus",
    "vorbis": "Vorbis",
    "mp3": "MP3",
}


def codec_label(kept):
    """“H.264 / AAC”: what a video file holds, as a video editor names it."""
    names = [
        CODEC_NAMES.get(codec, codec.upper()) for codec in (kept.video_codec, kept.audio_codec)
    ]
    return " / ".join(name for name in names if name)


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


CREDIT_FIELDS = ["title", "caption", "credit", "copyright", "license", "width", "height", "taken"]


@dataclass(frozen=True)
class Entry:
    """One stored file of an archive, and what its credits say about it."""

    name: str
    file: object
    bytes: int
    crc: int
    made_at: datetime
    credits: dict  # CREDIT_FIELDS, for CREDITS.txt and credits.csv


class NumberedNames(UniqueNames):
    """Entry names that start with their place in the archive ("07 Podium.jpg"), each
    number as wide as the largest of `count`."""

    def __init__(self, count):
        super().__init__()
        self.width = max(2, len(str(count)))

    def numbered(self, number, stem, extension):
        return self.make(f"{number:0{self.width}d} {stem}", extension)


def photo_entry(names, number, photo, rendition):
    """The photo's file in the archive, named by its place and title."""
    extension = PurePath(rendition.file.name).suffix.lower()
    name = names.numbered(number, photo_title(photo), extension)
    taken = timezone.localtime(photo.taken_at).isoformat() if photo.taken_at else ""
    credits = {
        "title": photo.title,
        "caption": photo.caption,
        "credit": photo.credit,
        "copyright": photo.copyright,
        "license": photo.usage_terms,
        "width": rendition.width,
        "height": rendition.height,
        "taken": taken,
    }
    return Entry(
        name, rendition.file, rendition.bytes, rendition.checksum(), rendition.created_at, credits
    )


def video_entry(names, number, video, kept):
    """The video's file (web version or cleaned original) in the archive."""
    name = names.numbered(number, video_title(video), kept.extension)
    credits = {
        "title": video.title,
        "caption": video.caption,
        "credit": video.credit,
        "copyright": video.copyright,
        "license": video.usage_terms,
        "width": kept.width,
        "height": kept.height,
        "taken": "",
    }
    return Entry(name, kept.file, kept.bytes, kept.checksum(), kept.created_at, credits)


def video_in_size(video, size):
    """The made file of `video` that goes with photos of `size` in a ZIP, or None."""
    kind = sizes.video_file_for(size)
    return video.served_file(kind.name) if kind else None


def document_entry(name, document):
    credits = dict.fromkeys(CREDIT_FIELDS, "")
    credits.update(title=document.title, caption=document.description)
    return Entry(
        name, document.file, document.bytes, document.checksum(), document.updated_at, credits
    )


class StoredArchive:
    """Files as a stored (not deflated) ZIP, with CREDITS.txt and credits.csv.

    The same files give the same bytes on every download: entries in a fixed
    order, fixed names and times, and each file's CRC-32 kept from when it
    was made. So the archive's length is known before the first byte, any
    byte range of it can be sent (a dropped download resumes where it
    stopped), and its ETag is strong. A range starts reading at the right
    offset of the right file: nothing before it is read again. Memory stays
    flat: one chunk at a time.

    No ZIP library writes an archive from stored checksums (zipstream-ng,
    used before, works them out while streaming and stamps the current time;
    zipfile needs the data), so the headers are written here, in the record
    formats of Python's zipfile module: local headers, the central directory,
    ZIP64 records past 65,535 entries or 2 GiB.

    `heading` opens CREDITS.txt and `notes` close it (lines of text);
    `empty_time` dates the credits of an archive with no files.
    """

    def __init__(self, entries, *, heading, notes, empty_time, label):
        self.entries, self.label = entries, label
        self.layout = ZipLayout()
        for entry in entries:
            self.layout.add_file(entry.name, entry.file, entry.bytes, entry.crc, entry.made_at)
        # The credits change only with what they list, so their time is the latest file's.
        credits_time = max((entry.made_at for entry in entries), default=empty_time)
        self.layout.add_data("CREDITS.txt", self.credits_text(heading, notes), credits_time)
        self.layout.add_data("credits.csv", self.credits_csv(), credits_time)
        self.layout.finish()

    @property
    def length(self):
        return self.layout.length

    @property
    def etag(self):
        # Strong: the central directory names every entry with its size, CRC-32,
        # time and place, so equal tags mean equal bytes.
        return f'"{hashlib.sha256(self.layout.central_directory).hexdigest()[:32]}"'

    def stream(self, start=0, end=None):
        """Bytes `start` to `end` (inclusive; the end of the archive by default)."""
        end = self.length - 1 if end is None else end
        total, sent = end - start + 1, 0
        try:
            for chunk in self.layout.read(start, end):
                sent += len(chunk)
                yield chunk
        finally:
            if sent < total:
                logger.info(
                    "ZIP of %s stopped after %s of %s bytes: the client left.",
                    self.label,
                    sent,
                    total,
                )

    def rows(self):
        for entry in self.entries:
            yield {"file": entry.name, **entry.credits}

    def credits_text(self, heading, notes):
        lines = [*heading, "", "Use each photo with its credit and within its license.", ""]
        for row in self.rows():
            lines.append(row["file"])
            for label in ("title", "caption", "credit", "copyright", "license"):
                if row[label]:
                    lines.append(f"  {label.capitalize()}: {row[label]}")
            lines.append("")
        lines += notes
        return "\r\n".join(lines).encode("utf-8")

    def credits_csv(self):
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=["file", *CREDIT_FIELDS])
        writer.writeheader()
        for row in self.rows():
            writer.writerow({name: spreadsheet_cell(value) for name, value in row.items()})
        # The byte-order mark makes spreadsheet programs read the file as UTF-8.
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def set_renditions(photo_set, size):
    """{photo pk: {stored size: rendition}} for the set's photos in `size`."""
    renditions = defaultdict(dict)
    stored = {size, SIZES[size].stand_in} - {None}
    # One joined query, not an IN list of every photo: sets can be huge.
    for rendition in Rendition.objects.filter(
        photo__photo_set=photo_set, size__in=stored
    ).order_by():
        renditions[rendition.photo_id][rendition.size] = rendition
    return renditions


class SetArchive(StoredArchive):
    """A photo set as one ZIP, its photos in the set's order, numbered."""

    def __init__(self, photo_set, size):
        self.photo_set, self.size = photo_set, size
        photos = list(photo_set.photos.all())
        videos = (
            list(photo_set.videos.prefetch_related("files")) if sizes.video_file_for(size) else []
        )
        renditions = set_renditions(photo_set, size)
        entries, missing = [], []
        names = NumberedNames(len(photos) + len(videos))
        for number, photo in enumerate(photos, start=1):
            rendition = renditions[photo.pk].get(photo.stored_size(size))
            if rendition is None:
                missing.append(photo)
                continue
            entries.append(photo_entry(names, number, photo, rendition))
        for number, video in enumerate(videos, start=len(photos) + 1):
            kept = video_in_size(video, size)
            if kept is None:
                missing.append(video)
                continue
            entries.append(video_entry(names, number, video, kept))
        heading = [photo_set.title, f"{photo_set.newsroom.name} · {SIZES[size].label} size"]
        notes = []
        waiting_photos = sum(isinstance(item, Photo) for item in missing)
        if waiting_photos:
            notes.append(
                f"{waiting_photos} more photo(s) are still being prepared and are not included."
            )
        if len(missing) > waiting_photos:
            notes.append(
                f"{len(missing) - waiting_photos} more video(s) are still being prepared and "
                "are not included."
            )
        super().__init__(
            entries,
            heading=heading,
            notes=notes,
            empty_time=photo_set.created_at,
            label=f"photo set {photo_set.pk}",
        )

    @property
    def content_disposition(self):
        title = clean_name(self.photo_set.title, 80) or "photos"
        return content_disposition(f"{title} ({self.size}).zip")


# ZIP headers ------------------------------------------------------------------

UTF8_NAME = 0x800  # general purpose flag: the name is UTF-8
UNIX = 3  # made on: so unzip applies the permissions below
FILE_MODE = 0o644 << 16
LARGE = zipfile.ZIP64_LIMIT  # from here on a size or offset goes in a ZIP64 field


def over(value, limit=LARGE, mark=0xFFFFFFFF):
    """The value for a classic header field: the mark when it lives in a ZIP64 field."""
    return mark if value >= limit else value


class ZipLayout:
    """Where each byte of a stored ZIP comes from: header bytes, or a range of a file.

    Entries are added in order with their size and CRC-32; `finish()` adds the
    central directory; `read(start, end)` yields any range of the whole.
    """

    def __init__(self):
        self.parts = []  # (offset, length, bytes or a stored file)
        self.records = []
        self.length = 0

    def append(self, length, source):
        self.parts.append((self.length, length, source))
        self.length += length

    def add_file(self, name, file, size, crc, moment):
        offset = self.length
        self.append_header(name, size, crc, moment, offset)
        self.append(size, file)

    def add_data(self, name, data, moment):
        offset = self.length
        self.append_header(name, len(data), zlib.crc32(data), moment, offset)
        self.append(len(data), data)

    def append_header(self, name, size, crc, moment, offset):
        encoded, flags = name_and_flags(name)
        date, time = dos_date_time(moment)
        zip64 = size >= LARGE
        extra = struct.pack("<HHQQ", 1, 16, size, size) if zip64 else b""
        header = struct.pack(
            zipfile.structFileHeader,
            zipfile.stringFileHeader,
            45 if zip64 else 20,  # version needed to extract
            0,
            flags,
            zipfile.ZIP_STORED,
            time,
            date,
            crc,
            over(size),
            over(size),
            len(encoded),
            len(extra),
        )
        self.append(len(header) + len(encoded) + len(extra), header + encoded + extra)
        self.records.append((encoded, flags, date, time, crc, size, offset))

    def finish(self):
        start = self.length
        directory = b"".join(central_record(*record) for record in self.records)
        end = len(directory)
        count = len(self.records)
        tail = b""
        if count >= zipfile.ZIP_FILECOUNT_LIMIT or start >= LARGE or end >= LARGE:
            tail += struct.pack(
                zipfile.structEndArchive64,
                zipfile.stringEndArchive64,
                44,
                45,
                45,
                0,
                0,
                count,
                count,
                end,
                start,
            )
            tail += struct.pack(
                zipfile.structEndArchive64Locator,
                zipfile.stringEndArchive64Locator,
                0,
                start + end,
                1,
            )
        tail += struct.pack(
            zipfile.structEndArchive,
            zipfile.stringEndArchive,
            0,
            0,
            over(count, zipfile.ZIP_FILECOUNT_LIMIT, 0xFFFF),
            over(count, zipfile.ZIP_FILECOUNT_LIMIT, 0xFFFF),
            over(end),
            over(start),
            0,
        )
        self.central_directory = directory + tail
        self.append(len(self.central_directory), self.central_directory)

    def read(self, start, end):
        """The archive's bytes from `start` to `end` inclusive, a chunk at a time."""
        # The first part that holds `start`: parts are in offset order.
        first = bisect.bisect_right([offset for offset, _l, _s in self.parts], start) - 1
        for offset, length, source in self.parts[first:]:
            if offset > end:
                break
            low, high = max(start, offset) - offset, min(end, offset + length - 1) - offset
            if isinstance(source, bytes):
                yield source[low : high + 1]
            else:
                yield from read_file_range(source, low, high)


def read_file_range(file, low, high):
    with file.storage.open(file.name, "rb") as handle:
        handle.seek(low)
        remaining = high - low + 1
        while remaining > 0:
            chunk = handle.read(min(CHUNK_SIZE, remaining))
            if not chunk:
                raise OSError(f"{file.name} is shorter than its recorded size")
            remaining -= len(chunk)
            yield chunk


def name_and_flags(name):
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode("utf-8"), UTF8_NAME


def dos_date_time(moment):
    """A ZIP entry's date and time: local, to two seconds, 1980 or later."""
    local = timezone.localtime(moment)
    year = max(local.year, 1980)
    return (
        (year - 1980) << 9 | local.month << 5 | local.day,
        local.hour << 11 | local.minute << 5 | local.second // 2,
    )


def central_record(encoded, flags, date, time, crc, size, offset):
    """The central directory's record of one entry, with ZIP64 fields where needed."""
    large = [size, size] if size >= LARGE else []
    if offset >= LARGE:
        large.append(offset)
    extra = struct.pack(f"<HH{len(large)}Q", 1, 8 * len(large), *large) if large else b""
    version = 45 if large else 20
    record = struct.pack(
        zipfile.structCentralDir,
        zipfile.stringCentralDir,
        version,
        UNIX,
        version,
        0,
        flags,
        zipfile.ZIP_STORED,
        time,
        date,
        crc,
        over(size),
        over(size),
        len(encoded),
        len(extra),
        0,
        0,
        0,
        FILE_MODE,
        over(offset),
    )
    return record + encoded + extra
