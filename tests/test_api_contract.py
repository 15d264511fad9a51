"""Every API operation called with generated parameters: answers match the OpenAPI description.

Schemathesis reads /api/openapi.json from the Django app itself (WSGI, no
network) and, for each operation, makes requests from the documented
parameters, valid and not, checking status codes, content types, headers and
bodies against the document. Derandomised and bounded, so every run makes
the same requests.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.generation import GenerationMode

from media.models import PhotoSet
from newsroom.wsgi import application
from press.api import openapi, views
from press.api.pages import FORWARD, encode
from press.models import Event

# The document the server publishes (the test below also fetches it and compares);
# schemathesis calls the WSGI app directly, at the server's own address.
schema = schemathesis.openapi.from_dict(openapi.document("http://testserver/api"))
schema.app = application


@pytest.fixture
def content(seed_release):
    """A release with photos, quotes, events and results, and a tag, for the calls to find."""
    seed_release.tags.add(seed_release.newsroom.tags.create(name="TCR", slug="tcr"))
    # The WSGI handler closes the database connection after each request; the
    # test's transaction must survive it (Django's test client does the same).
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield seed_release
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def test_the_description_tested_is_the_one_served(client, db):
    served = client.get("/api/openapi.json").json()
    assert served == schema.raw_schema


@schema.parametrize()
@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_does_what_its_openapi_description_says(case, content):
    if (
        case.query
        and case.query.get("cursor")
        and case.meta.generation.mode == GenerationMode.POSITIVE
    ):
        # A cursor is opaque: the valid ones are those a list gave, so send one of those.
        case.query["cursor"] = given_cursor(case.path, content)
    case.call_and_validate(headers={"Host": "testserver"})


def given_cursor(path, release):
    """The cursor a list's `next` link carries after one of its items."""
    order, item = {
        "/releases/": (views.NEWEST_RELEASES, release),
        "/photo-sets/": (views.NEWEST_SETS, PhotoSet.objects.first()),
        "/events/": (views.LATEST_EVENTS, Event.objects.first()),
    }[path]
    return encode(FORWARD, order.key(item))
