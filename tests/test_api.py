"""The read-only JSON API: live releases as ninjs 2.x, public photo sets, events with results.

Every answer fetched through `api()` is checked against the schema its
operation documents in /api/openapi.json, every release also against our own
ninjs 2.x schema, and no answer may contain the word “embargoed”.
"""

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate as validate_openapi

from media.models import Rendition, Visibility
from media.sizes import listed_sizes
from press.api import openapi
from press.models import Kind, Outcome, PressRelease, Status
from tests.factories import (
    make_event,
    make_newsroom,
    make_person,
    make_photo,
    make_photo_set,
    make_quote,
    make_release,
    make_result,
)

NINJS = json.loads((Path(__file__).parent / "schemas" / "ninjs.json").read_text())
OPENAPI = openapi.document("http://testserver/api")
JPEG_LISTED_SIZES = [size.name for size in listed_sizes() if size.made_for("JPEG")]
# What each address answers with, by URL name; errors always answer an Error.
COMPONENTS = {
    "index": "Index",
    "openapi": "OpenAPI",
    "release-list": "ReleasePage",
    "release-detail": "Release",
    "photoset-list": "PhotoSetPage",
    "photoset-detail": "PhotoSet",
    "event-list": "EventPage",
    "event-detail": "Event",
}
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
FORMATS = FormatChecker()  # date-time is checked with rfc3339-validator


@FORMATS.checks("uri")
def is_absolute_uri(value):
    # jsonschema checks "uri" only when rfc3987 is installed; without this the check
    # would silently pass. Our URIs are absolute web addresses in plain ASCII.
    if not isinstance(value, str):
        return True  # formats apply to strings; null is the type's business
    parts = urlsplit(value)
    return (
        value.isascii()
        and not re.search(r"[\s<>\"{}|\\^`]", value)
        and bool(SCHEME.match(value))
        and parts.scheme in ("http", "https")
        and bool(parts.netloc)
    )


NINJS_VALIDATOR = Draft202012Validator(NINJS, format_checker=FORMATS)


def component_validator(name):
    # The whole document is the root, so "#/components/schemas/…" references resolve.
    schema = {"$ref": f"#/components/schemas/{name}", "components": OPENAPI["components"]}
    return Draft202012Validator(schema, format_checker=FORMATS)


def api(client, url, status=200, **headers):
    """GET an API address; check status, headers, the documented schema and ninjs."""
    response = client.get(url, **headers)
    assert response.status_code == status, (url, response.content[:300])
    assert response["Content-Type"] == "application/json"
    assert b"embargoed" not in response.content.lower()
    data = response.json()
    component = COMPONENTS[resolve(urlsplit(url).path).url_name] if status == 200 else "Error"
    component_validator(component).validate(data)
    releases = {"ReleasePage": data.get("results"), "Release": [data]}.get(component) or []
    for release in releases:
        NINJS_VALIDATOR.validate(release)
    return data


def absolute(path):
    return f"http://testserver{path}"


def releases_url(**query):
    url = reverse("api:release-list")
    return url + (
        "?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else ""
    )


def detail_url(release):
    return reverse("api:release-detail", args=[release.newsroom.slug, release.slug])


def web_address(item):
    return next(altid["value"] for altid in item["altids"] if altid["role"] == "web")


def uris(page):
    """The public pages of the releases on an API page."""
    return [web_address(item) for item in page["results"]]


# The checks themselves must be able to fail ------------------------------------


def test_format_checks_are_switched_on():
    assert FORMATS.conforms("2026-05-13T09:30:00+02:00", "date-time")
    assert not FORMATS.conforms("2026-05-13 09:30", "date-time")
    assert FORMATS.conforms("https://example.com/a/?tag=tcr", "uri")
    assert not FORMATS.conforms("/relative/address/", "uri")
    assert not FORMATS.conforms("https://example.com/Bäckman/", "uri")


