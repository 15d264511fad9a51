"""Editors' logins: Argon2 hashes, a lockout after failures, sessions that can be ended."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsroom import settings as production
from newsroom.models import EditorSession

PASSWORD = "a-long-test-password"


def log_in(client, username="editor", password=PASSWORD):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"}
    )


def test_passwords_are_hashed_with_argon2(settings, db):
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS

    user = get_user_model().objects.create_user("someone", password=PASSWORD)

    assert user.password.startswith("argon2$")
    assert user.check_password(PASSWORD)


def test_repeated_failures_lock_the_login_for_a_while(client, editor):
    for _ in range(4):
        assert log_in(client, password="wrong").status_code == 200
    assert log_in(client, password="wrong").status_code == 429  # the fifth failure

    locked = log_in(client)  # even the right password, for now

    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert log_in(Client(), username="someone-else", password="wrong").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert log_in(client).status_code == 302


def test_a_successful_login_clears_earlier_failures(client, editor):
    for _ in range(4):
        log_in(client, password="wrong")
    assert log_in(client).status_code == 302
    client.logout()

    for _ in range(4):
        log_in(client, password="wrong")
    assert log_in(client).status_code == 302


@pytest.fixture
def two_browsers(editor):
    laptop, phone = (
        Client(HTTP_USER_AGENT="Laptop browser"),
        Client(HTTP_USER_AGENT="Phone browser"),
    )
    assert log_in(laptop).status_code == log_in(phone).status_code == 302
    return laptop, phone


def test_editors_see_their_sessions_and_end_one(two_browsers):
    laptop, phone = two_browsers
    sessions = EditorSession.objects.all()
    assert {session.device for session in sessions} == {"Laptop browser", "Phone browser"}
    phone_session = sessions.get(device="Phone browser")

    listing = laptop.get(reverse("admin:newsroom_editorsession_changelist"))
    ended = laptop.post(
        reverse("admin:newsroom_editorsession_changelist"),
        {"action": "end_sessions", "_selected_action": [phone_session.pk]},
    )

    assert "Phone browser" in listing.content.decode()
    assert ended.status_code == 302
    assert phone.get("/admin/").status_code == 302  # back to the login page
    assert laptop.get("/admin/").status_code == 200
    assert not EditorSession.objects.filter(pk=phone_session.pk).exists()


def test_editors_cannot_end_other_peoples_sessions(two_browsers, newsroom):
    laptop, _phone = two_browsers
    other = get_user_model().objects.create_user("other", password=PASSWORD, is_staff=True)
    assert log_in(Client(), username="other").status_code == 302
    theirs = EditorSession.objects.get(user=other)

    listing = laptop.get(reverse("admin:newsroom_editorsession_changelist")).content.decode()
    laptop.post(
        reverse("admin:newsroom_editorsession_changelist"),
        {"action": "end_sessions", "_selected_action": [theirs.pk]},
    )

    assert "other" not in listing.split("<tbody>")[1]
    assert EditorSession.objects.filter(pk=theirs.pk).exists()


def test_logging_out_forgets_the_session(client, editor):
    log_in(client)
    assert EditorSession.objects.count() == 1

    client.post(reverse("admin:logout"))

    assert EditorSession.objects.count() == 0
