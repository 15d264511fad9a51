"""E-mail alerts: double opt-in, one e-mail per follower per release, one-click unsubscribe."""

import asyncio
import email
import email.policy
import io
import re
import socket
import threading
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from media.models import Visibility
from newsroom.ground.models import NewsroomLanguage
from press import versions
from press.alerts import delivery as alerts
from press.alerts.models import AlertDelivery, Follower
from press.models import Status
from press.publishing import announce_due_releases
from tests.factories import body, make_newsroom, make_photo, make_photo_set, make_release

LINK = re.compile(r"http://testserver(/\S+)")


def follow(client, newsroom, address, tag=""):
    return client.post(
        reverse("alerts:follow", args=[newsroom.slug]), {"email": address, "tag": tag}
    )


def confirmed(newsroom, address, tag=None):
    return Follower.objects.create(
        newsroom=newsroom,
        tag=tag,
        email=address,
        confirmation_sent_at=timezone.now() - timedelta(days=2),
        confirmed_at=timezone.now() - timedelta(days=1),
    )


def links(message):
    return LINK.findall(message.body)


def go_live(capture):
    """What the go-live timer does, with the commit callbacks (the alert task) run."""
    with capture(execute=True):
        return announce_due_releases()


def alerts_to(address):
    return [message for message in mail.outbox if address in message.to]


# Following: double opt-in ---------------------------------------------------------


def test_following_needs_the_link_sent_to_the_address(client, newsroom, seed_release):
    response = follow(client, newsroom, "Reporter@Example.COM")

    assert response.status_code == 302
    page = client.get(response["Location"])
    assert b"Check your inbox" in page.content
    follower = Follower.objects.get()
    assert follower.email == "Reporter@example.com" and follower.confirmed_at is None
    [message] = mail.outbox
    assert message.to == ["Reporter@example.com"]
    assert message.subject == f"Confirm: e-mail alerts from {newsroom.name}"
    [confirm_path] = links(message)[:1]
    assert confirm_path == follower.get_confirm_url()

    # Opening the link (as a mail scanner would) confirms nothing: the button does.
    opened = client.get(confirm_path)
    follower.refresh_from_db()
    assert opened.status_code == 200 and b"Yes, send me alerts" in opened.content
    assert follower.confirmed_at is None

    done = client.post(confirm_path, follow=True)
    follower.refresh_from_db()
    assert follower.confirmed_at is not None
    assert f"You follow {newsroom.name}".encode() in done.content


def test_the_page_says_the_same_whoever_asks(client, newsroom):
    confirmed(newsroom, "known@example.com")

    known = follow(client, newsroom, "known@example.com")
    unknown = follow(client, newsroom, "unknown@example.com")

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # The address that follows already gets nothing; the new one its link.
    assert [message.to for message in mail.outbox] == [["unknown@example.com"]]


def test_asking_again_soon_sends_one_link(client, newsroom):
    for _ in range(3):
        follow(client, newsroom, "reporter@example.com")
    assert len(mail.outbox) == 1

    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        follow(client, newsroom, "reporter@example.com")
    assert len(mail.outbox) == 2


def test_nobody_can_flood_an_inbox_through_many_newsrooms(client, db):
    start = datetime(2026, 5, 13, 23, 30, tzinfo=UTC)  # midnight starts no new allowance
    for n in range(8):
        # Each past the interval: only the daily limit holds them back.
        with time_machine.travel(start + n * timedelta(minutes=11)):
            follow(client, make_newsroom(), "victim@example.com")

    assert len(mail.outbox) == alerts.CONFIRMATIONS_PER_DAY


def test_one_topic_asked_for_all_day_is_held_to_the_daily_limit(client, newsroom):
    start = timezone.now().replace(hour=0, minute=5)
    for n in range(12):
        with time_machine.travel(start + n * timedelta(minutes=11)):
            follow(client, newsroom, "victim@example.com")

    assert len(mail.outbox) == alerts.CONFIRMATIONS_PER_DAY


