"""The demo command a newcomer runs first."""

import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from media.models import Photo
from newsroom.ground.models import Newsroom
from newsroom.site.demo import loader
from press import sitemaps
from press.models import PressRelease
from press.publishing import announce_due_releases
from tests.factories import body, exiftool


def dump():
    out = io.StringIO()
    call_command(
        "dumpdata",
        "newsroom",
        "press",
        "media",
        "auth.user",
        "auth.group",
        indent=1,
        stdout=out,
    )
    return out.getvalue()


def counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def stored_files(root):
    """Every file in storage, with its size and when it was last written."""
    return {
        str(path.relative_to(root)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in Path(root).rglob("*")
        if path.is_file()
    }


@pytest.fixture(scope="module")
def demo_uploads(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-uploads")


@pytest.fixture(autouse=True)
def fresh_uploads(settings, demo_uploads):
    """All tests here read the files the demo wrote once for the module."""
    settings.MEDIA_ROOT = demo_uploads


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, demo_uploads):
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=demo_uploads):
        output = io.StringIO()
        call_command("demo", "--no-serve", stdout=output)
        first = {"dump": dump(), "counts": counts(), "files": stored_files(demo_uploads)}
        call_command("demo", "--no-serve", stdout=io.StringIO())
        second = {"dump": dump(), "counts": counts(), "files": stored_files(demo_uploads)}
        yield {"output": output.getvalue(), "first": first, "second": second}
        call_command("flush", interactive=False)


@pytest.fixture
def demo_db(demo, db):
    return demo


def test_running_the_demo_twice_changes_nothing(demo_db):
    first, second = demo_db["first"], demo_db["second"]

    assert first["dump"] == second["dump"]
    assert first["counts"] == second["counts"]
    data = loader.read()
    photos = sum(len(photo_set["photos"]) for item in data for photo_set in item["photo_sets"])
    assert first["counts"]["media.Photo"] == photos == 9
    versions = [
        version
        for item in data
        for release in item["releases"]
        for version in [release, *release.get("translations", [])]
    ]
    assert first["counts"]["press.PressRelease"] == len(versions) == 8
    # Not a file more, and none written again.
    assert first["files"] == second["files"]


def test_the_demo_logos_are_kept_with_their_size(demo_db):
    # Kept in the row: a newsroom loaded for a page does not open its logo file to learn them.
    sizes = list(Newsroom.objects.values_list("logo_width", "logo_height"))

    assert sizes and all(width and height for width, height in sizes)


