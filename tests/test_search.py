"""Search: journalists find live releases by any word in them, and nothing else."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from media.models import Document, Photo, Visibility
from press import history
from press import search as press_search
from press.models import Kind, Status
from tests.factories import (
    admin_form_data,
    make_event,
    make_newsroom,
    make_person,
    make_photo,
    make_photo_set,
    make_quote,
    make_release,
    make_result,
)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text features; CI runs this on PostgreSQL"
)


def search(client, **params):
    response = client.get(reverse("search"), params)
    assert response.status_code == 200
    return response


def found_titles(response):
    return [release.title for release, _snippet in response.context["results"]]


def test_a_word_from_a_quote_finds_its_release_with_the_word_marked(client, seed_release):
    response = search(client, q="valuable")

    assert found_titles(response) == [seed_release.title]
    assert b"<mark>valuable</mark>" in response.content.lower()
    assert seed_release.get_absolute_url().encode() in response.content


@pytest.mark.parametrize(
    "query",
    ["Hockenheim", "hockenheim podium", "Lestrup", "Qualifying", "fought back", "TCR"],
    ids=["title", "two-words", "speaker", "result-session", "body-html", "result-category"],
)
def test_every_part_of_a_release_is_searched(client, seed_release, query):
    assert found_titles(search(client, q=query)) == [seed_release.title]


def test_markup_in_the_body_is_not_searched(client, seed_release):
    # The body is <p>…<strong>third</strong>…</p>: only its words count.
    assert found_titles(search(client, q="strong")) == []


def test_all_words_must_match(client, seed_release):
    assert found_titles(search(client, q="podium monaco")) == []
    assert b"No releases match" in search(client, q="podium monaco").content


def test_photos_are_found_by_credit_and_caption(client, seed_release):
    response = search(client, q="24h series")

    photos = list(response.context["photos"])
    assert [photo.title for photo in photos] == ["Podium"]
    assert b'id="photo-results"' in response.content
    assert b"24H SERIES" in response.content

    by_caption = search(client, q="third podium")
    assert [photo.title for photo in by_caption.context["photos"]] == ["Podium"]


def test_documents_are_found_by_title_and_description(client, newsroom):
    Document.objects.create(
        newsroom=newsroom,
        title="Season fact sheet",
        description="Car, team and calendar.",
        visibility=Visibility.PUBLIC,
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="facts.pdf"),
    )

    response = search(client, q="calendar")

    assert [document.title for document in response.context["documents"]] == ["Season fact sheet"]


def test_hidden_releases_photos_and_documents_are_never_found(client, newsroom):
    future = timezone.now() + timedelta(hours=2)
    make_release(newsroom, title="Zanzibar draft", status=Status.DRAFT)
    make_release(newsroom, title="Zanzibar review", status=Status.REVIEW)
    embargoed = make_release(newsroom, title="Zanzibar embargo", publish_at=future)
    withdrawn = make_release(newsroom, title="Zanzibar withdrawn")
    withdrawn.status = Status.WITHDRAWN
    withdrawn.save()
    private = make_photo_set(newsroom, visibility=Visibility.PRIVATE)
    make_photo(private, title="Zanzibar private", credit="Zanzibar Photo")
    with_embargo = make_photo_set(newsroom, visibility=Visibility.WITH_RELEASE)
    make_photo(with_embargo, title="Zanzibar embargoed photo")
    embargoed.photo_sets.add(with_embargo)
    Document.objects.create(
        newsroom=newsroom,
        title="Zanzibar private document",
        visibility=Visibility.PRIVATE,
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="secret.pdf"),
    )

    response = search(client, q="zanzibar")

    assert found_titles(response) == []
    assert list(response.context["photos"]) == []
    assert list(response.context["documents"]) == []
    assert b"anzibar" not in response.content.replace(b"zanzibar", b"")


def test_a_release_is_found_once_its_embargo_lifts(client, newsroom, time_machine):
    make_release(newsroom, title="Yokohama news", publish_at=timezone.now() + timedelta(hours=2))
    assert found_titles(search(client, q="yokohama")) == []

    time_machine.move_to(timezone.now() + timedelta(hours=3))

    assert found_titles(search(client, q="yokohama")) == ["Yokohama news"]


def test_edits_to_quotes_are_searchable_once_committed(
    client, seed_release, django_capture_on_commit_callbacks
):
    speaker = make_person(seed_release.newsroom, name="Lena Berg")
    assert found_titles(search(client, q="marvellous")) == []

    make_quote(seed_release, speaker, "A marvellous weekend for everyone.")

    assert found_titles(search(client, q="marvellous")) == [seed_release.title]
    with django_capture_on_commit_callbacks(execute=True):
        seed_release.quotes.filter(speaker=speaker).delete()
    assert found_titles(search(client, q="marvellous")) == []


def test_a_renamed_speaker_or_event_is_found_by_the_new_name_only(
    client, seed_release, django_capture_on_commit_callbacks
):
    speaker = make_person(seed_release.newsroom, name="Lena Berg")
    make_quote(seed_release, speaker, "A fine weekend.")
    event = make_event(seed_release.newsroom, name="Oschersleben 24h")
    make_result(seed_release, event, session="Race", position=2, order=9)

    with django_capture_on_commit_callbacks(execute=True):
        speaker.name = "Lena Lindqvist"
        speaker.save()
        event.name = "Oschersleben Enduro"
        event.save()

    for old in ("berg", "24h"):
        assert found_titles(search(client, q=old)) == [], old
    for new in ("lindqvist", "enduro"):
        assert found_titles(search(client, q=new)) == [seed_release.title], new


def test_saving_a_person_unchanged_rewrites_no_release(seed_release, django_assert_num_queries):
    speaker = make_person(seed_release.newsroom, name="Lena Berg")
    make_quote(seed_release, speaker, "A fine weekend.")

    with django_assert_num_queries(3):  # what its name was, the save, the page cache
        speaker.save()


def test_filters_narrow_the_results(client, newsroom, django_capture_on_commit_callbacks):
    other = make_newsroom(name="Other team", slug="other-team")
    make_release(newsroom, title="Tyre news ours", kind=Kind.PRESS_RELEASE)
    make_release(other, title="Tyre news theirs", kind=Kind.RESULTS)
    old = make_release(newsroom, title="Tyre news old", kind=Kind.PRESS_RELEASE)
    old.publish_at = old.first_published_at = timezone.now() - timedelta(days=800)
    with django_capture_on_commit_callbacks(execute=True):
        old.save()

    assert sorted(found_titles(search(client, q="tyre"))) == [
        "Tyre news old",
        "Tyre news ours",
        "Tyre news theirs",
    ]
    assert sorted(found_titles(search(client, q="tyre", newsroom=newsroom.slug))) == [
        "Tyre news old",
        "Tyre news ours",
    ]
    assert found_titles(search(client, q="tyre", kind=Kind.RESULTS)) == ["Tyre news theirs"]
    year = old.publish_at.year
    assert found_titles(search(client, q="tyre", year=year)) == ["Tyre news old"]


def test_a_wrong_filter_is_explained_and_left_out(client, seed_release):
    response = search(client, q="podium", year="1850", kind="nonsense")

    assert found_titles(response) == [seed_release.title]
    assert b"The filter was left out." in response.content
    assert response.context["form"].errors.keys() == {"year", "kind"}


def test_a_tag_filter_keeps_only_tagged_releases(client, newsroom):
    tag = newsroom.tags.create(name="STCC", slug="stcc")
    tagged = make_release(newsroom, title="Gearbox tagged")
    tagged.tags.add(tag)
    make_release(newsroom, title="Gearbox untagged")

    assert found_titles(search(client, q="gearbox", tag="stcc")) == ["Gearbox tagged"]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "!!! ???",
        '"unclosed',
        "a & b | !c :* ()",
        "-",
        "or or or",
        "'; DROP TABLE press_pressrelease; --",
        "\u202e\u200b",
        "x" * 5000,
    ],
    ids=[
        "empty",
        "spaces",
        "punctuation",
        "open-quote",
        "tsquery-operators",
        "minus",
        "only-or",
        "sql",
        "invisible",
        "very-long",
    ],
)
def test_odd_queries_get_a_page_not_an_error(client, seed_release, query):
    response = search(client, q=query)

    assert b"<h1>Search</h1>" in response.content


def test_an_empty_search_asks_for_words(client, seed_release):
    assert b"Type what you are looking for" in search(client, q="").content
    assert b"Type at least one word" in search(client, q="!!! ???").content


def test_a_very_long_query_is_cut_and_the_reader_told(client, seed_release):
    response = search(client, q="podium " + "x" * 500)

    assert b"Only the first 200 characters were searched." in response.content


def test_search_results_are_paginated(client, newsroom):
    for n in range(25):
        make_release(newsroom, title=f"Carbon brakes {n}")

    pages = [search(client, q="carbon", page=number) for number in (1, 2, 3)]
    titles = [title for page in pages for title in found_titles(page)]

    assert pages[0].context["page"].paginator.count == 25
    assert sorted(titles) == sorted(f"Carbon brakes {n}" for n in range(25))
    assert b'rel="next"' in pages[0].content
    assert b'rel="next"' not in pages[2].content


def test_search_is_reachable_from_every_public_page(client, seed_release):
    response = client.get(seed_release.get_absolute_url())

    assert f'action="{reverse("search")}"'.encode() in response.content
    assert b'role="search"' in response.content


def test_search_pages_are_kept_out_of_search_engines(client, seed_release):
    response = search(client, q="podium")

    assert b'<meta name="robots" content="noindex, follow">' in response.content


def test_search_runs_in_few_queries(client, seed_release, django_assert_max_num_queries):
    for n in range(10):
        make_release(seed_release.newsroom, title=f"Podium number {n}")

    # The years are two queries (their span, then one EXISTS each), whatever the archive;
    # photos, videos and documents one each.
    with django_assert_max_num_queries(10):
        search(client, q="podium")


@postgresql_only
def test_words_match_in_their_stemmed_forms(client, seed_release):
    # English stemming: "seasons" finds "season", "podiums" finds "podium".
    assert found_titles(search(client, q="seasons")) == [seed_release.title]
    assert found_titles(search(client, q="podiums")) == [seed_release.title]


@postgresql_only
def test_swedish_releases_are_stemmed_in_swedish(client, newsroom):
    make_release(newsroom, title="Säsongen började bra", language="sv", lead="Bilarna var snabba.")

    assert found_titles(search(client, q="bilar")) == ["Säsongen började bra"]


@postgresql_only
def test_a_match_in_the_headline_ranks_above_one_in_the_body(client, newsroom):
    make_release(newsroom, title="Team news", body="<p>Something about the diffuser.</p>")
    make_release(newsroom, title="New diffuser for the car", body="<p>Team news.</p>")

    assert found_titles(search(client, q="diffuser")) == ["New diffuser for the car", "Team news"]


@postgresql_only
def test_web_search_syntax(client, newsroom):
    make_release(newsroom, title="Rain in qualifying", lead="Wet track all day.")
    make_release(newsroom, title="Dry qualifying", lead="Sun and track records.")

    assert found_titles(search(client, q="qualifying -rain")) == ["Dry qualifying"]
    assert found_titles(search(client, q='"wet track"')) == ["Rain in qualifying"]
    assert sorted(found_titles(search(client, q="wet or sun"))) == [
        "Dry qualifying",
        "Rain in qualifying",
    ]


# The index is derived state: refreshed once per release, after the commit, from every path.


@pytest.fixture
def indexed(monkeypatch):
    """The releases `index_release` is called for, in order (it still indexes them)."""
    calls = []
    index_release = press_search.index_release

    def counted(release_pk):
        calls.append(release_pk)
        index_release(release_pk)

    monkeypatch.setattr(press_search, "index_release", counted)
    return calls


def saved_in_the_admin(client, release):
    """The change form sent back with a new lead: the release, its quotes and results saved."""
    url = reverse("admin:press_pressrelease_change", args=[release.pk])
    data = admin_form_data(client.get(url))
    data["lead"] = "Changed in the admin."
    assert client.post(url, data).status_code == 302


def restored(client, release):
    history.record(release)
    release.quotes.update(text="Words nobody said.")  # a change no signal sees
    history.restore(release.revisions.get(number=1))


def renamed_speaker(client, release):
    person = release.quotes.first().speaker
    person.name = "Andreas Renamed"
    person.save()


def renamed_event(client, release):
    event = release.results.first().event
    event.name = "Hockenheim Renamed"
    event.save()


CHANGES = {
    "release saved": lambda client, release: release.save(),
    "saved in the admin": saved_in_the_admin,
    "quote added": lambda client, release: release.quotes.create(
        speaker=release.quotes.first().speaker, text="One more.", position=5
    ),
    "quote edited": lambda client, release: release.quotes.first().save(),
    "quotes deleted": lambda client, release: release.quotes.all().delete(),
    "result deleted": lambda client, release: release.results.first().delete(),
    "revision restored": restored,
    "speaker renamed": renamed_speaker,
    "event renamed": renamed_event,
}


@pytest.mark.parametrize("change", CHANGES)
def test_each_change_refreshes_its_release_once_after_the_commit(
    editor_client, seed_release, indexed, change, django_capture_on_commit_callbacks
):
    # The seed's first quote's speaker is quoted twice: a rename still refreshes once.
    make_quote(seed_release, seed_release.quotes.first().speaker, "Twice quoted.", position=9)
    indexed.clear()

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            CHANGES[change](editor_client, seed_release)
        assert indexed == []  # nothing before the commit

    assert indexed == [seed_release.pk]


def test_a_change_rolled_back_refreshes_nothing(
    seed_release, indexed, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        seed_release.save()
        raise RuntimeError("the editor's request failed")

    assert indexed == []


def test_a_rename_refreshes_each_release_that_names_the_person_once(
    seed_release, indexed, django_capture_on_commit_callbacks
):
    speaker = seed_release.quotes.first().speaker
    other = make_release(seed_release.newsroom, title="Another podium")
    make_quote(other, speaker, "Again.")
    indexed.clear()

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        speaker.name = "Andreas Renamed"
        speaker.save()

    assert sorted(indexed) == sorted([seed_release.pk, other.pk])


def test_a_restored_quote_finds_its_release(
    client, editor, seed_release, django_capture_on_commit_callbacks
):
    history.record(seed_release)
    seed_release.quotes.filter(text__startswith="A valuable").update(text="Unremarkable.")
    press_search.index_release(seed_release.pk)
    assert found_titles(search(client, q="valuable")) == []

    with django_capture_on_commit_callbacks(execute=True):
        history.restore(seed_release.revisions.get(number=1), editor)
        assert found_titles(search(client, q="valuable")) == []  # until the commit

    assert found_titles(search(client, q="valuable")) == [seed_release.title]
    assert found_titles(search(client, q="unremarkable")) == []


def test_photos_and_documents_are_found_by_their_words_as_edited(client, newsroom):
    photo = make_photo(make_photo_set(newsroom), renditions=False, caption="Sunrise over the grid")
    document = Document.objects.create(
        newsroom=newsroom,
        title="Fact sheet",
        description="Engine and chassis",
        visibility=Visibility.PUBLIC,
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="facts.pdf"),
    )
    # Any path that changes the words, an update() included: nothing is stored to go stale.
    Photo.objects.filter(pk=photo.pk).update(caption="Rain at the pit wall")
    document.description = "Gearbox ratios"
    document.save()

    assert list(search(client, q="rain").context["photos"]) == [photo]
    assert not search(client, q="sunrise").context["photos"]
    assert list(search(client, q="gearbox").context["documents"]) == [document]
    assert not search(client, q="chassis").context["documents"]


@postgresql_only
def test_a_common_word_ranks_only_its_newest_matches(client, newsroom, monkeypatch):
    monkeypatch.setattr(press_search, "RANKED", 2)
    now = timezone.now()
    for hours in (3, 2, 1):
        make_release(newsroom, title=f"Podium {hours}", publish_at=now - timedelta(hours=hours))

    response = search(client, q="podium")

    assert sorted(found_titles(response)) == ["Podium 1", "Podium 2"]
    assert response.context["page"].paginator.count == 2
