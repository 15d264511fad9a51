"""RSS 2.0 and Atom feeds of live releases: for a newsroom, one of its tags or kinds, or all.

Each item carries its hero photo as an enclosure and as Media RSS content
with the photo's credit (its videos too: in Atom as enclosures, in RSS, which
allows one enclosure, as Media RSS content), so feed readers and newsroom tools show it with its
rights. GUIDs are the release's UUID: they never change, whatever happens to
the title or the address.
"""

from collections import defaultdict
from datetime import UTC, datetime

from django.contrib.syndication.views import Feed
from django.db.models import F, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from media import sizes
from media.models import Rendition, Video
from newsroom.ground.http import absolute_url
from newsroom.ground.models import Newsroom
from press.models import Kind, PressRelease, Tag
from press.parts import PUBLIC, release_parts
from press.versions import in_language

ITEMS = 30
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
MEDIA_NAMESPACE = "http://search.yahoo.com/mrss/"


class MediaRssMixin:
    """Adds a <media:content> with <media:credit> for each item's hero photo."""

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:media": MEDIA_NAMESPACE}

    def latest_post_date(self):
        # Django falls back to "now" for a feed without items, so an empty feed
        # would change with every request (and tell when editors save drafts).
        if not self.items:
            return self.feed["quiet_since"]
        return super().latest_post_date()

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        photo = item.get("photo")
        if photo is not None:
            self.add_photo(handler, photo)
        for video in item.get("videos", []):
            self.add_video(handler, video)

    def add_photo(self, handler, photo):
        handler.startElement(
            "media:content",
            {
                "url": photo["url"],
                "type": "image/jpeg",
                "medium": "image",
                "width": str(photo["width"]),
                "height": str(photo["height"]),
                "fileSize": str(photo["bytes"]),
            },
        )
        if photo["caption"]:
            handler.addQuickElement("media:description", photo["caption"])
        if photo["credit"]:
            handler.addQuickElement("media:credit", photo["credit"], {"role": "photographer"})
        handler.addQuickElement("media:copyright", photo["rights"])
        handler.endElement("media:content")

    def add_video(self, handler, video):
        handler.startElement(
            "media:content",
            {
                "url": video["url"],
                "type": "video/mp4",
                "medium": "video",
                "width": str(video["width"]),
                "height": str(video["height"]),
                "fileSize": str(video["bytes"]),
                "duration": str(video["duration"]),
            },
        )
        handler.addQuickElement("media:title", video["title"])
        if video["caption"]:
            handler.addQuickElement("media:description", video["caption"])
        handler.addQuickElement("media:thumbnail", "", {"url": video["poster"]})
        if video["credit"]:
            handler.addQuickElement("media:credit", video["credit"])
        handler.addQuickElement("media:copyright", video["rights"])
        handler.endElement("media:content")


class MediaRss(MediaRssMixin, Rss201rev2Feed):
    def add_root_elements(self, handler):
        # RSS readers take the channel's description as HTML too (see item_description).
        self.feed = {**self.feed, "description": escape(self.feed["description"])}
        super().add_root_elements(handler)


class MediaAtom(MediaRssMixin, Atom1Feed):
    pass


def feed_view(feed_class):
    """A view making a fresh feed for each request: the feed keeps the request for URLs."""

    def view(request, **kwargs):
        return feed_class()(request, **kwargs)

    return view