def test_a_newsroom_and_three_tags_in_a_row_get_one_e_mail_that_confirms_all(client, newsroom):
    release = make_release(newsroom)
    for slug in ("stcc", "tcr", "24h-series"):
        release.tags.add(newsroom.tags.create(name=slug.upper(), slug=slug))
    other = make_newsroom(name="Lestrup Racing Team")
    make_release(other)

    for tag in ("", "stcc", "tcr"):
        follow(client, newsroom, "reporter@example.com", tag=tag)
    follow(client, other, "reporter@example.com")  # after the e-mail went: still listed
    follow(client, newsroom, "reporter@example.com", tag="24h-series")

    [message] = mail.outbox  # sent at the first request; the later ones waited for it
    confirm_path = links(message)[0]
    page = client.get(confirm_path).content.decode()
    for topic in ("Andreas Bäckman", "STCC", "TCR", "24H-SERIES", "Lestrup Racing Team"):
        assert f"<strong>{topic}</strong>" in page.replace(f"{newsroom.name} · ", ""), topic

    client.post(confirm_path)

    assert Follower.objects.count() == 5
    assert Follower.objects.filter(confirmed_at__isnull=True).count() == 0
    # Nothing left to confirm: asking again sends nothing and the page says so.
    follow(client, newsroom, "reporter@example.com", tag="stcc")
    assert len(mail.outbox) == 1
    assert "You follow" in client.get(confirm_path).content.decode()


def test_the_e_mail_names_every_topic_waiting_when_it_is_written(newsroom):
    for tag in ("stcc", "tcr"):
        Follower.objects.create(
            newsroom=newsroom,
            tag=newsroom.tags.create(name=tag.upper(), slug=tag),
            email="r@x.org",
        )
    first = Follower.objects.create(newsroom=newsroom, email="r@x.org")

    alerts.send_confirmation.call(first.pk)  # what the worker does a moment after the form

    [message] = mail.outbox
    assert message.subject == f"Confirm: e-mail alerts from {newsroom.name} and 2 more"
    assert f"{newsroom.name} · STCC" in message.body and f"{newsroom.name} · TCR" in message.body


def test_confirming_one_address_leaves_the_others_waiting(client, newsroom):
    follow(client, newsroom, "a@example.com")
    follow(client, newsroom, "b@example.com")

    client.post(links(mail.outbox[0])[0])

    assert Follower.objects.get(email="a@example.com").confirmed_at is not None
    assert Follower.objects.get(email="b@example.com").confirmed_at is None


def test_one_client_cannot_sign_up_a_list_of_strangers(client, newsroom):
    for n in range(alerts.SIGNUPS_PER_CLIENT):
        assert follow(client, newsroom, f"stranger{n}@example.com").status_code == 302

    refused = follow(client, newsroom, "one-more@example.com")

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "Too many sign-ups from your network" in refused.content.decode()
    assert "Please try again in" in refused.content.decode()
    assert not Follower.objects.filter(email="one-more@example.com").exists()
    assert len(mail.outbox) == alerts.SIGNUPS_PER_CLIENT
    # Another client is counted on its own; the first one may go on an hour later.
    assert follow(Client(REMOTE_ADDR="192.0.2.8"), newsroom, "x@example.com").status_code == 302
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert follow(client, newsroom, "later@example.com").status_code == 302


def test_clients_behind_the_proxy_are_limited_apart(settings, newsroom):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(alerts.SIGNUPS_PER_CLIENT + 1):
        busy = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9")
        follow(busy, newsroom, f"stranger{n}@example.com")
    quiet = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.4")

    assert follow(busy, newsroom, "more@example.com").status_code == 429
    assert follow(quiet, newsroom, "reporter@example.com").status_code == 302


def test_a_wrong_address_is_explained_in_the_form(client, newsroom):
    response = follow(client, newsroom, "not an address")

    assert response.status_code == 200
    assert b"Enter a valid email address." in response.content
    assert Follower.objects.count() == 0 and mail.outbox == []


def test_a_week_old_link_has_expired(client, newsroom):
    follow(client, newsroom, "slow@example.com")
    path = links(mail.outbox[0])[0]

    with time_machine.travel(timezone.now() + timedelta(days=8)):
        page = client.get(path)
        posted = client.post(path)

    assert page.status_code == posted.status_code == 410
    assert b"Ask for a new one" in page.content
    assert Follower.objects.get().confirmed_at is None


def test_unknown_links_are_not_found(client, db):
    assert client.get(reverse("alerts:confirm", args=["nope"])).status_code == 404
    assert client.get(reverse("alerts:unsubscribe", args=["nope"])).status_code == 404


def test_tags_on_offer_are_those_of_live_releases_only(client, newsroom):
    live = make_release(newsroom)
    live.tags.add(newsroom.tags.create(name="STCC", slug="stcc"))
    draft = make_release(newsroom, status=Status.DRAFT)
    draft.tags.add(newsroom.tags.create(name="Secret merger", slug="secret-merger"))

    page = client.get(reverse("alerts:follow", args=[newsroom.slug]) + "?tag=stcc")

    assert "Only “STCC”".encode() in page.content
    assert b'value="stcc" selected' in page.content
    assert b"Secret merger" not in page.content
    assert follow(client, newsroom, "a@example.com", tag="secret-merger").status_code == 200


