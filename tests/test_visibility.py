"""Nothing unpublished reaches the public: every public path × every hidden state."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from media.models import PhotoSet, Visibility
from press import sitemaps
from press.models import Event, Status
from tests.factories import (
    admin_form_data,
    jpeg_bytes,
    make_newsroom,
    make_person,
    make_photo,
    make_photo_set,
    make_quote,
    make_release,
)

NOON = timezone.datetime(2030, 6, 3, 12, 0, tzinfo=timezone.UTC)


def hidden_release(newsroom, state):
    """A release the public must not see, with a photo set that follows it."""
    if state == "draft":
        fields = {"status": Status.DRAFT}
    elif state == "embargoed":
        fields = {"publish_at": timezone.now() + timedelta(hours=1)}
    else:  # withdrawn: was live, then taken back to draft
        fields = {}
    photo_set = make_photo_set(
        newsroom, title="Secret set", slug="secret-set", visibility=Visibility.WITH_RELEASE
    )
    photo = make_photo(photo_set, title="Secret photo")
    speaker = make_person(newsroom, name="New Signing", portrait=None)
    release = make_release(
        newsroom, title="Secret signing", slug="secret-signing", hero_photo=photo, **fields
    )
    release.photo_sets.add(photo_set)
    make_quote(release, speaker, "Secret words.")
    if state == "withdrawn":
        release.status = Status.DRAFT
        release.save()
    return release, photo_set, photo


def public_pages(newsroom):
    return [
        reverse("newsroom:site-root"),
        reverse("newsroom:home", args=[newsroom.slug]),
        reverse("press:release-list", args=[newsroom.slug]),
        reverse("press:release-list", args=[newsroom.slug]) + "?kind=release",
        reverse("media:photoset-list", args=[newsroom.slug]),
        reverse("newsroom:contacts", args=[newsroom.slug]),
    ]


@pytest.mark.parametrize("state", ["draft", "embargoed", "withdrawn"])
def test_hidden_releases_and_their_photos_reach_no_public_path(client, newsroom, state):
    release, photo_set, photo = hidden_release(newsroom, state)
    make_release(newsroom, title="Old news")  # so the lists are not empty

    for url in [
        release.get_absolute_url(),
        photo_set.get_absolute_url(),
        photo.get_absolute_url(),
        reverse("media:photoset-zip", args=[photo_set.pk, "web"]),
        photo.thumbnail_url,
        photo.web_url,
        photo.original_url,
        photo.file_url("web") + "?download",
    ]:
        assert client.get(url).status_code == 404, url
    for url in public_pages(newsroom):
        page = client.get(url).content.decode()
        assert "Old news" in page or "contacts" in url or "photos" in url, url
        for secret in (
            "Secret signing",
            "Secret set",
            "Secret photo",
            "New Signing",
            "Secret words",
        ):
            assert secret not in page, (url, secret)
        assert f"/files/photos/{photo.pk}/" not in page, url


def test_an_embargo_lifts_to_the_second(client, newsroom):
    with time_machine.travel(NOON - timedelta(days=1), tick=False):
        photo_set = make_photo_set(newsroom, visibility=Visibility.WITH_RELEASE)
        photo = make_photo(photo_set)
        release = make_release(newsroom, publish_at=NOON, hero_photo=photo)
        release.photo_sets.add(photo_set)
    urls = [release.get_absolute_url(), photo_set.get_absolute_url(), photo.web_url]
    listing = reverse("press:release-list", args=[newsroom.slug])

    with time_machine.travel(NOON - timedelta(seconds=1), tick=False):
        assert [client.get(url).status_code for url in urls] == [404, 404, 404]
        assert release.title not in client.get(listing).content.decode()
    with time_machine.travel(NOON + timedelta(seconds=1), tick=False):
        assert [client.get(url).status_code for url in urls] == [200, 200, 200]
        assert release.title in client.get(listing).content.decode()


def test_private_sets_are_hidden_even_on_a_live_release(client, newsroom):
    photo_set = make_photo_set(newsroom, title="Private set", visibility=Visibility.PRIVATE)
    photo = make_photo(photo_set)
    release = make_release(newsroom)
    release.photo_sets.add(photo_set)

    assert client.get(photo_set.get_absolute_url()).status_code == 404
    assert client.get(photo.original_url).status_code == 404
    assert "Private set" not in client.get(release.get_absolute_url()).content.decode()


def test_a_hero_photo_moved_to_a_private_set_disappears_from_the_release(client, newsroom):
    photo = make_photo(make_photo_set(newsroom))
    release = make_release(newsroom, hero_photo=photo)
    photo.photo_set.visibility = Visibility.PRIVATE
    photo.photo_set.save()

    page = client.get(release.get_absolute_url()).content.decode()

    assert release.title in page
    assert photo.web_url not in page
    assert client.get(photo.web_url).status_code == 404


def test_a_set_card_never_shows_a_cover_that_has_left_the_set(client, newsroom):
    """A cover moved to a private set is no longer public: the card shows the set's own photo."""
    public = make_photo_set(newsroom, title="Race day", slug="race-day", is_featured=True)
    first = make_photo(public, title="Grid", credit="Team Photo")
    cover = make_photo(public, title="Secret car", credit="Secret Studio 7")
    public.cover = cover
    public.save()
    cover.photo_set = make_photo_set(newsroom, slug="internal", visibility=Visibility.PRIVATE)
    cover.save()

    for url in (
        reverse("media:photoset-list", args=[newsroom.slug]),
        reverse("newsroom:home", args=[newsroom.slug]),
    ):
        page = client.get(url).content.decode()
        assert first.thumbnail_url in page, url
        assert f"/files/photos/{cover.pk}/" not in page and "Secret Studio 7" not in page, url


