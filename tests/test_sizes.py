"""The registry of sizes: a size added there is made, offered, served and kept from leaking
everywhere at once, and `render_photos --missing` brings it to the photos already there."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from PIL import Image

from media.imagegenerators import Square
from media.models import Rendition, Visibility
from media.sizes import SIZES, RenditionSize
from tests.factories import body, jpeg_bytes, make_photo, make_photo_set
from tests.test_leak_matrix import STATES, fetch, object_urls, release_in


@pytest.fixture
def add_square(monkeypatch):
    """Add a square 1080 × 1080 download, as one entry in media/sizes.py would."""

    def add():
        size = RenditionSize("square", "Square", Square.sized(1080, 1080), download=True)
        monkeypatch.setitem(SIZES, "square", size)
        return size

    return add


@pytest.fixture
def photo(newsroom):
    return make_photo(make_photo_set(newsroom), title="Podium", data=jpeg_bytes(1600, 1200))


def files_of(photo):
    return {r.size: (r.file.name, r.version, r.created_at) for r in photo.renditions.all()}


def test_a_new_size_reaches_existing_photos_and_nothing_else_changes(client, photo, add_square):
    before = files_of(photo)
    urls = {size: photo.file_url(size) for size in before}
    add_square()
    page = client.get(photo.get_absolute_url()).content.decode()
    assert 'Square <span class="dims">being prepared</span>' in page
    waiting = client.get(photo.file_url("square"))  # a placeholder, never cached
    assert waiting["Content-Type"] == "image/svg+xml" and "no-store" in waiting["Cache-Control"]

    out = io.StringIO()
    call_command("render_photos", "--missing", stdout=out)

    assert out.getvalue().splitlines() == [
        "photo 1/1: 1 size made",
        "Made 1 file(s) of 1 of 1 photo(s); 0 failed.",
    ]
    photo.refresh_from_db()
    after = files_of(photo)
    assert after.keys() - before.keys() == {"square"}
    # Every other file is the very same file, at the very same address.
    assert {size: after[size] for size in before} == before
    assert {size: photo.file_url(size) for size in before} == urls
    square = photo.renditions.get(size="square")
    assert square.version == photo.version
    assert (square.width, square.height) == (1080, 1080)

    page = client.get(photo.get_absolute_url()).content.decode()
    url = photo.file_url("square") + "?download"
    assert f'<a href="{url}" download>Square <span class="dims">1080 × 1080 px' in page
    response = client.get(url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert Image.open(io.BytesIO(body(response))).size == (1080, 1080)

    # Run again: nothing is missing, nothing is made.
    out = io.StringIO()
    call_command("render_photos", "--missing", stdout=out)
    assert out.getvalue().splitlines() == ["Made 0 file(s) of 0 of 1 photo(s); 0 failed."]
    assert files_of(photo) == after


def test_a_new_size_is_made_with_new_uploads_listed_in_the_api_and_needs_no_migration(
    client, newsroom, add_square
):
    add_square()
    photo = make_photo(make_photo_set(newsroom), data=jpeg_bytes(1600, 1200))

    assert photo.renditions.filter(size="square").exists()
    detail = client.get(reverse("api:photoset-detail", args=[photo.photo_set_id])).json()
    [listed] = detail["photos"]
    assert "square" in [rendition["name"] for rendition in listed["renditions"]]
    # The size fields' choices are read from the registry, not kept in migrations.
    call_command("makemigrations", "media", "--check", "--dry-run", stdout=io.StringIO())


@pytest.mark.parametrize("state", STATES)
def test_a_new_size_goes_public_with_its_photo_and_not_before(newsroom, add_square, state):
    add_square()
    release, photo_set, photo, document = release_in(newsroom, state)
    urls = object_urls(release, photo_set, photo, document)
    assert {"square file", "square download"} <= urls.keys()  # the matrix walks the registry
    public = Client()
    for name, url in urls.items():
        status, _content = fetch(public, url)
        assert (status == 200) is (state == "live"), (state, name, url, status)


def test_a_new_size_of_a_private_photo_is_served_to_its_editors_only(
    editor_client, newsroom, add_square
):
    add_square()
    private = make_photo(
        make_photo_set(newsroom, visibility=Visibility.PRIVATE), data=jpeg_bytes(1600, 1200)
    )
    for url in (private.file_url("square"), private.file_url("square") + "?download"):
        assert Client().get(url).status_code == 404
        assert editor_client.get(url).status_code == 200
    assert Rendition.objects.filter(photo=private, size="square").exists()
