"""Personal preview passes: a named journalist reads an embargoed release early, and only that."""

import io
import re
import zipfile
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import time_machine
import vobject
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from media.models import Photo, Visibility
from newsroom.ground.models import Membership, Role
from press.models import Status
from press.passes.models import PassEvent, PreviewPass
from press.versions import translate
from tests.factories import body, make_newsroom, make_photo, make_photo_set, make_release

EMBARGO = datetime(2030, 6, 3, 7, 0, tzinfo=UTC)  # 09:00 in Stockholm (CEST)
BEFORE = EMBARGO - timedelta(days=2)
# The empty log inline's management form, as the admin page posts it.
NO_EVENTS = {"events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"}


@pytest.fixture
def embargoed(newsroom):
    """A release under embargo with a set that follows it, a private set and a hero photo."""
    with time_machine.travel(BEFORE, tick=False):
        newsroom.time_zone = "Europe/Stockholm"
        newsroom.save()
        photos = make_photo_set(
            newsroom, title="Signing photos", slug="signing", visibility=Visibility.WITH_RELEASE
        )
        hero = make_photo(photos, title="Handshake")
        private = make_photo_set(
            newsroom, title="Internal", slug="internal", visibility=Visibility.PRIVATE
        )
        make_photo(private, title="Internal photo")
        release = make_release(
            newsroom, title="New signing", slug="new-signing", publish_at=EMBARGO, hero_photo=hero
        )
        release.photo_sets.add(photos, private)
    return release


@pytest.fixture
def preview_pass(embargoed):
    with time_machine.travel(BEFORE, tick=False):
        return PreviewPass.objects.create(
            release=embargoed,
            name="Kim Reporter",
            outlet="Motorsport Daily",
            email="kim@news.example",
        )


@pytest.fixture
def journalist():
    return Client()  # a fresh browser: no session, no cookies


def test_a_pass_shows_the_embargoed_release_with_a_clear_banner(journalist, preview_pass):
    with time_machine.travel(BEFORE, tick=False):
        response = journalist.get(preview_pass.link_path())

    page = response.content.decode()
    assert response.status_code == 200
    assert "EMBARGOED — not for publication until 3 June 2030, 09:00 CEST." in page
    assert "New signing" in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "Signing photos" in page and "Internal" not in page


def test_the_pass_reaches_the_photos_downloads_and_zip_but_nothing_else(
    journalist, preview_pass, newsroom
):
    with time_machine.travel(BEFORE, tick=False):
        page = journalist.get(preview_pass.link_path()).content.decode()
        hero_src = re.search(r'<img src="([^"]+)"', page.split('class="hero"')[1])[1]
        zip_link = re.search(r'href="([^"]+\.zip)"', page)[1]
        set_link = re.search(r'href="([^"]+/photos/signing/)"', page)[1]
        hero = journalist.get(hero_src)
        archive = journalist.get(zip_link)
        set_page = journalist.get(set_link).content.decode()
        original = re.search(r'href="([^"]+/original/\?download)"', set_page)[1]
        original_response = journalist.get(original)
        private_photo = newsroom.photo_sets.get(slug="internal").photos.get()
        token = preview_pass.token
        private_url = reverse(
            "passes:pass-photo-file", args=[token, private_photo.pk, private_photo.version, "web"]
        )
        outside = make_photo(make_photo_set(newsroom, slug="public-set"))
        outside_url = reverse(
            "passes:pass-photo-file", args=[token, outside.pk, outside.version, "web"]
        )

        assert hero_src.startswith(f"/preview/{token}/")
        assert hero.status_code == 200 and "no-store" in hero["Cache-Control"]
        assert archive.status_code == 200 and body(archive).startswith(b"PK")
        assert original_response.status_code == 200
        assert original_response["Content-Disposition"].startswith("attachment")
        assert journalist.get(private_url).status_code == 404
        assert journalist.get(outside_url).status_code == 404
        # The same files by their public addresses stay hidden.
        assert journalist.get(preview_pass.release.hero_photo.web_url).status_code == 404
        assert journalist.get(preview_pass.release.get_absolute_url()).status_code == 404


def test_a_pass_stops_serving_the_hero_once_its_set_is_made_private(journalist, preview_pass):
    hero = preview_pass.release.hero_photo
    with time_machine.travel(BEFORE, tick=False):
        hero.photo_set.visibility = Visibility.PRIVATE
        hero.photo_set.save()
        token = preview_pass.token
        page = journalist.get(preview_pass.link_path()).content.decode()
        hero_file = journalist.get(
            reverse("passes:pass-photo-file", args=[token, hero.pk, hero.version, "web"])
        )
        hero_page = journalist.get(
            reverse("passes:pass-photo", args=[token, hero.photo_set.slug, hero.pk])
        )

    assert "New signing" in page and f"/photos/{hero.pk}/" not in page
    assert hero_file.status_code == 404
    assert hero_page.status_code == 404


