"""Language versions of a release: translations linked to their original as one story."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from media.models import PhotoText, Visibility
from newsroom.ground.languages import reverse_in
from newsroom.ground.models import NewsroomLanguage
from press import history, versions
from press.models import PressRelease, Status
from tests.factories import (
    admin_form_data,
    make_event,
    make_person,
    make_photo,
    make_photo_set,
    make_quote,
    make_release,
    make_result,
)


@pytest.fixture
def original(newsroom):
    for language in ("sv", "de"):
        NewsroomLanguage.objects.create(newsroom=newsroom, language=language)
    release = make_release(
        newsroom,
        title="Podium at Hockenheim",
        slug="podium-at-hockenheim",
        lead="Third on debut.",
        body="<p>A clean race.</p>",
        language="en",
    )
    make_quote(
        release, make_person(newsroom, name="Andreas Bäckman"), "Fun to start on the podium."
    )
    history.record(release)
    return release


def translate_in_admin(editor_client, original, language="sv"):
    url = reverse("admin:press_pressrelease_translate", args=[original.pk])
    return editor_client.post(url, {"language": language})


def test_add_a_translation_makes_a_linked_draft_prefilled_from_the_original(
    editor_client, original
):
    response = translate_in_admin(editor_client, original)

    translation = PressRelease.objects.get(original=original)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:press_pressrelease_change", args=[translation.pk]
    )
    assert (translation.language, translation.status) == ("sv", Status.DRAFT)
    assert translation.slug == "podium-at-hockenheim-sv"
    assert translation.title == original.title and translation.body == original.body
    assert [(q.speaker_id, q.text) for q in translation.quotes.all()] == [
        (q.speaker_id, q.text) for q in original.quotes.all()
    ]
    assert translation.story == original and not translation.is_out_of_date()


def test_the_translation_page_shows_the_original_and_not_what_the_story_shares(
    editor_client, original
):
    translate_in_admin(editor_client, original)
    translation = original.translations.get()

    page = editor_client.get(reverse("admin:press_pressrelease_change", args=[translation.pk]))

    html = page.content.decode()
    assert 'class="original-text" lang="en"' in html and "A clean race." in html
    form = page.context["adminform"].form
    assert not {"hero_photo", "photo_sets", "events", "tags", "newsroom"} & set(form.fields)
    assert [inline.formset.prefix for inline in page.context["inline_admin_formsets"]] == [
        "quotes"
    ]
    original_page = editor_client.get(
        reverse("admin:press_pressrelease_change", args=[original.pk])
    ).content.decode()
    assert "Swedish" in original_page and "Add a translation" in original_page


def test_a_language_is_offered_once_per_story(editor_client, original):
    translate_in_admin(editor_client, original, "sv")

    again = translate_in_admin(editor_client, original, "sv")
    own = translate_in_admin(editor_client, original, "en")

    assert again.status_code == own.status_code == 200
    assert "Select a valid choice" in again.content.decode()
    assert original.translations.count() == 1
    assert ("sv", "Swedish") not in versions.languages_to_add(original)


def test_a_change_to_the_originals_text_marks_the_translation_out_of_date_with_a_diff(
    editor_client, original
):
    translation = versions.translate(original, "sv")
    translation.title = "Pallplats på Hockenheim"
    translation.save()
    history.record(translation)
    assert not translation.is_out_of_date()

    url = reverse("admin:press_pressrelease_change", args=[original.pk])
    data = admin_form_data(editor_client.get(url))
    data["lead"] = "Third on debut, after a night of rain."
    assert editor_client.post(url, data).status_code == 302

    translation.refresh_from_db()
    assert translation.is_out_of_date()
    changes = history.original_changes(translation)
    assert [str(label) for label, _diff in changes] == ["lead"]
    assert "after a night of rain" in changes[0][1]
    listed = editor_client.get(
        reverse("admin:press_pressrelease_changelist") + "?translation=out-of-date"
    )
    assert list(listed.context["cl"].result_list) == [translation]
    # Saving the translation says it has been brought up to date.
    page = reverse("admin:press_pressrelease_change", args=[translation.pk])
    assert "after a night of rain" in editor_client.get(page).content.decode()
    assert editor_client.post(page, admin_form_data(editor_client.get(page))).status_code == 302
    translation.refresh_from_db()
    assert not translation.is_out_of_date()


def test_a_public_correction_of_the_original_marks_its_translations(editor_client, original):
    translation = versions.translate(original, "sv")
    url = reverse("admin:press_pressrelease_change", args=[original.pk])
    data = admin_form_data(editor_client.get(url))
    data["correction"] = "The race was 12 hours, not 24."

    assert editor_client.post(url, data).status_code == 302

    translation.refresh_from_db()
    assert translation.is_out_of_date()


def test_a_translation_goes_public_with_its_original_or_later_never_earlier(original):
    translation = versions.translate(original, "sv")
    translation.status = Status.PUBLISHED

    translation.full_clean()  # no time given: the original's
    assert translation.publish_at == original.publish_at

    translation.publish_at = original.publish_at - timedelta(minutes=1)
    with pytest.raises(ValidationError, match="cannot go public before its original"):
        translation.full_clean()


def test_a_translation_of_a_draft_cannot_be_published(newsroom, original):
    draft = make_release(newsroom, status=Status.DRAFT, title="Not yet", slug="not-yet")
    translation = versions.translate(draft, "de")
    translation.status = Status.PUBLISHED

    with pytest.raises(ValidationError, match="Publish or schedule the original first"):
        translation.full_clean()


def test_an_original_moved_later_takes_its_earlier_translations_along(original):
    translation = versions.translate(original, "sv")
    translation.status = Status.PUBLISHED
    translation.full_clean()
    translation.save()
    later = timezone.now() + timedelta(days=1)

    original.publish_at = later
    original.save()

    translation.refresh_from_db()
    assert translation.publish_at == later
    assert not PressRelease.objects.live().filter(pk__in=[original.pk, translation.pk]).exists()


def test_a_withdrawn_original_takes_its_live_translations_off_the_public_side(original):
    translation = versions.translate(original, "sv")
    translation.status = Status.PUBLISHED
    translation.full_clean()
    translation.save()
    assert PressRelease.objects.live().filter(pk=translation.pk).exists()

    original.status = Status.WITHDRAWN
    original.save()

    assert not PressRelease.objects.live().filter(pk=translation.pk).exists()


def test_only_the_newsrooms_languages_are_offered(editor_client, original, newsroom):
    assert [code for code, _name in versions.languages_to_add(original)] == ["de", "sv"]
    newsroom.other_languages.filter(language="de").delete()
    assert translate_in_admin(editor_client, original, "de").status_code == 200  # refused
    assert not PressRelease.objects.filter(original=original, language="de").exists()
    newsroom.other_languages.all().delete()
    page = editor_client.get(reverse("admin:press_pressrelease_translate", args=[original.pk]))
    assert "Other languages" in page.content.decode()


def test_a_newsroom_speaks_each_of_its_languages_with_its_own_texts(newsroom):
    NewsroomLanguage.objects.create(
        newsroom=newsroom, language="sv", about="Vi kör standardvagnar."
    )
    swedish = newsroom.in_language("sv")
    assert swedish.about_paragraphs() == ["Vi kör standardvagnar."]
    assert swedish.default_credit == newsroom.default_credit  # not written in Swedish: the first
    assert newsroom.in_language("de") == newsroom and newsroom.about.startswith("We race")
    assert newsroom.languages == ["en", "sv"]
    with pytest.raises(ValidationError, match="first language already"):
        NewsroomLanguage(newsroom=newsroom, language="en").full_clean()


def test_a_live_translation_shows_the_storys_photos_and_results_in_its_language(
    client, newsroom, original
):
    photo_set = make_photo_set(newsroom, title="Podium photos", visibility=Visibility.PUBLIC)
    hero = make_photo(photo_set, caption="Bäckman on the podium.")
    PhotoText.objects.create(photo=hero, language="sv", caption="Bäckman på pallen.")
    newsroom.other_languages.filter(language="sv").update(about="Vi kör standardvagnar.")
    original.hero_photo = hero
    original.save()
    original.photo_sets.add(photo_set)
    make_result(original, make_event(newsroom, name="Hankook 12h Hockenheimring"), position=3)
    translation = versions.translate(original, "sv")
    translation.status = Status.PUBLISHED
    translation.full_clean()
    translation.save()

    page = client.get(translation.get_absolute_url()).content.decode()

    assert "Bäckman på pallen." in page and "Bäckman on the podium." not in page, page
    assert "Podium photos" in page and "3:e plats" in page
    assert "Vi kör standardvagnar." in page  # the boilerplate in Swedish, written for it
    assert f"/files/photos/{hero.pk}/{hero.version}/medium/" in page  # the story's hero


def test_a_translations_text_versions_end_with_its_newsrooms_boilerplate_in_its_language(
    client, newsroom, original
):
    newsroom.other_languages.filter(language="sv").update(about="Vi kör standardvagnar.")
    translation = versions.translate(original, "sv")
    translation.status = Status.PUBLISHED
    translation.full_clean()
    translation.save()

    for form in ("text", "markdown"):
        for release, about, other in (
            (translation, "Vi kör standardvagnar.", "We race touring cars."),
            (original, "We race touring cars.", "Vi kör standardvagnar."),
        ):
            url = reverse_in(
                release.language,
                f"press:release-{form}",
                newsroom=newsroom.slug,
                slug=release.slug,
            )
            text = client.get(url).content.decode()
            assert about in text and other not in text, (form, release.language)


def live_translation(original, language):
    NewsroomLanguage.objects.get_or_create(newsroom=original.newsroom, language=language)
    translation = versions.translate(original, language)
    translation.title = f"{original.title} ({language})"
    translation.status = Status.PUBLISHED
    translation.full_clean()
    translation.save()
    return translation


HREFLANG = re.compile(r'<link rel="alternate" hreflang="([^"]+)" href="http://testserver([^"]+)">')


def test_every_live_version_names_every_live_version_and_no_other(client, original):
    swedish, german = live_translation(original, "sv"), live_translation(original, "de")
    german.publish_at = timezone.now() + timedelta(days=1)  # scheduled: not yet public
    german.save()
    live = {"en": original, "sv": swedish}
    expected = {(code, version.get_absolute_url()) for code, version in live.items()}
    expected.add(("x-default", original.get_absolute_url()))

    for version in live.values():
        page = client.get(version.get_absolute_url()).content.decode()
        assert set(HREFLANG.findall(page)) == expected  # reciprocal, itself included
        assert german.slug not in page and "Deutsch" not in page
        assert 'lang="sv">Svenska<' in page and 'lang="en">English<' in page
        assert f'<meta property="og:locale" content="{version.language}_' in page


def test_the_release_page_costs_the_same_queries_with_one_or_every_version(client, original):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(original.get_absolute_url()).status_code == 200
        return len(captured)

    alone = queries()
    for language in ("sv", "de"):  # every language the site offers
        live_translation(original, language)
    assert queries() == alone


def test_lists_feeds_the_api_and_search_show_each_story_once(client, original, settings):
    swedish = live_translation(original, "sv")
    newsroom = original.newsroom
    addresses = [
        reverse("press:release-list", args=[newsroom.slug]),
        reverse("newsroom:home", args=[newsroom.slug]),
        reverse("press:rss", args=[newsroom.slug]),
        reverse("press:site-atom"),
        reverse("api:release-list"),
        reverse("search") + "?q=Podium",
    ]
    for url in addresses:
        response = client.get(url)
        if url.startswith("/api/"):
            # The item links its versions; the list has the story once, as its original.
            assert [item["uri"] for item in response.json()["results"]] == [original.urn]
            continue
        page = response.content.decode()
        assert original.slug in page, url
        assert swedish.slug not in page, url


def in_swedish(viewname, *args):
    with translation.override("sv"):
        return reverse(viewname, args=args)


def test_a_list_in_a_language_shows_each_story_in_it_where_it_can(client, original):
    swedish = live_translation(original, "sv")
    newsroom = original.newsroom
    english_only = make_release(newsroom, title="Only in English", slug="only-in-english")
    draft = versions.translate(english_only, "sv")  # a draft stands in for nothing

    for url in (
        in_swedish("press:release-list", newsroom.slug),
        in_swedish("newsroom:home", newsroom.slug),
        in_swedish("press:rss", newsroom.slug),
    ):
        page = client.get(url).content.decode()
        assert swedish.title in page and f"/sv/{newsroom.slug}/releases/{swedish.slug}/" in page
        assert f"releases/{original.slug}/" not in page, url
        assert f"/en/{newsroom.slug}/releases/{english_only.slug}/" in page, url
        assert draft.slug not in page, url
    listing = client.get(in_swedish("press:release-list", newsroom.slug)).content.decode()
    # The story without a Swedish version is there in English, and says so.
    assert f'hreflang="en">{english_only.title}</a>' in listing
    assert '<span class="language" lang="en">English</span>' in listing
    assert listing.count('class="language"') == 1


def test_the_api_filters_by_language_and_links_each_item_to_its_versions(client, original):
    swedish = live_translation(original, "sv")
    versions.translate(original, "de")  # a draft: linked nowhere

    in_swedish_items = client.get(reverse("api:release-list") + "?language=sv").json()["results"]
    item = client.get(reverse("api:release-detail", args=[original.newsroom.slug, original.slug]))

    assert [(i["uri"], i["language"]) for i in in_swedish_items] == [(swedish.urn, "sv")]
    linked = [a for a in item.json()["associations"] if a["name"].startswith("version-")]
    assert [(a["name"], a["uri"], a["language"]) for a in linked] == [
        ("version-sv", swedish.urn, "sv")
    ]
    back = [a for a in in_swedish_items[0]["associations"] if a["name"].startswith("version-")]
    assert [(a["uri"], a["language"]) for a in back] == [(original.urn, "en")]
    assert client.get(reverse("api:release-list") + "?language=xx").status_code == 400


def test_no_link_names_a_version_that_is_not_live(client, original):
    draft = versions.translate(original, "de")
    scheduled = live_translation(original, "sv")
    scheduled.publish_at = timezone.now() + timedelta(days=1)
    scheduled.save()
    sitemap_files = [
        client.get(location).content.decode()
        for location in re.findall(
            r"<loc>http://testserver([^<]+)</loc>", client.get("/sitemap.xml").content.decode()
        )
    ]
    pages = [client.get(original.get_absolute_url()).content.decode()]

    for text in [*sitemap_files, *pages]:
        assert draft.slug not in text and scheduled.slug not in text
    assert any(original.slug in text for text in sitemap_files)
    for hidden in (draft, scheduled):
        assert client.get(hidden.get_absolute_url()).status_code == 404


def test_the_changelist_marks_translations_without_a_query_per_row(editor_client, original):
    url = reverse("admin:press_pressrelease_changelist")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            page = editor_client.get(url)
        assert page.status_code == 200
        return len(captured), page.content.decode()

    alone, _page = queries()
    for language in ("sv", "de"):
        live_translation(original, language)
    with_translations, page = queries()
    assert with_translations == alone
    assert page.count("Up to date") == 2


def test_an_event_page_lists_each_story_once_in_the_readers_language(client, original):
    event = make_event(original.newsroom, name="Hankook 12h Hockenheimring")
    original.events.add(event)
    make_result(original, event)
    swedish = live_translation(original, "sv")

    english_page = client.get(event.get_absolute_url()).content.decode()
    with translation.override("sv"):
        swedish_page = client.get(
            reverse("press:event-detail", args=[event.newsroom.slug, event.slug])
        )

    assert english_page.count(original.get_absolute_url()) == 1
    assert swedish.title not in english_page
    swedish_page = swedish_page.content.decode()
    assert swedish_page.count(swedish.get_absolute_url()) == 1
    assert original.get_absolute_url() not in swedish_page
