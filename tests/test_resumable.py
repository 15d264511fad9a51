"""Resumable uploads (tus 1.0.0): what a client sees at each step, and the bytes that arrive."""

import base64
import fcntl
import hashlib
import io
import json
import os
import time
import tracemalloc
from datetime import timedelta

import pytest
from django.test import RequestFactory

from media.resumable import Staging, UploadTooLong, tus_endpoint

EDITOR = 7
OTHER_EDITOR = 8
THE_SET = "photoset:1"
COLLECTION = "/uploads/"
PIECE = "application/offset+octet-stream"
MiB = 1024 * 1024


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while piece := handle.read(MiB):
            digest.update(piece)
    return digest.hexdigest()


def encoded(text):
    return base64.b64encode(text.encode()).decode()


class Server:
    """The endpoint as a project view wires it, with an on_complete that notes what it got."""

    def __init__(self, staging):
        self.staging = staging
        self.handed_over = []
        self.broken = False

    def on_complete(self, request, staged):
        if self.broken:
            raise RuntimeError("the database is down")
        self.handed_over.append((staged, file_sha256(staged.path)))
        name = staged.metadata.get("filename", "")
        return {"saved": True, "message": f"“{name}” was added.", "name": name}

    def send(
        self,
        method,
        url,
        data=b"",
        *,
        user=EDITOR,
        target=THE_SET,
        headers=None,
        body=None,
        **meta,
    ):
        """One request; `body` stands in for the connection the bytes are read from."""
        headers = {"Tus-Resumable": "1.0.0", **(headers or {})}
        if body is not None:
            meta["wsgi.input"] = body
        request = RequestFactory().generic(method, url, data, headers=headers, **meta)
        upload_id = url.removeprefix(COLLECTION).strip("/") or None
        return tus_endpoint(
            request,
            upload_id,
            staging=self.staging,
            owner_id=user,
            target=target,
            location_for=lambda new_id: f"{COLLECTION}{new_id}/",
            on_complete=self.on_complete,
        )

    def create(self, length, filename="final-lap.mp4", headers=None, **kwargs):
        metadata = f"filename {encoded(filename)},filetype {encoded('video/mp4')}"
        headers = {"Upload-Length": str(length), "Upload-Metadata": metadata, **(headers or {})}
        return self.send("POST", COLLECTION, headers=headers, **kwargs)

    def new_upload(self, length, **kwargs):
        response = self.create(length, **kwargs)
        assert response.status_code == 201
        return response["Location"]

    def patch(self, url, offset, data=b"", headers=None, **kwargs):
        headers = {"Upload-Offset": str(offset), **(headers or {})}
        return self.send("PATCH", url, data, headers=headers, CONTENT_TYPE=PIECE, **kwargs)

    def offset(self, url, **kwargs):
        response = self.send("HEAD", url, **kwargs)
        assert response.status_code == 200
        return int(response["Upload-Offset"])


class DroppedConnection(io.RawIOBase):
    """A request body whose connection breaks after `arrives` bytes."""

    def __init__(self, data, arrives):
        self.data, self.arrives, self.position = data, arrives, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.position >= self.arrives:
            raise OSError("Connection reset by peer")
        piece = self.data[self.position : min(self.position + len(buffer), self.arrives)]
        buffer[: len(piece)] = piece
        self.position += len(piece)
        return len(piece)


class GeneratedVideo(io.RawIOBase):
    """`size` bytes made on the fly as they are read, never held at once."""

    def __init__(self, size):
        self.left = size
        self.block = os.urandom(MiB)
        self.digest = hashlib.sha256()

    def readable(self):
        return True

    def readinto(self, buffer):
        size = min(self.left, len(buffer), MiB)
        buffer[:size] = self.block[:size]
        self.digest.update(self.block[:size])
        self.left -= size
        return size


@pytest.fixture
def staging(settings, tmp_path):
    settings.NEWSROOM_UPLOAD_STAGING_DIR = tmp_path / "staging"
    return Staging()