def test_the_demo_prints_a_login_that_works(demo_db, client):
    match = re.search(r"Log in as:\s+(\S+) / (\S+)", demo_db["output"])

    assert match
    response = client.post(
        reverse("admin:login"), {"username": match[1], "password": match[2], "next": "/admin/"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/press/pressrelease/").status_code == 200


def test_the_demo_release_shows_every_part_of_the_seed(demo_db, client):
    release = PressRelease.objects.get(slug="backman-third-in-the-hockenheim-12-hours")
    page = client.get(release.get_absolute_url()).content.decode()

    assert "Bäckman on the podium in the Hockenheim 12 hours" in page
    assert "Photo: 24H SERIES" in page and "(Free to use with credit)" in page
    assert "<cite>Andreas Bäckman</cite>" in page and "<cite>Fredrik Lestrup</cite>" in page
    assert re.search(
        r"Free Practice.*?3rd place.*?Qualifying.*?1st place.*?Race 1 \(12 hours\).*?3rd place",
        page,
        re.S,
    )
    assert 'href="/en/andreas-backman/photos/hockenheim-12h/"' in page
    assert "STCC season opener, Ljungbyhed" in page
    assert "press@backman-racing.example" in page
    assert "About Andreas Bäckman" in page


def test_the_demo_has_a_draft_and_an_embargoed_release_nobody_sees(demo_db, client):
    hidden = PressRelease.objects.exclude(pk__in=PressRelease.objects.live())

    assert {release.slug for release in hidden} == {
        "hockenheim-night-gallery",
        "ready-for-the-stcc-opener-at-ljungbyhed",
        "redo-for-stcc-premiaren-pa-ljungbyhed",  # its Swedish version, under the same embargo
    }
    for release in hidden:
        assert client.get(release.get_absolute_url()).status_code == 404
    assert client.get("/en/andreas-backman/photos/stcc-ljungbyhed-preview/").status_code == 404


def test_the_demo_photos_are_camera_sized_and_downloadable(demo_db, client):
    photos = Photo.objects.exclude(original_filename__contains="portrait")

    assert photos.count() >= 8
    for photo in photos:
        assert photo.width >= 4000 and photo.height >= 2667
    photo = photos.get(original_filename="hockenheim-podium.jpg")
    response = client.get(photo.original_url)
    data = b"".join(response.streaming_content)
    assert response["Content-Disposition"].startswith("attachment")
    assert Image.open(io.BytesIO(data)).size == (4000, 2667)
    web = Image.open(io.BytesIO(b"".join(client.get(photo.web_url).streaming_content)))
    assert web.size == photo.web_size == (2048, 1366)


def test_the_demo_photos_are_what_a_camera_writes(demo_db, client):
    photo = Photo.objects.get(original_filename="hockenheim-podium.jpg")
    with photo.image.open("rb") as file:
        uploaded = file.read()
    served = exiftool(body(client.get(photo.original_url)))
    camera = exiftool(uploaded)

    assert len(uploaded) > 2_000_000  # grain weighs what it does in a real 10-megapixel JPEG
    assert (camera["IFD0:Make"], camera["IFD0:Orientation"]) == (
        "Demo Camera Co.",
        "Horizontal (normal)",
    )
    taken = timezone.localtime(photo.taken_at).strftime("%Y:%m:%d %H:%M:%S")
    assert camera["ExifIFD:DateTimeOriginal"] == served["ExifIFD:DateTimeOriginal"] == taken
    assert camera["ExifIFD:ExposureTime"] and camera["IFD0:Artist"] == "24H SERIES"
    # Where the photographer stood is in the camera's file, and never in ours.
    assert "GPS:GPSLatitude" in camera and "GPS:GPSLatitude" not in served
    assert served["IFD0:Model"] == "Demo Camera DC-1" and served["IPTC:Credit"] == "24H SERIES"


def test_every_admin_page_opens_for_the_demo_editor(demo_db, client):
    client.force_login(User.objects.get(username="editor"))
    for model in admin.site._registry:
        if model._meta.app_label not in ("newsroom", "press", "media"):
            continue
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        assert client.get(reverse(f"{name}_changelist")).status_code == 200, name
        first = model._default_manager.first()
        if first is not None:
            assert client.get(reverse(f"{name}_change", args=[first.pk])).status_code == 200, name


def test_the_demo_release_offers_its_photos_as_zip_and_its_fact_sheet(demo_db, client):
    release = PressRelease.objects.get(slug="backman-third-in-the-hockenheim-12-hours")
    page = client.get(release.get_absolute_url()).content.decode()
    zip_link = re.search(r'href="(/files/sets/\d+/web\.zip)"', page)[1]
    document_link = re.search(r'href="(/files/documents/\d+/\w+/)" download>Andreas', page)[1]

    archive = zipfile.ZipFile(io.BytesIO(b"".join(client.get(zip_link).streaming_content)))
    # Four photos and the video's web version, with CREDITS.txt and credits.csv.
    assert len(archive.namelist()) == 4 + 1 + 2
    assert "05 Car #120 passes the grandstand at night.mp4" in archive.namelist()
    assert "Credit: 24H SERIES" in archive.read("CREDITS.txt").decode()
    document = client.get(document_link)
    assert document["Content-Type"] == "application/pdf"
    assert document["Content-Disposition"].startswith("attachment")
    assert b"".join(document.streaming_content).startswith(b"%PDF-")


def test_the_demo_prints_a_working_preview_pass(demo_db):
    link = re.search(
        r"preview pass for the embargoed release: http://[^/]+(/preview/\S+)", demo_db["output"]
    )

    response = Client().get(link[1])

    assert response.status_code == 200
    assert "EMBARGOED — not for publication until" in response.content.decode()
    assert "Ready for the STCC opener at Ljungbyhed" in response.content.decode()


def test_every_door_for_journalists_opens_in_the_demo(demo_db, client):
    release = PressRelease.objects.get(slug="backman-third-in-the-hockenheim-12-hours")
    doors = [
        sitemaps.file_path(release.newsroom, "releases", release.publish_at),
        "/en/andreas-backman/releases/feed.rss",
        "/en/andreas-backman/releases/feed.atom",
        "/en/andreas-backman/events.ics",
        "/en/andreas-backman/alerts/",
        "/sitemap.xml",
        "/robots.txt",
        "/en/search/?q=Hockenheim",
        "/api/releases/",
        "/api/openapi.json",
        "/api/photo-sets/",
        "/api/events/",
    ]
    for door in doors:
        response = client.get(door)
        assert response.status_code == 200, door
        shows_the_release = b"hockenheim" in response.content.lower()
        assert shows_the_release or door.endswith(("/alerts/", ".txt", ".json", "/sitemap.xml")), (
            door
        )


def test_the_demo_follower_gets_the_embargoed_release_when_it_goes_live(
    demo_db, django_capture_on_commit_callbacks
):
    release = PressRelease.objects.get(slug="ready-for-the-stcc-opener-at-ljungbyhed")

    moment = release.publish_at + timedelta(seconds=1)
    with (
        time_machine.travel(moment, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        announce_due_releases()

    alerts = {message.to[0]: message for message in mail.outbox}
    assert sorted(alerts) == ["journalist@news.example", "sporten@tidningen.example"]
    alert, swedish = alerts["journalist@news.example"], alerts["sporten@tidningen.example"]
    assert alert.subject == f"Andreas Bäckman: {release.title}"
    # The sports desk reads Swedish: it gets the Swedish version, and only that one.
    assert swedish.subject == "Andreas Bäckman: Redo för STCC-premiären på Ljungbyhed"
    assert "/sv/andreas-backman/releases/redo-for-stcc-premiaren-pa-ljungbyhed/" in swedish.body
    assert "Om Andreas Bäckman" in swedish.body and "svensk standardvagnsförare" in swedish.body
    assert alert.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
