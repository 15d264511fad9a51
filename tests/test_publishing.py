"""Publishing: who may publish, embargo times in the newsroom's zone, going live once."""

import html
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from media.models import Document, Visibility
from newsroom.ground.models import Membership, Role
from press.models import Event, PressRelease, State, Status
from press.publishing import announce_due_releases, release_went_live
from tests.factories import (
    admin_form_data,
    jpeg_bytes,
    make_event,
    make_person,
    make_photo,
    make_photo_set,
    make_release,
)
from tests.files import make_fact_sheet


def release_form(newsroom, **fields):
    speaker = make_person(newsroom)
    event = make_event(newsroom)
    data = {
        "newsroom": newsroom.pk,
        "kind": "release",
        "language": "en",
        "title": "Ljungbyhed",
        "slug": "ljungbyhed",
        "status": Status.PUBLISHED,
        "publish_at_0": "2026-06-01",
        "publish_at_1": "09:00:00",
        "quotes-TOTAL_FORMS": "0",
        "quotes-INITIAL_FORMS": "0",
        "results-TOTAL_FORMS": "0",
        "results-INITIAL_FORMS": "0",
    }
    del speaker, event
    data.update(fields)
    return data


@pytest.fixture
def writer(newsroom):
    """An editor of the newsroom: writes and submits, does not publish."""
    user = get_user_model().objects.create_user("writer", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["press", "media", "newsroom"])
    )
    Membership.objects.create(newsroom=newsroom, user=user, role=Role.EDITOR)
    client = Client()
    client.force_login(user)
    return client


def test_editors_submit_for_review_and_cannot_publish(writer, newsroom):
    add = reverse("admin:press_pressrelease_add")

    refused = writer.post(add, release_form(newsroom))
    submitted = writer.post(add, release_form(newsroom, status=Status.REVIEW))

    assert refused.status_code == 200
    assert "Only the newsroom&#x27;s publishers can publish" in refused.content.decode()
    assert submitted.status_code == 302
    assert PressRelease.objects.get().state == State.REVIEW


def test_editors_may_read_but_not_change_or_delete_what_is_out(writer, newsroom):
    live = make_release(newsroom, title="Out already")
    change = reverse("admin:press_pressrelease_change", args=[live.pk])

    page = writer.get(change)
    post = writer.post(change, release_form(newsroom, title="Changed", slug=live.slug))
    delete = writer.post(
        reverse("admin:press_pressrelease_delete", args=[live.pk]), {"post": "yes"}
    )

    assert page.status_code == 200 and "Out already" in page.content.decode()
    assert 'name="title"' not in page.content.decode()  # shown, not editable
    assert post.status_code == delete.status_code == 403
    live.refresh_from_db()
    assert live.title == "Out already"


def change(client, obj, **changes):
    """Post an object's admin form with these changes; returns the response."""
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    data = admin_form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


def test_editors_cannot_make_media_public_through_the_media_admins(writer, newsroom):
    """Whichever admin it goes through, making something public is publishers' work."""
    embargoed = make_photo_set(newsroom, slug="embargoed", visibility=Visibility.WITH_RELEASE)
    public = make_photo_set(newsroom, slug="public", visibility=Visibility.PUBLIC)
    photo = make_photo(embargoed, renditions=False)
    document = Document.objects.create(
        newsroom=newsroom,
        title="Facts",
        file=ContentFile(make_fact_sheet("Facts", ["x"]), name="facts.pdf"),
        visibility=Visibility.WITH_RELEASE,
    )

    to_public = change(writer, embargoed, visibility=Visibility.PUBLIC)
    moved = change(writer, photo, photo_set=public.pk)
    document_public = change(writer, document, visibility=Visibility.PUBLIC)
    event = writer.post(
        reverse("admin:press_event_add"),
        {
            "newsroom": newsroom.pk,
            "name": "Signing day",
            "slug": "signing-day",
            "starts_on": "2027-01-10",
            "ends_on": "2027-01-10",
            "visibility": Visibility.PUBLIC,
        },
    )
    contact = writer.post(
        reverse("admin:newsroom_person_add"),
        {
            "newsroom": newsroom.pk,
            "name": "New signing",
            "is_press_contact": "on",
            "email": "new@example.com",
            "position": 0,
        },
    )

    for response in (to_public, moved, document_public, event, contact):
        assert response.status_code == 200
        assert "the newsroom's publishers can" in html.unescape(response.content.decode())
    embargoed.refresh_from_db(), photo.refresh_from_db(), document.refresh_from_db()
    assert embargoed.visibility == Visibility.WITH_RELEASE
    assert photo.photo_set == embargoed
    assert document.visibility == Visibility.WITH_RELEASE
    assert not Event.objects.filter(slug="signing-day").exists()
    assert not newsroom.people.filter(name="New signing").exists()