def test_the_ninjs_schema_rejects_what_ninjs_2_does_not_have(client, seed_release):
    item = api(client, detail_url(seed_release))
    assert NINJS_VALIDATOR.is_valid(item)
    for wrong in [
        {"embargoed": "2026-05-13T09:30:00+02:00"},
        {"x-newsroom": {"quotes": []}},
        {"headline": "ninjs 1.x name"},
        {"bylines": [{"byline": "not ninjs 2.x"}]},
        {"versioncreated": "yesterday"},
        {"uri": "/relative/"},
    ]:
        assert not NINJS_VALIDATOR.is_valid({**item, **wrong}), wrong
    hero = item["associations"][0]
    as_map = {**hero, "renditions": {"web": hero["renditions"][0]}}
    assert not NINJS_VALIDATOR.is_valid({**item, "associations": [as_map]})


def test_the_openapi_document_is_valid_openapi_3_1(client):
    document = api(client, reverse("api:openapi"))
    validate_openapi(document)
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "http://testserver/api"}]
    assert document["components"] == json.loads(json.dumps(OPENAPI["components"]))


# Releases as ninjs --------------------------------------------------------------


def test_index_links_to_every_collection(client, seed_release):
    index = api(client, reverse("api:index"))
    assert index["openapi"] == absolute(reverse("api:openapi"))
    for name in ("releases", "photo_sets", "events", "openapi"):
        api(client, urlsplit(index[name]).path)


def test_a_release_as_ninjs(client, newsroom, seed_release):
    seed_release.tags.add(newsroom.tags.create(name="TCR", slug="tcr"))
    item = api(client, detail_url(seed_release))

    assert item["uri"] == f"urn:uuid:{seed_release.uid}"  # as the feeds' GUIDs
    assert item["standard"] == {
        "name": "ninjs",
        "version": "2.2",
        "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json",
    }
    assert (item["type"], item["profile"], item["pubstatus"]) == (
        "text",
        "press-release",
        "usable",
    )
    assert item["language"] == "en"
    assert item["headlines"] == [{"role": "main", "value": seed_release.title}]
    assert item["descriptions"] == [{"role": "summary", "value": seed_release.lead}]
    assert item["bodies"] == [
        {"role": "main", "contenttype": "text/html", "value": seed_release.body},
        {"role": "main", "contenttype": "text/plain", "value": "The team fought back to third."},
    ]
    assert item["by"] == "Andreas Bäckman"
    first_published = datetime.fromisoformat(item["firstcreated"])
    assert first_published == seed_release.first_published_at.replace(microsecond=0)
    assert item["firstcreated"].endswith(("+02:00", "+01:00"))  # Stockholm, not UTC
    assert item["versioncreated"] == item["firstcreated"]  # never corrected
    assert item["subjects"] == [
        {
            "name": "TCR",
            "uri": absolute(f"/en/{newsroom.slug}/releases/?tag=tcr"),
            "literal": "tcr",
        }
    ]
    assert item["people"] == [
        {"name": "Andreas Bäckman", "rel": "quoted"},
        {"name": "Fredrik Lestrup", "rel": "quoted"},
    ]
    hockenheim = seed_release.events.get()
    assert item["events"] == [
        {
            "name": "Hankook 12h Hockenheimring",
            "uri": absolute(reverse("api:event-detail", args=[hockenheim.pk])),
            "literal": hockenheim.slug,
        }
    ]
    assert item["places"] == [{"name": "Hockenheimring"}]
    assert item["altids"] == [
        {"role": "web", "value": absolute(seed_release.get_absolute_url())},
        {"role": "api", "value": absolute(detail_url(seed_release))},
    ]
    # The hero is also the set's only photo: it is not repeated as “photo-1”.
    assert [a["name"] for a in item["associations"]] == ["hero", "quote-1", "quote-2"]
    assert item["associations"][1] == {
        "name": "quote-1",
        "uri": absolute(seed_release.quotes.first().get_absolute_url()),
        "type": "text",
        "profile": "quote",
        "by": "Andreas Bäckman, racing driver",
        "bodies": [
            {
                "role": "quote",
                "contenttype": "text/plain",
                "value": "Fun to start the season with a podium.",
            }
        ],
    }


