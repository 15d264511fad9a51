"""The language a public page speaks is the first part of its address, whoever asks."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from newsroom.ground.models import RESERVED_SLUGS, NewsroomLanguage
from press import versions
from press.models import Status
from press.passes.models import PreviewPass
from tests.factories import make_newsroom, make_release


def reverse_in(language, viewname, *args):
    with translation.override(language):
        return reverse(viewname, args=args)


@pytest.fixture
def story(newsroom):
    """An English original with a live Swedish version, in a newsroom of both languages."""
    NewsroomLanguage.objects.create(newsroom=newsroom, language="sv", tagline="Racerförare")
    original = make_release(newsroom, title="Podium at Hockenheim", slug="podium", language="en")
    swedish = versions.translate(original, "sv")
    swedish.title, swedish.status = "Pallplats på Hockenheim", Status.PUBLISHED
    swedish.save()
    return original, swedish


def test_no_newsroom_can_take_a_language_s_place_in_the_address():
    assert set(dict(settings.LANGUAGES)) <= set(RESERVED_SLUGS)


def test_an_address_without_a_language_leads_to_the_newsroom_s_first_language(client, db):
    make_newsroom(name="Lestrup Racing", slug="lestrup", language="sv")
    make_newsroom(name="Other", slug="other")

    for asked, found in [
        ("/lestrup/", "/sv/lestrup/"),
        ("/lestrup/releases/?tag=tcr", "/sv/lestrup/releases/?tag=tcr"),
        ("/lestrup/releases", "/sv/lestrup/releases/"),
        ("/other/photos/", "/en/other/photos/"),
        ("/search/?q=podium", "/en/search/?q=podium"),
        ("/", "/en/"),  # several newsrooms: the site's own language
    ]:
        response = client.get(asked)
        assert (response.status_code, response["Location"]) == (302, found), asked
    for unknown in ("/no-such-newsroom/", "/no-such-newsroom/releases/", "/en/nothing/here/"):
        assert client.get(unknown).status_code == 404, unknown
    assert client.post("/lestrup/alerts/").status_code == 404  # only reading is redirected


def test_a_site_of_one_newsroom_opens_in_its_language(client, db):
    make_newsroom(name="Lestrup Racing", slug="lestrup", language="sv")

    response = client.get("/", follow=True)

    assert response.redirect_chain == [("/sv/", 302)]
    assert '<html lang="sv">' in response.content.decode()


def test_a_version_lives_at_the_address_of_its_own_language(client, story):
    original, swedish = story
    newsroom = original.newsroom

    assert swedish.get_absolute_url() == f"/sv/{newsroom.slug}/releases/{swedish.slug}/"
    for wrong, right in [
        (f"/en/{newsroom.slug}/releases/{swedish.slug}/", swedish.get_absolute_url()),
        (f"/sv/{newsroom.slug}/releases/{original.slug}/", original.get_absolute_url()),
        (
            f"/de/{newsroom.slug}/releases/{swedish.slug}.txt",
            f"/sv/{newsroom.slug}/releases/{swedish.slug}.txt",
        ),
    ]:
        response = client.get(wrong)
        assert (response.status_code, response["Location"]) == (301, right), wrong


def test_the_page_cache_never_hands_out_a_page_in_another_language(client, story):
    original, _ = story
    newsroom = original.newsroom
    pages = [
        reverse_in(language, "press:release-list", newsroom.slug) for language in ("sv", "en")
    ]
    # Whatever the browser prefers, the address decides; a second visitor gets the copy.
    browsers = [
        {"HTTP_ACCEPT_LANGUAGE": "de"},
        {"HTTP_ACCEPT_LANGUAGE": "sv"},
        {"HTTP_COOKIE": "django_language=en"},
    ]
    for headers in browsers:
        for url in pages:
            language = url.split("/")[1]
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, **headers)
            page = response.content.decode()
            assert f'<html lang="{language}">' in page, (url, headers)
            assert response["Content-Language"] == language
            assert "Racerförare" in page if language == "sv" else "Racerförare" not in page
            assert "Vary" not in response or "Accept-Language" not in response["Vary"]
            if headers is not browsers[0]:
                assert len(queries) == 0, url  # from the page cache


def test_newsroom_pages_offer_every_language_of_the_newsroom(client, story):
    original, swedish = story
    newsroom = original.newsroom
    url = reverse_in("sv", "press:event-list", newsroom.slug)

    page = client.get(url).content.decode()

    alternates = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page)
    assert alternates == [
        ("en", f"http://testserver/en/{newsroom.slug}/events/"),
        ("sv", f"http://testserver/sv/{newsroom.slug}/events/"),
        ("x-default", f"http://testserver/en/{newsroom.slug}/events/"),
    ]
    assert f'<a href="/en/{newsroom.slug}/events/" hreflang="en" lang="en">English</a>' in page
    assert '<span aria-current="page" lang="sv">Svenska</span>' in page
    # A release's page offers its own versions instead, only the live ones.
    release_page = client.get(swedish.get_absolute_url()).content.decode()
    assert f'href="/en/{newsroom.slug}/events/" hreflang="en"' not in release_page


def test_a_preview_pass_opens_every_published_version_of_its_story(client, story, editor):
    original, swedish = story
    later = timezone.now() + timedelta(days=2)
    for version in (original, swedish):
        version.publish_at = later
        version.save()
    german = versions.translate(original, "de")  # a draft: not for pass holders
    NewsroomLanguage.objects.create(newsroom=original.newsroom, language="de")
    preview_pass = PreviewPass.objects.create(
        release=original, name="Kim", email="kim@news.example", created_by=editor
    )
    page = client.get(preview_pass.link_path()).content.decode()
    swedish_path = f"{preview_pass.link_path()}sv/"

    swedish_page = client.get(swedish_path).content.decode()

    assert f'href="{swedish_path}" hreflang="sv"' in page
    assert '<html lang="sv">' in swedish_page and swedish.title in swedish_page
    assert german.slug not in page and "Deutsch" not in page
    assert client.get(f"{preview_pass.link_path()}de/").status_code == 404
    assert client.get(swedish.get_absolute_url()).status_code == 404  # still under embargo
