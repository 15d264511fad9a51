"""A journalist's selection: photos, videos and documents picked anywhere on the site, as one
signed link and one ZIP.

A selection is a list of items ("p12" a photo, "v4" a video, "d3" a document) and nothing
else: no account, no cookie, nothing about who made it. Its address holds the
list, signed so that a link shared is the list its maker built. Whoever opens
it gets what is visible to them at that moment: an item that was withdrawn,
made private or deleted since is left out and named by its place in the list,
never by its title (the title may be what was taken back).
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePath

from django.conf import settings
from django.core import signing
from django.db.models import F, Prefetch

from media.downloads import (
    NumberedNames,
    StoredArchive,
    clean_name,
    document_entry,
    document_file_name,
    photo_entry,
    stored_rendition,
    video_entry,
    video_in_size,
)
from media.models import (
    Document,
    DownloadCount,
    Photo,
    PhotoSet,
    Rendition,
    Video,
    VideoDownloadCount,
)
from media.sizes import SIZES, video_file_for
from newsroom.ground.http import content_disposition

SALT = "media.selection"
KINDS = {"p": "photo", "v": "video", "d": "document"}


class TooMany(ValueError):
    """More items than a selection holds."""


@dataclass(frozen=True)
class Item:
    kind: str  # a key of KINDS
    pk: int

    @classmethod
    def parse(cls, text):
        """ "p12" → a photo; None for anything else."""
        kind, number = text[:1], text[1:]
        if kind in KINDS and number.isascii() and number.isdigit() and len(number) < 19:
            return cls(kind, int(number))
        return None

    def __str__(self):
        return f"{self.kind}{self.pk}"


def items_from(texts):
    """The items named in `texts`, in order, each once; unreadable ones are dropped.

    Raises TooMany past `NEWSROOM_SELECTION_MAX_ITEMS`.
    """
    items = list(dict.fromkeys(item for item in map(Item.parse, texts) if item))
    if len(items) > settings.NEWSROOM_SELECTION_MAX_ITEMS:
        raise TooMany(len(items))
    return items


def token(items):
    """The signed text that stands for the list in its address."""
    return signing.dumps([str(item) for item in items], salt=SALT, compress=True)


def from_token(text):
    """The items a token stands for; None for a token we did not sign (or a mangled one)."""
    try:
        texts = signing.loads(text, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        return None
    try:
        return items_from(texts)
    except TooMany:
        return None


@dataclass
class Found:
    """A selection as one visitor may have it: what is there, and what is not any more."""

    items: list  # (number in the list, Photo or Document), in the list's order
    gone: list  # (number in the list, "photo" or "document")


def find(items, photos=None, documents=None, videos=None):
    """The items among `photos`, `videos` and `documents` (the public ones by default: a
    preview pass gives its own). A query for each kind asked for, and one for the photos'
    renditions and the videos' files."""
    if photos is None:
        photos = Photo.objects.filter(photo_set__in=PhotoSet.objects.public())
    videos = Video.objects.public() if videos is None else videos
    documents = Document.objects.public() if documents is None else documents
    wanted = {kind: [item.pk for item in items if item.kind == kind] for kind in KINDS}
    found_by_kind = {"p": {}, "v": {}, "d": {}}
    if wanted["p"]:
        photos = photos.filter(pk__in=wanted["p"])
        photos = photos.select_related("photo_set__newsroom").prefetch_related(
            Prefetch("renditions", queryset=Rendition.objects.order_by())
        )
        found_by_kind["p"] = {photo.pk: photo for photo in photos}
    if wanted["v"]:
        videos = videos.filter(pk__in=wanted["v"]).select_related("photo_set__newsroom")
        found_by_kind["v"] = {video.pk: video for video in videos.prefetch_related("files")}
    if wanted["d"]:
        files = documents.filter(pk__in=wanted["d"]).select_related("newsroom")
        found_by_kind["d"] = {document.pk: document for document in files}
    found = Found(items=[], gone=[])
    for number, item in enumerate(items, start=1):
        thing = found_by_kind[item.kind].get(item.pk)
        if thing is None:
            found.gone.append((number, KINDS[item.kind]))
        else:
            found.items.append((number, thing))
    return found


def entry_bytes(thing, size):
    """What one item adds to the ZIP in `size` (a photo's file not made yet adds nothing)."""
    if isinstance(thing, Document):
        return thing.bytes
    if isinstance(thing, Video):
        kept = video_in_size(thing, size)
        return kept.bytes if kept else 0
    rendition = stored_rendition(thing, size)
    return rendition.bytes if rendition else 0


def total_bytes(found, size):
    return sum(entry_bytes(thing, size) for _n, thing in found.items)


class SelectionArchive(StoredArchive):
    """The selection as one ZIP: every item in the list's order, numbered as in the list.

    Photos in the chosen size, documents as they were uploaded. CREDITS.txt
    ends with the items still being prepared and those no longer available.
    """

    def __init__(self, found, size):
        self.size = size
        self.held = {"p": [], "v": [], "d": []}  # what the ZIP holds, by kind: to count it
        entries, preparing = [], []
        names = NumberedNames(len(found.items) + len(found.gone))
        for number, thing in found.items:
            if isinstance(thing, Document):
                stem, extension = split_name(document_file_name(thing))
                entries.append(document_entry(names.numbered(number, stem, extension), thing))
                self.held["d"].append(thing.pk)
                continue
            if isinstance(thing, Video):
                kept = video_in_size(thing, size)
                if kept is None:
                    preparing.append(number)
                else:
                    entries.append(video_entry(names, number, thing, kept))
                    self.held["v"].append(thing.pk)
                continue
            rendition = stored_rendition(thing, size)
            if rendition is None:
                preparing.append(number)
                continue
            entries.append(photo_entry(names, number, thing, rendition))
            self.held["p"].append(thing.pk)
        video_kind = video_file_for(size)
        heading = [
            "A selection of photos, videos and documents",
            f"{len(entries)} file(s) · photos in {SIZES[size].label} size"
            + (f", videos as {video_kind.name}" if video_kind else ""),
        ]
        notes = []
        if preparing:
            listed = ", ".join(str(number) for number in preparing)
            notes.append(f"Still being prepared, not included: item(s) {listed}.")
        if found.gone:
            listed = ", ".join(f"{number} (a {kind})" for number, kind in found.gone)
            notes.append(f"No longer available, not included: item(s) {listed}.")
        super().__init__(
            entries,
            heading=heading,
            notes=notes,
            empty_time=datetime(2000, 1, 1, tzinfo=UTC),
            label="a selection",
        )

    @property
    def content_disposition(self):
        return content_disposition(f"Selection ({self.size}).zip")

    def count_download(self):
        """One more download of each photo (in the ZIP's size), video (its file for that size)
        and document the ZIP holds, as if each were downloaded on its own: a query or two a
        kind, however many items there are."""
        DownloadCount.objects.record_each("photo", self.held["p"], size=self.size)
        video_kind = video_file_for(self.size)
        if video_kind:
            VideoDownloadCount.objects.record_each("video", self.held["v"], kind=video_kind.name)
        if self.held["d"]:
            documents = Document.objects.filter(pk__in=self.held["d"])
            documents.update(download_count=F("download_count") + 1)


def split_name(name):
    path = PurePath(name)
    return clean_name(path.stem) or "document", path.suffix.lower()
