"""Uploading many photos at once in the admin: good files kept, bad files named."""

import io
import struct
import threading
import zlib
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from media.models import Photo
from media.sizes import SIZES
from tests.factories import jpeg_bytes, make_newsroom, make_photo_set
from tests.files import camera_jpeg


def upload(name, data, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_bytes(width=120, height=80):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def pixel_bomb():
    """A well-formed PNG of a few hundred bytes that claims 100,000 × 100,000 pixels."""
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + png_chunk(b"IEND", b"")
    )


def psd_bytes():
    header = b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, 8, 8, 8, 3)
    return header + struct.pack(">III", 0, 0, 0) + struct.pack(">H", 0) + bytes(8 * 8 * 3)


BAD_FILES = [
    ("bomb.png", pixel_bomb(), "“bomb.png” has too many pixels"),
    ("cut.jpg", jpeg_bytes(800, 600)[:3000], "“cut.jpg” is damaged or incomplete"),
    (
        "page.png",
        png_bytes() + b"<html><script>alert(1)</script></html>",
        "“page.png” contains text that a browser could run as a web page (“<html…”), "
        "after the end of the image",
    ),
    (
        "trailer.png",
        png_bytes() + b"\x00" * 64,
        "“trailer.png” has data after the end of the image",
    ),
    (
        "logo.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"></svg>',
        "“logo.svg” is not a JPEG, PNG, WebP, TIFF or HEIC image",
    ),
    ("layers.jpg", psd_bytes(), "“layers.jpg” is not a JPEG, PNG, WebP, TIFF or HEIC image"),
    (
        "logo.jpg",
        b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n",
        "“logo.jpg” is not a JPEG",
    ),
    ("fake.jpg", b"<!doctype html><title>x</title>", "“fake.jpg” is not a JPEG"),
    ("empty.jpg", b"", "“empty.jpg” is empty"),
    (
        "renamed.png",
        jpeg_bytes(),
        "“renamed.png” is named like a .png file but contains a JPEG image",
    ),
]


@pytest.fixture
def photo_set(newsroom):
    return make_photo_set(newsroom, title="Hockenheim", slug="hockenheim")


def post_files(client, photo_set, files, json=True):
    headers = {"Accept": "application/json"} if json else {}
    return client.post(
        reverse("admin:media_photoset_upload", args=[photo_set.pk]),
        {"files": files},
        headers=headers,
    )


def test_a_batch_keeps_every_good_file_and_names_every_bad_one(editor_client, photo_set, settings):
    good = [
        upload("podium.jpg", jpeg_bytes(900, 600)),
        upload("car.png", png_bytes(), "image/png"),
    ]
    bad = [upload(name, data) for name, data, _message in BAD_FILES]

    response = post_files(editor_client, photo_set, [good[0], *bad, good[1]])

    results = response.json()["results"]
    assert [result["saved"] for result in results] == [True] + [False] * len(bad) + [True]
    for result, (name, _data, message) in zip(results[1:-1], BAD_FILES, strict=True):
        assert result["name"] == name
        assert message in result["message"], result
    assert sorted(photo_set.photos.values_list("original_filename", flat=True)) == [
        "car.png",
        "podium.jpg",
    ]
    stored = sorted(p.name for p in (Path(settings.MEDIA_ROOT) / "photos").iterdir())
    assert len(stored) == 2 and not any("podium" in name or "car" in name for name in stored)


def test_hostile_names_are_made_harmless_and_kept_as_data(editor_client, photo_set, settings):
    long_name = "a" * 296 + ".jpg"
    files = [
        upload("../../../etc/passwd.jpg", jpeg_bytes()),
        upload(long_name, jpeg_bytes(301, 200)),
    ]

    results = post_files(editor_client, photo_set, files).json()["results"]

    assert all(result["saved"] for result in results)
    names = set(photo_set.photos.values_list("original_filename", flat=True))
    assert "passwd.jpg" in names
    assert max(len(name) for name in names) <= 255
    root = Path(settings.MEDIA_ROOT).resolve()
    for photo in Photo.objects.all():
        assert Path(photo.image.path).resolve().is_relative_to(root / "photos")
    assert not (root.parent / "etc").exists()