def test_every_newsroom_page_links_to_alerts(client, seed_release):
    page = client.get(seed_release.get_absolute_url())

    assert reverse("alerts:follow", args=[seed_release.newsroom.slug]).encode() in page.content


def test_alert_pages_are_never_cached_nor_indexed(client, newsroom):
    follower = confirmed(newsroom, "a@example.com")
    for url in (
        reverse("alerts:follow", args=[newsroom.slug]),
        follower.get_confirm_url(),
        follower.get_unsubscribe_url(),
    ):
        response = client.get(url)
        assert "no-store" in response["Cache-Control"], url
        assert b'name="robots" content="noindex' in response.content, url


# Sending ---------------------------------------------------------------------------


@pytest.fixture
def release_due(newsroom, seed_release):
    """The seed release, scheduled to go live in a moment (and not yet announced)."""
    seed_release.publish_at = timezone.now() + timedelta(minutes=1)
    seed_release.save()
    tag = newsroom.tags.create(name="24H Series", slug="24h-series")
    seed_release.tags.add(tag)
    return seed_release


def test_each_follower_gets_one_alert_when_the_release_goes_live(
    newsroom, release_due, django_capture_on_commit_callbacks
):
    tag = newsroom.tags.get(slug="24h-series")
    other_tag = newsroom.tags.create(name="STCC", slug="stcc")
    confirmed(newsroom, "everything@example.com")
    confirmed(newsroom, "everything@example.com", tag=tag)  # both: still one e-mail
    confirmed(newsroom, "tagged@example.com", tag=tag)
    confirmed(newsroom, "other-tag@example.com", tag=other_tag)
    confirmed(make_newsroom(), "other-newsroom@example.com")
    Follower.objects.create(newsroom=newsroom, email="unconfirmed@example.com")

    assert go_live(django_capture_on_commit_callbacks) == []  # still under embargo
    assert mail.outbox == []
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        go_live(django_capture_on_commit_callbacks)

    assert sorted(address for message in mail.outbox for address in message.to) == [
        "everything@example.com",
        "tagged@example.com",
    ]
    assert AlertDelivery.objects.filter(state=AlertDelivery.State.SENT).count() == 2