@pytest.fixture
def server(staging):
    return Server(staging)


def staged_files(staging):
    return sorted(path.name for path in staging.directory.iterdir())


def test_options_says_what_the_server_can(server, settings):
    settings.NEWSROOM_UPLOAD_MAX_BYTES = 5 * MiB

    response = server.send("OPTIONS", COLLECTION, headers={"Tus-Resumable": ""})

    assert response.status_code == 204
    assert response["Tus-Version"] == "1.0.0"
    assert set(response["Tus-Extension"].split(",")) == {
        "creation",
        "creation-with-upload",
        "termination",
    }
    assert response["Tus-Max-Size"] == str(5 * MiB)


def test_a_file_sent_in_three_pieces_arrives_whole(server):
    video = os.urandom(3 * 100_000 + 17)
    url = server.new_upload(len(video))
    assert url.startswith(COLLECTION)
    assert server.offset(url) == 0

    first = server.patch(url, 0, video[:100_000])
    second = server.patch(url, 100_000, video[100_000:200_000])
    last = server.patch(
        url, 200_000, video[200_000:], headers={"Upload-Complete-Response": "json"}
    )

    assert (first.status_code, first["Upload-Offset"]) == (204, "100000")
    assert (second.status_code, second["Upload-Offset"]) == (204, "200000")
    assert last.status_code == 200
    assert last["Upload-Offset"] == str(len(video))
    assert json.loads(last.content) == {
        "saved": True,
        "message": "“final-lap.mp4” was added.",
        "name": "final-lap.mp4",
    }
    [(staged, digest)] = server.handed_over
    assert digest == sha256(video)
    assert staged.metadata == {"filename": "final-lap.mp4", "filetype": "video/mp4"}
    assert (staged.owner_id, staged.target) == (EDITOR, THE_SET)


def test_a_plain_tus_client_gets_204_for_the_last_piece(server):
    url = server.new_upload(10)

    response = server.patch(url, 0, b"0123456789")

    assert response.status_code == 204
    assert response.content == b""
    assert len(server.handed_over) == 1


def test_a_dropped_connection_keeps_what_arrived_and_the_client_resumes_twice(server):
    video = os.urandom(MiB + 12_345)
    url = server.new_upload(len(video))

    # The connection breaks after 300 kB of a piece that was to carry the whole file.
    broken = server.patch(
        url, 0, body=DroppedConnection(video, 300_000), CONTENT_LENGTH=str(len(video))
    )
    assert broken["Upload-Offset"] == "300000"
    assert server.offset(url) == 300_000

    # The next piece stops short: the server got fewer bytes than Content-Length promised.
    short = io.BytesIO(video[300_000:700_000])
    response = server.patch(url, 300_000, body=short, CONTENT_LENGTH=str(len(video) - 300_000))
    assert response["Upload-Offset"] == "700000"
    assert server.offset(url) == 700_000
    assert server.handed_over == []

    server.patch(url, 700_000, video[700_000:])
    [(_staged, digest)] = server.handed_over
    assert digest == sha256(video)


def test_a_piece_from_the_wrong_offset_is_a_conflict(server):
    url = server.new_upload(100)
    server.patch(url, 0, b"a" * 40)

    behind = server.patch(url, 20, b"b" * 20)
    ahead = server.patch(url, 60, b"b" * 20)

    assert (behind.status_code, ahead.status_code) == (409, 409)
    assert behind["Upload-Offset"] == "40"
    assert server.offset(url) == 40


def test_more_than_the_declared_length_is_refused_and_nothing_kept(server, staging):
    url = server.new_upload(100)
    server.patch(url, 0, b"a" * 60)

    response = server.patch(url, 60, b"b" * 41)

    assert response.status_code == 413
    assert "More was sent than the declared size" in json.loads(response.content)["message"]
    assert server.offset(url) == 60
    assert server.handed_over == []


