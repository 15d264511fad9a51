"""The leak matrix: every public path × every state of a release × everything that belongs to it.

Only a live release, and the set, photos, files, ZIPs and documents that go
public with it, may reach the public. Drafts, releases ready for review,
scheduled (embargoed) and withdrawn ones reach nothing: not a page, not a
list, not a file, not a ZIP, not by guessing their addresses.
"""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from media import selection
from media.models import Document, Photo, Video, Visibility
from media.sizes import SIZES, VIDEO_FILES
from press import sitemaps
from press.models import Status
from tests.factories import (
    body,
    make_event,
    make_person,
    make_photo,
    make_photo_set,
    make_quote,
    make_release,
    make_result,
    make_video,
    public_routes,
)
from tests.files import make_fact_sheet

STATES = ["draft", "review", "scheduled", "withdrawn", "live"]
SECRET = "ZX-SECRET-51"  # in every title, caption and name that belongs to the release


def release_in(newsroom, state):
    photo_set = make_photo_set(
        newsroom, title=f"Set {SECRET}", slug="secret-set", visibility=Visibility.WITH_RELEASE
    )
    photo = make_photo(photo_set, title=f"Photo {SECRET}", caption=f"Caption {SECRET}")
    make_video(
        photo_set,
        title=f"Video {SECRET}",
        caption=f"Clip {SECRET}",
        subtitles=[("sv", [(0.1, 0.5, f"Words {SECRET}")])],
    )
    document = Document.objects.create(
        newsroom=newsroom,
        title=f"Document {SECRET}",
        file=ContentFile(make_fact_sheet("Sheet", ["Line"]), name="sheet.pdf"),
        visibility=Visibility.WITH_RELEASE,
    )
    fields = {
        "draft": {"status": Status.DRAFT},
        "review": {"status": Status.REVIEW},
        "scheduled": {"publish_at": timezone.now() + timedelta(minutes=5)},
        "withdrawn": {},
        "live": {},
    }[state]
    release = make_release(
        newsroom, title=f"Release {SECRET}", slug="secret-release", hero_photo=photo, **fields
    )
    release.photo_sets.add(photo_set)
    release.documents.add(document)
    make_quote(release, make_person(newsroom, name=f"Speaker {SECRET}"), f"Words {SECRET}")
    # An event not announced yet: it goes public with the release that gives its results.
    event = make_event(
        newsroom,
        slug="the-race",
        name=f"Race {SECRET}",
        starts_on=timezone.localdate() + timedelta(days=10),
        visibility=Visibility.WITH_RELEASE,
    )
    make_result(release, event, note=f"Note {SECRET}")
    release.tags.add(newsroom.tags.create(name="Racing", slug="racing"))
    if state == "withdrawn":
        release.status = Status.WITHDRAWN
        release.save()
    return release, photo_set, photo, document


def object_urls(release, photo_set, photo, document):
    """Every address of the release and of what belongs only to it."""
    urls = {
        "release page": release.get_absolute_url(),
        "photo set page": photo_set.get_absolute_url(),
        "photo page": photo.get_absolute_url(),
        "web ZIP": reverse("media:photoset-zip", args=[photo_set.pk, "web"]),
        "print ZIP": reverse("media:photoset-zip", args=[photo_set.pk, "print"]),
        "document": document.get_absolute_url(),
        "plain text": reverse("press:release-text", args=[release.newsroom.slug, release.slug]),
        "Markdown": reverse("press:release-markdown", args=[release.newsroom.slug, release.slug]),
        "API release": reverse("api:release-detail", args=[release.newsroom.slug, release.slug]),
        "API photo set": reverse("api:photoset-detail", args=[photo_set.pk]),
        # Only this release uses its tag and has its event's results: they go public with it.
        "tag RSS": reverse("press:tag-rss", args=[release.newsroom.slug, "racing"]),
        "tag Atom": reverse("press:tag-atom", args=[release.newsroom.slug, "racing"]),
        "event page": reverse("press:event-detail", args=[release.newsroom.slug, "the-race"]),
        "API event": reverse("api:event-detail", args=[event_pk(release.newsroom)]),
    }
    for size in SIZES:  # every size there is, a new one included
        urls[f"{size} file"] = photo.file_url(size)
        urls[f"{size} download"] = photo.file_url(size) + "?download"
    video = photo_set.videos.get()
    urls["video page"] = video.get_absolute_url()
    for kind in VIDEO_FILES:  # every file a video has, a new kind included
        urls[f"video {kind}"] = video.file_url(kind)
        urls[f"video {kind} download"] = video.file_url(kind) + "?download"
    for form in ("vtt", "srt"):
        urls[f"subtitles {form}"] = video.subtitles.get().file_url(form)
    return urls


