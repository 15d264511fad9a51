"""Public pages kept on the server: renewed by every change, never kept past a go-live."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from media.models import Visibility
from newsroom.ground import pagecache
from newsroom.ground.models import Newsroom
from press.models import PressRelease, Status
from tests.factories import (
    make_newsroom,
    make_person,
    make_photo,
    make_photo_set,
    make_quote,
    make_release,
)


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries)


def max_age(response):
    return int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))


def test_a_second_visitor_gets_the_page_from_the_cache(client, seed_release):
    url = seed_release.get_absolute_url()
    first, first_queries = queries_for(client, url)
    again, again_queries = queries_for(client, url)

    assert first_queries > 0 and again_queries == 0
    assert again.content == first.content


def test_editing_a_release_shows_at_once(client, seed_release):
    url = seed_release.get_absolute_url()
    client.get(url)

    seed_release.title = "Bäckman on the podium at Hockenheim"
    seed_release.save()

    assert "Bäckman on the podium at Hockenheim".encode() in client.get(url).content


@pytest.mark.parametrize("change", ["quote", "photo caption", "set made private", "withdrawn"])
def test_every_kind_of_change_renews_the_pages_that_show_it(client, seed_release, change):
    newsroom = seed_release.newsroom
    release_url = seed_release.get_absolute_url()
    kit_url = reverse("media:photoset-list", args=[newsroom.slug])
    client.get(release_url), client.get(kit_url)

    if change == "quote":
        make_quote(seed_release, make_person(newsroom), "Words added later.")
        assert b"Words added later." in client.get(release_url).content
    elif change == "photo caption":
        photo = seed_release.hero_photo
        photo.caption = "A new caption."
        photo.save()
        assert b"A new caption." in client.get(release_url).content
    elif change == "set made private":
        photo_set = seed_release.photo_sets.get()
        photo_set.visibility = Visibility.PRIVATE
        photo_set.save()
        assert photo_set.title.encode() not in client.get(kit_url).content
        assert photo_set.title.encode() not in client.get(release_url).content
    else:
        seed_release.status = Status.WITHDRAWN
        seed_release.save()
        assert client.get(release_url).status_code == 404
        assert seed_release.title.encode() not in client.get(kit_url).content


def test_a_change_saved_through_another_app_server_replaces_the_page_at_once(client, seed_release):
    url = seed_release.get_absolute_url()
    client.get(url)
    # Another server's save: the rows change (update() renews nothing here)...
    PressRelease.objects.filter(pk=seed_release.pk).update(title="Changed on another server")
    assert b"Changed on another server" not in client.get(url).content  # still the kept page
    # ...and the new generation it started reaches this server through the shared cache.
    cache.set(pagecache.generation_key(seed_release.newsroom.slug), "another", timeout=None)

    assert b"Changed on another server" in client.get(url).content


@pytest.mark.parametrize("copy_here", [True, False], ids=["copy in this process", "no copy"])
def test_a_page_from_the_database_cache_is_one_lookup(
    client, seed_release, database_cache, monkeypatch, copy_here
):
    url = seed_release.get_absolute_url()
    first = client.get(url)
    if not copy_here:  # as on another app server sharing the cache
        monkeypatch.setattr(pagecache, "copies", pagecache.Copies())

    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)

    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert len(queries) == 1 and "newsroom_cache" in queries[0]["sql"]


def test_a_page_another_app_server_rendered_after_a_change_is_served_here(
    client, rf, seed_release
):
    url = seed_release.get_absolute_url()
    slug = seed_release.newsroom.slug
    client.get(url)  # this process keeps a copy
    # Another server saved a change and rendered the page anew in the new generation.
    cache.set(pagecache.generation_key(slug), "another", timeout=None)
    generation = cache.get(pagecache.generation_key(pagecache.NEWSROOMS)) + ":another"
    entry = {"content": b"Rendered there", "headers": {}, "generation": generation}
    key = pagecache.page_key(rf.get(url), slug)
    cache.set(key, {**entry, "expires": timezone.now().timestamp() + 60})

    again, queries = queries_for(client, url)

    assert again.content == b"Rendered there" and queries == 0


def test_linking_a_photo_set_renews_the_release_page(client, seed_release):
    url = seed_release.get_absolute_url()
    client.get(url)
    extra = make_photo_set(seed_release.newsroom, title="Pit lane photos")
    make_photo(extra)
    client.get(url)  # the new set alone changes nothing on the page

    seed_release.photo_sets.add(extra)

    assert b"Pit lane photos" in client.get(url).content


def test_a_change_in_one_newsroom_leaves_the_others_cached(client, seed_release):
    other = make_newsroom(name="Other team", slug="other-team")
    ours = reverse("newsroom:home", args=[seed_release.newsroom.slug])
    theirs = reverse("newsroom:home", args=[other.slug])
    client.get(ours), client.get(theirs), client.get(reverse("newsroom:site-root"))

    make_release(other, title="News from the other team")

    assert queries_for(client, ours)[1] == 0
    theirs_again, theirs_queries = queries_for(client, theirs)
    assert theirs_queries > 0 and b"News from the other team" in theirs_again.content
    # The site's own pages list every newsroom: renewed too.
    assert queries_for(client, reverse("newsroom:site-root"))[1] > 0


def test_renaming_a_newsroom_renews_every_page(client, seed_release):
    url = seed_release.get_absolute_url()
    client.get(url)
    newsroom = seed_release.newsroom
    newsroom.name = "Bäckman Racing"
    newsroom.save()

    assert "Bäckman Racing".encode() in client.get(url).content


def test_no_page_is_kept_past_the_next_go_live(client, newsroom, seed_release):
    go_live = timezone.now() + timedelta(seconds=30)
    make_release(newsroom, title="Embargoed until half a minute", publish_at=go_live)
    url = reverse("press:release-list", args=[newsroom.slug])

    first = client.get(url)
    assert b"Embargoed until half a minute" not in first.content
    assert 0 < max_age(first) <= 30
    with time_machine.travel(timezone.now() + timedelta(seconds=20), tick=False):
        cached, queries = queries_for(client, url)
        assert queries == 0 and max_age(cached) <= 10  # the time left, not the time at first
    with time_machine.travel(go_live + timedelta(seconds=1), tick=False):
        # Nothing was saved: time alone made the release public.
        assert b"Embargoed until half a minute" in client.get(url).content


def test_site_pages_are_not_kept_past_a_go_live_in_any_newsroom(client, seed_release):
    other = make_newsroom(slug="other-team")
    go_live = timezone.now() + timedelta(seconds=30)
    make_release(other, title="Other team news", publish_at=go_live)

    assert max_age(client.get(reverse("press:site-rss"))) <= 30
    with time_machine.travel(go_live + timedelta(seconds=1), tick=False):
        assert b"Other team news" in client.get(reverse("press:site-rss")).content


def test_public_pages_say_how_long_they_may_be_kept_and_answer_304(client, seed_release):
    newsroom = seed_release.newsroom
    urls = [
        reverse("newsroom:site-root"),
        reverse("newsroom:home", args=[newsroom.slug]),
        reverse("newsroom:contacts", args=[newsroom.slug]),
        reverse("press:release-list", args=[newsroom.slug]),
        seed_release.get_absolute_url(),
        reverse("press:release-text", args=[newsroom.slug, seed_release.slug]),
        reverse("press:event-list", args=[newsroom.slug]),
        reverse("press:event-calendar", args=[newsroom.slug]),
        reverse("media:photoset-list", args=[newsroom.slug]),
        seed_release.hero_photo.photo_set.get_absolute_url(),
        seed_release.hero_photo.get_absolute_url(),
        reverse("press:rss", args=[newsroom.slug]),
        reverse("sitemap"),
        reverse("search") + "?q=podium",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "public" in response["Cache-Control"], url
        assert 0 < max_age(response) <= 60, url
        assert response.has_header("ETag"), url
        again = client.get(url, headers={"If-None-Match": response["ETag"]})
        assert again.status_code == 304, url


def test_editors_always_get_a_fresh_page(editor_client, seed_release):
    url = seed_release.get_absolute_url()
    editor_client.get(url)

    assert queries_for(editor_client, url)[1] > 0


def test_an_editors_preview_never_reaches_the_cache(client, editor_client, newsroom):
    draft = make_release(newsroom, title="Draft in the works", status=Status.DRAFT)

    preview = editor_client.get(draft.get_absolute_url())
    assert preview.status_code == 200 and "private" in preview["Cache-Control"]

    client.cookies.clear()
    assert client.get(draft.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    "url_name",
    ["release", "feed", "sitemap", "api", "robots", "calendar"],
)
def test_a_client_sending_another_host_changes_no_address_anyone_gets(
    client, seed_release, url_name
):
    """Absolute links come from SITE_URL: a cached page cannot point visitors elsewhere."""
    newsroom = seed_release.newsroom.slug
    url = {
        "release": seed_release.get_absolute_url(),
        "feed": reverse("press:rss", args=[newsroom]),
        "sitemap": reverse("sitemap"),
        "api": reverse("api:release-list"),
        "robots": reverse("robots"),
        "calendar": reverse("press:event-calendar", args=[newsroom]),
    }[url_name]
    hostile = client.get(
        url,
        HTTP_HOST="127.0.0.1:6666",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_HOST="evil.example",
    )
    later = client.get(url)

    for response in (hostile, later):
        content = response.content.decode()
        assert response.status_code == 200
        assert "6666" not in content and "evil.example" not in content
        assert "http://testserver/" in content


# What the query string can add -------------------------------------------------------


def page_queries(client, url):
    """The response and the queries it took besides the cache's own."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, [q for q in queries if "newsroom_cache" not in q["sql"]]


def test_junk_in_the_address_or_query_string_adds_nothing_to_the_cache(
    client, seed_release, database_cache
):
    newsroom = seed_release.newsroom.slug
    releases = reverse("press:release-list", args=[newsroom])
    pages = [
        releases,
        seed_release.get_absolute_url(),
        reverse("newsroom:home", args=[newsroom]),
        reverse("press:rss", args=[newsroom]),
        reverse("sitemap"),
        reverse("search"),
    ]
    junk = [
        "{page}?utm_source={n}",
        "{page}?fbclid={n}&utm_medium=mail",
        "{page}?page={n}&kind={n}&q={n}",
        releases + "?tag=no-such-tag-{n}",
        releases + "?kind=kind-{n}",
        releases + "?year={n}",
        releases + "?page={n}",  # past the end: the last page is shown
        releases + "?page=0{n}",  # another spelling of a page number
        reverse("search") + "?q=word{n}",
        reverse("search") + "?tag=tag-{n}",
        reverse("sitemap") + "?p=0{n}",
        "/no-such-newsroom-{n}/",  # any slug fits the address of a newsroom
        "/no-such-newsroom-{n}/releases/feed.rss",
        "/" + "x" * 2000 + "{n}/photos/",
    ]
    for page in pages:
        assert client.get(page).status_code == 200
    before = len(database_cache())

    for n in range(300):
        url = junk[n % len(junk)].format(page=pages[n % len(pages)], n=n + 2)
        assert client.get(url).status_code in (200, 404), url

    keys = database_cache()
    assert len(keys) - before <= 2
    assert max(len(key) for key in keys) < 100