def test_a_stream_longer_than_the_upload_is_taken_back(staging):
    upload_id = staging.create(length=100, metadata={}, owner_id=EDITOR, target=THE_SET)
    staging.append(upload_id, 0, io.BytesIO(b"a" * 60))

    with pytest.raises(UploadTooLong):
        staging.append(upload_id, 60, io.BytesIO(b"b" * 41))

    assert staging.info(upload_id).path.read_bytes() == b"a" * 60


@pytest.mark.parametrize("version", [None, "0.2.2"])
def test_a_request_without_our_protocol_version_is_refused(server, version):
    headers = {"Tus-Resumable": version} if version else {}
    request = RequestFactory().post(COLLECTION, headers={"Upload-Length": "10", **headers})

    response = tus_endpoint(
        request,
        staging=server.staging,
        owner_id=EDITOR,
        target=THE_SET,
        location_for=str,
        on_complete=server.on_complete,
    )

    assert response.status_code == 412
    assert response["Tus-Version"] == "1.0.0"


def test_a_file_larger_than_the_limit_is_refused_before_anything_is_staged(
    server, staging, settings
):
    settings.NEWSROOM_UPLOAD_MAX_BYTES = 1000

    response = server.create(1001)

    assert response.status_code == 413
    assert response["Tus-Max-Size"] == "1000"
    assert json.loads(response.content) == {
        "message": "This file is larger than this site accepts."
    }
    assert not staging.directory.exists() or staged_files(staging) == []
    assert server.create(1000).status_code == 201


def test_an_upload_is_not_found_by_another_editor_or_from_another_set(server):
    url = server.new_upload(10)

    for who in [{"user": OTHER_EDITOR}, {"target": "photoset:2"}]:
        assert server.send("HEAD", url, **who).status_code == 404
        assert server.patch(url, 0, b"0123456789", **who).status_code == 404
        assert server.send("DELETE", url, **who).status_code == 404

    assert server.offset(url) == 0
    assert server.handed_over == []


def test_made_up_upload_ids_are_not_found(server):
    for url in [f"{COLLECTION}..%2F..%2Fsecrets/", f"{COLLECTION}{'A' * 32}/"]:
        assert server.send("HEAD", url).status_code == 404


def test_on_complete_runs_once_however_often_the_end_is_sent(server):
    url = server.new_upload(10)
    server.patch(url, 0, b"0123456789")

    again = server.patch(url, 10, b"", headers={"Upload-Complete-Response": "json"})

    assert again.status_code == 204
    assert len(server.handed_over) == 1


def test_a_failed_handover_keeps_the_file_says_so_in_json_and_can_be_retried(server):
    url = server.new_upload(10)
    server.broken = True

    failed = server.patch(url, 0, b"0123456789", headers={"Upload-Complete-Response": "json"})

    assert failed.status_code == 500
    assert failed["Content-Type"] == "application/json"
    assert json.loads(failed.content) == {
        "saved": False,
        "name": "final-lap.mp4",
        "message": "The file arrived whole but could not be added because of a fault "
        "on the server. Try again later.",
    }
    assert server.offset(url) == 10

    server.broken = False
    retried = server.patch(url, 10, b"", headers={"Upload-Complete-Response": "json"})

    assert retried.status_code == 200
    assert json.loads(retried.content)["saved"] is True
    assert len(server.handed_over) == 1


def test_delete_removes_the_staged_files(server, staging):
    url = server.new_upload(100)
    server.patch(url, 0, b"a" * 50)

    response = server.send("DELETE", url)

    assert response.status_code == 204
    assert staged_files(staging) == []
    assert server.send("HEAD", url).status_code == 404
    assert server.patch(url, 50, b"a" * 50).status_code == 404
    assert staged_files(staging) == []


