"""Public pages run a fixed number of queries, however much content they show."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    make_event,
    make_person,
    make_photo,
    make_photo_set,
    make_quote,
    make_release,
    make_result,
)


def release_with(newsroom, n):
    """A live release with n quotes, results, photo sets (one photo each), contacts and tags."""
    photo_sets = [make_photo_set(newsroom, is_featured=True) for _ in range(n)]
    photos = [make_photo(photo_set, renditions=False) for photo_set in photo_sets]
    release = make_release(newsroom, hero_photo=photos[0])
    release.photo_sets.set(photo_sets)
    event = make_event(newsroom, starts_on=date(2099, 1, 1))
    for i in range(n):
        make_quote(release, make_person(newsroom), f"Quote {i}")
        make_result(release, event, position=i + 1, order=i)
        release.contacts.add(make_person(newsroom, is_press_contact=True, phone="+46 1"))
        release.tags.add(newsroom.tags.create(name=f"Tag {i}", slug=f"tag-{release.pk}-{i}"))
    return release


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["detail", "home", "list", "photos", "set", "contacts"])
def test_page_queries_do_not_grow_with_content(client, newsroom, page):
    small = release_with(newsroom, 1)
    url = {
        "detail": small.get_absolute_url(),
        "home": reverse("newsroom:home", args=[newsroom.slug]),
        "list": reverse("press:release-list", args=[newsroom.slug]),
        "photos": reverse("media:photoset-list", args=[newsroom.slug]),
        "set": small.photo_sets.first().get_absolute_url(),
        "contacts": reverse("newsroom:contacts", args=[newsroom.slug]),
    }[page]
    before = count_queries(client, url)

    big = release_with(newsroom, 20)
    for photo_set in big.photo_sets.all()[:1]:
        for _ in range(19):
            make_photo(photo_set, renditions=False)
    if page in ("detail", "set"):
        url = {"detail": big.get_absolute_url(), "set": big.photo_sets.first().get_absolute_url()}[
            page
        ]
    after = count_queries(client, url)

    assert before == after
    assert after <= 11


def test_pinned_query_counts(client, newsroom, django_assert_num_queries):
    release = release_with(newsroom, 3)

    # Each page once more: the next go-live, which the page must not be kept past.
    # newsroom+release, quotes, results, photo sets, covers, documents, contacts, tags,
    # next event, its language versions
    with django_assert_num_queries(10 + 1):
        client.get(release.get_absolute_url())
    # newsroom, its languages, releases, featured sets, their covers, events, contacts
    with django_assert_num_queries(7 + 1):
        client.get(reverse("newsroom:home", args=[newsroom.slug]))
    # newsroom, tags, the years' span, the years, count (bounded), page, its languages
    with django_assert_num_queries(7 + 1):
        client.get(reverse("press:release-list", args=[newsroom.slug]))


@pytest.mark.parametrize("page", ["detail", "home", "list", "photos", "set", "contacts", "rss"])
def test_a_page_served_again_runs_no_queries(client, newsroom, page):
    release = release_with(newsroom, 3)
    url = {
        "detail": release.get_absolute_url(),
        "home": reverse("newsroom:home", args=[newsroom.slug]),
        "list": reverse("press:release-list", args=[newsroom.slug]),
        "photos": reverse("media:photoset-list", args=[newsroom.slug]),
        "set": release.photo_sets.first().get_absolute_url(),
        "contacts": reverse("newsroom:contacts", args=[newsroom.slug]),
        "rss": reverse("press:rss", args=[newsroom.slug]),
    }[page]
    first = client.get(url)

    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)

    assert len(queries) == 0
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