def test_filtered_release_lists_are_kept_and_served_from_the_cache(
    client, newsroom, seed_release, database_cache
):
    seed_release.tags.add(newsroom.tags.create(name="Racing", slug="racing"))
    year = seed_release.publish_at.year
    url = reverse("press:release-list", args=[newsroom.slug]) + f"?tag=racing&year={year}"

    first, first_queries = page_queries(client, url)
    kept = len(database_cache())
    again, again_queries = page_queries(client, url)
    # The same request spelt otherwise, with a parameter no view reads: the same page.
    other, other_queries = page_queries(
        client,
        reverse("press:release-list", args=[newsroom.slug]) + f"?year={year}"
        "&utm_source=mail&tag=stcc&tag=racing",
    )

    assert first.status_code == again.status_code == other.status_code == 200
    assert first_queries and again_queries == [] and other_queries == []
    assert again.content == first.content == other.content
    assert len(database_cache()) == kept


def test_the_view_sees_only_the_parameters_it_reads(client, newsroom):
    for n in range(13):
        make_release(newsroom, title=f"Release number {n}")
    url = reverse("press:release-list", args=[newsroom.slug])

    page = client.get(url + "?utm_source=evil&kind=release&x=%22%3E").content.decode()

    assert 'href="?kind=release&amp;page=2"' in page
    assert "utm_source" not in page and "evil" not in page


def test_every_model_of_ours_is_watched_by_the_page_cache_or_said_to_be_on_no_page():
    """Each app registers its models in ready(): a new model that no app registers
    would leave cached pages showing what it used to be."""
    ours = [
        model
        for model in apps.get_models()
        if model.__module__.split(".")[0] in {"newsroom", "press", "media"}
    ]
    unregistered = [
        model._meta.label
        for model in ours
        if model not in pagecache.WATCHED and model not in pagecache.NOT_SHOWN
    ]
    assert not unregistered
    assert not set(pagecache.WATCHED) & pagecache.NOT_SHOWN


def test_each_watched_path_leads_to_a_newsroom():
    for model, path in pagecache.WATCHED.items():
        if not path:
            continue
        for step in path.split("__"):
            field = model._meta.get_field(step)
            model = field.related_model
        assert model is Newsroom, path


def kept_pages(seed_release):
    newsroom = seed_release.newsroom.slug
    return [
        seed_release.get_absolute_url(),
        reverse("newsroom:home", args=[newsroom]),
        reverse("press:rss", args=[newsroom]),
        reverse("media:photoset-detail", args=[newsroom, seed_release.photo_sets.get().slug]),
        reverse("sitemap"),
    ]


def test_a_kept_page_carries_every_header_the_rendered_one_did(client, seed_release):
    for url in kept_pages(seed_release):
        first = client.get(url)
        with CaptureQueriesContext(connection) as queries:
            again = client.get(url)

        assert not queries, url  # answered from the cache, not rendered
        assert again.content == first.content, url
        assert dict(again.items()) == dict(first.items()), url
        for header in ("Content-Security-Policy", "X-Frame-Options", "ETag", "Content-Length"):
            assert again.has_header(header), (url, header)


def test_a_kept_page_still_answers_304_to_a_known_etag(client, seed_release):
    url = seed_release.get_absolute_url()
    etag = client.get(url)["ETag"]

    again = client.get(url, headers={"If-None-Match": etag})

    assert again.status_code == 304 and not again.content
    assert not again.has_header("Content-Length")


def test_a_kept_page_is_refused_to_a_host_not_allowed_and_to_impossible_input(
    client, seed_release
):
    url = seed_release.get_absolute_url()
    client.get(url)

    assert client.get(url, headers={"Host": "evil.example"}).status_code == 400
    assert client.get(url, headers={"User-Agent": "a\x00b"}).status_code == 400
    assert client.get(url).status_code == 200