def test_editors_cannot_hide_or_change_what_a_live_release_shows(writer, newsroom):
    hero_set = make_photo_set(newsroom, slug="hero", visibility=Visibility.WITH_RELEASE)
    hero = make_photo(hero_set, caption="Third on the podium.", renditions=False)
    make_release(newsroom, hero_photo=hero)
    hero_set.refresh_from_db()

    hidden = change(writer, hero_set, visibility=Visibility.PRIVATE)
    recaptioned = change(writer, hero, caption="Something else.")
    uploaded = writer.post(
        reverse("admin:media_photoset_upload", args=[hero_set.pk]),
        {"files": [SimpleUploadedFile("more.jpg", jpeg_bytes())]},
    )

    assert hidden.status_code == recaptioned.status_code == uploaded.status_code == 403
    hero_set.refresh_from_db(), hero.refresh_from_db()
    assert hero_set.visibility == Visibility.WITH_RELEASE
    assert hero.caption == "Third on the podium."
    assert hero_set.photos.count() == 1


def test_publishers_make_media_public_and_change_what_is_out(editor_client, newsroom):
    embargoed = make_photo_set(newsroom, slug="embargoed", visibility=Visibility.WITH_RELEASE)
    hero = make_photo(embargoed, caption="Old caption.", renditions=False)
    make_release(newsroom, hero_photo=hero)

    assert change(editor_client, hero, caption="New caption.").status_code == 302
    assert change(editor_client, embargoed, visibility=Visibility.PUBLIC).status_code == 302
    hero.refresh_from_db(), embargoed.refresh_from_db()
    assert hero.caption == "New caption." and embargoed.visibility == Visibility.PUBLIC


def test_single_line_fields_refuse_line_breaks(editor_client, newsroom):
    release = make_release(newsroom, status=Status.DRAFT, title="Podium")

    response = change(editor_client, release, title="Podium\r\nBcc: someone@example.com")

    assert response.status_code == 200
    assert "Keep this on one line" in response.content.decode()
    release.refresh_from_db()
    assert release.title == "Podium"


def test_crafted_ids_in_autocomplete_fields_are_refused_in_the_form(editor_client, newsroom):
    """Text and numbers too big for any row are invalid choices, shown again without a 500."""
    for junk in ["abc", "99999999999999999999999", "-5", "1.5"]:
        form = release_form(
            newsroom,
            status=Status.DRAFT,
            hero_photo=junk,
            photo_sets=[junk],
            events=[junk],
            tags=[junk],
            contacts=[junk],
            documents=[junk],
            **{"quotes-TOTAL_FORMS": "1", "quotes-0-speaker": junk, "quotes-0-text": "Hi"},
        )
        response = editor_client.post(reverse("admin:press_pressrelease_add"), form)

        assert response.status_code == 200, junk
        assert "Select a valid choice" in response.content.decode(), junk
    assert not PressRelease.objects.exists()


def test_publishers_publish_schedule_and_withdraw(editor_client, newsroom, client):
    add = reverse("admin:press_pressrelease_add")
    editor_client.post(add, release_form(newsroom))
    release = PressRelease.objects.get()
    assert release.state == State.LIVE  # 1 June 2026 09:00 has passed

    withdraw = release_form(newsroom, status=Status.WITHDRAWN)
    response = editor_client.post(
        reverse("admin:press_pressrelease_change", args=[release.pk]), withdraw
    )

    assert response.status_code == 302
    release.refresh_from_db()
    assert release.state == State.WITHDRAWN
    assert Client().get(release.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("day", "time", "utc"),
    [
        # Summer time starts on 29 March 2026 at 02:00, which becomes 03:00.
        ("2026-03-29", "00:30", datetime(2026, 3, 28, 23, 30, tzinfo=UTC)),
        ("2026-03-29", "03:30", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
        # Summer time ends on 25 October 2026 at 03:00, which becomes 02:00.
        ("2026-10-25", "00:30", datetime(2026, 10, 24, 22, 30, tzinfo=UTC)),
        ("2026-10-25", "03:30", datetime(2026, 10, 25, 2, 30, tzinfo=UTC)),
    ],
)
def test_embargo_times_are_entered_in_the_newsroom_zone_across_dst(
    editor_client, newsroom, day, time, utc
):
    newsroom.time_zone = "Europe/Stockholm"
    newsroom.save()

    editor_client.post(
        reverse("admin:press_pressrelease_add"),
        release_form(newsroom, publish_at_0=day, publish_at_1=time),
    )

    assert PressRelease.objects.get().publish_at == utc


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (
            "2026-03-29",
            "On 29 March 2026 the clocks in Europe/Stockholm jump forward: 02:30 does not exist",
        ),
        ("2026-10-25", "On 25 October 2026 02:30 happens twice in Europe/Stockholm"),
    ],
)
def test_times_that_do_not_exist_or_happen_twice_are_explained(editor_client, newsroom, day, why):
    newsroom.time_zone = "Europe/Stockholm"
    newsroom.save()

    response = editor_client.post(
        reverse("admin:press_pressrelease_add"),
        release_form(newsroom, publish_at_0=day, publish_at_1="02:30"),
    )

    assert response.status_code == 200
    assert why in response.content.decode()
    assert not PressRelease.objects.exists()