def test_portraits_are_public_only_for_press_contacts_and_people_in_live_releases(
    client, newsroom
):

    def person_with_portrait(**fields):
        person = make_person(newsroom, **fields)
        person.portrait.save("p.jpg", ContentFile(jpeg_bytes(800, 1000)))
        return person

    contact = person_with_portrait(is_press_contact=True, email="p@example.com")
    quoted_live = person_with_portrait()
    quoted_in_draft = person_with_portrait()
    make_quote(make_release(newsroom), quoted_live)
    make_quote(make_release(newsroom, status=Status.DRAFT), quoted_in_draft)

    def status(person):
        return client.get(reverse("newsroom:portrait", args=[person.pk])).status_code

    assert (status(contact), status(quoted_live), status(quoted_in_draft)) == (200, 200, 404)


def test_editors_preview_drafts_with_a_banner_and_no_caching(editor_client, newsroom):
    release, _, photo = hidden_release(newsroom, "draft")

    response = editor_client.get(release.get_absolute_url())

    assert response.status_code == 200
    assert "Draft — not public" in response.content.decode()
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    image = editor_client.get(photo.web_url)
    assert image.status_code == 200
    assert "no-store" in image["Cache-Control"]


def test_editors_preview_scheduled_releases_with_their_time(editor_client, newsroom):
    release, *_ = hidden_release(newsroom, "embargoed")

    page = editor_client.get(release.get_absolute_url()).content.decode()

    assert "Scheduled — not public" in page


def test_editors_of_another_newsroom_cannot_preview(client, newsroom, editor):
    release, _, photo = hidden_release(make_newsroom(), "draft")
    client.force_login(editor)

    assert client.get(release.get_absolute_url()).status_code == 404
    assert client.get(photo.web_url).status_code == 404


def test_staff_without_membership_and_inactive_users_cannot_preview(client, newsroom, editor):
    release, *_ = hidden_release(newsroom, "draft")
    outsider = get_user_model().objects.create_user("outsider", is_staff=True)
    editor.is_active = False
    editor.save()

    client.force_login(outsider)
    assert client.get(release.get_absolute_url()).status_code == 404
    client.force_login(editor)
    assert client.get(release.get_absolute_url()).status_code == 404


def test_public_files_are_cacheable_and_live_pages_are_not_marked_private(client, newsroom):
    photo = make_photo(make_photo_set(newsroom))
    release = make_release(newsroom, hero_photo=photo)

    image = client.get(photo.web_url)
    page = client.get(release.get_absolute_url())

    assert image["Cache-Control"] == "public, max-age=300"
    assert image["Content-Type"] == "image/jpeg"
    assert "private" not in page.get("Cache-Control", "")
    assert "X-Robots-Tag" not in page


