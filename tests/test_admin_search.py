"""The admin's lists and searches: what an editor finds, and what it costs.

On PostgreSQL the search is answered from indexes (substrings of titles and
names from trigram indexes, other text by word from full-text indexes); on
SQLite it is Django's own. Either way an editor finds by part of a headline
and by a word of a quote, and never sees another newsroom's rows.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from media.models import Document, Photo
from newsroom.ground.models import Membership, Role
from tests.factories import (
    make_newsroom,
    make_person,
    make_photo,
    make_photo_set,
    make_quote,
    make_release,
    our_permissions,
)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="index-backed search; CI runs this on PostgreSQL"
)


@pytest.fixture
def member_client(client, newsroom):
    """An editor (not a publisher) of `newsroom` only."""
    user = get_user_model().objects.create_user(
        "member", "member@example.com", "a-long-test-password", is_staff=True
    )
    user.user_permissions.set(our_permissions())
    Membership.objects.create(newsroom=newsroom, user=user, role=Role.EDITOR)
    client.force_login(user)
    return client


def changelist(client, admin_name, **params):
    response = client.get(reverse(f"admin:{admin_name}_changelist"), params)
    assert response.status_code == 200
    return response


def listed(response):
    return [str(row) for row in response.context["cl"].result_list]


@pytest.fixture
def releases(newsroom):
    speaker = make_person(newsroom, name="Andreas Bäckman")
    third = make_release(newsroom, title="Third at Hockenheim", lead="A podium on debut.")
    make_quote(third, speaker, "The tyres were perfect in the cold night.")
    make_release(newsroom, title="Season preview", lead="Twelve races, one car.")
    elsewhere = make_newsroom(name="Sponsor", slug="sponsor")
    make_release(elsewhere, title="Sponsor at Hockenheim", lead="Their own news.")
    return third


def test_an_editor_finds_a_release_by_part_of_its_headline(member_client, releases):
    response = changelist(member_client, "press_pressrelease", q="ockenh")
    assert listed(response) == ["Third at Hockenheim"]


def test_an_editor_finds_a_release_by_a_word_of_its_quote(member_client, releases):
    assert listed(changelist(member_client, "press_pressrelease", q="tyres")) == [
        "Third at Hockenheim"
    ]
    # Every term must match, as in Django's own search.
    assert listed(changelist(member_client, "press_pressrelease", q="tyres preview")) == []


def test_an_editor_never_finds_another_newsrooms_releases(member_client, releases):
    response = changelist(member_client, "press_pressrelease", q="Hockenheim")
    assert listed(response) == ["Third at Hockenheim"]
    assert "Sponsor at Hockenheim" not in response.content.decode()
    assert listed(changelist(member_client, "press_pressrelease", q="own news")) == []


def test_photo_sets_photos_and_documents_are_found_by_name_and_words(member_client, newsroom):
    grid = make_photo_set(newsroom, title="Hockenheim grid")
    make_photo_set(newsroom, title="Portraits")
    make_photo(grid, renditions=False, caption="Fog over the pit lane", credit="Lestrup Racing")
    Document.objects.create(
        newsroom=newsroom,
        title="Fact sheet 2022",
        description="Engine, tyres and the team",
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="facts.pdf"),
    )

    assert listed(changelist(member_client, "media_photoset", q="kenhei")) == ["Hockenheim grid"]
    assert listed(changelist(member_client, "media_photoset", q="fog")) == ["Hockenheim grid"]
    assert len(listed(changelist(member_client, "media_photo", q="estrup"))) == 1
    assert len(listed(changelist(member_client, "media_photo", q="pit lane"))) == 1
    assert len(listed(changelist(member_client, "media_photo", q="grid"))) == 1  # its set's
    assert listed(changelist(member_client, "media_document", q="act she")) == ["Fact sheet 2022"]
    assert listed(changelist(member_client, "media_document", q="tyres")) == ["Fact sheet 2022"]
    assert listed(changelist(member_client, "media_photo", q="portraits")) == []


def admin_queries(client, admin_name, **params):
    with CaptureQueriesContext(connection) as queries:
        changelist(client, admin_name, **params)
    return [query["sql"] for query in queries]


# Session, user, permissions, the newsroom filter's choices, the count, the
# publisher check and the page (newsrooms and hero photos joined in).
CHANGELIST_QUERIES = 8
# On PostgreSQL a search first finds the keys of its newest matches, once.
SEARCH_QUERIES = CHANGELIST_QUERIES + (connection.vendor == "postgresql")


def test_the_changelist_runs_pinned_queries_reading_narrow_rows(member_client, newsroom):
    hero_set = make_photo_set(newsroom)
    for _ in range(6):
        make_release(newsroom, hero_photo=make_photo(hero_set, renditions=False), body="<p>x</p>")

    sql = admin_queries(member_client, "press_pressrelease")

    assert len(sql) == CHANGELIST_QUERIES, "\n".join(sql)
    page = [query for query in sql if 'ORDER BY "press_pressrelease"' in query][-1]
    for wide in ('"body"', '"search_text"', '"search_vector"', '"lead"'):
        assert wide not in page
    assert not [query for query in sql if 'SELECT DISTINCT "press_pressrelease"."id"' in query]


def test_the_changelist_search_runs_pinned_queries(member_client, releases):
    for number in range(5):
        make_release(releases.newsroom, title=f"Hockenheim notes {number}")

    sql = admin_queries(member_client, "press_pressrelease", q="Hockenheim")

    assert len(sql) == SEARCH_QUERIES, "\n".join(sql)
    if connection.vendor == "postgresql":
        # No join to the quotes, so no DISTINCT over every column.
        assert not [query for query in sql if "press_quote" in query]
        assert not [query for query in sql if 'DISTINCT "press_pressrelease"."id"' in query]


@postgresql_only
def test_the_searches_of_photo_sets_photos_and_documents_have_no_joins(member_client, newsroom):
    make_photo(make_photo_set(newsroom, title="Grid"), renditions=False, caption="Fog")
    for admin_name in ("media_photoset", "media_photo", "media_document"):
        sql = admin_queries(member_client, admin_name, q="fog")
        table = admin_name  # the app label and model name make the table's name
        assert not [query for query in sql if f'DISTINCT "{table}"."id"' in query], admin_name


def test_a_photo_edited_with_an_update_is_found_by_its_new_words(member_client, newsroom):
    photo = make_photo(make_photo_set(newsroom, title="Grid"), renditions=False, caption="Sun")
    Photo.objects.filter(pk=photo.pk).update(caption="Rain at dawn")
    assert len(listed(changelist(member_client, "media_photo", q="dawn"))) == 1
    assert listed(changelist(member_client, "media_photo", q="sun")) == []
