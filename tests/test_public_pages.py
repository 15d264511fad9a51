import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from newsroom.ground.models import Newsroom
from tests.factories import make_newsroom, make_release


def html(response):
    return response.content.decode()


def test_release_page_shows_every_part_of_the_release(client, seed_release):
    response = client.get(seed_release.get_absolute_url())

    assert response.status_code == 200
    page = html(response)
    assert '<h1 id="release-title">Bäckman third in the 12 hours of Hockenheim</h1>' in page
    assert "A podium in the first race with the team." in page
    # Hero photo with caption, credit and license.
    hero = seed_release.hero_photo
    assert f'src="{hero.file_url("medium")}"' in page
    assert "Third on the podium at Hockenheim." in page
    assert "Photo: 24H SERIES" in page
    assert "Free to use with credit" in page
    # Body HTML is kept.
    assert "<strong>third</strong>" in page
    # Quotes, each with speaker, role, anchor and copy button.
    for quote in seed_release.quotes.all():
        assert f'id="quote-{quote.pk}"' in page
        assert f'href="#quote-{quote.pk}"' in page
    assert "Fun to start the season with a podium." in page
    assert "<cite>Fredrik Lestrup</cite>, co-founder, Lestrup Racing Team" in page
    assert page.count('class="copy" data-copy=') == 2  # one per quote
    # Results with ordinals and DNF spelled out.
    assert "Hankook 12h Hockenheimring" in page
    assert re.search(r"Qualifying.*?1st place", page, re.S)
    assert re.search(r"Race 1 \(12 hours\).*?3rd place", page, re.S)
    assert '<abbr title="Did not finish">DNF</abbr>' in page
    # Photo set link, next event, press contacts, about text.
    assert 'href="/en/andreas-backman/photos/hockenheim-photos/"' in page
    assert "STCC Ljungbyhed" in page
    assert "press@backman.example" in page
    assert 'href="tel:+46701234567"' in page
    assert "We race touring cars." in page


def test_release_page_is_in_the_release_language(client, seed_release):
    seed_release.language = "sv"
    seed_release.save()

    page = html(client.get(seed_release.get_absolute_url()))

    assert '<html lang="sv">' in page
    assert "1:a plats" in page
    assert "3:e plats" in page


def test_home_shows_latest_releases_photo_sets_events_and_contacts(client, seed_release):
    photo_set = seed_release.photo_sets.get()
    photo_set.is_featured = True
    photo_set.save()

    page = html(client.get(reverse("newsroom:home", args=["andreas-backman"])))

    assert seed_release.title in page
    assert seed_release.hero_photo.thumbnail_url in page
    assert "Hockenheim photos" in page
    assert "STCC Ljungbyhed" in page
    assert "Hankook 12h Hockenheimring" not in page.split("Upcoming events")[1]
    assert "Emma Lindqvist" in page


def test_site_root_is_the_newsroom_when_there_is_one(client, seed_release):
    response = client.get("/", follow=True)

    assert response.redirect_chain == [("/en/", 302)]  # the site speaks its newsroom's language
    assert seed_release.title in html(response)


def test_site_root_lists_newsrooms_when_there_are_several(client, seed_release):
    make_newsroom(name="Lestrup Racing Team", slug="lestrup-racing")

    page = html(client.get("/en/"))

    assert seed_release.title not in page
    assert 'href="/en/andreas-backman/"' in page
    assert 'href="/en/lestrup-racing/"' in page


def test_contacts_page_lists_press_contacts_only(client, seed_release):
    page = html(client.get(reverse("newsroom:contacts", args=["andreas-backman"])))

    assert "Emma Lindqvist" in page
    assert "mailto:press@backman.example" in page
    assert "Fredrik Lestrup" not in page


def test_photo_set_page_shows_each_photo_with_credit_license_and_sizes(client, seed_release):
    photo = seed_release.hero_photo

    page = html(client.get(photo.photo_set.get_absolute_url()))

    assert photo.thumbnail_url in page
    assert "Photo: 24H SERIES" in page
    assert "Free to use with credit" in page
    assert "600 × 400 px" in page
    assert photo.original_url in page


def test_release_list_filters_by_kind_tag_and_year(client, newsroom):
    news = make_release(newsroom, title="A news item", kind="news")
    release = make_release(newsroom, title="A press release", kind="release")
    tag = newsroom.tags.create(name="STCC", slug="stcc")
    release.tags.add(tag)
    url = reverse("press:release-list", args=[newsroom.slug])

    by_kind = html(client.get(url, {"kind": "news"}))
    by_tag = html(client.get(url, {"tag": "stcc"}))
    by_year = html(client.get(url, {"year": "1999"}))

    assert news.title in by_kind and release.title not in by_kind
    assert release.title in by_tag and news.title not in by_tag
    # 1999 is not a year with releases: explained, and the filter is left out.
    assert "Select a valid choice" in by_year
    assert news.title in by_year and release.title in by_year


def test_release_list_paginates(client, newsroom):
    for n in range(14):
        make_release(newsroom, title=f"Release number {n}")
    url = reverse("press:release-list", args=[newsroom.slug])

    first, second = html(client.get(url)), html(client.get(url, {"page": 2}))

    assert first.count('class="release-card"') == 12
    assert second.count('class="release-card"') == 2
    assert 'rel="next" href="?page=2"' in first
    # A page number that makes no sense shows a page, not an error.
    assert client.get(url, {"page": "abc"}).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/no-such-newsroom/",
        "/en/andreas-backman/releases/no-such-release/",
        "/en/andreas-backman/photos/no-such-set/",
        "/files/photos/999/abc/web/",
        "/files/people/999/portrait/",
        "/en/andreas-backman/nothing-here/",
    ],
)
def test_unknown_addresses_are_a_404_page(client, seed_release, path):
    response = client.get(path)

    assert response.status_code == 404
    assert "Page not found" in html(response)


def test_pages_work_without_javascript_and_use_no_outside_assets(client, seed_release, settings):
    page = html(client.get(seed_release.get_absolute_url()))

    # Copy buttons stay hidden until the script enables them.
    assert re.search(r'<button type="button" class="copy"[^>]*hidden>', page)
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        # Absolute only for our own address (the canonical link) and the editors' links.
        outside = url.startswith(("http://", "https://", "//"))
        assert not outside or url.startswith(settings.SITE_URL + "/") or "example" in url, url


def test_pages_have_landmarks_and_alt_text(client, seed_release):
    for url in [
        "/en/",
        seed_release.get_absolute_url(),
        reverse("press:release-list", args=["andreas-backman"]),
        seed_release.hero_photo.photo_set.get_absolute_url(),
        reverse("newsroom:contacts", args=["andreas-backman"]),
    ]:
        page = html(client.get(url))
        assert '<main id="content"' in page, url
        assert 'href="#content"' in page, url
        assert "<header" in page and "<footer" in page and "<nav" in page, url
        assert page.count("<h1") == 1, url
        for img in re.findall(r"<img [^>]*>", page):
            assert " alt=" in img, img


def test_newsroom_slug_cannot_hide_site_paths(db):
    newsroom = Newsroom(name="Admin", slug="admin")
    with pytest.raises(ValidationError, match="used by the site itself"):
        newsroom.full_clean()
