"""Lists read narrow rows and go only so deep by page number; what is older is a year away."""

import re
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone

from media.models import Document, Visibility
from press import views
from tests.factories import body, make_event, make_photo, make_photo_set, make_release
from tests.files import make_fact_sheet
from tests.test_leak_matrix import listing_urls, object_urls, release_in

# Views that show one release whole: they read its body.
ONE_RELEASE = {
    "press:release-detail",
    "press:release-text",
    "press:release-markdown",
    "api:release-detail",
}
# Lists that show some of the body (feed items without a lead show its first words; API
# items carry it as ninjs `bodies`), and search, which matches and quotes the search text.
FEEDS = ["site-rss", "site-atom", "rss", "atom", "tag-rss", "tag-atom", "kind-rss", "kind-atom"]
SHOWN = {
    **{f"press:{feed}": {"body"} for feed in FEEDS},
    "api:release-list": {"body"},
    "search": {"search_text", "search_vector"},
}
WIDE = {"body", "search_text", "search_vector"}


def wide_columns_read(queries):
    """The wide columns of the releases table that any of the queries names."""
    found = set()
    for query in queries:
        found |= set(re.findall(r'"press_pressrelease"\."(\w+)"', query["sql"])) & WIDE
    return found


def test_no_list_reads_the_body_or_the_search_index_it_does_not_show(client, newsroom):
    release, photo_set, photo, document = release_in(newsroom, "live")
    make_release(newsroom, title="Another live release")
    addresses = [
        *(url for url, _shows in listing_urls(newsroom).values()),
        *object_urls(release, photo_set, photo, document).values(),
    ]
    checked = 0
    for url in addresses:
        view = resolve(urlsplit(url).path).view_name
        if view in ONE_RELEASE:
            continue
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        assert wide_columns_read(queries) <= SHOWN.get(view, set()), url
        checked += 1
    assert checked >= 40


def test_the_check_sees_a_wide_column(client, newsroom):
    release = make_release(newsroom)
    with CaptureQueriesContext(connection) as queries:
        client.get(release.get_absolute_url())
    assert "body" in wide_columns_read(queries)


# How deep the release list goes ------------------------------------------------------


def releases_over_two_years(newsroom, per_year):
    for year in (2024, 2025):
        for n in range(per_year):
            make_release(
                newsroom,
                title=f"Release {year}-{n}",
                publish_at=datetime(year, 6, 1, tzinfo=timezone.get_current_timezone())
                + timedelta(hours=n),
            )


def test_past_the_deepest_page_the_list_says_where_the_older_releases_are(
    client, newsroom, monkeypatch
):
    monkeypatch.setattr(views, "RELEASE_PAGES", 2)
    releases_over_two_years(newsroom, per_year=15)  # 30 releases, 24 reachable by page
    url = reverse("press:release-list", args=[newsroom.slug])

    first = body(client.get(url)).decode()
    assert "Page 1 of 2+" in first
    assert "Older releases" not in first

    deepest = body(client.get(url + "?page=2")).decode()
    assert "Older releases" in deepest
    assert 'href="?year=2025"' in deepest and 'href="?year=2024"' in deepest
    assert 'rel="next"' not in deepest

    # Asked for a page past the cap: the deepest page, with the message, not kept.
    assert "Older releases" in body(client.get(url + "?page=9")).decode()
    with CaptureQueriesContext(connection) as again:
        client.get(url + "?page=9")
    assert len(again) > 0

    # The year's own list reaches the oldest release of all.
    year = body(client.get(url + "?year=2024&page=2")).decode()
    assert "Release 2024-0<" in year
    assert "Older releases" not in year


def test_a_list_under_the_cap_has_no_message(client, newsroom, monkeypatch):
    monkeypatch.setattr(views, "RELEASE_PAGES", 2)
    releases_over_two_years(newsroom, per_year=12)  # exactly two pages
    page = body(client.get(reverse("press:release-list", args=[newsroom.slug]) + "?page=2"))
    assert b"Page 2 of 2<" in page
    assert b"Older releases" not in page


def test_year_and_tag_choices_are_those_of_live_releases(client, newsroom):
    zone = timezone.get_current_timezone()
    tagged = make_release(newsroom, publish_at=datetime(2019, 3, 1, tzinfo=zone))
    tagged.tags.add(newsroom.tags.create(name="Endurance", slug="endurance"))
    make_release(newsroom, publish_at=datetime(2022, 3, 1, tzinfo=zone))
    draft = make_release(newsroom, status="draft", publish_at=None)
    draft.tags.add(newsroom.tags.create(name="Secret plans", slug="secret-plans"))
    newsroom.tags.create(name="Unused", slug="unused")

    page = body(client.get(reverse("press:release-list", args=[newsroom.slug]))).decode()
    years = re.findall(r'<option value="(\d{4})"', page)
    assert years == ["2022", "2019"]  # no empty years between, newest first
    assert "Endurance" in page
    assert "Secret plans" not in page and "Unused" not in page


# The media kit and past events, a page at a time ------------------------------------


