"""Editors' logins: Argon2 hashes, a lockout after failures, sessions that can be ended."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsroom import settings as production
from newsroom.ground.http import client_ip
from newsroom.ground.models import EditorSession

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


# Who is counted: the address, behind proxies or not ------------------------------------


def test_one_password_sprayed_over_many_names_locks_the_address(client, editor):
    """Five failures per name never happen when each name is tried once."""
    statuses = [
        log_in(client, username=f"name-{n}", password="Summer2026").status_code for n in range(25)
    ]

    assert statuses[:19] == [200] * 19
    assert set(statuses[19:]) == {429}  # the twentieth failure from the address
    assert log_in(client).status_code == 429  # every name, from this address
    assert log_in(Client(REMOTE_ADDR="192.0.2.7")).status_code == 302  # others log in
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert log_in(client).status_code == 302


def test_clients_behind_the_proxy_are_counted_apart(settings, editor):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"  # every request reaches us from the proxy
    attacker = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9")
    editor_browser = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.4")

    for _ in range(5):
        log_in(attacker, password="wrong")

    assert log_in(attacker).status_code == 429
    assert log_in(editor_browser).status_code == 302


def test_what_the_client_writes_in_front_of_the_proxys_entry_is_ignored(settings, editor):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        # The proxy appends the real address; the forged ones stand in front of it.
        forged = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9")
        log_in(forged, password="wrong")

    locked = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.9")
    assert log_in(locked).status_code == 429


def test_without_a_trusted_proxy_x_forwarded_for_changes_nothing(settings, editor):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(5):
        # A new X-Forwarded-For for each try: still the one address it comes from.
        log_in(Client(HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"), password="wrong")

    assert log_in(Client(HTTP_X_FORWARDED_FOR="192.0.2.200")).status_code == 429
    assert log_in(Client(REMOTE_ADDR="198.51.100.4")).status_code == 302


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "192.0.2.1, 203.0.113.9", "203.0.113.9"),
        (2, "192.0.2.1, 203.0.113.9, 10.0.0.3", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.2"),  # fewer entries than proxies: not ours
        (1, "not-an-address", "10.0.0.2"),
        (1, "2001:DB8::1", "2001:db8::1"),
        (1, "", "10.0.0.2"),
    ],
)
def test_client_ip(rf, settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected
