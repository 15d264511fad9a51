"""The sitemap: an index, files per newsroom, kind and month (of at most 50,000 addresses), all
valid."""

from datetime import UTC, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree

from media.models import Visibility
from newsroom.ground.models import NewsroomLanguage
from press import sitemaps
from press.models import Status
from press.versions import translate
from tests.factories import (
    SITEMAP,
    XHTML_LINK,
    make_event,
    make_newsroom,
    make_photo_set,
    make_release,
    months_ago,
    sitemap_files,
    sitemap_schema_with_alternates,
)

SCHEMAS = Path(__file__).parent / "schemas"
URLSET = sitemap_schema_with_alternates(SCHEMAS / "sitemap.xsd")
INDEX = etree.XMLSchema(etree.parse(str(SCHEMAS / "siteindex.xsd")))


def addresses(client):
    """Every address in every file of the sitemap, each file checked against the schema."""
    found = []
    for path in sitemap_files(client):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Type"] == "application/xml; charset=utf-8"
        document = etree.fromstring(response.content)
        URLSET.assertValid(document)
        found += [loc.text for loc in document.iter(f"{SITEMAP}loc")]
    return found


@pytest.fixture
def small_files(monkeypatch, db):
    monkeypatch.setattr(sitemaps, "PER_FILE", 2)


def test_the_index_validates_and_lists_the_site_file(client, db):
    document = etree.fromstring(client.get("/sitemap.xml").content)

    INDEX.assertValid(document)
    assert sitemap_files(client) == ["/sitemap-site.xml"]
    assert addresses(client) == ["http://testserver/en/"]


def test_every_live_release_set_and_event_is_listed_and_nothing_else(client, newsroom):
    live = make_release(newsroom, title="Out")
    draft = make_release(newsroom, title="Draft", slug="draft", status=Status.DRAFT)
    later = timezone.now() + timedelta(days=1)
    scheduled = make_release(newsroom, title="Later", slug="later", publish_at=later)
    photo_set = make_photo_set(newsroom, title="Public set")
    private = make_photo_set(newsroom, title="Private", visibility=Visibility.PRIVATE)
    event = make_event(newsroom)

    found = addresses(client)

    for shown in (live, photo_set, event, newsroom):
        assert f"http://testserver{shown.get_absolute_url()}" in found
    for hidden in (draft, scheduled, private):
        assert f"http://testserver{hidden.get_absolute_url()}" not in found
    assert len(found) == len(set(found))


def releases_file(newsroom, moment=None):
    return sitemaps.file_path(newsroom, "releases", moment or timezone.now())


def test_each_month_has_its_file_and_every_release_is_listed_once(client, db):
    newsroom = make_newsroom()
    times = [months_ago(3), months_ago(3, day=20), months_ago(1), timezone.now()]
    releases = [
        make_release(newsroom, title=f"Release {n}", slug=f"r-{n}", publish_at=moment)
        for n, moment in enumerate(times)
    ]

    files = [f for f in sitemap_files(client) if "releases" in f]
    found = addresses(client)

    assert files == [releases_file(newsroom, moment) for moment in (times[0], times[2], times[3])]
    assert files[0].endswith(f"/sitemap-releases-{months_ago(3):%Y-%m}.xml")
    for release in releases:
        assert found.count(f"http://testserver{release.get_absolute_url()}") == 1
    assert client.get(releases_file(newsroom, months_ago(2))).status_code == 404  # none then


def test_a_newsroom_whose_slug_looks_like_a_month_gets_its_own_files(client, db):
    newsroom = make_newsroom(slug="0000-00")  # the placeholder its addresses are made from
    release = make_release(newsroom, title="Out", publish_at=months_ago(2))

    files = [f for f in sitemap_files(client) if "releases" in f]

    assert files == [f"/0000-00/sitemap-releases-{months_ago(2):%Y-%m}.xml"]
    assert f"http://testserver{release.get_absolute_url()}" in addresses(client)


