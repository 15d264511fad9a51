"""Every save of a release is kept, any revision can come back, live changes carry corrections."""

import pytest
from django.test import Client
from django.urls import reverse

from press.models import Correction, PressRelease, Quote, Result, Revision, Status
from tests.factories import (
    admin_form_data,
    make_event,
    make_newsroom,
    make_person,
    make_release,
)


def change_url(release):
    return reverse("admin:press_pressrelease_change", args=[release.pk])


def save(client, release, **changes):
    data = admin_form_data(client.get(change_url(release)))
    data.update(changes)
    response = client.post(change_url(release), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


@pytest.fixture
def release(newsroom):
    release = make_release(newsroom, title="Third at Hockenheim", status=Status.DRAFT)
    speaker = make_person(newsroom, name="Andreas Bäckman")
    release.quotes.create(speaker=speaker, text="Fun to start the season.", position=0)
    release.results.create(event=make_event(newsroom), session="Race 1", position=4, order=0)
    return release


def test_every_save_keeps_a_revision_with_what_changed(editor_client, release):
    save(editor_client, release)
    save(editor_client, release, title="Podium at Hockenheim")
    save(editor_client, release, **{"quotes-0-text": "A great start to the season."})

    revisions = list(release.revisions.order_by("number"))
    assert [revision.number for revision in revisions] == [1, 2, 3]
    assert revisions[1].changed == ["title"]
    assert revisions[2].changed == ["quotes"]
    assert all(revision.author.username == "editor" for revision in revisions)


def test_a_revision_shows_what_changed(editor_client, release):
    save(editor_client, release)
    save(editor_client, release, title="Podium at Hockenheim", **{"results-0-position": "3"})
    revision = release.revisions.get(number=2)

    page = editor_client.get(revision.get_absolute_url()).content.decode()

    assert '<span class="removed">- Third at Hockenheim</span>' in page
    assert '<span class="added">+ Podium at Hockenheim</span>' in page
    assert "&#x27;position&#x27;: 4" in page and "&#x27;position&#x27;: 3" in page


def test_going_back_to_a_revision_restores_text_quotes_and_results(editor_client, release):
    save(editor_client, release)
    save(
        editor_client,
        release,
        title="Podium at Hockenheim",
        **{"quotes-0-text": "Changed words.", "results-0-position": "3"},
    )
    first = release.revisions.get(number=1)

    response = editor_client.post(first.get_absolute_url())

    assert response.status_code == 302
    release.refresh_from_db()
    assert release.title == "Third at Hockenheim"
    assert release.quotes.get().text == "Fun to start the season."
    assert release.results.get().position == 4
    assert release.status == Status.DRAFT
    latest = release.revisions.order_by("-number").first()
    assert latest.number == 3 and latest.note == "Restored from revision 1."


def test_a_correction_on_a_live_release_is_shown_with_the_update_time(editor_client, newsroom):
    live = make_release(newsroom, title="Third at Hockenheim")
    page = editor_client.get(change_url(live)).content.decode()
    assert 'name="correction"' in page

    save(
        editor_client,
        live,
        correction="Race 1 result amended from 4th to 3rd after scrutineering.",
    )

    public = Client().get(live.get_absolute_url()).content.decode()
    correction = Correction.objects.get()
    assert "Updated <time" in public
    assert "Race 1 result amended from 4th to 3rd after scrutineering." in public
    assert live.revisions.get().note == correction.note


def test_drafts_offer_no_public_correction(editor_client, release):
    assert 'name="correction"' not in editor_client.get(change_url(release)).content.decode()


def test_history_of_another_newsroom_is_out_of_reach(editor_client):
    theirs = make_release(make_newsroom(), status=Status.DRAFT)
    revision = Revision.objects.create(release=theirs, number=1, snapshot={})

    assert editor_client.get(revision.get_absolute_url()).status_code == 404
    assert editor_client.post(revision.get_absolute_url()).status_code == 404


def test_a_revision_whose_slug_is_taken_now_says_so_and_restores_nothing(
    editor_client, release, newsroom
):
    save(editor_client, release)
    save(editor_client, release, slug="podium-at-hockenheim", title="Podium")
    make_release(newsroom, slug=release.revisions.get(number=1).snapshot["slug"])
    first = release.revisions.get(number=1)

    response = editor_client.post(first.get_absolute_url(), follow=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Revision 1 cannot come back as it was." in page
    assert "This newsroom already has a release with this slug." in page
    release.refresh_from_db()
    assert (release.slug, release.title) == ("podium-at-hockenheim", "Podium")
    assert release.revisions.count() == 2


def test_a_revision_quoting_a_deleted_person_says_so_and_restores_nothing(editor_client, release):
    save(editor_client, release)
    speaker = release.quotes.get().speaker
    save(editor_client, release, **{"quotes-0-DELETE": "on"})
    speaker.delete()

    response = editor_client.post(release.revisions.get(number=1).get_absolute_url(), follow=True)

    assert response.status_code == 200
    assert "A person it quotes has been deleted since." in response.content.decode()
    assert not release.quotes.exists()


def test_a_revision_with_results_of_a_deleted_event_says_so(editor_client, release):
    save(editor_client, release)
    event = release.results.get().event
    save(editor_client, release, **{"results-0-DELETE": "on"})
    event.delete()

    response = editor_client.post(release.revisions.get(number=1).get_absolute_url(), follow=True)

    assert response.status_code == 200
    assert "An event of its results has been deleted since." in response.content.decode()


def test_search_finds_a_release_by_the_quotes_a_restore_brought_back(
    editor_client, newsroom, django_capture_on_commit_callbacks
):
    """A restore puts quotes back with bulk_create, which no signal sees: it refreshes the
    index itself, after its commit (on SQLite and PostgreSQL alike)."""
    live = make_release(newsroom, title="Third at Hockenheim")
    speaker = make_person(newsroom, name="Andreas Bäckman")
    with django_capture_on_commit_callbacks(execute=True):
        live.quotes.create(speaker=speaker, text="A marvellous weekend.", position=0)
    with django_capture_on_commit_callbacks(execute=True):
        save(editor_client, live)
    assert live.get_absolute_url() in found_by(live.newsroom, "marvellous")
    with django_capture_on_commit_callbacks(execute=True):
        save(editor_client, live, **{"quotes-0-text": "A good weekend."})
    assert live.get_absolute_url() not in found_by(live.newsroom, "marvellous")

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(live.revisions.get(number=1).get_absolute_url())
        assert live.get_absolute_url() not in found_by(live.newsroom, "marvellous")  # not yet

    assert response.status_code == 302
    assert live.get_absolute_url() in found_by(live.newsroom, "marvellous")
    assert live.get_absolute_url() not in found_by(live.newsroom, "good")


def found_by(newsroom, query):
    response = Client().get(reverse("search"), {"q": query, "newsroom": newsroom.slug})
    return response.content.decode()


def test_a_published_release_taken_back_to_draft_keeps_a_time_or_says_why(editor_client, newsroom):
    live = make_release(newsroom, title="Third at Hockenheim")

    data = admin_form_data(editor_client.get(change_url(live)))
    data.update({"status": Status.DRAFT, "publish_at_0": "", "publish_at_1": ""})
    response = editor_client.post(change_url(live), data)

    assert response.status_code == 200
    assert "A release that has been published keeps a “public from” time." in (
        response.content.decode()
    )
    live.refresh_from_db()
    assert live.status == Status.PUBLISHED


def test_every_editable_field_is_kept_or_left_out_by_name(release):
    from press import history

    state = history.snapshot(release)
    stored = {
        PressRelease: set(state) - {"quotes", "results"},
        Quote: {name.removesuffix("_id") for name in state["quotes"][0]},
        Result: {name.removesuffix("_id") for name in state["results"][0]},
    }
    for model, left_out in history.NOT_KEPT.items():
        editable = {
            field.name
            for field in model._meta.get_fields()
            if (field.concrete or field.many_to_many) and field.editable and not field.primary_key
        }
        assert left_out <= editable, (model, left_out - editable)  # no stale names
        assert stored[model] == editable - left_out, model  # what a revision really holds
    assert {"status", "publish_at"}.isdisjoint(state)


def test_a_revision_keeps_every_kept_field_and_restores_each(editor_client, release, newsroom):
    from press import history

    first = history.snapshot(release)
    assert set(first) == {
        *history.TEXT_FIELDS,
        *history.LINK_FIELDS,
        *history.MANY_FIELDS,
        "quotes",
        "results",
    }
    save(editor_client, release)
    save(
        editor_client,
        release,
        title="Second at Hockenheim",
        lead="A new lead.",
        hero_caption="A new caption.",
        kind="results",
        language="sv",
    )
    release.refresh_from_db()
    assert history.snapshot(release) != first

    editor_client.post(release.revisions.get(number=1).get_absolute_url())

    release.refresh_from_db()
    restored = history.snapshot(release)
    assert {name: restored[name] for name in first} == first
