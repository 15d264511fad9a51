"""Every e-mail we send builds its headers safely, whatever text editors stored."""

import email
import email.policy
from datetime import timedelta
from email.utils import parseaddr

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from newsroom.ground.models import Membership, Role
from press.alerts import delivery as alerts
from press.passes.models import PreviewPass
from press.passes.tasks import send_pass
from tests.factories import make_newsroom, make_release
from tests.test_alerts import confirmed, follow
from tests.test_passes import BEFORE, EMBARGO, NO_EVENTS

INJECTED = "\r\nBcc: x@evil.example"


def assert_one_line_headers(message, recipients):
    """Sent to these recipients only, with a one-line subject and no header of the text's."""
    raw = message.message().as_bytes()
    headers = raw.split(b"\n\n", 1)[0].decode()
    assert [parseaddr(str(address))[1] for address in message.recipients()] == recipients
    assert "\r" not in message.subject and "\n" not in message.subject
    assert "Bcc" not in [line.split(":")[0] for line in headers.splitlines()]
    assert [address.addr_spec for address in message.message()["To"].addresses] == recipients


@pytest.fixture
def hostile_newsroom(db):
    return make_newsroom(name=f"Team{INJECTED}", slug="team")


def test_the_pass_e_mail_with_a_headline_that_breaks_lines(
    client, editor, hostile_newsroom, django_capture_on_commit_callbacks
):
    Membership.objects.create(newsroom=hostile_newsroom, user=editor, role=Role.PUBLISHER)
    with time_machine.travel(BEFORE, tick=False):
        client.force_login(editor)  # a session of that day
        release = make_release(
            hostile_newsroom, title=f"New signing{INJECTED}", publish_at=EMBARGO
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("admin:passes_previewpass_add"),
                {
                    "release": release.pk,
                    "name": "Kim Reporter",
                    "email": "kim@news.example",
                    **NO_EVENTS,
                },
            )

    assert response.status_code == 302
    assert PreviewPass.objects.count() == 1
    [message] = mail.outbox
    assert message.subject == "Embargoed: New signing Bcc: x@evil.example"
    assert_one_line_headers(message, ["kim@news.example"])


def test_a_journalists_name_that_breaks_lines_is_one_display_name(newsroom):
    # The admin refuses line breaks in a name now; rows saved before, or elsewhere, remain.
    release = make_release(newsroom, publish_at=timezone.now() + timedelta(days=1))
    preview_pass = PreviewPass.objects.create(
        release=release, name=f"Kim{INJECTED}", email="kim@news.example"
    )

    send_pass.call(preview_pass.pk)

    [message] = mail.outbox
    assert_one_line_headers(message, ["kim@news.example"])
    assert str(message.to[0]) == '"Kim Bcc: x@evil.example" <kim@news.example>'


def test_a_mail_problem_never_turns_the_pass_save_into_an_error(
    client, editor, settings, newsroom, django_capture_on_commit_callbacks
):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "use_tls": False, "timeout": 1},
        }
    }
    with time_machine.travel(BEFORE, tick=False):
        client.force_login(editor)
        release = make_release(newsroom, title="New signing", publish_at=EMBARGO)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("admin:passes_previewpass_add"),
                {"release": release.pk, "name": "Kim", "email": "kim@news.example", **NO_EVENTS},
            )

    assert response.status_code == 302
    assert PreviewPass.objects.count() == 1


def test_the_confirmation_e_mail_with_names_that_break_lines(client, hostile_newsroom):
    tag = hostile_newsroom.tags.create(name=f"Racing{INJECTED}", slug="racing")
    make_release(hostile_newsroom).tags.add(tag)

    follow(client, hostile_newsroom, "reporter@example.com", tag="racing")

    [message] = mail.outbox
    assert message.subject == (
        "Confirm: e-mail alerts from Team Bcc: x@evil.example · Racing Bcc: x@evil.example"
    )
    assert_one_line_headers(message, ["reporter@example.com"])
    assert message.message()["From"].addresses[0].display_name == "Team Bcc: x@evil.example"


def test_the_alert_with_a_headline_that_breaks_lines(hostile_newsroom):
    confirmed(hostile_newsroom, "reporter@example.com")
    release = make_release(
        hostile_newsroom, title=f"Podium{INJECTED}", announced_at=timezone.now()
    )

    assert alerts.send_release_alerts.call(release.pk) == (1, 0)

    [message] = mail.outbox
    assert message.subject == "Team Bcc: x@evil.example: Podium Bcc: x@evil.example"
    assert_one_line_headers(message, ["reporter@example.com"])
    assert message.message()["List-Id"] == '"Team Bcc: x@evil.example" <team.alerts.testserver>'


def test_unicode_line_separators_are_folded_too(hostile_newsroom):
    confirmed(hostile_newsroom, "reporter@example.com")
    release = make_release(
        hostile_newsroom,
        title="One\u2028two\u2029three\x85four\x0bfive",
        announced_at=timezone.now() - timedelta(seconds=1),
    )

    alerts.send_release_alerts.call(release.pk)

    assert mail.outbox[0].subject.endswith(": One two three four five")


def as_received(message):
    """The message as an SMTP server gets it from our backend, read back by a mail program."""
    raw = message.message(policy=email.policy.SMTP).as_bytes()
    return email.message_from_bytes(raw, policy=email.policy.default)


SUBJECTS = [
    "Redo för STCC-premiären på Ljungbyhed",  # folds between two encoded words
    "Bäckman fährt beim Saisonauftakt auf dem Ring aufs Podest und führt die Wertung an",
    "Ä " * 40 + "end",
    "An ASCII headline long enough to be folded onto a second line of the header",
]


@pytest.mark.parametrize("title", SUBJECTS)
def test_every_word_and_space_of_a_long_subject_arrives(newsroom, title):
    newsroom.name = "Andreas Bäckman"
    newsroom.save()
    confirmed(newsroom, "reporter@example.com")
    release = make_release(newsroom, title=title, announced_at=timezone.now())

    alerts.send_release_alerts.call(release.pk)

    [message] = mail.outbox
    received = as_received(message)
    assert received["Subject"] == f"Andreas Bäckman: {title}"
    head = message.message(policy=email.policy.SMTP).as_bytes().split(b"\r\n\r\n")[0]
    assert max(map(len, head.split(b"\r\n"))) <= 78  # folded as the standard asks