def test_each_opening_and_download_is_logged(journalist, preview_pass):
    with time_machine.travel(BEFORE, tick=False):
        journalist.get(preview_pass.link_path())
        hero = preview_pass.release.hero_photo
        token = preview_pass.token
        body(
            journalist.get(
                reverse("passes:pass-photo-file", args=[token, hero.pk, hero.version, "original"])
            )
        )
        body(
            journalist.get(
                reverse("passes:pass-photoset-zip", args=[token, hero.photo_set_id, "web"])
            )
        )
        journalist.get(reverse("passes:pass-calendar", args=[token]))

    events = list(preview_pass.events.order_by("at", "pk").values_list("kind", "detail"))
    assert events == [
        (PassEvent.Kind.OPENED, ""),
        (PassEvent.Kind.DOWNLOADED, "Handshake (Original)"),
        (PassEvent.Kind.DOWNLOADED, "Signing photos as ZIP (Web)"),
        (PassEvent.Kind.CALENDAR, ""),
    ]


def test_the_calendar_reminder_holds_the_embargo_time(journalist, preview_pass):
    with time_machine.travel(BEFORE, tick=False):
        response = journalist.get(reverse("passes:pass-calendar", args=[preview_pass.token]))

    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    event = calendar.walk("VEVENT")[0]
    assert event.decoded("dtstart") == EMBARGO
    assert str(event["summary"]) == "Embargo lifts: New signing"
    assert "09:00 CEST" in str(event["description"])
    assert event.walk("VALARM")[0]["action"] == "DISPLAY"


def test_the_same_pass_gives_the_same_calendar_file_whatever_the_hour(journalist, preview_pass):
    url = reverse("passes:pass-calendar", args=[preview_pass.token])
    with time_machine.travel(BEFORE + timedelta(hours=1), tick=False):
        first = journalist.get(url).content
    with time_machine.travel(BEFORE + timedelta(hours=5), tick=False):
        later = journalist.get(url).content

    assert first == later
    event = icalendar.Calendar.from_ical(first).walk("VEVENT")[0]
    assert event.decoded("dtstamp") == BEFORE  # issued then, and the release saved then
    parsed = vobject.readOne(first.decode())  # a second, independent reader
    assert parsed.vevent.uid.value == str(event["uid"])
    assert parsed.vevent.dtstart.value == EMBARGO


@pytest.mark.parametrize("problem", ["revoked", "expired", "withdrawn"])
def test_dead_links_get_a_clear_410_and_never_the_release(journalist, preview_pass, problem):
    with time_machine.travel(BEFORE, tick=False):
        if problem == "revoked":
            preview_pass.revoked_at = timezone.now()
            preview_pass.save()
        elif problem == "expired":
            preview_pass.expires_at = timezone.now() - timedelta(seconds=1)
            preview_pass.save()
        else:
            preview_pass.release.status = Status.WITHDRAWN
            preview_pass.release.save()
        hero = preview_pass.release.hero_photo
        page = journalist.get(preview_pass.link_path())
        photo = journalist.get(
            reverse(
                "passes:pass-photo-file", args=[preview_pass.token, hero.pk, hero.version, "web"]
            )
        )

    assert page.status_code == photo.status_code == 410
    content = page.content.decode()
    assert "This preview link no longer works" in content
    assert "New signing" not in content


def test_forged_and_unknown_links_are_404(journalist, preview_pass):
    key, signature = preview_pass.token.split(":")
    forged = f"{key[:-1]}{'A' if key[-1] != 'A' else 'B'}:{signature}"

    assert journalist.get(reverse("passes:pass", args=[forged])).status_code == 404
    assert journalist.get(reverse("passes:pass", args=["not-a-pass"])).status_code == 404


def test_once_the_embargo_lifts_the_link_leads_to_the_public_page(journalist, preview_pass):
    with time_machine.travel(EMBARGO + timedelta(seconds=1), tick=False):
        response = journalist.get(preview_pass.link_path())

    assert response.status_code == 302
    assert response["Location"] == preview_pass.release.get_absolute_url()


def test_a_publisher_issues_a_pass_and_the_journalist_gets_it_by_mail(
    client, editor, embargoed, django_capture_on_commit_callbacks
):
    with time_machine.travel(BEFORE, tick=False), django_capture_on_commit_callbacks(execute=True):
        client.force_login(editor)  # a session of that day
        response = client.post(
            reverse("admin:passes_previewpass_add"),
            {
                "release": embargoed.pk,
                "name": "Kim Reporter",
                "outlet": "Daily",
                "email": "kim@news.example",
                **NO_EVENTS,
            },
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:passes_previewpass_changelist")
    preview_pass = PreviewPass.objects.get()
    assert preview_pass.expires_at == EMBARGO + timedelta(days=1)
    assert preview_pass.created_by.username == "editor"
    message = mail.outbox[0]
    assert [str(address) for address in message.to] == ["Kim Reporter <kim@news.example>"]
    assert str(message.from_email) == f"{embargoed.newsroom.name} <newsroom@localhost>"
    assert "EMBARGOED: not for publication until 03 June 2030, 09:00 CEST" in message.body
    assert preview_pass.link_path() in message.body


def test_passes_are_for_publishers_of_the_release_newsroom(client, embargoed, newsroom):
    editor = get_user_model().objects.create_user("writer", is_staff=True)
    from tests.factories import our_permissions

    editor.user_permissions.set(our_permissions("press"))
    Membership.objects.create(newsroom=newsroom, user=editor, role=Role.EDITOR)
    outsider = get_user_model().objects.create_user("outsider", is_staff=True)
    outsider.user_permissions.set(our_permissions("press"))
    Membership.objects.create(newsroom=make_newsroom(), user=outsider, role=Role.PUBLISHER)
    data = {"release": embargoed.pk, "name": "Kim", "email": "kim@news.example", **NO_EVENTS}

    client.force_login(editor)
    assert client.get(reverse("admin:passes_previewpass_add")).status_code == 403
    assert client.post(reverse("admin:passes_previewpass_add"), data).status_code == 403
    client.force_login(outsider)
    forged = client.post(reverse("admin:passes_previewpass_add"), data)
    assert forged.status_code == 200 and "Select a valid choice" in forged.content.decode()
    assert not PreviewPass.objects.exists()


def test_publishers_revoke_passes(editor_client, preview_pass, journalist):
    response = editor_client.post(
        reverse("admin:passes_previewpass_changelist"),
        {"action": "revoke", "_selected_action": [preview_pass.pk]},
    )

    assert response.status_code == 302
    preview_pass.refresh_from_db()
    assert preview_pass.revoked_at is not None
    with time_machine.travel(BEFORE, tick=False):
        assert journalist.get(preview_pass.link_path()).status_code == 410


def test_a_pass_opens_every_published_version_of_its_story_and_no_draft(
    journalist, preview_pass, embargoed
):
    with time_machine.travel(BEFORE, tick=False):
        swedish = translate(embargoed, "sv")
        swedish.title = "Nytt kontrakt"
        swedish.status = Status.PUBLISHED
        swedish.save()
        german = translate(embargoed, "de")
        german.title = "Neuer Vertrag"
        german.save()  # still a draft

        original_page = journalist.get(preview_pass.link_path()).content.decode()
        swedish_page = journalist.get(
            reverse("passes:pass-version", args=[preview_pass.token, "sv"])
        )
        german_page = journalist.get(
            reverse("passes:pass-version", args=[preview_pass.token, "de"])
        )

    assert reverse("passes:pass-version", args=[preview_pass.token, "sv"]) in original_page
    assert "Neuer Vertrag" not in original_page and "/de/" not in original_page
    assert swedish_page.status_code == 200
    assert "Nytt kontrakt" in swedish_page.content.decode()
    assert '<html lang="sv"' in swedish_page.content.decode()
    assert "no-store" in swedish_page["Cache-Control"]
    assert german_page.status_code == 404


def test_a_pass_holder_downloads_a_selection_of_the_pass_photos_before_the_embargo(
    journalist, preview_pass
):
    token, hero = preview_pass.token, preview_pass.release.hero_photo
    private = Photo.objects.get(title="Internal photo")
    picked = [f"p{hero.pk}", f"p{private.pk}"]
    with time_machine.travel(BEFORE, tick=False):
        set_page = body(journalist.get(reverse("passes:pass-photoset", args=[token, "signing"])))
        started = journalist.get(
            reverse("passes:pass-selection-start", args=[token]), [("item", i) for i in picked]
        )
        page = journalist.get(started["Location"])
        items = started["Location"].rstrip("/").rsplit("/", 1)[1]
        archive = journalist.get(reverse("passes:pass-selection-zip", args=[token, items, "web"]))
    # The pass's set page adds to the pass's own selection, kept apart from the public one.
    assert f'action="{reverse("passes:pass-selection-start", args=[token])}"'.encode() in set_page
    assert f'data-store="newsroom-selection-pass-{preview_pass.pk}"'.encode() in set_page
    assert started["Location"].startswith(f"/preview/{token}/selection/")
    html = body(page).decode()
    assert "EMBARGOED — not for publication until" in html
    assert "Link to this selection" not in html  # the pass is not to be passed on
    assert "Item 2, a photo, is no longer available" in html  # a private set stays private
    data = body(archive)
    entries = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert entries == ["01 Handshake.jpg", "CREDITS.txt", "credits.csv"]
    assert "private" in archive["Cache-Control"]
    logged = preview_pass.events.filter(kind=PassEvent.Kind.DOWNLOADED)
    assert list(logged.values_list("detail", flat=True)) == [
        "a selection of 1 item(s) as ZIP (Web)"
    ]

    # The same list without the pass: nothing of the embargoed release.
    with time_machine.travel(BEFORE, tick=False):
        public = body(Client().get(reverse("media:selection-zip", args=[items, "web"])))
    assert zipfile.ZipFile(io.BytesIO(public)).namelist() == ["CREDITS.txt", "credits.csv"]

    # A revoked pass opens its selection no more.
    with time_machine.travel(BEFORE, tick=False):
        preview_pass.revoked_at = timezone.now()
        preview_pass.save()
        assert journalist.get(started["Location"]).status_code == 410
        gone = journalist.get(reverse("passes:pass-selection-zip", args=[token, items, "web"]))
    assert gone.status_code == 410