def test_remove_stale_discards_only_uploads_nobody_added_to_lately(server, staging):
    old = server.new_upload(100)
    fresh = server.new_upload(100)
    two_days_ago = time.time() - 2 * 24 * 3600
    old_id = old.strip("/").rsplit("/", 1)[-1]
    for path in staging.directory.glob(f"{old_id}.*"):
        os.utime(path, (two_days_ago, two_days_ago))

    assert staging.remove_stale(timedelta(days=1)) == 1

    assert server.send("HEAD", old).status_code == 404
    assert server.offset(fresh) == 0


def test_head_answers_offset_length_metadata_and_is_never_cached(server):
    url = server.new_upload(100, filename="Målgång i Åre.mp4")
    server.patch(url, 0, b"a" * 30)

    response = server.send("HEAD", url)

    assert response["Upload-Offset"] == "30"
    assert response["Upload-Length"] == "100"
    assert response["Cache-Control"] == "no-store"
    assert response["Tus-Resumable"] == "1.0.0"
    pairs = dict(pair.split(" ") for pair in response["Upload-Metadata"].split(","))
    assert base64.b64decode(pairs["filename"]).decode() == "Målgång i Åre.mp4"


def test_creation_can_carry_the_first_piece(server):
    video = os.urandom(5000)
    headers = {"Upload-Length": "5000"}

    response = server.send("POST", COLLECTION, video[:2000], headers=headers, content_type=PIECE)

    assert response.status_code == 201
    assert response["Upload-Offset"] == "2000"
    server.patch(response["Location"], 2000, video[2000:])
    assert server.handed_over[0][1] == sha256(video)


def test_an_empty_file_is_handed_over_when_it_is_created(server):
    response = server.create(0, filename="empty.mp4", headers={"Upload-Complete-Response": "json"})

    assert response.status_code == 201
    assert response["Location"].startswith(COLLECTION)
    assert json.loads(response.content)["name"] == "empty.mp4"
    assert server.handed_over[0][1] == sha256(b"")


def test_a_post_may_stand_in_for_patch_through_proxies(server):
    url = server.new_upload(10)

    response = server.send(
        "POST",
        url,
        b"0123456789",
        headers={"X-HTTP-Method-Override": "PATCH", "Upload-Offset": "0"},
        content_type=PIECE,
    )

    assert response.status_code == 204
    assert len(server.handed_over) == 1


def test_pieces_of_another_type_and_unreadable_headers_are_refused(server):
    url = server.new_upload(10)

    wrong_type = server.send(
        "PATCH", url, b"0123456789", headers={"Upload-Offset": "0"}, content_type="text/plain"
    )
    no_offset = server.send("PATCH", url, b"0123456789", CONTENT_TYPE=PIECE)
    no_length = server.send("POST", COLLECTION)
    bad_metadata = server.send(
        "POST", COLLECTION, headers={"Upload-Length": "10", "Upload-Metadata": "filename ???"}
    )

    assert wrong_type.status_code == 415
    assert no_offset.status_code == 400
    assert no_length.status_code == 400
    assert bad_metadata.status_code == 400
    assert server.offset(url) == 0


def test_a_piece_while_another_is_arriving_is_told_to_wait(server, staging):
    url = server.new_upload(10)
    upload_id = url.strip("/").rsplit("/", 1)[-1]

    with open(staging.info(upload_id).path, "ab") as other_request:
        fcntl.flock(other_request, fcntl.LOCK_EX)
        response = server.patch(url, 0, b"0123456789")

    assert response.status_code == 423
    assert server.offset(url) == 0
    assert server.patch(url, 0, b"0123456789").status_code == 204


def test_memory_stays_flat_for_a_256_mib_piece(server, staging):
    size = 256 * MiB
    url = server.new_upload(size)
    video = GeneratedVideo(size)

    tracemalloc.start()
    try:
        response = server.patch(url, 0, body=video, CONTENT_LENGTH=str(size))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert response.status_code == 204
    assert peak < 8 * MiB
    [(staged, digest)] = server.handed_over
    assert staged.length == size
    assert digest == video.digest.hexdigest()
