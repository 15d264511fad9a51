"""What journalists' tools receive, checked against the official definitions.

The schemas and the W3C feed validator come from `../shared/standards/` beside
the checkout (see the `standards` fixture): IPTC's ninjs JSON Schemas, the
sitemaps.org XSDs and the W3C Feed Validation Service, used offline.
"""

import io
import json
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from jsonschema import Draft202012Validator, FormatChecker
from lxml import etree
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from press.api.views import NINJS_VERSION
from press.models import Status
from tests.factories import (
    make_photo,
    make_photo_set,
    make_release,
    make_video,
    sitemap_files,
    sitemap_schema_with_alternates,
)

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# ninjs 2.2 refers to GeoJSON's published schema for places[].geojson. Tests
# never fetch: a stand-in with the one rule every GeoJSON object keeps.
GEOJSON = "https://geojson.org/schema/GeoJSON.json"
GEOJSON_STAND_IN = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["type"],
}

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
    # Videos: Media RSS content in RSS, enclosures in Atom; a release with a video and no hero
    # has it as its RSS enclosure.
    make_video(seed_release.hero_photo.photo_set, title="Night pass", caption="Car #120.")
    clips = make_photo_set(seed_release.newsroom, title="Clips")
    make_video(clips, title="Only a video")
    only_video = make_release(
        seed_release.newsroom, title="A video, no photo", body="<p>Watch it.</p>"
    )
    only_video.photo_sets.add(clips)
    only_video.tags.add(tag)

    for url in every_feed(seed_release, tag):
        response = client.get(url)
        assert response.status_code == 200, url
        assert feed_problems(feedvalidator, response, url) == [], (url, response.content.decode())


# ninjs ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def ninjs(standards):
    """A validator of the official IPTC ninjs JSON Schema of the version we declare."""
    schema = json.loads((standards / f"ninjs-schema_{NINJS_VERSION}.json").read_text())
    registry = Registry().with_resource(
        GEOJSON, Resource.from_contents(GEOJSON_STAND_IN, default_specification=DRAFT202012)
    )
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())


def ninjs_errors(validator, item):
    return [
        f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(item)
    ]


def test_every_api_item_is_valid_official_ninjs(client, ninjs, seed_release):
    seed_release.tags.add(seed_release.newsroom.tags.create(name="TCR", slug="tcr"))
    extra = make_photo_set(seed_release.newsroom, title="More photos")
    make_photo(extra, title="Pit lane", copyright="© 24H SERIES 2022")
    make_video(extra, title="Pit lane clip", caption="The stop at 2 a.m.", credit="Team")
    seed_release.photo_sets.add(extra)
    make_release(seed_release.newsroom, title="Short", body="<p>Short.</p>", lead="")

    releases = client.get(reverse("api:release-list")).json()["results"]
    detail = client.get(
        reverse("api:release-detail", args=[seed_release.newsroom.slug, seed_release.slug])
    ).json()
    pictures = [
        picture
        for photo_set in client.get(reverse("api:photoset-list")).json()["results"]
        for picture in [photo_set["cover"]]
        + client.get(urlsplit(photo_set["href"]).path).json()["photos"]
    ]

    videos = [
        video
        for photo_set in client.get(reverse("api:photoset-list")).json()["results"]
        for video in client.get(urlsplit(photo_set["href"]).path).json()["videos"]
    ]

    assert len(releases) == 2 and len(pictures) == 4 and len(videos) == 1
    for item in [*releases, detail]:
        assert item["standard"]["version"] == NINJS_VERSION
        assert ninjs_errors(ninjs, item) == [], item["uri"]
        assert {a["type"] for a in item.get("associations", [])} <= {"picture", "video", "text"}
    assert "video" in {a["type"] for a in detail["associations"]}
    for picture in [*pictures, *videos]:
        assert ninjs_errors(ninjs, picture) == [], picture["uri"]
    assert {r["name"] for r in videos[0]["renditions"]} == {"poster", "web", "original"}


def test_the_official_ninjs_schema_can_fail(client, ninjs, seed_release):
    url = reverse("api:release-detail", args=[seed_release.newsroom.slug, seed_release.slug])
    item = client.get(url).json()
    assert ninjs_errors(ninjs, item) == []
    for wrong in [{"headline": "ninjs 1.x"}, {"uri": 7}, {"versioncreated": "yesterday"}]:
        assert ninjs_errors(ninjs, {**item, **wrong}), wrong
    assert ninjs_errors(ninjs, {k: v for k, v in item.items() if k != "uri"})


# Sitemaps ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sitemap_schema(standards):
    return sitemap_schema_with_alternates(standards / "sitemap.xsd")


@pytest.fixture(scope="session")
def index_schema(standards):
    return etree.XMLSchema(etree.parse(str(standards / "siteindex.xsd")))


def sitemap_documents(client, index_schema):
    """Every file the sitemap index lists, parsed, after checking the index itself."""
    index = etree.fromstring(client.get(reverse("sitemap")).content)
    assert index_schema.validate(index), index_schema.error_log
    for path in sitemap_files(client):
        yield etree.fromstring(client.get(path).content)


def test_the_sitemap_is_valid_under_the_official_schema(
    client, sitemap_schema, index_schema, seed_release
):
    make_release(seed_release.newsroom, status=Status.DRAFT)
    documents = list(sitemap_documents(client, index_schema))

    for document in documents:
        assert sitemap_schema.validate(document), sitemap_schema.error_log
    assert sum(len(document.findall(f"{SITEMAP}url")) for document in documents) >= 4


def test_a_site_with_nothing_published_yet_still_has_a_valid_sitemap(
    client, db, sitemap_schema, index_schema
):
    documents = list(sitemap_documents(client, index_schema))

    assert len(documents) == 1
    assert sitemap_schema.validate(documents[0]), sitemap_schema.error_log
    assert [loc.text for loc in documents[0].iter(f"{SITEMAP}loc")] == ["http://testserver/en/"]