def listing_urls(newsroom):
    """Every public page, feed and API list that lists releases, photos or documents.

    Each with whether a live release shows there by its text, and by its photo's files.
    """
    slug = newsroom.slug
    releases = reverse("press:release-list", args=[slug])
    both, text_only, neither = (True, True), (True, False), (False, False)
    return {
        "site root": (reverse("newsroom:site-root"), both),
        "newsroom home": (reverse("newsroom:home", args=[slug]), both),
        "release list": (releases, both),
        "release list by kind": (releases + "?kind=release", both),
        "release list by year": (releases + f"?year={timezone.localdate().year}", both),
        "release list by tag": (releases + "?tag=racing", both),
        "media kit": (reverse("media:photoset-list", args=[slug]), both),
        "documents": (reverse("media:document-list", args=[slug]), text_only),
        # A selection of everything the newsroom has, as a shared link would hold it.
        "selection": (reverse("media:selection", args=[everything(newsroom)]), both),
        "selection ZIP": (
            reverse("media:selection-zip", args=[everything(newsroom), "web"]),
            text_only,
        ),
        "press contacts": (reverse("newsroom:contacts", args=[slug]), neither),
        "site RSS": (reverse("press:site-rss"), both),
        "site Atom": (reverse("press:site-atom"), both),
        "RSS": (reverse("press:rss", args=[slug]), both),
        "Atom": (reverse("press:atom", args=[slug]), both),
        "kind RSS": (reverse("press:kind-rss", args=[slug, "release"]), both),
        "kind Atom": (reverse("press:kind-atom", args=[slug, "release"]), both),
        "sitemap index": (reverse("sitemap"), (False, False)),
        "sitemap of releases": (sitemaps.file_path(newsroom, "releases", timezone.now()), neither),
        "events": (reverse("press:event-list", args=[slug]), text_only),
        "calendar": (reverse("press:event-calendar", args=[slug]), text_only),
        "search": (reverse("search") + "?q=secret", both),
        "search in newsroom": (reverse("search") + f"?q=secret&newsroom={slug}", both),
        "API releases": (reverse("api:release-list"), both),
        "API releases of the newsroom": (reverse("api:release-list") + f"?newsroom={slug}", both),
        "API photo sets": (reverse("api:photoset-list"), both),
        "API events": (reverse("api:event-list"), text_only),
    }


def everything(newsroom):
    """A selection's token for every photo and document of the newsroom."""
    photos = Photo.objects.filter(photo_set__newsroom=newsroom).order_by("pk")
    documents = newsroom.documents.order_by("pk")
    videos = Video.objects.filter(photo_set__newsroom=newsroom).order_by("pk")
    items = [selection.Item("p", pk) for pk in photos.values_list("pk", flat=True)]
    items += [selection.Item("v", pk) for pk in videos.values_list("pk", flat=True)]
    items += [selection.Item("d", pk) for pk in documents.values_list("pk", flat=True)]
    return selection.token(items)


# Pages that never link to a release: they list people, or events by their own pages.
NO_LINKS = {
    "press contacts",
    "events",
    "calendar",
    "media kit",
    "documents",
    "selection",
    "selection ZIP",
    "API photo sets",
    "sitemap index",
}


