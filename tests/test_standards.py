"""What journalists' tools receive, checked against the official definitions.

The schemas and the W3C feed validator come from `../shared/standards/` beside
the checkout (see the `standards` fixture): IPTC's ninjs JSON Schemas, the
sitemaps.org XSDs and the W3C Feed Validation Service, used offline.
"""

import io

import pytest
from django.urls import reverse

from tests.factories import make_release

# Warnings of the W3C validator we accept, and why. None so far.
ACCEPTED_FEED_WARNINGS = set()
# A public address as the validator expects one: it refuses host names without a dot.
SITE = "https://news.example.com"


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = SITE
    return SITE


def feed_problems(feedvalidator, response, url):
    """The validator's errors and warnings that matter (its “AA” level), as readable lines."""
    from feedvalidator.compatibility import AA
    from feedvalidator.formatter.text_plain import Formatter
    from feedvalidator.logging import Error, Warning

    result = feedvalidator.validateStream(
        io.BytesIO(response.content),
        firstOccurrenceOnly=0,
        contentType=response["Content-Type"],
        base=f"{SITE}{url}",
    )
    events = [
        event
        for event in AA(result["loggedEvents"])
        if isinstance(event, Error)
        or (isinstance(event, Warning) and type(event).__name__ not in ACCEPTED_FEED_WARNINGS)
    ]
    return [
        f"{type(event).__name__}: {line}"
        for event, line in zip(events, Formatter(events), strict=True)
    ]


def every_feed(release, tag):
    newsroom = release.newsroom.slug
    return [
        reverse("press:site-rss"),
        reverse("press:site-atom"),
        reverse("press:rss", args=[newsroom]),
        reverse("press:atom", args=[newsroom]),
        reverse("press:tag-rss", args=[newsroom, tag.slug]),
        reverse("press:tag-atom", args=[newsroom, tag.slug]),
        reverse("press:kind-rss", args=[newsroom, release.kind]),
        reverse("press:kind-atom", args=[newsroom, release.kind]),
    ]


def test_every_feed_passes_the_w3c_feed_validator(client, feedvalidator, site_url, seed_release):
    tag = seed_release.newsroom.tags.create(name="TCR", slug="tcr")
    seed_release.tags.add(tag)
    seed_release.lead = "Times < 1:30 & <b>fast</b> “laps”"
    seed_release.save()
    make_release(seed_release.newsroom, title="No lead, no photo", body="<p>Short.</p>").tags.add(
        tag
    )

    for url in every_feed(seed_release, tag):
        response = client.get(url)
        assert response.status_code == 200, url
        assert feed_problems(feedvalidator, response, url) == [], (url, response.content.decode())