def test_the_hero_picture_has_its_rights_and_existing_files(client, seed_release):
    hero = api(client, detail_url(seed_release))["associations"][0]
    photo = seed_release.hero_photo

    assert hero["type"] == "picture"
    assert hero["uri"] == absolute(photo.get_absolute_url())
    assert hero["headlines"] == [{"role": "main", "value": "Podium"}]
    assert hero["descriptions"] == [
        {"role": "caption", "value": "Third on the podium at Hockenheim."}
    ]
    assert hero["copyrightholder"] == "24H SERIES"
    assert hero["usageterms"] == "Free to use with credit"
    assert "copyrightnotice" not in hero  # the photo has none: left out, not ""
    stored = {r.size: r for r in Rendition.objects.filter(photo=photo)}
    # Every size pages show or journalists download, in the registry's order; no crops,
    # and no print file for a JPEG (its original is one).
    assert [r["name"] for r in hero["renditions"]] == JPEG_LISTED_SIZES
    assert {"thumbnail", "web", "social", "original"} <= set(JPEG_LISTED_SIZES)
    for rendition in hero["renditions"]:
        row = stored[rendition["name"]]
        assert rendition["href"] == absolute(photo.file_url(row.size))
        assert (rendition["width"], rendition["height"]) == (row.width, row.height)
        assert rendition["sizeinbytes"] == row.bytes
        assert rendition["contenttype"] == "image/jpeg"
        assert client.get(urlsplit(rendition["href"]).path).status_code == 200


def test_the_hero_caption_of_the_release_wins(client, seed_release):
    seed_release.hero_caption = "Bäckman on the podium."
    seed_release.save()
    hero = api(client, detail_url(seed_release))["associations"][0]
    assert hero["descriptions"] == [{"role": "caption", "value": "Bäckman on the podium."}]


def test_photos_come_from_public_sets_only(client, newsroom):
    public_set = make_photo_set(newsroom, title="Public set")
    shown = [make_photo(public_set, title=f"Shown {n}") for n in (1, 2)]
    private_set = make_photo_set(newsroom, visibility=Visibility.PRIVATE)
    hidden = make_photo(private_set, title="Hidden", renditions=False)
    release = make_release(newsroom, hero_photo=hidden)  # its set was made private since
    release.photo_sets.set([public_set, private_set])

    associations = api(client, detail_url(release))["associations"]

    assert [a["name"] for a in associations] == ["photo-1", "photo-2"]
    assert [a["uri"] for a in associations] == [absolute(p.get_absolute_url()) for p in shown]


def test_only_renditions_that_exist_are_listed(client, newsroom):
    photo_set = make_photo_set(newsroom)
    release = make_release(newsroom, hero_photo=make_photo(photo_set, renditions=False))
    hero = api(client, detail_url(release))["associations"][0]
    assert "renditions" not in hero  # none made yet: left out, like anything unknown


def test_a_corrected_release_has_a_new_version_time(client, seed_release):
    before = api(client, detail_url(seed_release))
    seed_release.corrected_at = timezone.now() + timedelta(minutes=5)
    seed_release.save()
    after = api(client, detail_url(seed_release))
    assert after["versioncreated"] > before["versioncreated"]
    assert after["firstcreated"] == before["firstcreated"]
    assert after["version"] > before["version"]


