"""A photo's title, caption and alt text as written in the page's language: photo pages, set
pages and selections in another of the newsroom's languages show them where they are
written, and the photo's own, marked with their language, where they are not."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from media import selection
from media.models import PhotoText, Visibility
from newsroom.ground.languages import reverse_in
from newsroom.ground.models import NewsroomLanguage
from tests.factories import make_photo, make_photo_set


@pytest.fixture
def photo_set(newsroom):
    NewsroomLanguage.objects.create(newsroom=newsroom, language="sv")
    return make_photo_set(newsroom, title="Hockenheim", visibility=Visibility.PUBLIC)


def written_in_swedish(photo_set):
    photo = make_photo(
        photo_set, title="On the podium", caption="Bäckman third.", alt_text="Three drivers."
    )
    PhotoText.objects.create(
        photo=photo,
        language="sv",
        title="På pallen",
        caption="Bäckman trea.",
        alt_text="Tre förare.",
    )
    return photo


def page(client, language, view, photo_set, **kwargs):
    room = {"newsroom": photo_set.newsroom.slug, "slug": photo_set.slug}
    response = client.get(reverse_in(language, view, **room, **kwargs))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("view", ["media:photo-detail", "media:photoset-detail"])
def test_a_page_in_another_language_shows_the_photos_texts_written_in_it(client, photo_set, view):
    photo = written_in_swedish(photo_set)
    kwargs = {"pk": photo.pk} if view == "media:photo-detail" else {}

    swedish = page(client, "sv", view, photo_set, **kwargs)
    english = page(client, "en", view, photo_set, **kwargs)

    for text in ("På pallen", '<span class="caption">Bäckman trea.</span>', 'alt="Tre förare."'):
        assert text in swedish, text
    assert "Bäckman third." not in swedish and "On the podium" not in swedish
    for text in ("On the podium", '<span class="caption">Bäckman third.</span>', "Three drivers"):
        assert text in english, text
    assert "Bäckman trea." not in english and "På pallen" not in english


def test_a_caption_not_written_in_the_pages_language_is_the_photos_own_marked_as_such(
    client, photo_set
):
    photo = make_photo(photo_set, title="Pit stop", caption="The crew at work.")
    PhotoText.objects.create(photo=photo, language="sv", title="Depåstopp")  # no caption

    swedish = page(client, "sv", "media:photo-detail", photo_set, pk=photo.pk)

    assert "<h1>Depåstopp</h1>" in swedish
    assert '<span class="caption" lang="en">The crew at work.</span>' in swedish


def test_a_set_page_reads_the_texts_of_all_its_photos_in_one_query(client, photo_set):
    written_in_swedish(photo_set)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            page(client, "sv", "media:photoset-detail", photo_set)
        return len(captured)

    one = queries()
    for _ in range(3):
        written_in_swedish(photo_set)
    assert queries() == one


def test_a_selection_in_swedish_shows_the_swedish_titles(client, photo_set):
    photo = written_in_swedish(photo_set)
    token = selection.token([selection.Item("p", photo.pk)])

    swedish = client.get(reverse_in("sv", "media:selection", items=token)).content.decode()
    english = client.get(reverse_in("en", "media:selection", items=token)).content.decode()

    assert "På pallen" in swedish and 'alt="Tre förare."' in swedish
    assert "On the podium" in english and "På pallen" not in english