def test_duplicates_are_pointed_out(editor_client, photo_set, newsroom):
    data = jpeg_bytes(640, 480, colour=(1, 2, 3))
    other = make_photo_set(newsroom, title="Other set", slug="other")

    first = post_files(editor_client, photo_set, [upload("a.jpg", data)]).json()["results"][0]
    again = post_files(editor_client, photo_set, [upload("b.jpg", data)]).json()["results"][0]
    elsewhere = post_files(editor_client, other, [upload("c.jpg", data)]).json()["results"][0]

    assert first["saved"]
    assert not again["saved"] and "“b.jpg” is already in this set as “a.jpg”" in again["message"]
    assert elsewhere["saved"] and "also in the set “Hockenheim”" in elsewhere["message"]


def test_without_javascript_the_form_reports_by_message(editor_client, photo_set):
    response = post_files(
        editor_client,
        photo_set,
        [upload("good.jpg", jpeg_bytes()), upload("empty.jpg", b"")],
        json=False,
    )

    assert response.status_code == 302
    page = editor_client.get(response["Location"]).content.decode()
    assert "“good.jpg” was added." in page
    assert "“empty.jpg” is empty." in page


def test_uploaded_photos_are_prefilled_from_their_metadata_and_rendered(
    editor_client, photo_set, django_capture_on_commit_callbacks
):

    data = camera_jpeg(artist="24H SERIES", copyright="© 24H SERIES", description="Podium")
    with django_capture_on_commit_callbacks(execute=True):
        post_files(editor_client, photo_set, [upload("podium.jpg", data)])

    photo = Photo.objects.get()
    assert (photo.credit, photo.copyright, photo.caption) == (
        "24H SERIES",
        "© 24H SERIES",
        "Podium",
    )
    assert photo.taken_at is not None
    assert photo.rendered_version == photo.version
    # Every size there is, but print: a JPEG's original is its print file.
    made = set(photo.renditions.values_list("size", flat=True))
    assert made == set(SIZES) - {"print"}


def test_only_members_with_upload_rights_may_upload(client, photo_set, editor):
    outsider_set = make_photo_set(make_newsroom(), slug="theirs")
    client.force_login(editor)
    assert post_files(client, outsider_set, [upload("a.jpg", jpeg_bytes())]).status_code == 404

    reader = get_user_model().objects.create_user("reader", is_staff=True)
    reader.user_permissions.set(
        Permission.objects.filter(codename__in=["change_photoset", "view_photoset"])
    )
    photo_set.newsroom.memberships.create(user=reader)
    client.force_login(reader)
    assert post_files(client, photo_set, [upload("a.jpg", jpeg_bytes())]).status_code == 403
    assert not Photo.objects.exists()


def test_a_single_upload_in_the_photo_form_is_checked_too(editor_client, photo_set):
    data = jpeg_bytes(700, 500, colour=(9, 9, 9))
    add = reverse("admin:media_photo_add")
    form = {
        "photo_set": photo_set.pk,
        "position": 0,
        "license": "",
        "focal_x": 0.5,
        "focal_y": 0.5,
        "texts-TOTAL_FORMS": 0,
        "texts-INITIAL_FORMS": 0,
    }

    first = editor_client.post(add, {**form, "image": upload("one.jpg", data)})
    again = editor_client.post(add, {**form, "image": upload("two.jpg", data)})
    fake = editor_client.post(add, {**form, "image": upload("fake.jpg", b"<html>no</html>")})

    assert first.status_code == 302
    assert "This file is already in the set as “one.jpg”." in again.content.decode()
    assert "Upload a valid image" in fake.content.decode()
    assert photo_set.photos.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_photo_dropped_twice_at_once_is_saved_once(newsroom, settings, monkeypatch):
    from django.db import connection

    from media import uploads

    photo_set = make_photo_set(newsroom, title="Hockenheim", slug="hockenheim")
    data = jpeg_bytes(640, 480, colour=(7, 7, 7))
    barrier = threading.Barrier(2)
    position = uploads.next_position

    def both_past_the_check(photo_set):
        # Called after the duplicate check, right before saving: both uploads meet here.
        barrier.wait(timeout=10)
        return position(photo_set)

    monkeypatch.setattr(uploads, "next_position", both_past_the_check)
    results = []

    def drop(name):
        try:
            results.append(uploads.accept_photo(photo_set, upload(name, data)))
        finally:
            connection.close()

    threads = [threading.Thread(target=drop, args=(name,)) for name in ("a.jpg", "b.jpg")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(result.saved for result in results) == [False, True]
    kept = next(result for result in results if result.saved).kept
    refused = next(result for result in results if not result.saved)
    assert refused.message == f"“{refused.name}” is already in this set as “{kept}”."
    assert photo_set.photos.count() == 1
    assert len(list((Path(settings.MEDIA_ROOT) / "photos").iterdir())) == 1