@pytest.mark.parametrize(
    ("kind", "profile"),
    [(Kind.NEWS, "news"), (Kind.RESULTS, "results"), (Kind.MEDIA_ADVISORY, "media-advisory")],
)
def test_the_profile_is_the_kind_of_release(client, newsroom, kind, profile):
    release = make_release(newsroom, kind=kind, body="<p>Short.</p>")
    item = api(client, detail_url(release))
    assert item["profile"] == profile
    assert "descriptions" not in item  # no lead: nothing rather than ""
    assert "associations" not in item


def test_the_plain_text_body_keeps_paragraphs_and_lists(client, newsroom):
    body = (
        "<h2>Race 1</h2><p>Third &amp; fast.</p><ul><li><p>One</p></li><li><p>Two</p></li></ul>"
        "<p>Line<br>break</p>"
    )
    release = make_release(newsroom, body=body)
    text = api(client, detail_url(release))["bodies"][1]["value"]
    assert text == "Race 1\n\nThird & fast.\n\n• One\n\n• Two\n\nLine\nbreak"


# Nothing that is not live -------------------------------------------------------

STATES = ["draft", "review", "scheduled", "withdrawn", "live"]
SECRET = "ZX-SECRET-77"  # in every word that belongs to the release under test


def release_in(newsroom, state, event):
    photo_set = make_photo_set(
        newsroom, title=f"Set {SECRET}", slug="secret-set", visibility=Visibility.WITH_RELEASE
    )
    photo = make_photo(photo_set, title=f"Photo {SECRET}", caption=f"Caption {SECRET}")
    fields = {
        "draft": {"status": Status.DRAFT},
        "review": {"status": Status.REVIEW},
        "scheduled": {"publish_at": timezone.now() + timedelta(minutes=5)},
    }.get(state, {})
    release = make_release(
        newsroom, title=f"Release {SECRET}", slug="secret-release", hero_photo=photo, **fields
    )
    release.photo_sets.add(photo_set)
    release.tags.add(newsroom.tags.create(name=f"Tag {SECRET}", slug="secret-tag"))
    make_quote(release, make_person(newsroom, name=f"Speaker {SECRET}"), f"Words {SECRET}")
    make_result(release, event, session=f"Race {SECRET}", note=f"Note {SECRET}")
    if state == "withdrawn":
        release.status = Status.WITHDRAWN
        release.save()
    return release, photo_set


@pytest.mark.parametrize("state", STATES)
def test_only_live_releases_and_their_media_reach_the_api(client, newsroom, state):
    event = make_event(newsroom, name="Public event")
    release, photo_set = release_in(newsroom, state, event)
    make_release(newsroom, title="Another live release")  # lists are never empty
    visible = state == "live"

    detail_status = 200 if visible else 404
    api(client, detail_url(release), status=detail_status)
    set_url = reverse("api:photoset-detail", args=[photo_set.pk])
    api(client, set_url, status=detail_status)
    lists = [
        releases_url(),
        releases_url(newsroom=newsroom.slug),
        releases_url(kind=Kind.PRESS_RELEASE),
        releases_url(tag="secret-tag"),
        releases_url(updated_since="2000-01-01T00:00:00Z"),
        reverse("api:photoset-list"),
        reverse("api:event-list"),
        reverse("api:event-detail", args=[event.pk]),
    ]
    for url in lists:
        content = json.dumps(api(client, url), ensure_ascii=False)
        assert (SECRET in content) is visible, (state, url)
        assert (f"/files/photos/{photo_set.photos.get().pk}/" in content) is (
            visible and "events" not in url
        ), (state, url)


def test_private_sets_and_sets_waiting_for_their_release_are_absent(client, newsroom):
    private = make_photo_set(newsroom, visibility=Visibility.PRIVATE)
    waiting = make_photo_set(newsroom, visibility=Visibility.WITH_RELEASE)
    scheduled = make_release(newsroom, publish_at=timezone.now() + timedelta(days=1))
    scheduled.photo_sets.add(waiting)
    public = make_photo_set(newsroom)
    for photo_set in (private, waiting, public):
        make_photo(photo_set, renditions=False)

    listed = api(client, reverse("api:photoset-list"))["results"]

    assert [item["id"] for item in listed] == [public.pk]
    for photo_set in (private, waiting):
        api(client, reverse("api:photoset-detail", args=[photo_set.pk]), status=404)


def test_an_events_results_come_from_live_releases_only(client, newsroom):
    event = make_event(newsroom)
    live = make_release(newsroom)
    make_result(live, event, session="Race 1", position=2)
    for status in (Status.DRAFT, Status.REVIEW):
        make_result(make_release(newsroom, status=status), event, session="Race 2")
    scheduled = make_release(newsroom, publish_at=timezone.now() + timedelta(hours=1))
    make_result(scheduled, event, session="Race 3")

    data = api(client, reverse("api:event-detail", args=[event.pk]))

    assert [(r["session"], r["position"]) for r in data["results"]] == [("Race 1", 2)]
    assert data["results"][0]["release"] == {
        "headline": live.title,
        "uri": absolute(live.get_absolute_url()),
        "href": absolute(detail_url(live)),
    }


def test_a_scheduled_release_appears_when_its_time_comes(client, newsroom):
    release = make_release(newsroom, publish_at=timezone.now() + timedelta(minutes=5))
    api(client, detail_url(release), status=404)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        api(client, detail_url(release))


# Filters and pages ---------------------------------------------------------------


def follow(client, link):
    """The page an absolute `next` or `previous` link leads to."""
    address = urlsplit(link)
    return api(client, f"{address.path}?{address.query}")


def test_releases_are_paged_newest_first_by_cursor_with_absolute_links(client, newsroom):
    now = timezone.now()
    releases = [make_release(newsroom, publish_at=now - timedelta(hours=n)) for n in range(25)]

    first = api(client, releases_url(newsroom=newsroom.slug))
    assert first["count"] == 25
    assert uris(first) == [absolute(r.get_absolute_url()) for r in releases[:20]]
    assert first["previous"] is None
    assert first["next"].startswith(absolute(releases_url(newsroom=newsroom.slug, cursor="")))

    second = follow(client, first["next"])
    assert uris(second) == [absolute(r.get_absolute_url()) for r in releases[20:]]
    assert second["next"] is None
    assert second["count"] is None  # counted on the first page only

    back = follow(client, second["previous"])
    assert uris(back) == uris(first)
    assert back["previous"] is None
    assert api(client, releases_url(newsroom=newsroom.slug, page=1))["results"] == first["results"]


def test_a_walk_by_next_links_sees_every_release_once_while_one_is_published(client, newsroom):
    now = timezone.now()
    # Two share a time to the microsecond: the pk orders them.
    times = [now - timedelta(hours=n) for n in range(44)] + [now - timedelta(hours=20)]
    releases = [make_release(newsroom, publish_at=moment) for moment in times]

    seen, page = [], api(client, releases_url())
    seen += uris(page)
    make_release(newsroom, title="Published while the client reads")
    while page["next"]:
        page = follow(client, page["next"])
        seen += uris(page)

    assert len(seen) == len(set(seen)) == 45
    assert set(seen) == {absolute(r.get_absolute_url()) for r in releases}


@pytest.mark.parametrize(
    "cursor",
    ["nonsense", "W10", "WyJhZnRlciIsMSwyXQ", "WyJzaWRld2F5cyIsIjIwMjYtMDEtMDEiLDFd", "a.b.c"],
)
def test_a_cursor_the_list_did_not_give_is_a_400_that_says_what_to_do(client, newsroom, cursor):
    make_release(newsroom)
    error = api(client, releases_url(cursor=cursor), status=400)
    assert "next" in error["error"] and "cursor" in error["error"]


def test_numbered_pages_past_the_first_are_a_400_pointing_to_next(client, newsroom):
    make_release(newsroom)
    for page in ("two", "2"):
        error = api(client, releases_url(page=page), status=400)
        assert "next" in error["error"]


def test_releases_filtered_by_newsroom_tag_and_kind(client, newsroom):
    other = make_newsroom()
    tagged = make_release(newsroom, kind=Kind.RESULTS)
    tagged.tags.add(newsroom.tags.create(name="TCR", slug="tcr"))
    untagged = make_release(newsroom)
    elsewhere = make_release(other)

    by_newsroom = api(client, releases_url(newsroom=newsroom.slug))
    assert set(uris(by_newsroom)) == {absolute(r.get_absolute_url()) for r in (tagged, untagged)}
    assert uris(api(client, releases_url(newsroom=other.slug))) == [
        absolute(elsewhere.get_absolute_url())
    ]
    assert uris(api(client, releases_url(tag="tcr"))) == [absolute(tagged.get_absolute_url())]
    assert uris(api(client, releases_url(kind="results"))) == [absolute(tagged.get_absolute_url())]
    assert api(client, releases_url(newsroom="no-such-newsroom"))["count"] == 0
    for name in ("newsroom", "tag"):
        # (A NUL byte is refused before the API: tests/test_impossible_input.py.)
        error = api(client, releases_url(**{name: "a%20b"}), status=400)
        assert f"“{name}” is a slug" in error["error"]
    error = api(client, releases_url(kind="gossip"), status=400)
    assert "release, news, results, advisory" in error["error"]


def test_updated_since_finds_saved_corrected_and_newly_live_releases(client, newsroom):
    start = timezone.now()
    with time_machine.travel(start - timedelta(days=2), tick=False):
        old = make_release(newsroom, title="Old")
        corrected = make_release(newsroom, title="Corrected")
        # Saved two days ago, live only since an hour ago: never saved since.
        make_release(newsroom, title="Newly live", publish_at=start - timedelta(hours=1))
    with time_machine.travel(start - timedelta(days=1), tick=False):
        old.save()
    # Corrected without a save, so only corrected_at is recent.
    PressRelease.objects.filter(pk=corrected.pk).update(corrected_at=start - timedelta(minutes=30))

    since = (start - timedelta(hours=2)).astimezone(UTC)
    page = api(client, releases_url(updated_since=since.strftime("%Y-%m-%dT%H:%M:%SZ")))
    titles = {item["headlines"][0]["value"] for item in page["results"]}
    assert titles == {"Corrected", "Newly live"}

    # The same time with an offset, its “+” unescaped (a space) or escaped.
    local = since.astimezone(newsroom.zone).isoformat(timespec="seconds")
    for value in (local, local.replace("+", "%2B")):
        assert api(client, releases_url(updated_since=value))["count"] == 2


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2026-13-01T00:00:00Z",
        "13/05/2026",
        "%01",
        "2026-05-13T09:30:00+99:00",
        "9999-12-31T23:59:59-12:00",  # beyond year 9999 in UTC
    ],
)
def test_a_malformed_updated_since_is_a_400_that_explains(client, newsroom, value):
    make_release(newsroom)
    error = api(client, releases_url(updated_since=value), status=400)
    assert "ISO 8601" in error["error"]
    assert "2026-05-13T09:30:00+02:00" in error["error"]


def test_an_empty_filter_is_no_filter_as_documented(client, newsroom, seed_release):
    make_release(make_newsroom(), kind=Kind.NEWS)
    everything = api(client, releases_url())
    assert everything["count"] == 2

    empty = api(client, releases_url(newsroom="", tag="", kind="", updated_since=""))
    events = api(client, reverse("api:event-list") + "?newsroom=&upcoming=")
    sets = api(client, reverse("api:photoset-list") + "?newsroom=")

    assert uris(empty) == uris(everything)
    assert events["count"] == api(client, reverse("api:event-list"))["count"] == 2
    assert sets["count"] == 1
    parameters = OPENAPI["paths"]["/releases/"]["get"]["parameters"]
    for parameter in parameters[2:]:  # after the cursor and the first page
        assert "Empty: no filter." in parameter["description"], parameter["name"]
        assert component_validator_for(parameter["schema"]).is_valid(""), parameter["name"]


