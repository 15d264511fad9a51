"""How production servers get the bytes: WSGI file handles, ASGI streaming, nginx X-Accel."""

import io
import zipfile

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from django.http import FileResponse
from django.test import AsyncClient, Client
from django.urls import reverse

from tests.factories import body, jpeg_bytes, make_photo, make_photo_set


@pytest.fixture
def photo(newsroom):
    return make_photo(make_photo_set(newsroom), data=jpeg_bytes(1600, 1200))


async def collect(response):
    return b"".join([chunk async for chunk in response.streaming_content])


def asgi_get(url, **headers):
    return async_to_sync(AsyncClient().get)(url, headers=headers)


def test_under_asgi_a_download_streams_chunk_by_chunk(photo):
    response = asgi_get(photo.original_url)

    # An asynchronous body: Django's ASGI handler would read a plain one whole first.
    assert response.is_async
    data = async_to_sync(collect)(response)
    with photo.renditions.get(size="original").file.open("rb") as handle:
        assert data == handle.read()
    assert int(response["Content-Length"]) == len(data)


def test_under_asgi_ranges_and_zips_stream_too(photo):
    part = asgi_get(photo.original_url, Range="bytes=10-19")
    archive = asgi_get(reverse("media:photoset-zip", args=[photo.photo_set_id, "web"]))

    assert part.status_code == 206 and part.is_async
    assert len(async_to_sync(collect)(part)) == 10
    assert archive.is_async
    data = async_to_sync(collect)(archive)
    assert int(archive["Content-Length"]) == len(data)
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None


def test_under_wsgi_whole_files_go_out_as_file_handles(client, photo):
    response = client.get(photo.original_url)

    # A FileResponse hands its file to the WSGI server (gunicorn uses sendfile()).
    assert isinstance(response, FileResponse)
    assert len(body(response)) == int(response["Content-Length"])


def test_behind_nginx_the_web_server_sends_the_file(client, photo, settings):
    settings.NEWSROOM_ACCEL_REDIRECT_PREFIX = "/protected-uploads/"
    rendition = photo.renditions.get(size="original")

    response = client.get(photo.original_url)

    assert response["X-Accel-Redirect"] == f"/protected-uploads/{rendition.file.name}"
    assert response.content == b""
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "public, max-age=300"


@pytest.mark.django_db(transaction=True)
def test_a_streaming_download_holds_no_database_connection(newsroom):
    photo = make_photo(make_photo_set(newsroom), data=jpeg_bytes(1600, 1200))
    client = Client()
    zip_url = reverse("media:photoset-zip", args=[photo.photo_set_id, "web"])

    for url, headers in [
        (photo.original_url, {}),
        (photo.original_url, {"Range": "bytes=10-19"}),
        (zip_url, {}),
    ]:
        response = client.get(url, headers=headers)
        assert connection.connection is None, url  # given back before the first byte
        chunks = list(response.streaming_content)
        assert chunks and connection.connection is None, url  # and none taken while streaming