def test_running_the_job_twice_sends_nothing_twice(
    newsroom, release_due, django_capture_on_commit_callbacks
):
    confirmed(newsroom, "a@example.com")
    confirmed(newsroom, "b@example.com")

    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        go_live(django_capture_on_commit_callbacks)
        go_live(django_capture_on_commit_callbacks)
        # The task itself, run again (a worker retrying it, an operator by hand).
        again = alerts.send_release_alerts.call(release_due.pk)

    assert again == (0, 0)
    assert sorted(message.to[0] for message in mail.outbox) == ["a@example.com", "b@example.com"]


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_alert_once(newsroom):
    release = make_release(newsroom, announced_at=timezone.now())
    for n in range(12):
        confirmed(newsroom, f"reporter{n:02}@example.com")
    barrier = threading.Barrier(2)
    results = []

    def worker():
        barrier.wait()
        try:
            results.append(alerts.send_release_alerts.call(release.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    addresses = sorted(message.to[0] for message in mail.outbox)
    assert addresses == [f"reporter{n:02}@example.com" for n in range(12)]
    assert sum(sent for sent, _failed in results) == 12


def test_a_follower_who_confirms_later_starts_with_the_next_release(
    newsroom, django_capture_on_commit_callbacks
):
    release = make_release(newsroom)
    go_live(django_capture_on_commit_callbacks)
    late = confirmed(newsroom, "late@example.com")
    Follower.objects.filter(pk=late.pk).update(confirmed_at=timezone.now())

    assert alerts.send_release_alerts.call(release.pk) == (0, 0)


def test_nothing_is_sent_for_releases_that_are_not_public(
    newsroom, django_capture_on_commit_callbacks
):
    confirmed(newsroom, "a@example.com")
    make_release(newsroom, status=Status.DRAFT)
    make_release(newsroom, status=Status.REVIEW)
    make_release(newsroom, publish_at=timezone.now() + timedelta(days=1))
    withdrawn = make_release(newsroom)
    withdrawn.status = Status.WITHDRAWN
    withdrawn.save()

    go_live(django_capture_on_commit_callbacks)

    assert mail.outbox == []
    # Withdrawn after going live, before the task ran: the task sends nothing.
    assert alerts.send_release_alerts.call(withdrawn.pk) == (0, 0)


def test_the_alert_as_a_journalist_receives_it(
    client, newsroom, release_due, django_capture_on_commit_callbacks
):
    follower = confirmed(newsroom, "reporter@example.com")
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        go_live(django_capture_on_commit_callbacks)
        [message] = mail.outbox

        assert message.subject == f"{newsroom.name}: {release_due.title}"
        assert parseaddr(str(message.from_email)) == (newsroom.name, "newsroom@localhost")
        assert message.reply_to == ["press@backman.example"]
        unsubscribe = f"http://testserver{follower.get_unsubscribe_url()}"
        assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        # Plain text: the whole release, ready to quote, with its links.
        text = message.body
        for part in (
            release_due.title,
            release_due.lead,
            "“A valuable start to the season.”",
            "— Fredrik Lestrup, co-founder, Lestrup Racing Team",
            "Photo: 24H SERIES (Free to use with",
            "Qualifying · TCR",
            f"http://testserver{release_due.get_absolute_url()}",
            unsubscribe,
        ):
            assert part in text, part
        assert "embargo" not in text.lower()
        # HTML: the hero photo, linked from the site, with its credit.
        [(html, content_type)] = message.alternatives
        assert content_type == "text/html"
        hero = release_due.hero_photo
        assert f'src="http://testserver{hero.file_url("web")}"' in html
        assert "Photo: 24H SERIES (Free to use with credit)" in html  # Photo.credit_line
        assert f'href="{unsubscribe}"' in html
        # Every link in the e-mail works for the journalist.
        photo = client.get(hero.file_url("web"))
        assert photo.status_code == 200
        assert Image.open(io.BytesIO(body(photo))).format == "JPEG"
        assert client.get(release_due.get_absolute_url()).status_code == 200


def test_a_private_hero_photo_stays_out_of_the_alert(newsroom, django_capture_on_commit_callbacks):
    private = make_photo(make_photo_set(newsroom, visibility=Visibility.PRIVATE), credit="Secret")
    make_release(newsroom, hero_photo=private)
    confirmed(newsroom, "a@example.com")

    go_live(django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert f"/files/photos/{private.pk}/" not in message.body + message.alternatives[0][0]
    assert "Secret" not in message.body


# Unsubscribing -----------------------------------------------------------------------


def test_one_click_unsubscribe_as_mail_programs_do_it(newsroom):
    follower = confirmed(newsroom, "a@example.com")
    # RFC 8058: a POST with this body, no cookies, no CSRF token.
    mail_program = Client(enforce_csrf_checks=True)

    response = mail_program.post(
        follower.get_unsubscribe_url(),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    again = mail_program.post(follower.get_unsubscribe_url())

    assert response.status_code == again.status_code == 200
    assert b"You are unsubscribed" in response.content
    assert not Follower.objects.exists()
    assert mail_program.get(follower.get_unsubscribe_url()).status_code == 404


def test_the_unsubscribe_link_asks_before_it_acts(client, newsroom):
    follower = confirmed(newsroom, "a@example.com")

    page = client.get(follower.get_unsubscribe_url())

    assert b"<button" in page.content and b"a@example.com" in page.content
    assert Follower.objects.filter(pk=follower.pk).exists()


def test_unsubscribed_addresses_get_nothing_more(newsroom, django_capture_on_commit_callbacks):
    follower = confirmed(newsroom, "a@example.com")
    Client().post(follower.get_unsubscribe_url())
    make_release(newsroom)

    go_live(django_capture_on_commit_callbacks)

    assert mail.outbox == []


# A real mail server: refused addresses, and one that is down ----------------------------


class Inbox:
    """An SMTP server's handler that refuses addresses starting with "bounce"."""

    def __init__(self):
        self.received = []
        self.room_again = False  # full mailboxes take mail again

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address.startswith("bounce"):
            return "550 5.1.1 No such mailbox"
        if address.startswith("full") and not self.room_again:
            return "452 4.2.2 Mailbox full, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((envelope.rcpt_tos[0], message))
        return "250 Message accepted"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, loop=asyncio.new_event_loop())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 5},
        }
    }
    yield inbox
    controller.stop()


