"""Videos come in through the admin in resumable pieces (tus): good ones are kept, bad ones
are named, and a dropped connection loses nothing."""

import base64
import hashlib
import sys
import tempfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from media import video_files, video_probe
from media.models import Video
from media.video_probe import probe_apart
from newsroom.site.demo.files import make_clip
from tests.factories import make_photo_set
from tests.files import make_fact_sheet

TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}
PIECE = "application/offset+octet-stream"


@pytest.fixture
def photo_set(newsroom):
    return make_photo_set(newsroom, title="Hockenheim")


def clip_bytes(seconds=1):
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "clip.mp4"
        make_clip(path, "Upload", seconds=seconds, size=(192, 108), gps=(49.3, 8.5))
        return path.read_bytes()


def metadata(name):
    return f"filename {base64.b64encode(name.encode()).decode()},filetype dmlkZW8vbXA0"


def create(client, photo_set, name, length):
    url = reverse("admin:media_photoset_video_uploads", args=[photo_set.pk])
    response = client.post(
        url, HTTP_UPLOAD_LENGTH=str(length), HTTP_UPLOAD_METADATA=metadata(name), **TUS
    )
    assert response.status_code == 201, response.content
    return response["Location"]


def send(client, location, data, offset):
    return client.generic(
        "PATCH",
        location,
        data,
        content_type=PIECE,
        HTTP_UPLOAD_OFFSET=str(offset),
        HTTP_UPLOAD_COMPLETE_RESPONSE="json",
        **TUS,
    )


def upload(client, photo_set, name, data, piece=64 * 1024):
    location = create(client, photo_set, name, len(data))
    for offset in range(0, len(data), piece):
        response = send(client, location, data[offset : offset + piece], offset)
        assert response.status_code in (200, 204), response.content
    return response.json()