def test_the_form_shows_times_in_the_newsroom_zone(editor_client, newsroom):
    newsroom.time_zone = "America/New_York"
    newsroom.save()
    release = make_release(newsroom, publish_at=datetime(2026, 7, 4, 16, 0, tzinfo=UTC))

    page = editor_client.get(
        reverse("admin:press_pressrelease_change", args=[release.pk])
    ).content.decode()

    assert 'value="12:00:00"' in page  # 16:00 UTC is noon in New York in July
    assert "Times are in America/New_York" in page


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (datetime(2030, 6, 3, 7, 0, tzinfo=UTC), "3 June 2030, 09:00 CEST"),
        (datetime(2030, 12, 3, 8, 0, tzinfo=UTC), "3 December 2030, 09:00 CET"),
    ],
)
def test_embargo_banners_name_the_zone(editor_client, newsroom, moment, shown):
    newsroom.time_zone = "Europe/Stockholm"
    newsroom.save()
    release = make_release(newsroom, publish_at=moment)

    page = editor_client.get(release.get_absolute_url()).content.decode()

    assert f"Scheduled — not public</strong> until {shown}." in page


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 3, 28, 23, 30, tzinfo=UTC),  # 00:30 on the spring change day
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # 02:30 does not exist: 01:30 UTC is 03:30
        datetime(2026, 10, 24, 22, 30, tzinfo=UTC),  # 00:30 on the autumn change day
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # the first 02:30 (still summer time)
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # the second 02:30 (winter time)
    ],
)
def test_hidden_a_second_before_and_public_a_second_after_across_dst(newsroom, moment):
    newsroom.time_zone = "Europe/Stockholm"
    newsroom.save()
    with time_machine.travel(moment - timedelta(days=1), tick=False):
        release = make_release(newsroom, publish_at=moment)
    client = Client()

    with time_machine.travel(moment - timedelta(seconds=1), tick=False):
        assert client.get(release.get_absolute_url()).status_code == 404
    with time_machine.travel(moment + timedelta(seconds=1), tick=False):
        assert client.get(release.get_absolute_url()).status_code == 200


@pytest.fixture
def announcements():
    heard = []

    def listen(sender, release, **kwargs):
        heard.append(release.pk)

    release_went_live.connect(listen)
    yield heard
    release_went_live.disconnect(listen)


def test_going_live_is_announced_once(newsroom, announcements):
    noon = datetime(2030, 6, 3, 10, 0, tzinfo=UTC)
    with time_machine.travel(noon - timedelta(hours=1), tick=False):
        release = make_release(newsroom, publish_at=noon)
        make_release(newsroom, status=Status.DRAFT)
        assert announce_due_releases() == []
    with time_machine.travel(noon + timedelta(seconds=1), tick=False):
        first = announce_due_releases()
        second = announce_due_releases()

    assert [r.pk for r in first] == [release.pk] and second == []
    assert announcements == [release.pk]


def test_a_failing_announcement_is_tried_again(newsroom):
    release = make_release(newsroom)
    calls = []

    def fail_once(sender, release, **kwargs):
        calls.append(release.pk)
        if len(calls) == 1:
            raise RuntimeError("mail server down")

    release_went_live.connect(fail_once)
    try:
        with pytest.raises(RuntimeError):
            announce_due_releases()
        release.refresh_from_db()
        assert release.announced_at is None
        assert announce_due_releases() == [release]
    finally:
        release_went_live.disconnect(fail_once)
    assert calls == [release.pk, release.pk]


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_announce_each_release_once(newsroom, announcements):
    releases = [make_release(newsroom) for _ in range(5)]
    barrier = threading.Barrier(2)

    def scheduler():
        barrier.wait()
        try:
            announce_due_releases()
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(announcements) == sorted(release.pk for release in releases)