def component_validator_for(schema):
    return Draft202012Validator(schema, format_checker=FORMATS)


def test_events_filtered_by_upcoming_and_newsroom(client, newsroom, seed_release):
    other = make_newsroom()
    make_event(other, name="Elsewhere", starts_on=date(2099, 1, 1))

    everything = api(client, reverse("api:event-list"))
    assert everything["count"] == 3
    upcoming = api(client, reverse("api:event-list") + f"?upcoming=1&newsroom={newsroom.slug}")
    assert [event["name"] for event in upcoming["results"]] == ["STCC Ljungbyhed"]
    past = api(client, reverse("api:event-list") + f"?newsroom={newsroom.slug}")
    hockenheim = next(e for e in past["results"] if e["name"].startswith("Hankook"))
    assert [(r["session"], r["position"], r["outcome"]) for r in hockenheim["results"]] == [
        ("Free Practice", 3, Outcome.CLASSIFIED),
        ("Qualifying", 1, Outcome.CLASSIFIED),
        ("Race 1 (12 hours)", 3, Outcome.CLASSIFIED),
        ("Race 2", None, Outcome.DNF),
    ]
    assert hockenheim["place"] == "Hockenheimring"
    assert hockenheim["starts_on"] == "2022-05-13"
    error = api(client, reverse("api:event-list") + "?upcoming=yes", status=400)
    assert "upcoming" in error["error"]


def test_photo_sets_with_cover_photos_and_renditions(client, newsroom, seed_release):
    photo_set = seed_release.photo_sets.get()
    second = make_photo(photo_set, title="Second", copyright="© 24H SERIES 2022")

    listed = api(client, reverse("api:photoset-list") + f"?newsroom={newsroom.slug}")
    [summary] = listed["results"]
    assert summary["href"] == absolute(reverse("api:photoset-detail", args=[photo_set.pk]))
    assert summary["uri"] == absolute(photo_set.get_absolute_url())
    assert summary["photo_count"] == 2
    assert summary["cover"]["headlines"] == [{"role": "main", "value": "Podium"}]
    assert summary["newsroom"]["slug"] == newsroom.slug
    assert api(client, reverse("api:photoset-list") + "?newsroom=nobody")["count"] == 0

    detail = api(client, urlsplit(summary["href"]).path)
    assert [p["uri"] for p in detail["photos"]] == [
        absolute(p.get_absolute_url()) for p in (seed_release.hero_photo, second)
    ]
    assert detail["photos"][1]["copyrightnotice"] == "© 24H SERIES 2022"
    assert [r["name"] for r in detail["photos"][1]["renditions"]] == JPEG_LISTED_SIZES


def test_every_documented_path_answers(client, seed_release):
    examples = {
        "/": reverse("api:index"),
        "/openapi.json": reverse("api:openapi"),
        "/releases/": releases_url(),
        "/releases/{newsroom}/{slug}/": detail_url(seed_release),
        "/photo-sets/": reverse("api:photoset-list"),
        "/photo-sets/{id}/": reverse(
            "api:photoset-detail", args=[seed_release.photo_sets.get().pk]
        ),
        "/events/": reverse("api:event-list"),
        "/events/{id}/": reverse("api:event-detail", args=[seed_release.events.get().pk]),
    }
    assert set(OPENAPI["paths"]) == set(examples)
    root = reverse("api:index").rstrip("/")
    for path, url in examples.items():
        # The documented template, its {placeholders} filled, is the real address.
        template = re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path))
        assert re.fullmatch(re.escape(root) + template, url), (path, url)
        api(client, url)


# HTTP: caching, CORS, methods, errors -------------------------------------------