def test_a_month_of_more_than_one_file_is_split_into_pages(client, small_files):
    newsroom = make_newsroom()
    releases = [make_release(newsroom, title=f"Release {n}", slug=f"r-{n}") for n in range(5)]
    path = releases_file(newsroom)

    files = sitemap_files(client)
    found = addresses(client)

    assert [f for f in files if "releases" in f] == [path, f"{path}?p=2", f"{path}?p=3"]
    for release in releases:
        assert found.count(f"http://testserver{release.get_absolute_url()}") == 1
    for wrong in ("?p=4", "?p=0", "?p=01", "?p=x"):
        assert client.get(path + wrong).status_code == 404


def test_a_new_release_renews_its_months_file_and_leaves_earlier_months_as_they_were(client, db):
    newsroom = make_newsroom()
    for n in range(3):
        make_release(newsroom, slug=f"r-{n}", publish_at=months_ago(1, day=10 + n))
    earlier = releases_file(newsroom, months_ago(1))
    first = client.get(earlier)

    make_release(newsroom, slug="newest")

    again = client.get(earlier)
    assert again.content == first.content
    assert again["Last-Modified"] == first["Last-Modified"]
    assert b"newest" in client.get(releases_file(newsroom)).content


def test_each_index_entry_carries_the_lastmod_of_its_file(client, small_files):
    newsroom = make_newsroom()
    old = months_ago(1)
    make_release(newsroom, slug="a", publish_at=old, first_published_at=old)
    make_release(newsroom, slug="b", publish_at=old, first_published_at=old)
    make_release(newsroom, slug="c", publish_at=old, first_published_at=old + timedelta(days=2))
    newest = make_release(newsroom, slug="d")

    index = etree.fromstring(client.get("/sitemap.xml").content)
    lastmods = {
        entry.find(f"{SITEMAP}loc").text: entry.find(f"{SITEMAP}lastmod").text
        for entry in index.iter(f"{SITEMAP}sitemap")
        if entry.find(f"{SITEMAP}lastmod") is not None
    }
    then, now = f"http://testserver{releases_file(newsroom, old)}", releases_file(newsroom)
    assert lastmods[then] == old.isoformat(timespec="seconds")
    assert lastmods[f"{then}?p=2"] == (old + timedelta(days=2)).isoformat(timespec="seconds")
    # This month's file: its one release's lastmod (the factory's release went out an hour
    # ago, not always today: compared as a moment, not as a date).
    rows = sitemaps.SECTIONS["releases"].rows(newsroom).filter(pk=newest.pk)
    newest_lastmod = rows.values_list("lastmod", flat=True).get()
    assert newest_lastmod > old + timedelta(days=2)
    assert lastmods[f"http://testserver{now}"] == sitemaps.w3c_time(newest_lastmod)


def test_the_index_takes_the_same_queries_for_one_newsroom_as_for_five(client, db):
    def count():
        with CaptureQueriesContext(connection) as queries:
            Client(HTTP_COOKIE="sessionid=x").get("/sitemap.xml")  # past the page cache
        return len(queries)

    make_release(make_newsroom(slug="first"), slug="a")
    one = count()
    for n in range(4):
        room = make_newsroom(slug=f"room-{n}", name=f"Room {n}")
        make_release(room, slug="a", publish_at=months_ago(n + 1))
        make_photo_set(room)
        make_event(room)
    assert count() == one
    assert len([f for f in sitemap_files(client) if "releases" in f]) == 5


def test_events_are_filed_by_the_month_they_start(client, newsroom):
    coming = make_event(newsroom)
    path = sitemaps.file_path(newsroom, "events", coming.starts_on)

    assert path in sitemap_files(client)
    assert coming.get_absolute_url() in client.get(path).content.decode()


def test_a_change_in_one_newsroom_keeps_the_other_newsrooms_files_cached(client, db):
    first, second = make_newsroom(slug="first"), make_newsroom(slug="second", name="Second")
    make_release(first, slug="a")
    make_release(second, slug="b")
    client.get(releases_file(first))

    make_release(second, slug="c")

    with CaptureQueriesContext(connection) as queries:
        response = Client().get(releases_file(first))
    assert response.status_code == 200
    assert not [q for q in queries if "press_pressrelease" in q["sql"]]