def test_the_media_kit_is_paged_newest_first_with_documents_on_the_first_page(
    client, newsroom, django_assert_max_num_queries
):
    for n in range(30):
        make_photo(make_photo_set(newsroom, title=f"Set number {n}"), renditions=False)
    Document.objects.create(
        newsroom=newsroom,
        title="Fact sheet",
        file=ContentFile(make_fact_sheet("Sheet", ["Line"]), name="sheet.pdf"),
        visibility=Visibility.PUBLIC,
    )
    url = reverse("media:photoset-list", args=[newsroom.slug])

    first = body(client.get(url)).decode()
    assert first.count('class="set-card"') == 24
    assert "Set number 29<" in first and "Set number 6<" in first and "Set number 5<" not in first
    assert "Fact sheet" in first
    assert "Page 1 of 2" in first and 'href="?page=2"' in first

    with django_assert_max_num_queries(8):
        second = body(client.get(url + "?page=2")).decode()
    assert second.count('class="set-card"') == 6
    assert "Set number 0<" in second
    assert "Fact sheet" not in second
    assert f'<link rel="canonical" href="http://testserver{url}?page=2">' in second


def make_documents(newsroom, count):
    """`count` public documents "Document 00", "Document 01", …, sharing one stored file."""
    first = Document.objects.create(
        newsroom=newsroom,
        title="Document 00",
        file=ContentFile(make_fact_sheet("Sheet", ["Line"]), name="sheet.pdf"),
        visibility=Visibility.PUBLIC,
    )
    copies = []
    for n in range(1, count):
        copy = Document.objects.get(pk=first.pk)
        copy.pk, copy.title = None, f"Document {n:02}"
        copies.append(copy)
    Document.objects.bulk_create(copies)


def test_the_media_kit_shows_the_first_documents_and_links_to_all_of_them(
    client, newsroom, django_assert_max_num_queries
):
    make_documents(newsroom, 12)
    kit = body(client.get(reverse("media:photoset-list", args=[newsroom.slug]))).decode()
    shown = re.findall(r">Document (\d\d)</a>", kit)
    assert shown == [f"{n:02}" for n in range(10)]  # the editors' order, by title here
    documents = reverse("media:document-list", args=[newsroom.slug])
    assert f'<a href="{documents}">All documents</a>' in kit

    make_documents(newsroom.__class__.objects.create(name="Other", slug="other"), 1)
    Document.objects.filter(title="Document 00", newsroom=newsroom).update(position=1)
    with django_assert_max_num_queries(8):
        first = body(client.get(documents)).decode()
    listed = re.findall(r">Document (\d\d)</a>", first)
    assert listed == [f"{n:02}" for n in range(1, 12)] + ["00"]
    assert "Page" not in first  # one page holds them


def test_every_document_is_a_page_away(client, newsroom, django_assert_max_num_queries):
    make_documents(newsroom, 60)
    url = reverse("media:document-list", args=[newsroom.slug])
    first = body(client.get(url)).decode()
    assert len(re.findall(r">Document \d\d</a>", first)) == 50
    assert "Page 1 of 2" in first and 'rel="next" href="?page=2">Next<' in first
    with django_assert_max_num_queries(8):
        second = body(client.get(url + "?page=2")).decode()
    assert re.findall(r">Document (\d\d)</a>", second) == [f"{n}" for n in range(50, 60)]
    assert f'<link rel="canonical" href="http://testserver{url}?page=2">' in second
    kit = body(client.get(reverse("media:photoset-list", args=[newsroom.slug]))).decode()
    assert "Document 10<" not in kit and "All documents" in kit


def test_a_media_kit_with_few_documents_needs_no_list_of_them(client, newsroom):
    make_documents(newsroom, 10)
    kit = body(client.get(reverse("media:photoset-list", args=[newsroom.slug]))).decode()
    assert len(re.findall(r">Document \d\d</a>", kit)) == 10
    assert "All documents" not in kit


def test_past_events_are_paged_and_upcoming_ones_open_the_first_page(client, newsroom):
    make_event(newsroom, name="Next race", starts_on=timezone.localdate() + timedelta(days=9))
    for n in range(55):
        make_event(newsroom, name=f"Old race {n}", starts_on=date(2020, 1, 1) + timedelta(days=n))
    url = reverse("press:event-list", args=[newsroom.slug])

    first = body(client.get(url)).decode()
    assert "Next race" in first
    assert "Old race 54<" in first and "Old race 4<" not in first
    second = body(client.get(url + "?page=2")).decode()
    assert "Next race" not in second
    assert [f"Old race {n}<" in second for n in range(5)] == [True] * 5


@pytest.mark.parametrize("name", ["media:photoset-list", "press:event-list"])
def test_each_page_of_a_list_is_its_own_cached_page(client, newsroom, name):
    for n in range(60):
        make_photo_set(newsroom, title=f"Set {n}")
        make_event(newsroom, name=f"Race {n}", starts_on=date(2020, 1, 1) + timedelta(days=n))
    url = reverse(name, args=[newsroom.slug])
    assert body(client.get(url)) != body(client.get(url + "?page=2"))
