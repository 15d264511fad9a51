"""The leak matrix: every public path × every state of a release × everything that belongs to it.

Only a live release, and the set, photos, files, ZIPs and documents that go
public with it, may reach the public. Drafts, releases ready for review,
scheduled (embargoed) and withdrawn ones reach nothing: not a page, not a
list, not a file, not a ZIP, not by guessing their addresses.
"""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from media.models import Document, Visibility
from newsroom.demo.documents import make_fact_sheet
from press.models import Status
from tests.factories import body, make_person, make_photo, make_photo_set, make_quote, make_release

STATES = ["draft", "review", "scheduled", "withdrawn", "live"]
SECRET = "ZX-SECRET-51"  # in every title, caption and name that belongs to the release


def release_in(newsroom, state):
    photo_set = make_photo_set(
        newsroom, title=f"Set {SECRET}", slug="secret-set", visibility=Visibility.WITH_RELEASE
    )
    photo = make_photo(photo_set, title=f"Photo {SECRET}", caption=f"Caption {SECRET}")
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
    }
    for size in ("thumbnail", "web", "social", "print", "original"):
        urls[f"{size} file"] = photo.file_url(size)
        urls[f"{size} download"] = photo.file_url(size) + "?download"
    return urls


def listing_urls(newsroom):
    """Every public page that lists releases, photos or documents."""
    releases = reverse("press:release-list", args=[newsroom.slug])
    return {
        "site root": "/",
        "newsroom home": reverse("newsroom:home", args=[newsroom.slug]),
        "release list": releases,
        "release list by kind": releases + "?kind=release",
        "release list by year": releases + f"?year={timezone.localdate().year}",
        "media kit": reverse("media:photoset-list", args=[newsroom.slug]),
        "press contacts": reverse("newsroom:contacts", args=[newsroom.slug]),
    }


def fetch(client, url):
    response = client.get(url)
    content = body(response) if response.status_code == 200 else b""
    return response.status_code, content


@pytest.mark.parametrize("state", STATES)
def test_the_leak_matrix(client, newsroom, state):
    release, photo_set, photo, document = release_in(newsroom, state)
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
    for name, url in listing_urls(newsroom).items():
        status, content = fetch(public, url)
        assert status == 200, (state, name)
        if name != "press contacts":  # contacts list people, not releases
            assert (SECRET.encode() in content) is visible, (state, name)
        assert (f"/files/photos/{photo.pk}/".encode() in content) is (
            visible and name != "press contacts"
        ), (state, name)
        checked += 1
    # 16 addresses of the release's own + 7 pages that list: with 5 states, 115 checks.
    assert checked == 23
