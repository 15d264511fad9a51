"""The sitemap: an index of files, each of at most 50,000 addresses of live content.

Every newsroom has its own files (releases, photo sets, videos, events), so a change
in one newsroom renews its files and the index, never the other newsrooms'
files. A file lists its rows oldest first: a new release joins the last file
of its newsroom, and the earlier files keep their content and their lastmod.

The files are written from narrow rows (a slug and a time), one row at a time,
so the memory a file takes does not depend on how wide a release is.
"""

import math
from dataclasses import dataclass
from datetime import UTC
from itertools import batched
from xml.sax.saxutils import escape

from django.conf import settings
from django.db.models import Count, F, Max
from django.db.models.functions import Coalesce
from django.urls import reverse

from media.models import PhotoSet, Video
from newsroom.ground.http import absolute_url
from newsroom.ground.languages import reverse_in
from newsroom.ground.models import Newsroom
from press.models import Event, PressRelease

PER_FILE = 50_000  # the most the sitemaps protocol allows in one file
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
SLUG = "__slug__"  # stands for each row's slug in an address reversed once per file
PK = 918_273_645  # and for a video's number
CHUNK = 2000  # rows read at a time
STORY = Coalesce("original_id", "pk")  # the story a version belongs to: its original
XHTML = "http://www.w3.org/1999/xhtml"  # hreflang alternates, as search engines read them


@dataclass(frozen=True)
class Section:
    """One kind of page a newsroom has, as sitemap files."""

    kind: str
    url_name: str
    changefreq: str
    priority: float

    def rows(self, newsroom):
        """The section's public rows in the newsroom, oldest first, with `lastmod`."""
        return SECTION_ROWS[self.kind](newsroom).order_by("listed_at", "pk")

    def files(self, newsroom):
        """{page: lastmod} of the section's files; none when it has nothing to list.

        One query for a section that fits in one file (nearly all do); for one
        that does not, one more that reads every row's `lastmod` in order, a chunk
        at a time, and keeps the latest of each file (a MAX per file over an
        OFFSET read the rows before each file again).
        """
        rows = self.rows(newsroom)
        totals = rows.aggregate(count=Count("pk"), latest=Max("lastmod"))
        pages = math.ceil(totals["count"] / PER_FILE)
        if pages <= 1:
            return {1: totals["latest"]} if pages else {}
        latest = {}
        in_order = rows.values_list("lastmod", flat=True).iterator(chunk_size=CHUNK)
        for number, lastmod in enumerate(in_order):
            page = number // PER_FILE + 1
            latest[page] = later(latest.get(page), lastmod)
        return latest

    def page_rows(self, newsroom, page):
        start = (page - 1) * PER_FILE
        return self.rows(newsroom)[start : start + PER_FILE]

    def entries(self, newsroom, page):
        """(address, lastmod, alternates) for each row of the file, read in narrow rows."""
        address = Addresses(self.url_name, newsroom.slug, numbered=self.kind == "videos")
        rows = self.page_rows(newsroom, page)
        if self.kind == "releases":
            return version_entries(rows, address)
        if self.kind == "videos":
            return video_entries(rows, address, newsroom.languages)
        return page_entries(rows, address, newsroom.languages)


def later(moment, other):
    """The later of two moments, either of which may be None (no lastmod known)."""
    if moment is None or other is None:
        return moment or other
    return max(moment, other)


class Latest:
    """A file's entries passed through as they are written, counted, with the latest
    `lastmod` among them: what the file's Last-Modified says, without a query for it."""

    def __init__(self, entries):
        self.entries, self.count, self.latest = entries, 0, None

    def __iter__(self):
        for entry in self.entries:
            self.latest = later(self.latest, entry[1])
            self.count += 1
            yield entry


class Addresses:
    """A page's absolute address for a slug (and a number, for a video in its set) in a
    language, reversed once per language."""

    def __init__(self, url_name, newsroom, numbered=False):
        self.url_name, self.newsroom, self.templates = url_name, newsroom, {}
        self.numbered = numbered

    def __call__(self, language, slug, pk=None):
        if language not in self.templates:
            numbers = {"pk": PK} if self.numbered else {}
            path = reverse_in(
                language, self.url_name, newsroom=self.newsroom, slug=SLUG, **numbers
            )
            self.templates[language] = absolute_url(path)
        address = self.templates[language].replace(SLUG, slug)
        return address.replace(str(PK), str(pk)) if self.numbered else address


def page_entries(rows, address, languages):
    """Photo sets and events: one page per language the newsroom publishes in, listed
    in its first language with the others as alternates."""
    for slug, lastmod in rows.values_list("slug", "lastmod").iterator(chunk_size=CHUNK):
        alternates = [(code, address(code, slug)) for code in languages]
        yield address(languages[0], slug), lastmod, alternates if len(languages) > 1 else []


def video_entries(rows, address, languages):
    """Videos: a page per language, as photo sets have, at their set's address."""
    rows = rows.values_list("set_slug", "pk", "lastmod").iterator(chunk_size=CHUNK)
    for slug, pk, lastmod in rows:
        alternates = [(code, address(code, slug, pk)) for code in languages]
        yield address(languages[0], slug, pk), lastmod, alternates if len(languages) > 1 else []


