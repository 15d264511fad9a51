"""The sitemap: live releases, newsrooms, public photo sets and events, nothing else."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models.functions import Coalesce
from django.urls import reverse

from media.models import PhotoSet
from newsroom.ground.models import Newsroom
from press.models import Event, PressRelease


class SiteSitemap(Sitemap):
    """Addresses written with SITE_URL, never with the Host a crawler sent (it is cached)."""

    @property
    def protocol(self):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class RootSitemap(SiteSitemap):
    """The site's front page: always there, so the sitemap is never an empty (invalid) urlset."""

    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["newsroom:site-root"]

    def location(self, name):
        return reverse(name)


class ReleaseSitemap(SiteSitemap):
    changefreq = "never"
    priority = 0.8

    def items(self):
        return (
            PressRelease.objects.live()
            .select_related("newsroom")
            .annotate(changed_at=Coalesce("corrected_at", "first_published_at"))
            .order_by("-publish_at", "-pk")
        )

    def lastmod(self, release):
        return release.changed_at


class NewsroomSitemap(SiteSitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return Newsroom.objects.order_by("position", "name")


class PhotoSetSitemap(SiteSitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return PhotoSet.objects.public().select_related("newsroom").order_by("-created_at")

    def lastmod(self, photo_set):
        return photo_set.updated_at


class EventSitemap(SiteSitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return Event.objects.public().select_related("newsroom").order_by("-starts_on")


SITEMAPS = {
    "site": RootSitemap,
    "releases": ReleaseSitemap,
    "newsrooms": NewsroomSitemap,
    "photos": PhotoSetSitemap,
    "events": EventSitemap,
}
