"""Everything a photo goes through, on S3-compatible object storage (a local moto server)."""

import io
import socket
import subprocess
import sys
import time
import zipfile

import boto3
import pytest
import requests
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from media.models import DownloadCount, Photo, Visibility
from tests.factories import body, exiftool, make_photo, make_photo_set, with_exif
from tests.files import camera_jpeg

BUCKET = "newsroom-test"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("the moto S3 server did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def s3(settings, s3_endpoint):
    options = {
        "bucket_name": BUCKET,
        "endpoint_url": s3_endpoint,
        "access_key": "testing",
        "secret_key": "testing",
        "region_name": "us-east-1",
        "addressing_style": "path",
        "signature_version": "s3v4",
        "file_overwrite": False,
    }
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])


def keys(client):
    return sorted(
        item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    )


def test_upload_renditions_download_and_zip_on_object_storage(
    s3, editor_client, newsroom, django_capture_on_commit_callbacks, tmp_path
):
    assert type(storages["default"]).__name__ == "S3Storage"
    photo_set = make_photo_set(newsroom, title="Hockenheim")
    data = with_exif(
        camera_jpeg((2400, 1600), artist="24H SERIES"),
        {"Exif.GPSInfo.GPSLatitudeRef": "N", "Exif.GPSInfo.GPSLatitude": "49/1 19/1 0/1"},
    )
    upload = SimpleUploadedFile("car.jpg", data, content_type="image/jpeg")

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("admin:media_photoset_upload", args=[photo_set.pk]),
            {"files": [upload]},
            headers={"Accept": "application/json"},
        )
    assert response.json()["results"][0]["saved"]
    photo = Photo.objects.get()
    assert len(keys(s3)) == 1 + len(photo.sizes_made())  # the upload, and a file a size
    assert all(key.startswith(("photos/", "renditions/")) for key in keys(s3))

    editor_client.logout()
    web = editor_client.get(photo.web_url)
    assert Image.open(io.BytesIO(body(web))).size == (2048, 1365)
    original = editor_client.get(photo.original_url)
    original_bytes = body(original)
    assert int(original["Content-Length"]) == len(original_bytes)
    tags = exiftool(original_bytes)
    assert "GPS:GPSLatitude" not in tags and tags["IPTC:Credit"] == "24H SERIES"
    part = editor_client.get(photo.original_url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and body(part) == original_bytes[100:200]

    archive = editor_client.get(reverse("media:photoset-zip", args=[photo_set.pk, "web"]))
    archive_bytes = body(archive)
    assert int(archive["Content-Length"]) == len(archive_bytes)
    assert zipfile.ZipFile(io.BytesIO(archive_bytes)).testzip() is None

    with django_capture_on_commit_callbacks(execute=True):
        photo.delete()
    assert keys(s3) == []


def test_public_downloads_are_handed_to_the_bucket_with_our_name_and_a_short_life(
    s3, settings, newsroom, editor_client
):
    settings.NEWSROOM_BUCKET_DOWNLOADS = True
    client = Client()  # a journalist, not logged in
    public = make_photo_set(newsroom, title="Podium", visibility=Visibility.PUBLIC)
    photo = make_photo(public, data=camera_jpeg((1600, 1200)), title="Podium")
    hidden = make_photo(
        make_photo_set(newsroom, title="Later", visibility=Visibility.PRIVATE),
        data=camera_jpeg((800, 600)),
    )

    answer = client.get(photo.file_url("original") + "?download")

    assert answer.status_code == 302
    assert "no-store" in answer["Cache-Control"]
    location = answer["Location"]
    assert location.startswith(settings.STORAGES["default"]["OPTIONS"]["endpoint_url"])
    assert "X-Amz-Expires=60" in location
    fetched = requests.get(location, timeout=10)
    with photo.renditions.get(size="original").file.open("rb") as stored:
        assert fetched.status_code == 200 and fetched.content == stored.read()
    assert fetched.headers["Content-Disposition"].startswith("attachment;")
    assert ".jpg" in fetched.headers["Content-Disposition"]
    assert fetched.headers["Content-Type"] == "image/jpeg"
    assert DownloadCount.objects.get(photo=photo, size="original").count == 1
    # Not public: no address of the bucket for anyone; editors' previews stream as before.
    assert client.get(hidden.file_url("original")).status_code == 404
    preview = editor_client.get(hidden.file_url("original"))
    assert preview.status_code == 200 and "Location" not in preview
