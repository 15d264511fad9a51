"""The photo set page of the admin: a grid to order, crop, pick the cover and edit rights."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from PIL import Image

from media.imagegenerators import FocalCrop
from media.models import DownloadCount, Photo
from media.tasks import generate_renditions
from newsroom.ground.models import License, Membership, Role
from tests.factories import (
    admin_form_data,
    jpeg_bytes,
    make_newsroom,
    make_photo,
    make_photo_set,
    make_release,
    our_permissions,
)


@pytest.fixture
def photo_set(newsroom):
    photo_set = make_photo_set(newsroom, title="Hockenheim", slug="hockenheim")
    for n in range(3):
        make_photo(photo_set, data=jpeg_bytes(600 + n, 400), title=f"Photo {n}", position=n)
    return photo_set


def change_url(photo_set):
    return reverse("admin:media_photoset_change", args=[photo_set.pk])


def test_the_grid_shows_each_photo_where_it_is_used_and_its_downloads(editor_client, photo_set):
    photo = photo_set.photos.first()
    make_release(photo_set.newsroom, title="Podium release", hero_photo=photo)
    DownloadCount.objects.record(photo=photo, size="original")

    page = editor_client.get(change_url(photo_set)).content.decode()

    assert page.count("data-photo-card") == 3
    assert photo.thumbnail_url in page
    assert "Podium release</a> (hero)" in page
    assert "Original 1" in page
    assert 'form="bulk-edit-form"' in page
    assert "data-drop-zone" in page


def test_reordering_and_setting_the_cover_in_the_grid(editor_client, photo_set):
    response = editor_client.get(change_url(photo_set))
    data = admin_form_data(response)
    last = photo_set.photos.get(title="Photo 2")
    for n in range(3):
        data[f"photos-{n}-position"] = str(2 - n)  # reverse the order
    data["cover"] = str(last.pk)

    saved = editor_client.post(change_url(photo_set), data)

    assert saved.status_code == 302, saved.context["adminform"].form.errors
    assert list(photo_set.photos.values_list("title", flat=True)) == [
        "Photo 2",
        "Photo 1",
        "Photo 0",
    ]
    photo_set.refresh_from_db()
    assert photo_set.cover == last


def test_the_cover_must_be_one_of_the_sets_photos(editor_client, photo_set, newsroom):
    stranger = make_photo(make_photo_set(newsroom, slug="other"))
    data = admin_form_data(editor_client.get(change_url(photo_set)))
    data["cover"] = str(stranger.pk)

    response = editor_client.post(change_url(photo_set), data)

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_bulk_edit_changes_the_selected_photos_rights(editor_client, photo_set):
    first, second, third = photo_set.photos.all()
    versions = {photo.pk: photo.version for photo in (first, second, third)}

    response = editor_client.post(
        reverse("admin:media_photoset_bulk_edit", args=[photo_set.pk]),
        {"photos": [first.pk, second.pk], "credit": "Lestrup Racing Team", "license": "cc-by-4.0"},
        follow=True,
    )

    assert "2 photos were changed." in response.content.decode()
    changed = {photo.pk: photo for photo in Photo.objects.all()}
    for photo in (first, second):
        assert changed[photo.pk].credit == "Lestrup Racing Team"
        assert changed[photo.pk].license == License.CC_BY
        assert changed[photo.pk].version != versions[photo.pk]  # new files will be stamped
    assert changed[third.pk].version == versions[third.pk]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"credit": "X"}, "This field is required"),
        ({"photos": "PHOTO"}, "Fill at least one field to change."),
        ({"photos": "PHOTO", "license": "custom"}, "Write the custom terms"),
    ],
)
def test_bulk_edit_explains_what_is_missing(editor_client, photo_set, data, message):
    photo = photo_set.photos.first()
    data = {key: (photo.pk if value == "PHOTO" else value) for key, value in data.items()}

    response = editor_client.post(
        reverse("admin:media_photoset_bulk_edit", args=[photo_set.pk]), data, follow=True
    )

    assert message in response.content.decode()


def test_bulk_edit_of_another_newsrooms_set_is_404(editor_client):
    theirs = make_photo_set(make_newsroom(), slug="theirs")
    photo = make_photo(theirs)

    response = editor_client.post(
        reverse("admin:media_photoset_bulk_edit", args=[theirs.pk]),
        {"photos": [photo.pk], "credit": "Mine now"},
    )

    assert response.status_code == 404
    photo.refresh_from_db()
    assert photo.credit != "Mine now"


def test_the_social_crop_keeps_the_focal_point_in_view():
    image = Image.new("RGB", (3000, 1000), (255, 255, 255))
    image.paste((255, 0, 0), (2600, 400, 2800, 600))  # something red near the right edge

    centred = FocalCrop(1200, 630).process(image)
    focused = FocalCrop(1200, 630, x=0.9, y=0.5).process(image)

    assert centred.size == focused.size == (1200, 630)
    # The green channel drops where red is: the centred crop misses it, the other has it.
    assert centred.getchannel("G").getextrema()[0] > 200
    assert focused.getchannel("G").getextrema()[0] < 50


def test_moving_the_focal_point_makes_a_new_social_crop(client, photo_set):
    photo = photo_set.photos.first()
    before = io.BytesIO(b"".join(client.get(photo.social_url).streaming_content))
    photo.focal_x, photo.focal_y = 0.1, 0.9
    photo.save()
    generate_renditions.call(photo.pk)

    after = io.BytesIO(b"".join(client.get(photo.social_url).streaming_content))
    assert Image.open(before).size == Image.open(after).size == (1200, 630)
    assert photo.renditions.get(size="social").version == photo.version


def test_a_photos_texts_in_other_languages_are_edited_in_its_form(editor_client, photo_set):
    photo = photo_set.photos.first()
    url = reverse("admin:media_photo_change", args=[photo.pk])
    data = admin_form_data(editor_client.get(url))
    data |= {
        "texts-TOTAL_FORMS": 1,
        "texts-0-language": "sv",
        "texts-0-title": "Pallen",
        "texts-0-caption": "Trea på Hockenheim.",
    }

    response = editor_client.post(url, data)

    assert response.status_code == 302
    assert photo.texts.get().caption == "Trea på Hockenheim."
    data["texts-0-language"] = photo_set.newsroom.language
    refused = editor_client.post(url, data).content.decode()
    assert "own title and caption are in this language" in refused


def test_texts_in_other_languages_follow_the_photos_rules(client, photo_set, newsroom):
    photo_set.visibility = "public"
    photo_set.save()
    writer = get_user_model().objects.create_user("writer", is_staff=True)
    writer.user_permissions.set(our_permissions())
    Membership.objects.create(newsroom=newsroom, user=writer, role=Role.EDITOR)
    client.force_login(writer)
    photo = photo_set.photos.first()
    url = reverse("admin:media_photo_change", args=[photo.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert not any(inline.has_add_permission for inline in page.context["inline_admin_formsets"])
    client.post(
        url,
        {
            "texts-TOTAL_FORMS": 1,
            "texts-INITIAL_FORMS": 0,
            "texts-0-language": "sv",
            "texts-0-caption": "Nej.",
        },
    )
    assert not photo.texts.exists()