def test_an_event_not_announced_yet_stays_hidden_until_its_release_is_live(
    editor_client, newsroom
):
    """New events follow their release: an event named after a signing cannot leak it."""
    client = Client()
    event = Event.objects.create(
        newsroom=newsroom,
        name="Signing day Q9",
        slug="signing-day",
        starts_on=timezone.localdate() + timedelta(days=3),
        ends_on=timezone.localdate() + timedelta(days=3),
    )
    release = make_release(newsroom, status=Status.DRAFT, title="The signing")
    release.events.add(event)
    addresses = [
        reverse("newsroom:home", args=[newsroom.slug]),
        reverse("press:event-list", args=[newsroom.slug]),
        reverse("press:event-calendar", args=[newsroom.slug]),
        reverse("api:event-list"),
        sitemaps.file_path(newsroom, "events", event.starts_on),
    ]

    assert event.visibility == Visibility.WITH_RELEASE
    assert client.get(event.get_absolute_url()).status_code == 404
    assert client.get(reverse("api:event-detail", args=[event.pk])).status_code == 404
    for url in addresses:
        assert "Signing day Q9" not in client.get(url).content.decode(), url
        assert "signing-day" not in client.get(url).content.decode(), url
    preview = editor_client.get(event.get_absolute_url())
    assert preview.status_code == 200 and "no-store" in preview["Cache-Control"]

    release.status = Status.PUBLISHED
    release.save()

    assert client.get(event.get_absolute_url()).status_code == 200
    for url in addresses[1:]:
        assert "signing-day" in client.get(url).content.decode(), url
    assert "Signing day Q9" in client.get(addresses[0]).content.decode()


def test_saving_a_release_touches_only_what_it_links_to(newsroom):
    linked = make_photo_set(newsroom, visibility=Visibility.WITH_RELEASE)
    other = make_photo_set(newsroom, visibility=Visibility.WITH_RELEASE)
    release = make_release(newsroom)
    release.photo_sets.add(linked)
    sentinel = timezone.now() - timedelta(days=999)
    PhotoSet.objects.filter(pk=other.pk).update(released_at=sentinel)

    release.title = "Retitled"
    release.save()

    other.refresh_from_db()
    linked.refresh_from_db()
    assert other.released_at == sentinel  # not ours to write: left as it was
    assert linked.released_at == release.publish_at


def test_saving_a_release_costs_the_same_in_a_small_and_a_large_newsroom(newsroom):
    release = make_release(newsroom)
    release.photo_sets.add(make_photo_set(newsroom))

    def queries_of_a_save():
        with CaptureQueriesContext(connection) as queries:
            release.save()
        return len(queries)

    small = queries_of_a_save()
    for number in range(15):
        other = make_release(newsroom, slug=f"other-{number}")
        other.photo_sets.add(make_photo_set(newsroom, title=f"Set {number}"))
    assert queries_of_a_save() == small


def test_unlinking_or_replacing_media_gives_back_their_public_time(newsroom):
    hero_set = make_photo_set(newsroom, title="Hero set", visibility=Visibility.WITH_RELEASE)
    new_hero_set = make_photo_set(newsroom, title="New hero", visibility=Visibility.WITH_RELEASE)
    linked = make_photo_set(newsroom, title="Linked", visibility=Visibility.WITH_RELEASE)
    release = make_release(newsroom, hero_photo=make_photo(hero_set, renditions=False))
    release.photo_sets.add(linked)
    hero_set.refresh_from_db()
    assert hero_set.released_at == release.publish_at

    release.hero_photo = make_photo(new_hero_set, renditions=False)
    release.save()
    release.photo_sets.clear()

    for photo_set, released in [(hero_set, None), (new_hero_set, release.publish_at)]:
        photo_set.refresh_from_db()
        assert photo_set.released_at == released, photo_set
    linked.refresh_from_db()
    assert linked.released_at is None
    assert not PhotoSet.objects.public().filter(pk=linked.pk).exists()


def test_a_save_in_the_admin_writes_only_its_own_sets_at_any_archive_size(editor_client, newsroom):
    release = make_release(newsroom)
    ours = [make_photo_set(newsroom, visibility=Visibility.WITH_RELEASE) for _ in range(3)]
    url = reverse("admin:press_pressrelease_change", args=[release.pk])

    def save_with(photo_sets):
        data = admin_form_data(editor_client.get(url))
        data["photo_sets"] = [photo_set.pk for photo_set in photo_sets]
        with CaptureQueriesContext(connection) as queries:
            response = editor_client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        return [query["sql"] for query in queries]

    # Each measured save links one set more to a release that has some already.
    save_with(ours[:1])
    small = save_with(ours[:2])
    for number in range(20):
        other = make_release(newsroom, slug=f"archive-{number}")
        other.photo_sets.add(make_photo_set(newsroom, visibility=Visibility.WITH_RELEASE))
    large = save_with(ours)

    assert len(large) == len(small), "\n".join(large)
    written = [sql for sql in large if sql.startswith('UPDATE "media_photoset"')]
    assert written
    keys = {int(key) for sql in written for key in re.findall(r"(\d+)", sql.split("WHERE")[-1])}
    assert keys <= {photo_set.pk for photo_set in ours}, written