# Lists that show a live release's videos by their files: feeds (Media RSS, enclosures),
# the search's video cards, a selection's posters and the API's ninjs items.
SHOW_VIDEO_FILES = {
    "site RSS",
    "site Atom",
    "RSS",
    "Atom",
    "kind RSS",
    "kind Atom",
    "search",
    "search in newsroom",
    "selection",
    "API releases",
    "API releases of the newsroom",
}


def event_pk(newsroom):
    return newsroom.events.get(slug="the-race").pk


def fetch(client, url):
    response = client.get(url)
    content = body(response) if response.status_code == 200 else b""
    return response.status_code, content


@pytest.mark.parametrize("state", STATES)
def test_the_leak_matrix(client, newsroom, state):
    release, photo_set, photo, document = release_in(newsroom, state)
    video = photo_set.videos.get()
    photo_set.is_featured = True
    photo_set.save()
    make_release(newsroom, title="Another live release")  # lists are never empty
    public = Client()
    visible = state == "live"
    checked = 0

    for name, url in object_urls(release, photo_set, photo, document).items():
        status, _content = fetch(public, url)
        assert (status == 200) is visible, (state, name, url, status)
        checked += 1
    for name, (url, (shows_text, shows_photo)) in listing_urls(newsroom).items():
        status, content = fetch(public, url)
        assert status == 200, (state, name)
        assert (SECRET.encode() in content) is (visible and shows_text), (state, name)
        assert (f"/files/photos/{photo.pk}/".encode() in content) is (visible and shows_photo), (
            state,
            name,
        )
        assert (b"secret-release" in content) is (visible and name not in NO_LINKS), (state, name)
        shows_video = visible and name in SHOW_VIDEO_FILES
        assert (f"/files/videos/{video.pk}/".encode() in content) is shows_video, (state, name)
        checked += 1
    # 14 addresses of the release's own, its photo's files (every size as file and download:
    # 18 for 9 sizes), its video's page, files (3 kinds, as file and download) and subtitles
    # (2 forms), and 27 that list: with 5 states, 9 sizes and 3 kinds, 335 checks.
    assert checked == 14 + 2 * len(SIZES) + 1 + 2 * len(VIDEO_FILES) + 2 + 27


# Public routes the matrix does not request, each with where its rule is tested instead.
# A new route is in neither the matrix nor here until someone decides where it belongs.
ELSEWHERE = {
    "favicon.ico": "a redirect to a static file",
    "robots": "fixed text: tests/test_distribution.py",
    "sitemap-site": "the site's root and newsroom homes only",
    "newsroom:logo": "a newsroom's own logo, always public",
    "newsroom:portrait": "public once the person is: tests/test_visibility.py",
    "api:index": "links to the lists, no content",
    "api:openapi": "the API's description, no content",
    "api:not-found": "a JSON 404 for every other address",
    "alerts:follow": "a sign-up form: tests/test_alerts.py",
    "media:selection-start": "sends a list to its selection's address: tests/test_selection.py",
    "alerts:confirm": "a follower's secret key: tests/test_alerts.py",
    "alerts:unsubscribe": "a follower's secret key: tests/test_alerts.py",
    **{
        f"passes:{name}": "a pass holder's signed link: tests/test_passes.py"
        for name in (
            "pass",
            "pass-calendar",
            "pass-document",
            "pass-photo",
            "pass-photo-file",
            "pass-video",
            "pass-video-file",
            "pass-subtitle-file",
            "pass-photoset",
            "pass-photoset-zip",
            "pass-version",
            "pass-selection-start",
            "pass-selection",
            "pass-selection-zip",
        )
    },
}


def test_every_public_route_is_in_the_matrix_or_said_to_be_tested_elsewhere(newsroom):
    release, photo_set, photo, document = release_in(newsroom, "live")
    addresses = [
        *object_urls(release, photo_set, photo, document).values(),
        *(url for url, _shows in listing_urls(newsroom).values()),
    ]
    requested = {resolve(urlsplit(url).path).view_name for url in addresses}

    routes = set(public_routes())
    assert routes - requested - set(ELSEWHERE) == set()
    assert requested & set(ELSEWHERE) == set()
    assert set(ELSEWHERE) <= routes  # no stale entries