def test_refused_addresses_do_not_stop_the_rest(newsroom, smtp_server):
    for address in ("alice@example.com", "bounce@example.com", "carol@example.com"):
        confirmed(newsroom, address)
    release = make_release(newsroom, announced_at=timezone.now())

    assert alerts.send_release_alerts.call(release.pk) == (2, 1)

    assert [to for to, _message in smtp_server.received] == [
        "alice@example.com",
        "carol@example.com",
    ]
    refused = AlertDelivery.objects.get(email="bounce@example.com")
    assert refused.state == AlertDelivery.State.FAILED and "No such mailbox" in refused.error
    # On the wire: text and HTML, and the headers mail programs act on.
    message = smtp_server.received[0][1]
    assert message.get_content_type() == "multipart/alternative"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        str(message["List-Unsubscribe"])
        .strip()
        .startswith("<http://testserver/en/alerts/unsubscribe/")
    )
    assert message["From"].addresses[0].display_name == newsroom.name


def test_an_address_refused_three_times_is_suspended_until_it_confirms(
    client, newsroom, smtp_server
):
    follower = confirmed(newsroom, "bounce@example.com")
    for _ in range(3):
        alerts.send_release_alerts.call(make_release(newsroom, announced_at=timezone.now()).pk)
    follower.refresh_from_db()
    assert follower.suspended_at is not None
    assert alerts.send_release_alerts.call(
        make_release(newsroom, announced_at=timezone.now()).pk
    ) == (0, 0)

    # Asking again sends a new confirmation link; confirming lifts the suspension.
    follow(client, newsroom, "bounce@example.com")
    client.post(follower.get_confirm_url())
    follower.refresh_from_db()
    assert follower.suspended_at is None and follower.failures == 0


def test_a_passing_problem_is_tried_again_by_the_timer(newsroom, smtp_server, capsys):
    confirmed(newsroom, "full@example.com")
    confirmed(newsroom, "alice@example.com")
    release = make_release(newsroom, announced_at=timezone.now())

    assert alerts.send_release_alerts.call(release.pk) == (1, 1)
    waiting = AlertDelivery.objects.get(email="full@example.com")
    assert waiting.state == AlertDelivery.State.RETRY and waiting.attempts == 1
    assert Follower.objects.get(email="full@example.com").failures == 0  # not its fault

    smtp_server.room_again = True
    call_command("announce_releases")

    assert "Alerts tried again: 1 sent, 0 failed" in capsys.readouterr().out
    waiting.refresh_from_db()
    assert waiting.state == AlertDelivery.State.SENT
    assert [to for to, _message in smtp_server.received] == [
        "alice@example.com",
        "full@example.com",
    ]


def test_a_mail_server_that_is_down_loses_nothing(newsroom, settings):
    confirmed(newsroom, "a@example.com")
    confirmed(newsroom, "b@example.com")
    release = make_release(newsroom, announced_at=timezone.now())
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "use_tls": False},
        }
    }

    assert alerts.send_release_alerts.call(release.pk) == (0, 2)
    assert set(AlertDelivery.objects.values_list("state", flat=True)) == {"retry"}

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert alerts.retry_alerts() == (2, 0)
    assert sorted(message.to[0] for message in mail.outbox) == ["a@example.com", "b@example.com"]


# Editors --------------------------------------------------------------------------------


def test_editors_see_their_own_newsrooms_followers_and_cannot_add_any(editor_client, newsroom):
    confirmed(newsroom, "ours@example.com")
    confirmed(make_newsroom(), "theirs@example.com")

    listing = editor_client.get(reverse("admin:alerts_follower_changelist"))

    assert b"ours@example.com" in listing.content
    assert b"theirs@example.com" not in listing.content
    assert editor_client.get(reverse("admin:alerts_follower_add")).status_code == 403


def test_people_without_the_permission_see_no_followers(client, newsroom):
    user = get_user_model().objects.create_user("helper", password="pw-long-enough", is_staff=True)
    client.force_login(user)

    assert client.get(reverse("admin:alerts_follower_changelist")).status_code == 403


# Language versions: one e-mail per story, in the follower's language -------------


def swedish_version(original, *, later_by=None):
    translation = versions.translate(original, "sv")
    translation.title = "Pallplats på Hockenheim"
    translation.status = Status.PUBLISHED
    if later_by:
        translation.publish_at = original.publish_at + later_by
    translation.full_clean()
    translation.save()
    return translation


@pytest.fixture
def bilingual(newsroom, release_due):
    NewsroomLanguage.objects.create(newsroom=newsroom, language="sv")
    return release_due


