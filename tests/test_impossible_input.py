"""Input no valid request carries (NUL bytes) is a 400 before any view runs, on every address."""

import json

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from newsroom.ground.middleware import impossible_input
from press.alerts.models import Follower
from tests.test_alerts import confirmed


def assert_bad_request_page(response):
    assert response.status_code == 400
    assert b"<h1>Bad request</h1>" in response.content


@pytest.mark.parametrize(
    "url",
    [
        "/en/search/?q=pod%00ium",
        "/en/search/?q=podium&newsroom=andreas%00",
        "/en/search/?q=podium&tag=%00",
        "/en/search/?q%00=podium",
        "/en/andreas-backman/releases/?tag=stcc%00",
        "/en/andreas-backman/releases/?page=1%00",
        "/en/alerts/confirm/abc%00def/",
        "/en/alerts/unsubscribe/%00/",
        "/preview/%00/",
        "/en/andreas-backman/releases/%00/",
        "/files/photos/1/%00/web/",
    ],
)
def test_a_nul_byte_anywhere_in_the_address_is_a_bad_request(client, seed_release, url):
    assert_bad_request_page(client.get(url))


def test_the_api_says_so_in_json(client, seed_release):
    for url in ("/api/releases/?newsroom=a%00b", "/api/releases/%00/x/", "/api/%00"):
        response = client.get(url)

        assert response.status_code == 400, url
        assert response["Content-Type"] == "application/json"
        assert "NUL" in json.loads(response.content)["error"]


def test_a_nul_byte_in_a_form_is_refused_and_nothing_is_kept(client, newsroom):
    follow = reverse("alerts:follow", args=[newsroom.slug])

    assert_bad_request_page(client.post(follow, {"email": "a\x00@example.com"}))
    assert_bad_request_page(client.post(follow, {"email": "a@example.com", "tag\x00": "x"}))
    assert not Follower.objects.exists()


def test_a_nul_byte_in_an_unsubscribe_post_keeps_the_follower(newsroom):
    follower = confirmed(newsroom, "a@example.com")
    mail_program = Client(enforce_csrf_checks=True)

    response = mail_program.post(follower.get_unsubscribe_url(), {"List-Unsubscribe": "\x00"})

    assert_bad_request_page(response)
    assert Follower.objects.filter(pk=follower.pk).exists()


def test_editors_admin_lists_and_lookups_refuse_nul_bytes(editor_client, seed_release):
    changelist = reverse("admin:press_pressrelease_changelist")
    for url in (
        f"{changelist}?q=%00",
        f"{changelist}?status__exact=%00",
        f"{changelist}?newsroom__id__exact=1%00",
        reverse("admin:autocomplete")
        + "?term=%00&app_label=press&model_name=pressrelease&field_name=hero_photo",
    ):
        assert_bad_request_page(editor_client.get(url))


def test_a_nul_byte_in_a_header_or_cookie_never_reaches_the_login(client, editor):
    login = reverse("admin:login")
    data = {"username": "editor", "password": "a-long-test-password"}

    assert_bad_request_page(client.post(login, data, headers={"User-Agent": "Browser\x00"}))
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert_bad_request_page(client.get("/admin/"))


def test_the_refusal_carries_the_security_headers(client, db):
    response = client.get("/en/search/?q=%00")

    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_invalid_utf_8_is_no_error_it_becomes_replacement_characters(client, seed_release):
    # Django decodes broken query strings with U+FFFD and re-escapes broken paths.
    assert client.get("/en/search/?q=%ff%fe%ed%a0%80").status_code == 200
    assert client.get("/en/andreas-backman/releases/%ff%c0%af/").status_code == 404


def test_lone_surrogates_are_refused_too(rf):
    # No server hands them to Django today; if one did, the database could not store them.
    request = rf.get("/en/search/")
    request.GET = QueryDict(mutable=True)
    request.GET["q"] = "\ud800"

    assert impossible_input(request) == "the query string"
    assert impossible_input(rf.get("/en/search/?q=fine")) is None