def test_a_batch_keeps_the_good_videos_and_names_the_bad_ones(editor_client, photo_set):
    good, other = clip_bytes(), clip_bytes(seconds=2)
    pdf = make_fact_sheet("Not a video", ["Renamed"])
    answers = {
        "good.mp4": upload(editor_client, photo_set, "good.mp4", good),
        "renamed.mp4": upload(editor_client, photo_set, "renamed.mp4", pdf),
        "cut.mp4": upload(editor_client, photo_set, "cut.mp4", other[: len(other) * 2 // 3]),
        "other.mov": upload(editor_client, photo_set, "other.mov", other),
    }
    assert answers["good.mp4"]["saved"] is True
    assert answers["other.mov"]["saved"] is True
    for name in ("renamed.mp4", "cut.mp4"):
        assert answers[name]["saved"] is False, name
        assert name in answers[name]["name"]
        assert answers[name]["message"], name
    kept = Video.objects.filter(photo_set=photo_set)
    assert sorted(kept.values_list("original_filename", flat=True)) == ["good.mp4", "other.mov"]
    video = kept.get(original_filename="good.mp4")
    assert video.sha256 == hashlib.sha256(good).hexdigest()
    with video.file.open("rb") as handle:
        assert handle.read() == good


def test_an_upload_resumes_after_dropped_connections_and_loses_no_byte(editor_client, photo_set):
    data = clip_bytes(seconds=2)
    location = create(editor_client, photo_set, "resumed.mp4", len(data))
    # The connection drops twice: each time only part of a piece arrived.
    arrived = 0
    for cut in (len(data) // 3, len(data) * 2 // 3):
        send(editor_client, location, data[arrived:cut], arrived)
        head = editor_client.head(location, **TUS)
        assert head.status_code == 200
        arrived = int(head["Upload-Offset"])
        assert arrived == cut
    answer = send(editor_client, location, data[arrived:], arrived).json()
    assert answer["saved"] is True, answer
    video = Video.objects.get(photo_set=photo_set)
    assert video.sha256 == hashlib.sha256(data).hexdigest()


def test_a_wrong_offset_is_refused_and_keeps_what_arrived(editor_client, photo_set):
    data = clip_bytes()
    location = create(editor_client, photo_set, "clip.mp4", len(data))
    send(editor_client, location, data[:1000], 0)
    assert send(editor_client, location, data[2000:3000], 2000).status_code == 409
    assert editor_client.head(location, **TUS)["Upload-Offset"] == "1000"


def test_the_same_file_twice_is_named_and_kept_once(editor_client, photo_set):
    data = clip_bytes()
    assert upload(editor_client, photo_set, "a.mp4", data)["saved"] is True
    again = upload(editor_client, photo_set, "b.mp4", data)
    assert again["saved"] is False
    assert "already in this set" in again["message"]
    assert Video.objects.filter(photo_set=photo_set).count() == 1


def test_someone_elses_upload_is_not_found(editor_client, photo_set, django_user_model, client):
    data = clip_bytes()
    location = create(editor_client, photo_set, "clip.mp4", len(data))
    other = django_user_model.objects.create_superuser("other", "o@example.com", "pw-long-1234")
    client.force_login(other)
    assert client.head(location, **TUS).status_code == 404


def test_the_upload_page_offers_the_resumable_form(editor_client, photo_set):
    response = editor_client.get(reverse("admin:media_photoset_videos", args=[photo_set.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    endpoint = reverse("admin:media_photoset_video_uploads", args=[photo_set.pk])
    assert f'data-endpoint="{endpoint}"' in html
    assert "media/resumable.js" in html


def test_the_finished_upload_is_probed_in_a_process_of_its_own(
    editor_client, photo_set, monkeypatch
):
    def no_decoding_here(*args, **kwargs):
        raise AssertionError("the app server's process decoded the upload")

    monkeypatch.setattr(video_files, "probe", no_decoding_here)
    answer = upload(editor_client, photo_set, "good.mp4", clip_bytes())
    assert answer["saved"] is True, answer
    video = Video.objects.get(photo_set=photo_set)
    assert (video.width, video.height, video.video_codec) == (192, 108, "h264")


def test_the_probe_process_keeps_the_servers_limits_and_the_editors_language(
    editor_client, photo_set, settings
):
    settings.NEWSROOM_VIDEO_MAX_SIDE = 100
    answer = upload(editor_client, photo_set, "wide.mp4", clip_bytes())
    assert answer["saved"] is False
    assert "192 × 108" in answer["message"] and "100" in answer["message"]
    with tempfile.TemporaryDirectory() as work, translation.override("sv"):
        path = Path(work) / "blad.mp4"
        path.write_bytes(make_fact_sheet("Inte en video", ["Omdöpt"]))
        with pytest.raises(ValidationError) as refusal:
            probe_apart(path, "blad.mp4")
    assert refusal.value.messages == ["”blad.mp4” är ett PDF-dokument, inte en video."]


@pytest.mark.parametrize(
    ("child", "seconds", "words"),
    [
        ("import os; os.abort()", 60, "is damaged or incomplete"),  # the decoder crashed
        ("import time; time.sleep(30)", 0.5, "could not be read in time"),  # or hung
    ],
)
def test_a_probe_that_crashes_or_hangs_refuses_that_file_and_the_batch_goes_on(
    editor_client, photo_set, settings, monkeypatch, child, seconds, words
):
    settings.NEWSROOM_VIDEO_PROBE_SECONDS = seconds
    monkeypatch.setattr(video_probe, "CHILD", [sys.executable, "-c", child])
    answer = upload(editor_client, photo_set, "hostile.mp4", clip_bytes())
    assert answer["saved"] is False
    assert "“hostile.mp4”" in answer["message"] and words in answer["message"]
    monkeypatch.undo()
    assert upload(editor_client, photo_set, "good.mp4", clip_bytes())["saved"] is True
    assert list(Video.objects.values_list("original_filename", flat=True)) == ["good.mp4"]