def test_each_follower_gets_the_story_once_in_the_language_they_read(
    newsroom, bilingual, django_capture_on_commit_callbacks
):
    swedish_version(bilingual)
    confirmed(newsroom, "english@example.com")
    Follower.objects.filter(email="english@example.com").update(languages="en")
    confirmed(newsroom, "swedish@example.com")
    Follower.objects.filter(email="swedish@example.com").update(languages="sv")
    confirmed(newsroom, "original@example.com")

    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        announced = go_live(django_capture_on_commit_callbacks)
        go_live(django_capture_on_commit_callbacks)
        for release in announced:  # every version's task, run again
            alerts.send_release_alerts.call(release.pk)

    assert len(announced) == 2  # the original and its translation both went live
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert len(mail.outbox) == 3
    assert "Pallplats på Hockenheim" in subjects["swedish@example.com"]
    assert bilingual.title in subjects["english@example.com"]
    assert bilingual.title in subjects["original@example.com"]


def test_a_version_that_comes_later_is_sent_only_to_those_who_asked_for_it(
    newsroom, bilingual, django_capture_on_commit_callbacks
):
    swedish_version(bilingual, later_by=timedelta(hours=1))
    for address, later in (("once@example.com", False), ("both@example.com", True)):
        confirmed(newsroom, address)
        Follower.objects.filter(email=address).update(languages="sv", later_versions=later)

    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        go_live(django_capture_on_commit_callbacks)
    first = sorted((m.to[0], m.subject) for m in mail.outbox)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        go_live(django_capture_on_commit_callbacks)
        go_live(django_capture_on_commit_callbacks)

    assert [address for address, _subject in first] == ["both@example.com", "once@example.com"]
    assert all(bilingual.title in subject for _address, subject in first)
    later = mail.outbox[2:]
    assert [(m.to[0], "Pallplats" in m.subject) for m in later] == [("both@example.com", True)]


def test_the_form_asks_for_a_language_only_where_there_is_a_choice(client, newsroom):
    url = reverse("alerts:follow", args=[newsroom.slug])
    assert 'name="language"' not in client.get(url).content.decode()
    NewsroomLanguage.objects.create(newsroom=newsroom, language="sv")

    page = client.get(url).content.decode()
    client.post(url, {"email": "reader@example.com", "language": "sv", "later_versions": "on"})

    assert 'name="language"' in page and "Swedish" in page
    follower = Follower.objects.get(email="reader@example.com")
    assert (follower.language_list, follower.later_versions) == (["sv"], True)


def test_a_sign_up_on_a_swedish_page_is_confirmed_in_swedish_whoever_sends_it(client, newsroom):
    NewsroomLanguage.objects.create(newsroom=newsroom, language="sv")
    swedish_form = reverse("alerts:follow", args=[newsroom.slug]).replace("/en/", "/sv/", 1)
    client.post(swedish_form, {"email": "r@x.org"})
    mail.outbox.clear()
    follower = Follower.objects.get(email="r@x.org")
    Follower.objects.filter(pk=follower.pk).update(confirmation_sent_at=None)

    alerts.send_confirmation.call(follower.pk, "sv")  # a worker, with no page of its own

    [message] = mail.outbox
    assert message.subject == f"Bekräfta: e-postbevakning från {newsroom.name}"
    assert f"/sv/alerts/confirm/{follower.key}/" in message.body
    assert "Hello," not in message.body


@pytest.mark.django_db(transaction=True)
def test_two_workers_with_both_versions_send_each_address_the_story_once(newsroom):
    NewsroomLanguage.objects.create(newsroom=newsroom, language="sv")
    original = make_release(newsroom, title="Podium at Hockenheim")
    swedish = swedish_version(original)
    for n in range(8):
        confirmed(newsroom, f"reporter{n}@example.com")
    Follower.objects.filter(email__in=[f"reporter{n}@example.com" for n in range(4)]).update(
        languages="sv"
    )
    barrier = threading.Barrier(4)

    def worker(version):
        barrier.wait()
        try:
            alerts.send_release_alerts.call(version.pk)
        finally:
            connection.close()

    # Two workers, each with the task of each version as it went live, all at once.
    threads = [threading.Thread(target=worker, args=[v]) for v in (original, swedish) * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    received = sorted((m.to[0], m.subject.partition(": ")[2]) for m in mail.outbox)
    assert received == [
        *((f"reporter{n}@example.com", "Pallplats på Hockenheim") for n in range(4)),
        *((f"reporter{n}@example.com", "Podium at Hockenheim") for n in range(4, 8)),
    ]
