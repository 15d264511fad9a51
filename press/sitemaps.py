"""The sitemap: an index of files, each of the live content one newsroom listed in one month.

Every newsroom has its own files for each kind of page (releases, photo sets,
videos, events), one per month (UTC) in which it listed any: a release by the
month it went public, a photo set or video by the month it was made, an event
by the month it starts. A file's content is fixed by its month, so a new
release renews the file of its month and the index, never an earlier month's
file or another newsroom's, and a file costs the same in a newsroom of ten
years as in one of a month. A month of more than 50,000 rows is split into
pages (?p=2 and on), as the sitemaps protocol's limit asks.

The files are written from narrow rows (a slug and a time), one row at a time,
so the memory a file takes does not depend on how wide a release is. The
index reads one row per newsroom and month: for releases from their summary
(`press.sitemap_months`), for the other kinds from one grouped query each.
"""

from dataclasses import dataclass
from datetime import UTC
from itertools import batched
from xml.sax.saxutils import escape

from django.conf import settings
from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse

from media.models import PhotoSet, Video
from newsroom.ground.http import absolute_url
from newsroom.ground.languages import reverse_in
from newsroom.ground.models import Newsroom
from press import sitemap_months
from press.models import Event, PressRelease
from press.sitemap_months import Month, count_months, release_rows

PER_FILE = 50_000  # the most the sitemaps protocol allows in one file
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
SLUG = "__slug__"  # stands for each row's slug in an address reversed once per file
MONTH = "0000-00"  # stands for each file's month in an address reversed once per newsroom
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
    dated: bool = False  # listed by a date (events' first day) rather than a moment

    def rows(self, newsroom=None):
        """The section's public rows (in one newsroom, or in all), oldest first, each with
        `room` (its newsroom's id), `listed_at` (what places it in a month) and `lastmod`."""
        rows = SECTION_ROWS[self.kind]().order_by("listed_at", "pk")
        return rows if newsroom is None else rows.filter(room=newsroom.pk)

    def month_rows(self, newsroom, month):
        start, end = month.span(self.dated)
        return self.rows(newsroom).filter(listed_at__gte=start, listed_at__lt=end)

    def months(self):
        """{(room, month): (count, latest lastmod)} of the section's rows, in one query."""
        return count_months(self.rows(), dated=self.dated)

    def files(self):
        """{newsroom id: {(month, page): lastmod}} of the section's files in every newsroom.

        Releases' months come from their summary (`release_months`), the other kinds' from
        one grouped query; a month of more than one file (more than 50,000 rows) reads its
        rows' `lastmod` in order, a chunk at a time, to give each of its files its own.
        """
        months = sitemap_months.release_months() if self.kind == "releases" else self.months()
        found = {}
        for (room, month), (count, latest) in sorted(months.items()):
            in_room = found.setdefault(room, {})
            if count <= PER_FILE:
                in_room[month, 1] = latest
                continue
            in_order = self.month_rows(Newsroom(pk=room), month).values_list("lastmod", flat=True)
            for number, lastmod in enumerate(in_order.iterator(chunk_size=CHUNK)):
                key = (month, number // PER_FILE + 1)
                in_room[key] = later(in_room.get(key), lastmod)
        return found

    def page_rows(self, newsroom, month, page):
        start = (page - 1) * PER_FILE
        return self.month_rows(newsroom, month)[start : start + PER_FILE]

    def entries(self, newsroom, month, page=1):
        """(address, lastmod, alternates) for each row of the file, read in narrow rows."""
        address = Addresses(self.url_name, newsroom.slug, numbered=self.kind == "videos")
        rows = self.page_rows(newsroom, month, page)
        if self.kind == "releases":
            return version_entries(rows, address)
        if self.kind == "videos":
            return video_entries(rows, address, newsroom.languages)
        return page_entries(rows, address, newsroom.languages)

    def paths(self, newsroom_slug):
        """path(month, page=1): the address of each of the section's files in a newsroom,
        reversed once (an index lists hundreds of them)."""
        kwargs = {"newsroom": newsroom_slug, "kind": self.kind, "month": MONTH}
        # The month is the address's last part: a slug may look like one.
        head, _month, tail = reverse("sitemap-section", kwargs=kwargs).rpartition(MONTH)

        def path(month, page=1):
            address = f"{head}{month}{tail}"
            return address if page == 1 else f"{address}?p={page}"

        return path


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


def photo_set_rows():
    return PhotoSet.objects.public().annotate(
        room=F("newsroom_id"), listed_at=F("created_at"), lastmod=F("updated_at")
    )


def video_rows():
    return Video.objects.public().annotate(
        room=F("photo_set__newsroom_id"),
        listed_at=F("created_at"),
        lastmod=F("updated_at"),
        set_slug=F("photo_set__slug"),
    )


def event_rows():
    return Event.objects.public().annotate(
        room=F("newsroom_id"), listed_at=F("starts_on"), lastmod=F("updated_at")
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
        Section("events", "press:event-detail", "weekly", 0.4, dated=True),
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
    """(address, lastmod) of every sitemap file: the site's, then each newsroom's by kind
    and month, oldest first. One query per kind, however many newsrooms there are."""
    yield absolute_url(reverse("sitemap-site")), None
    by_section = {kind: section.files() for kind, section in SECTIONS.items()}
    for newsroom in Newsroom.objects.order_by("position", "name").only("slug"):
        for kind, section in SECTIONS.items():
            path = section.paths(newsroom.slug)
            for (month, page), lastmod in by_section[kind].get(newsroom.pk, {}).items():
                yield absolute_url(path(month, page)), lastmod


def file_path(newsroom, kind, moment):
    """The address of the file that lists a row of `kind` listed at `moment` (a time or a
    date) in the newsroom, whether or not it lists anything yet."""
    return SECTIONS[kind].paths(newsroom.slug)(Month.of(moment))


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
