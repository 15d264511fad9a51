"""Members of one newsroom can neither see nor change anything of another, in any admin view."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from media.models import Document, Photo, PhotoSet
from newsroom.ground.models import Membership, Newsroom, Person, Role
from press.models import Event, PressRelease, Tag
from press.passes.models import PreviewPass
from tests.factories import (
    make_event,
    make_newsroom,
    make_person,
    make_photo,
    make_photo_set,
    make_release,
)
from tests.files import make_fact_sheet

MARK = "THEIRS-7Q"  # names every object of the other newsroom, to spot leaks in pages


@pytest.fixture
def theirs(db):
    """One of everything, in a newsroom our editor is not a member of."""
    from django.core.files.base import ContentFile

    newsroom = make_newsroom(name=f"Newsroom {MARK}", slug="theirs")
    photo_set = make_photo_set(newsroom, title=f"Set {MARK}", slug="their-set")
    photo = make_photo(photo_set, title=f"Photo {MARK}")
    release = make_release(newsroom, title=f"Release {MARK}", slug="their-release")
    return {
        "newsroom": newsroom,
        "person": make_person(newsroom, name=f"Person {MARK}"),
        "photoset": photo_set,
        "photo": photo,
        "document": Document.objects.create(
            newsroom=newsroom,
            title=f"Document {MARK}",
            file=ContentFile(make_fact_sheet("x", ["y"]), name="x.pdf"),
            visibility="public",
        ),
        "pressrelease": release,
        "event": make_event(newsroom, name=f"Event {MARK}"),
        "tag": newsroom.tags.create(name=f"Tag {MARK}", slug="their-tag"),
    }


@pytest.fixture
def member(newsroom):
    """A publisher of our newsroom with every model permission, and nothing in theirs."""
    user = get_user_model().objects.create_user("member", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["press", "media", "newsroom"])
    )
    Membership.objects.create(newsroom=newsroom, user=user, role=Role.PUBLISHER)
    client = Client()
    client.force_login(user)
    return client


MODELS = [
    ("newsroom", Newsroom),
    ("newsroom", Person),
    ("media", PhotoSet),
    ("media", Photo),
    ("media", Document),
    ("press", PressRelease),
    ("press", Event),
    ("press", Tag),
]


def admin_url(app, model, view, *args):
    return reverse(f"admin:{app}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize(("app", "model"), MODELS)
def test_lists_filters_and_searches_show_nothing_of_theirs(member, theirs, app, model):
    for query in ("", "?q=THEIRS", "?_popup=1&_to_field=id"):
        page = member.get(admin_url(app, model, "changelist") + query)
        assert page.status_code == 200
        # Rows, filters, counts: nothing names their newsroom or its content.
        assert MARK not in page.content.decode(), (model, query)


@pytest.mark.parametrize(("app", "model"), MODELS)
@pytest.mark.parametrize("view", ["change", "delete", "history"])
def test_their_objects_are_404_in_every_object_view(member, theirs, app, model, view):
    obj = theirs[model._meta.model_name]
    url = admin_url(app, model, view, obj.pk)
    # Deleting a newsroom is the site owner's: refused alike for every newsroom.
    refused = 403 if (model, view) == (Newsroom, "delete") else 404

    assert member.get(url).status_code == refused
    assert (
        member.post(url, {"post": "yes", "title": "Mine now", "name": "Mine now"}).status_code
        == refused
    )
    assert model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize(
    ("app", "model", "field"),
    [
        ("press", PressRelease, "hero_photo"),
        ("press", PressRelease, "photo_sets"),
        ("press", PressRelease, "documents"),
        ("press", PressRelease, "events"),
        ("press", PressRelease, "contacts"),
        ("press", PressRelease, "tags"),
        ("press", PressRelease, "newsroom"),
        ("media", Photo, "photo_set"),
        ("press", PreviewPass, "release"),
    ],
)
def test_autocomplete_offers_nothing_of_theirs(member, theirs, app, model, field):
    response = member.get(
        reverse("admin:autocomplete"),
        {"app_label": app, "model_name": model._meta.model_name, "field_name": field, "term": ""},
    )

    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert MARK not in response.content.decode()


@pytest.mark.parametrize(
    ("app", "model", "data"),
    [
        ("newsroom", Person, {"name": "Spy", "position": 0}),
        ("media", PhotoSet, {"title": "Spy", "slug": "spy", "visibility": "public"}),
        (
            "press",
            Event,
            {"name": "Spy", "slug": "spy", "starts_on": "2026-01-01", "ends_on": "2026-01-02"},
        ),
        ("press", Tag, {"name": "Spy", "slug": "spy"}),
    ],
)
def test_crafted_posts_cannot_add_to_their_newsroom(member, theirs, app, model, data):
    before = model.objects.count()
    response = member.post(
        admin_url(app, model, "add"),
        {
            "newsroom": theirs["newsroom"].pk,
            "photos-TOTAL_FORMS": "0",
            "photos-INITIAL_FORMS": "0",
            **data,
        },
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert model.objects.count() == before


def test_photos_cannot_be_moved_into_their_set(member, theirs, newsroom):
    ours = make_photo(make_photo_set(newsroom, slug="ours"))
    page = member.get(admin_url("media", Photo, "change", ours.pk))
    from tests.factories import admin_form_data

    data = admin_form_data(page)
    data["photo_set"] = theirs["photoset"].pk

    response = member.post(admin_url("media", Photo, "change", ours.pk), data)

    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    ours.refresh_from_db()
    assert ours.photo_set.newsroom == newsroom


def test_upload_bulk_edit_and_revisions_of_theirs_are_404(member, theirs):
    photo_set, release = theirs["photoset"], theirs["pressrelease"]
    from press.models import Revision

    revision = Revision.objects.create(release=release, number=1, snapshot={})
    for url in [
        reverse("admin:media_photoset_upload", args=[photo_set.pk]),
        reverse("admin:media_photoset_bulk_edit", args=[photo_set.pk]),
        revision.get_absolute_url(),
    ]:
        assert (
            member.post(url, {"photos": [theirs["photo"].pk], "credit": "Mine"}).status_code == 404
        )


def test_editors_only_read_their_own_newsroom_settings(newsroom, theirs):
    user = get_user_model().objects.create_user("writer", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="newsroom"))
    Membership.objects.create(newsroom=newsroom, user=user, role=Role.EDITOR)
    client = Client()
    client.force_login(user)
    url = admin_url("newsroom", Newsroom, "change", newsroom.pk)

    page = client.get(url)
    post = client.post(url, {"name": "Renamed", "slug": newsroom.slug})

    assert page.status_code == 200 and 'name="name"' not in page.content.decode()
    assert post.status_code == 403
