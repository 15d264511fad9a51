"""Conditional requests and HEAD, the way caches, feed readers and download managers use them.

Every kind of public address: a page, a feed, the sitemap, a calendar, a text
version, a photo file, a ZIP and the API. RFC 9110: If-None-Match compares
weakly and `*` matches any current representation; a 304 has no content and
claims no length; HEAD answers with the headers GET would send.
"""

import pytest
from django.urls import reverse

from tests.factories import body


def addresses(release):
    newsroom = release.newsroom.slug
    photo = release.hero_photo
    return {
        "page": release.get_absolute_url(),
        "feed": reverse("press:atom", args=[newsroom]),
        "sitemap": reverse("sitemap"),
        "calendar": reverse("press:event-calendar", args=[newsroom]),
        "markdown": reverse("press:release-markdown", args=[newsroom, release.slug]),
        "photo": photo.file_url("web"),
        "zip": reverse("media:photoset-zip", args=[photo.photo_set_id, "web"]),
        "api": reverse("api:release-list"),
    }


@pytest.mark.parametrize(
    "name", ["page", "feed", "sitemap", "calendar", "markdown", "photo", "zip", "api"]
)
def test_conditional_requests_get_304s_without_a_length(client, seed_release, name):
    url = addresses(seed_release)[name]
    etag = client.get(url)["ETag"]

    for method in (client.get, client.head):
        for if_none_match in (etag, f'"other", W/{etag.removeprefix("W/")}', "*"):
            response = method(url, headers={"If-None-Match": if_none_match})
            assert response.status_code == 304, (method, if_none_match)
            assert not response.has_header("Content-Length"), (method, if_none_match)
            assert response["ETag"] == etag
            assert body(response) == b""
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.parametrize(
    "name", ["page", "feed", "sitemap", "calendar", "markdown", "photo", "zip", "api"]
)
def test_head_gets_the_headers_of_get(client, seed_release, name):
    url = addresses(seed_release)[name]
    get = client.get(url)
    # The second HEAD is answered from the page cache where there is one.
    for head in (client.head(url), client.head(url)):
        assert head.status_code == 200
        assert head["ETag"] == get["ETag"]
        assert head["Content-Type"] == get["Content-Type"]
        assert body(head) == b""
