"""The sitemap: an index of files, each of at most 50,000 addresses of live content.

Every newsroom has its own files (releases, photo sets, events), so a change
in one newsroom renews its files and the index, never the other newsrooms'
files. A file lists its rows oldest first: a new release joins the last file
of its newsroom, and the earlier files keep their content and their lastmod.

The files are written from narrow rows (a slug and a time), one row at a time,
so the memory a file takes does not depend on how wide a release is.
"""

import math
from dataclasses import dataclass
from datetime import UTC
from xml.sax.saxutils import escape

from django.db.models import Count, F, Max, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from media.models import PhotoSet
from newsroom.ground.http import absolute_url
from newsroom.ground.models import Newsroom
from press.models import Event, PressRelease

PER_FILE = 50_000  # the most the sitemaps protocol allows in one file
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
SLUG = "__slug__"  # stands for each row's slug in an address reversed once per file


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

        One query for a section that fits in one file (nearly all do), and one
        more per file for those that do not.
        """
        rows = self.rows(newsroom)
        totals = rows.aggregate(count=Count("pk"), latest=Max("lastmod"))
        pages = math.ceil(totals["count"] / PER_FILE)
        if pages <= 1:
            return {1: totals["latest"]} if pages else {}
        return {page: self.latest(newsroom, page) for page in range(1, pages + 1)}

    def page_rows(self, newsroom, page):
        start = (page - 1) * PER_FILE
        return self.rows(newsroom)[start : start + PER_FILE]

    def latest(self, newsroom, page):
        """When anything on one file last changed."""
        on_page = self.page_rows(newsroom, page).values("pk")
        rows = self.rows(newsroom).filter(pk__in=Subquery(on_page))
        return rows.aggregate(latest=Max("lastmod"))["latest"]

    def entries(self, newsroom, page):
        """(address, lastmod) for each row of the file, read one narrow row at a time."""
        address = absolute_url(
            reverse(self.url_name, kwargs={"newsroom": newsroom.slug, "slug": SLUG})
        )
        rows = self.page_rows(newsroom, page).values_list("slug", "lastmod")
        for slug, lastmod in rows.iterator(chunk_size=2000):
            yield address.replace(SLUG, slug), lastmod


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


def event_rows(newsroom):
    return (
        Event.objects.public()
        .filter(newsroom=newsroom)
        .annotate(listed_at=F("starts_on"), lastmod=F("updated_at"))
    )


SECTION_ROWS = {"releases": release_rows, "photos": photo_set_rows, "events": event_rows}

SECTIONS = {
    section.kind: section
    for section in [
        Section("releases", "press:release-detail", "never", 0.8),
        Section("photos", "media:photoset-detail", "weekly", 0.5),
        Section("events", "press:event-detail", "weekly", 0.4),
    ]
}


def site_entries():
    """The site's front page and each newsroom's home: the file that is never empty."""
    yield absolute_url(reverse("newsroom:site-root")), None
    for slug in Newsroom.objects.order_by("position", "name").values_list("slug", flat=True):
        yield absolute_url(reverse("newsroom:home", kwargs={"newsroom": slug})), None


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
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{NAMESPACE}">\n'
    extra = ""
    if changefreq:
        extra += f"<changefreq>{changefreq}</changefreq>"
    if priority is not None:
        extra += f"<priority>{priority:.1f}</priority>"
    for address, lastmod in entries:
        time = f"<lastmod>{w3c_time(lastmod)}</lastmod>" if lastmod else ""
        yield f"<url><loc>{escape(address)}</loc>{time}{extra}</url>\n"
    yield "</urlset>\n"


def sitemapindex(entries):
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{NAMESPACE}">\n'
    for address, lastmod in entries:
        time = f"<lastmod>{w3c_time(lastmod)}</lastmod>" if lastmod else ""
        yield f"<sitemap><loc>{escape(address)}</loc>{time}</sitemap>\n"
    yield "</sitemapindex>\n"