class ReleaseFeed(Feed):
    """The latest live releases; subclasses narrow them down by newsroom, tag or kind."""

    feed_type = MediaRss

    def __init__(self):
        super().__init__()
        self.item_parts = {}
        self.items_shown, self.story_videos = [], None

    def get_object(self, request, **kwargs):
        self.request = request  # one feed object per request: see feed_view()
        return None

    def feed_extra_kwargs(self, obj):
        return {"quiet_since": self.quiet_since(obj)}

    def quiet_since(self, obj):
        """The feed's time while it has no items: fixed, so an empty feed never changes."""
        first = Newsroom.objects.order_by("created_at").values_list("created_at", flat=True)
        return first.first() or EPOCH

    def releases(self, obj):
        return PressRelease.objects.live().originals()  # each story once

    def items(self, obj):
        web = Rendition.objects.filter(size=sizes.WEB).order_by()
        stories = (
            self.releases(obj)
            # An item without a lead shows the body's first words: the body is read.
            .listed("body")
            .select_related("newsroom", "hero_photo__photo_set")
            .prefetch_related(Prefetch("hero_photo__renditions", queryset=web))
            .order_by("-publish_at", "-pk")[:ITEMS]
        )
        # Each story in the feed's language where it has a live version in it.
        self.items_shown = in_language(stories, get_language(), "body")
        return self.items_shown

    def title(self, obj):
        return _("Newsroom: latest releases")

    # Every link is absolute and written with SITE_URL, never with the Host the
    # request came by: the feed is cached and served to everyone.
    def feed_url(self, obj):
        return absolute_url(self.request.path)

    def link(self, obj):
        return absolute_url("/")

    def description(self, obj):
        return _("Press releases and news, as they are published.")

    def parts(self, release):
        """What the public sees of the item's release: each read once per feed."""
        if release.pk not in self.item_parts:
            self.item_parts[release.pk] = release_parts(release, PUBLIC)
        return self.item_parts[release.pk]

    def item_title(self, release):
        return self.parts(release).headline

    def item_description(self, release):
        """The item's template, as HTML that shows its text: RSS descriptions and Atom
        summaries (type="html") are read as HTML, so “Times < 1:30 & <b>” is escaped once
        there, before the XML writer escapes it again."""
        context = {"parts": self.parts(release), "release": release}
        return render_to_string("press/feed_item.html", context).strip()

    def item_link(self, release):
        return absolute_url(release.get_absolute_url())

    def item_guid(self, release):
        return release.urn

    item_guid_is_permalink = False

    def item_pubdate(self, release):
        return release.first_published_at

    def item_updateddate(self, release):
        return release.corrected_at or release.first_published_at

    def item_author_name(self, release):
        return release.newsroom.name

    def item_categories(self, release):
        return [release.get_kind_display()]

    def hero(self, release):
        """The hero photo's web rendition, if the public may see it and it is ready."""
        photo = self.parts(release).hero
        rendition = photo and next(iter(photo.renditions.all()), None)
        return (photo, rendition) if rendition else (None, None)

    def item_enclosures(self, release):
        """RSS allows one enclosure: the hero photo, else the first video."""
        photo, rendition = self.hero(release)
        if photo is not None:
            url = absolute_url(photo.file_url(sizes.WEB))
            return [Enclosure(url, str(rendition.bytes), "image/jpeg")]
        return self.video_enclosures(release)[:1]

    def video_enclosures(self, release):
        return [
            Enclosure(absolute_url(video.web_url), str(web.bytes), "video/mp4")
            for video, web in self.videos(release)
        ]

    def videos(self, release):
        """(video, its web file) for the public videos of the item's story, ready ones only:
        one query for the whole feed."""
        if self.story_videos is None:
            self.story_videos = defaultdict(list)
            stories = [item.original_id or item.pk for item in self.items_shown]
            videos = (
                Video.objects.public()
                .filter(photo_set__releases__in=stories)
                .annotate(story=F("photo_set__releases"))
                .select_related("photo_set__newsroom")
                .prefetch_related("files")
                .order_by("position", "pk")
            )
            for video in videos:
                web = video.served_file(sizes.WEB_VIDEO)
                if web is not None:
                    self.story_videos[video.story].append((video, web))
        return self.story_videos[release.original_id or release.pk]

    def item_extra_kwargs(self, release):
        videos = [
            {
                "url": absolute_url(video.web_url),
                "poster": absolute_url(video.poster_url),
                "width": web.width,
                "height": web.height,
                "bytes": web.bytes,
                "duration": round(video.duration),
                "title": str(video),
                "caption": video.caption,
                "credit": video.credit,
                "rights": video.credit_line,
            }
            for video, web in self.videos(release)
        ]
        photo, rendition = self.hero(release)
        if photo is None:
            return {"videos": videos}
        parts = self.parts(release)
        return {
            "videos": videos,
            "photo": {
                "url": absolute_url(photo.file_url(sizes.WEB)),
                "width": rendition.width,
                "height": rendition.height,
                "bytes": rendition.bytes,
                "caption": parts.caption,
                "credit": photo.credit,
                "rights": parts.credit_line,
            },
        }


class AtomMixin:
    feed_type = MediaAtom

    def item_enclosures(self, release):
        """Atom takes any number: the hero photo and every video."""
        photo, rendition = self.hero(release)
        photos = []
        if photo is not None:
            url = absolute_url(photo.file_url(sizes.WEB))
            photos = [Enclosure(url, str(rendition.bytes), "image/jpeg")]
        return photos + self.video_enclosures(release)

    def subtitle(self, obj):
        return self.description(obj)


class NewsroomFeed(ReleaseFeed):
    def get_object(self, request, newsroom):
        self.request = request
        return get_object_or_404(Newsroom, slug=newsroom).in_language(get_language())

    def releases(self, newsroom):
        return PressRelease.objects.live().originals().filter(newsroom=newsroom)

    def title(self, newsroom):
        return _("%(newsroom)s: releases") % {"newsroom": newsroom.name}

    def link(self, newsroom):
        return absolute_url(newsroom.get_absolute_url())

    def quiet_since(self, newsroom):
        return newsroom.created_at

    def description(self, newsroom):
        return newsroom.tagline or _("Press releases and news from %(newsroom)s.") % {
            "newsroom": newsroom.name
        }


class TagFeed(NewsroomFeed):
    def get_object(self, request, newsroom, tag):
        self.request = request
        # A tag only unpublished releases use is as unknown as a made-up one:
        # its name could give away what is under embargo.
        tags = Tag.objects.select_related("newsroom").used_by(PressRelease.objects.live())
        return get_object_or_404(tags, newsroom__slug=newsroom, slug=tag)

    def releases(self, tag):
        return PressRelease.objects.live().filter(tags=tag)

    def quiet_since(self, tag):
        return tag.newsroom.created_at

    def title(self, tag):
        return f"{tag.newsroom.name}: {tag.name}"

    def link(self, tag):
        return absolute_url(tag.get_absolute_url())

    def description(self, tag):
        return _("Releases of %(newsroom)s tagged “%(tag)s”.") % {
            "newsroom": tag.newsroom.name,
            "tag": tag.name,
        }


class KindFeed(NewsroomFeed):
    def get_object(self, request, newsroom, kind):
        self.request = request
        if kind not in Kind.values:
            raise Http404
        self.kind = Kind(kind)
        return get_object_or_404(Newsroom, slug=newsroom).in_language(get_language())

    def releases(self, newsroom):
        return super().releases(newsroom).filter(kind=self.kind)

    def title(self, newsroom):
        return f"{newsroom.name}: {self.kind.label}"

    def link(self, newsroom):
        releases = reverse("press:release-list", args=[newsroom.slug])
        return absolute_url(f"{releases}?kind={self.kind}")


class SiteAtomFeed(AtomMixin, ReleaseFeed):
    pass


class NewsroomAtomFeed(AtomMixin, NewsroomFeed):
    pass


class TagAtomFeed(AtomMixin, TagFeed):
    pass


class KindAtomFeed(AtomMixin, KindFeed):
    pass