def test_a_matching_etag_gets_304_and_a_change_a_new_etag(client, seed_release):
    url = detail_url(seed_release)
    response = client.get(url)
    etag = response["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)  # strong: no W/

    not_modified = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == etag
    assert not_modified["Access-Control-Allow-Origin"] == "*"
    assert client.get(url, HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200

    seed_release.title = "Bäckman third at Hockenheim"
    seed_release.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


@pytest.mark.parametrize("name", ["index", "release-list", "photoset-list", "event-list"])
def test_every_answer_is_cacheable_json_readable_from_any_site(client, seed_release, name):
    response = client.get(reverse(f"api:{name}"), HTTP_ORIGIN="https://news.example")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=60"}
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Expose-Headers"] == "ETag"
    assert response.has_header("ETag")
    assert "Cookie" not in response.get("Vary", "")  # the same answer for everyone


def test_head_gets_the_headers_of_get_without_the_body(client, seed_release):
    url = releases_url()
    get = client.get(url)
    head = client.head(url)
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == get["ETag"]
    assert head["Content-Type"] == "application/json"
    assert head["Content-Length"] == str(len(get.content))
    assert client.head(url, HTTP_IF_NONE_MATCH=get["ETag"]).status_code == 304


def test_a_preflight_allows_reading_with_if_none_match(client):
    response = client.options(releases_url(), HTTP_ORIGIN="https://news.example")
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert set(response["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert response["Access-Control-Allow-Headers"] == "If-None-Match"
    assert int(response["Access-Control-Max-Age"]) >= 600
    assert response["Allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writing_is_refused_with_json(client, seed_release, method):
    response = getattr(client, method)(detail_url(seed_release))
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET or HEAD" in response.json()["error"]


def test_a_post_without_a_csrf_token_gets_the_apis_own_405(db):
    response = Client(enforce_csrf_checks=True).post(releases_url())
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "path", ["/api/nothing-here/", "/api/releases/a/b/c/", "/api/events/999/", "/api/releases"]
)
def test_unknown_api_addresses_are_json_404s(client, db, path):
    error = api(client, path, status=404)
    assert "/api/" in error["error"]
    if not path.endswith("/"):
        assert f"{path}/" in error["error"]  # a hint for the missing slash


# Queries -------------------------------------------------------------------------


def rich_release(newsroom, n):
    """A live release with a hero, a set of two photos, two quotes, a tag, an event, a result."""
    photo_set = make_photo_set(newsroom)
    hero, _other = (make_photo(photo_set, renditions=False) for _ in range(2))
    release = make_release(newsroom, hero_photo=hero)
    release.photo_sets.add(photo_set)
    release.tags.add(newsroom.tags.create(name=f"Tag {n}", slug=f"tag-{n}"))
    event = make_event(newsroom)
    release.events.add(event)
    make_result(release, event)
    for _ in range(2):
        make_quote(release, make_person(newsroom))
    return release


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        api(client, url)
    return len(queries)


def test_the_release_list_runs_a_fixed_number_of_queries(client, newsroom):
    rich_release(newsroom, 0)
    one = count_queries(client, releases_url())
    for n in range(1, 10):
        rich_release(newsroom, n)
    ten = count_queries(client, releases_url())
    # count, page, hero renditions, photo sets, their photos, the photos' renditions, their
    # videos, tags, quotes with speakers, events, results with events, the story's live
    # versions (and the videos' files, when a set has videos)
    assert one == ten == 12


@pytest.mark.parametrize("name", ["photoset-list", "event-list"])
def test_other_lists_do_not_grow_with_content(client, newsroom, name):
    rich_release(newsroom, 0)
    one = count_queries(client, reverse(f"api:{name}"))
    for n in range(1, 10):
        rich_release(newsroom, n)
    assert count_queries(client, reverse(f"api:{name}")) == one <= 4