def version_entries(rows, address):
    """Releases: each live version at its own address, with its story's other live
    versions as alternates (and the original as x-default), read a chunk at a time."""
    rows = rows.annotate(story=STORY).values_list("story", "language", "slug", "lastmod")
    for chunk in batched(rows.iterator(chunk_size=CHUNK), CHUNK):
        stories = {story for story, *_rest in chunk}
        translated = translated_stories(stories).items()
        alternates = {story: story_alternates(*both, address) for story, both in translated}
        for story, language, slug, lastmod in chunk:
            yield address(language, slug), lastmod, alternates.get(story, [])


def translated_stories(stories):
    """{story: (original's language, {language: slug} of every live version)} for those of
    `stories` with a live translation: one query over the translations' index, each with
    its original (which `live()` joins already). An OR of originals and translations read
    the whole table once per chunk."""
    translations = (
        PressRelease.objects.live()
        .filter(original__in=stories)
        .values_list("original_id", "language", "slug", "original__language", "original__slug")
    )
    found = {}
    for story, language, slug, first_language, first_slug in translations:
        _first, versions = found.setdefault(story, (first_language, {first_language: first_slug}))
        versions[language] = slug
    return found


def story_alternates(first_language, versions, address):
    """Every version by language, the original's followed by it again as x-default."""
    alternates = []
    for language, slug in sorted(versions.items()):
        alternates.append((language, address(language, slug)))
        if language == first_language:
            alternates.append(("x-default", address(language, slug)))
    return alternates


def release_rows(newsroom):
    return (
        PressRelease.objects.live()
        .filter(newsroom=newsroom)
        .annotate(listed_at=F("publish_at"))
        .annotate(lastmod=Coalesce("corrected_at", "first_published_at"))
    )


def photo_set_rows(newsroom):
    return (
        PhotoSet.objects.public()
        .filter(newsroom=newsroom)
        .annotate(listed_at=F("created_at"), lastmod=F("updated_at"))
    )


def video_rows(newsroom):
    return (
        Video.objects.public()
        .filter(photo_set__newsroom=newsroom)
        .annotate(
            listed_at=F("created_at"), lastmod=F("updated_at"), set_slug=F("photo_set__slug")
        )
    )


def event_rows(newsroom):
    return (
        Event.objects.public()
        .filter(newsroom=newsroom)
        .annotate(listed_at=F("starts_on"), lastmod=F("updated_at"))
    )


SECTION_ROWS = {
    "releases": release_rows,
    "photos": photo_set_rows,
    "videos": video_rows,
    "events": event_rows,
}

SECTIONS = {
    section.kind: section
    for section in [
        Section("releases", "press:release-detail", "never", 0.8),
        Section("photos", "media:photoset-detail", "weekly", 0.5),
        Section("videos", "media:video-detail", "monthly", 0.5),
        Section("events", "press:event-detail", "weekly", 0.4),
    ]
}


def site_entries():
    """The site's front page and each newsroom's home: the file that is never empty."""
    yield home_entry([code for code, _name in settings.LANGUAGES], "newsroom:site-root")
    newsrooms = Newsroom.objects.order_by("position", "name").prefetch_related("other_languages")
    for newsroom in newsrooms.only("slug", "language"):
        codes = [newsroom.language, *(other.language for other in newsroom.other_languages.all())]
        yield home_entry(codes, "newsroom:home", newsroom=newsroom.slug)


def home_entry(languages, view_name, **kwargs):
    """A page in each of `languages`, listed in the first with the others as alternates."""
    alternates = [
        (code, absolute_url(reverse_in(code, view_name, **kwargs))) for code in languages
    ]
    return alternates[0][1], None, alternates if len(alternates) > 1 else []


def files():
    """(address, lastmod) of every sitemap file: the site's, then each newsroom's."""
    yield absolute_url(reverse("sitemap-site")), None
    for newsroom in Newsroom.objects.order_by("position", "name"):
        for section in SECTIONS.values():
            path = reverse(
                "sitemap-section", kwargs={"newsroom": newsroom.slug, "kind": section.kind}
            )
            for page, lastmod in section.files(newsroom).items():
                yield absolute_url(path if page == 1 else f"{path}?p={page}"), lastmod


# Writing XML ---------------------------------------------------------------------------


def w3c_time(moment):
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


def urlset(entries, changefreq=None, priority=None):
    """A <urlset> document, written piece by piece."""
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="{NAMESPACE}" xmlns:xhtml="{XHTML}">\n'
    )
    extra = ""
    if changefreq:
        extra += f"<changefreq>{changefreq}</changefreq>"
    if priority is not None:
        extra += f"<priority>{priority:.1f}</priority>"
    for address, lastmod, alternates in entries:
        time = f"<lastmod>{w3c_time(lastmod)}</lastmod>" if lastmod else ""
        links = "".join(
            f'<xhtml:link rel="alternate" hreflang="{code}" href="{escape(href)}"/>'
            for code, href in alternates
        )
        yield f"<url><loc>{escape(address)}</loc>{time}{extra}{links}</url>\n"
    yield "</urlset>\n"


def sitemapindex(entries):
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{NAMESPACE}">\n'
    for address, lastmod in entries:
        time = f"<lastmod>{w3c_time(lastmod)}</lastmod>" if lastmod else ""
        yield f"<sitemap><loc>{escape(address)}</loc>{time}</sitemap>\n"
    yield "</sitemapindex>\n"