def test_a_file_takes_the_same_queries_for_ten_releases_as_for_one(client, db):
    newsroom = make_newsroom()
    make_release(newsroom, slug="only")
    path = releases_file(newsroom)

    def count():
        with CaptureQueriesContext(connection) as queries:
            Client(HTTP_COOKIE="sessionid=x").get(path)  # past the page cache
        return len(queries)

    one = count()
    for n in range(9):
        make_release(newsroom, slug=f"more-{n}")
    assert count() == one


def test_files_read_only_the_columns_they_print(client, db):
    newsroom = make_newsroom()
    make_release(newsroom, slug="only", body="<p>A long body.</p>")
    path = releases_file(newsroom)
    with CaptureQueriesContext(connection) as queries:
        Client(HTTP_COOKIE="sessionid=x").get(path)
    listing = [q["sql"] for q in queries if "press_pressrelease" in q["sql"]]
    assert listing
    for sql in listing:
        assert '"body"' not in sql and "search_vector" not in sql and "search_text" not in sql


def test_unknown_sections_months_and_newsrooms_are_404(client, newsroom):
    make_release(newsroom, slug="out")
    month = f"{timezone.now().astimezone(UTC):%Y-%m}"
    assert client.get(f"/{newsroom.slug}/sitemap-releases-{month}.xml").status_code == 200
    for wrong in ("people-" + month, "releases-2026-13", "releases-0000-01", "releases"):
        assert client.get(f"/{newsroom.slug}/sitemap-{wrong}.xml").status_code == 404, wrong
    assert client.get(f"/nobody/sitemap-releases-{month}.xml").status_code == 404
    assert client.get(f"/{newsroom.slug}/sitemap-events-{month}.xml").status_code == 404  # none


def alternates_by_address(client, path):
    document = etree.fromstring(client.get(path).content)
    URLSET.assertValid(document)
    return {
        url.findtext(f"{SITEMAP}loc"): {
            link.get("hreflang"): link.get("href") for link in url.iter(XHTML_LINK)
        }
        for url in document.iter(f"{SITEMAP}url")
    }


def test_each_live_version_lists_every_live_version_and_no_other(client, newsroom):
    for language in ("sv", "de"):
        NewsroomLanguage.objects.create(newsroom=newsroom, language=language)
    story = make_release(newsroom, slug="podium", title="Podium")
    swedish = translate(story, "sv")
    swedish.status = Status.PUBLISHED
    swedish.save()
    translate(story, "de")  # a draft: named nowhere

    found = alternates_by_address(client, releases_file(newsroom))

    base = f"http://testserver/{{}}/{newsroom.slug}/releases/{{}}/"
    both = {"en": base.format("en", "podium"), "sv": base.format("sv", swedish.slug)}
    assert found == {
        both["en"]: {**both, "x-default": both["en"]},
        both["sv"]: {**both, "x-default": both["en"]},
    }


def test_pages_in_every_language_of_the_newsroom_are_alternates(client, newsroom):
    NewsroomLanguage.objects.create(newsroom=newsroom, language="sv")
    photo_set = make_photo_set(newsroom, slug="pit-lane")

    path = sitemaps.file_path(newsroom, "photos", photo_set.created_at)
    found = alternates_by_address(client, path)
    site = alternates_by_address(client, "/sitemap-site.xml")

    photos = f"http://testserver/{{}}/{newsroom.slug}/photos/pit-lane/"
    assert found == {photos.format("en"): {"en": photos.format("en"), "sv": photos.format("sv")}}
    home = f"http://testserver/{{}}/{newsroom.slug}/"
    assert site[home.format("en")] == {"en": home.format("en"), "sv": home.format("sv")}


def test_a_file_takes_the_same_queries_for_three_versions_as_for_one(client, newsroom):
    for language in ("sv", "de"):
        NewsroomLanguage.objects.create(newsroom=newsroom, language=language)
    story = make_release(newsroom, slug="podium")
    path = releases_file(newsroom)

    def count():
        with CaptureQueriesContext(connection) as queries:
            Client(HTTP_COOKIE="sessionid=x").get(path)  # past the page cache
        return len(queries)

    one = count()
    for language in ("sv", "de"):
        version = translate(story, language)
        version.status = Status.PUBLISHED
        version.save()
    assert count() == one
