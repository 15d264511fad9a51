"""Videos from cameras and phones are probed, cleaned and encoded for the web;
files that are not a whole, honest video are refused with a reason an editor understands."""

import av
import pytest
from django.core.exceptions import ValidationError

from media import video_files
from media.video_files import (
    VideoRights,
    clock_time,
    poster_frame,
    probe,
    web_size,
    write_clean_original,
    write_web_version,
)
from tests import videos

RIGHTS = VideoRights(
    title="Göteborg © Åsa: the start",
    caption="Åsa Lind leads into the first corner in Göteborg.",
    credit="Åsa Lind / Motorsport Nord",
    copyright="© 2026 Motorsport Nord",
    usage_terms="Editorial use only; no advertising.",
)
# Where exiftool reads what a file says about the shoot, in any group it finds.
SHOOT_WORDS = ("gps", "location", "serial", "make", "model", "software", "creationdate")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("videos")


@pytest.fixture(scope="module")
def phone_mp4(folder):
    """An Android-style MP4, its index at the end, with a time code and chapters."""
    return videos.make_clip(folder / "phone.mp4", extra_tracks=True)


@pytest.fixture(scope="module")
def fast_start_mp4(folder):
    return videos.make_clip(folder / "fast-start.mp4", faststart=True, phone_metadata=False)


@pytest.fixture(scope="module")
def portrait_mov(folder):
    """An iPhone clip held upright: stored landscape, turned 90° clockwise to show."""
    return videos.make_clip(folder / "IMG_0042.MOV", container="mov", codec="hevc", rotate=90)


@pytest.fixture(scope="module")
def prores_mov(folder):
    return videos.make_clip(
        folder / "A001_C003.mov", container="mov", codec="prores", extra_tracks=True
    )


@pytest.fixture(scope="module")
def vp9_webm(folder):
    return videos.make_clip(folder / "screen.webm", container="webm", codec="vp9")


def refusal(path, name=None):
    with pytest.raises(ValidationError) as raised:
        probe(path, name)
    return raised.value.code, raised.value.messages[0]


# Probing what cameras and phones write


def test_probe_reads_an_mp4_with_h264_and_aac(phone_mp4):
    facts = probe(phone_mp4)
    assert (facts.container, facts.video_codec, facts.audio_codec) == ("mp4", "h264", "aac")
    assert (facts.width, facts.height, facts.frame_rate, facts.rotation) == (320, 240, 25, 0)
    assert facts.duration == pytest.approx(2, abs=0.05)
    assert facts.bit_rate > 0
    assert facts.label == "320 × 240, 25 fps, H.264, 0:02"


def test_probe_reads_a_prores_mov(prores_mov):
    facts = probe(prores_mov)
    assert (facts.container, facts.video_codec, facts.audio_codec) == ("mov", "prores", "aac")
    assert facts.label == "320 × 240, 25 fps, ProRes, 0:02"


def test_probe_reads_a_webm_with_vp9_and_opus(vp9_webm):
    facts = probe(vp9_webm)
    assert (facts.container, facts.video_codec, facts.audio_codec) == ("webm", "vp9", "opus")
    assert (facts.width, facts.height) == (320, 240)


def test_probe_reads_a_webm_with_av1_and_no_sound(tmp_path):
    clip = videos.make_clip(tmp_path / "av1.webm", container="webm", codec="av1", audio=False)
    facts = probe(clip)
    assert (facts.video_codec, facts.audio_codec) == ("av1", "")


def test_a_phone_clip_held_upright_is_taller_than_wide(portrait_mov):
    facts = probe(portrait_mov)
    assert (facts.video_codec, facts.rotation) == ("hevc", 90)
    assert (facts.width, facts.height) == (240, 320)
    assert facts.label == "240 × 320, 25 fps, H.265, 0:02"


# Refusing what is not a whole, honest video


def test_a_pdf_named_like_a_video_is_refused(tmp_path):
    code, message = refusal(videos.pdf_named_mp4(tmp_path / "results.mp4"))
    assert code == "not_a_video"
    assert message == "“results.mp4” is a PDF document, not a video."


def test_a_photo_named_like_a_video_is_refused(tmp_path):
    code, message = refusal(videos.jpeg_named_mov(tmp_path / "x.mov"), name="finish.mov")
    assert (code, message) == ("not_a_video", "“finish.mov” is a JPEG photo, not a video.")


def test_sound_without_picture_is_refused(tmp_path):
    code, message = refusal(videos.make_sound_only(tmp_path / "interview.m4a"))
    assert code == "no_video"
    assert "no picture" in message


@pytest.mark.parametrize(
    ("container", "codec", "kind"),
    [("avi", "mpeg4", "an AVI video"), ("matroska", "h264", "a Matroska (MKV) video")],
)
def test_containers_we_do_not_take_are_refused_by_name(tmp_path, container, codec, kind):
    clip = videos.make_clip(tmp_path / "clip", container=container, codec=codec, seconds=0.2)
    code, message = refusal(clip)
    assert code == "container"
    assert f"is {kind}, a kind of video file we do not take" in message
    assert "MP4, MOV or WebM" in message


def test_a_codec_we_do_not_take_is_refused_by_name(tmp_path):
    """Motion JPEG, as old cameras recorded it: a MOV, but not one we keep or serve."""
    clip = videos.make_clip(tmp_path / "MVI_0001.MOV", container="mov", codec="mjpeg", seconds=0.2)
    code, message = refusal(clip)
    assert code == "video_codec"
    assert message.startswith(
        "The picture in “MVI_0001.MOV” is encoded as mjpeg, which we do not take in a MOV file."
    )


@pytest.mark.parametrize("fixture", ["phone_mp4", "fast_start_mp4", "vp9_webm"])
@pytest.mark.parametrize("keep", [2 / 3, 0.99])
def test_a_file_cut_short_is_refused_as_incomplete(request, tmp_path, fixture, keep):
    """With the index at the end it is missing; at the front it promises what is not there."""
    source = request.getfixturevalue(fixture)
    code, message = refusal(videos.cut_short(source, tmp_path / source.name, keep))
    assert code == "truncated"
    assert message.startswith(f"“{source.name}” is incomplete: the file ends before the video")


@pytest.mark.parametrize("fixture", ["phone_mp4", "vp9_webm"])
def test_a_video_with_a_zip_archive_after_it_is_refused(request, tmp_path, fixture):
    source = request.getfixturevalue(fixture)
    code, message = refusal(videos.with_zip_after(source, tmp_path / source.name))
    assert code == "polyglot"
    assert "has a ZIP archive hidden in it" in message


def test_a_zip_archive_inside_a_well_formed_box_is_refused(tmp_path, phone_mp4):
    """The file is a valid MP4 to the last byte; ZIP readers open it all the same."""
    code, _message = refusal(videos.with_zip_in_free_box(phone_mp4, tmp_path / "clip.mp4"))
    assert code == "polyglot"


@pytest.mark.parametrize("fixture", ["phone_mp4", "vp9_webm"])
def test_a_video_with_a_web_page_after_it_is_refused(request, tmp_path, fixture):
    source = request.getfixturevalue(fixture)
    code, message = refusal(videos.with_html_after(source, tmp_path / source.name))
    assert (code, message) == (
        "trailing_data",
        f"“{source.name}” has data after the end of the video.",
    )


def test_a_video_with_a_web_page_before_it_is_refused(tmp_path, phone_mp4):
    code, message = refusal(videos.with_html_before(phone_mp4, tmp_path / "clip.mp4"))
    assert code == "not_a_video"
    assert message == "“clip.mp4” is a web page or other markup, not a video."


def test_a_video_larger_than_the_limit_is_refused_before_decoding(settings, phone_mp4):
    settings.NEWSROOM_VIDEO_MAX_SIDE = 300
    code, message = refusal(phone_mp4)
    assert code == "too_many_pixels"
    assert message == (
        "“phone.mp4” is 320 × 240 pixels; videos up to 300 pixels a side are accepted."
    )


def test_a_video_longer_than_the_limit_is_refused(settings, phone_mp4):
    settings.NEWSROOM_VIDEO_MAX_SECONDS = 1
    code, message = refusal(phone_mp4)
    assert code == "too_long"
    assert message == "“phone.mp4” plays for 0:02; videos up to 0:01 long are accepted."


def test_a_video_track_without_frames_is_refused(tmp_path):
    code, _message = refusal(videos.make_pictureless_video(tmp_path / "empty.mp4"))
    assert code == "no_video"


def test_an_empty_file_is_refused(tmp_path):
    empty = tmp_path / "empty.mov"
    empty.write_bytes(b"")
    assert refusal(empty) == ("empty", "“empty.mov” is empty.")


@pytest.fixture
def damaged_mp4(tmp_path, fast_start_mp4):
    """Right boxes, right index, and noise where the picture should be."""
    data = bytearray(fast_start_mp4.read_bytes())
    start = data.index(b"mdat") + 4
    data[start : start + 4000] = bytes(range(256)) * 15 + bytes(160)
    damaged = tmp_path / "damaged.mp4"
    damaged.write_bytes(bytes(data))
    return damaged


def test_a_damaged_picture_is_refused(damaged_mp4):
    code, message = refusal(damaged_mp4)
    assert code == "damaged"
    assert message == "“damaged.mp4” is damaged or incomplete and could not be read."


def test_the_size_limit_is_checked_before_anything_is_decoded(settings, damaged_mp4):
    """A decompression bomb is refused for its size, before its data is touched."""
    settings.NEWSROOM_VIDEO_MAX_SIDE = 300
    assert refusal(damaged_mp4)[0] == "too_many_pixels"


@pytest.mark.parametrize(
    ("seconds", "shown"), [(0.4, "0:00"), (12.4, "0:12"), (245, "4:05"), (3723, "1:02:03")]
)
def test_durations_read_as_on_a_player(seconds, shown):
    assert clock_time(seconds) == shown


# The cleaned original


@pytest.mark.parametrize("fixture", ["phone_mp4", "prores_mov", "portrait_mov", "vp9_webm"])
def test_the_clean_original_says_nothing_of_the_shoot_and_everything_of_the_rights(
    request, tmp_path, fixture
):
    source = request.getfixturevalue(fixture)
    # Otherwise the cleaning could not fail: the phone's tags must be there to remove.
    before = videos.exiftool_tags(source)
    assert videos.CAMERA_SERIAL in before.values()
    assert videos.LENS_SERIAL in before.values()
    assert videos.HOCKENHEIM in before.values()
    if source.suffix.lower() != ".webm":
        # QuickTime's location is read as coordinates too; Matroska has no such tag.
        assert before["Composite:GPSLatitude"].startswith("49 deg 19' 40")
    cleaned = tmp_path / f"clean{source.suffix}"
    write_clean_original(source, cleaned, RIGHTS)

    tags = videos.exiftool_tags(cleaned)
    shoot = {
        key: value for key, value in tags.items() if any(w in key.lower() for w in SHOOT_WORDS)
    }
    assert shoot == {}
    everything = str(tags)
    for secret in (
        videos.CAMERA_SERIAL,
        videos.LENS_SERIAL,
        videos.HOCKENHEIM,
        "49 deg",
        "iPhone",
    ):
        assert secret not in everything
    assert "Lap 1" not in everything  # the chapters' titles
    found = {key.split(":")[1]: value for key, value in tags.items()}
    assert found["Title"] == RIGHTS.title
    assert found["Description"] == RIGHTS.caption
    assert found["Artist"] == RIGHTS.credit
    assert found["Copyright"] == RIGHTS.copyright
    assert found["Comment"] == RIGHTS.usage_terms


@pytest.mark.parametrize("fixture", ["phone_mp4", "prores_mov", "portrait_mov", "vp9_webm"])
def test_the_clean_original_holds_the_same_picture_and_sound_packets(request, tmp_path, fixture):
    source = request.getfixturevalue(fixture)
    cleaned = tmp_path / f"clean{source.suffix}"
    write_clean_original(source, cleaned, RIGHTS)
    assert videos.packets(cleaned) == videos.packets(source, kinds={"video", "audio"})
    with av.open(str(cleaned)) as opened:
        assert [stream.type for stream in opened.streams] == ["video", "audio"]
        assert list(opened.chapters()) == []
    assert probe(cleaned).container == probe(source).container


def test_the_clean_original_of_an_upright_phone_clip_stays_upright(tmp_path, portrait_mov):
    cleaned = tmp_path / "clean.mov"
    write_clean_original(portrait_mov, cleaned, RIGHTS)
    facts = probe(cleaned)
    assert (facts.width, facts.height, facts.rotation) == (240, 320, 90)
    assert videos.exiftool_tags(cleaned)["Composite:Rotation"] == 90


@pytest.mark.parametrize("fixture", ["phone_mp4", "portrait_mov"])
def test_the_clean_original_plays_while_it_downloads(request, tmp_path, fixture):
    source = request.getfixturevalue(fixture)
    cleaned = tmp_path / f"clean{source.suffix}"
    write_clean_original(source, cleaned, RIGHTS)
    boxes = videos.top_level_boxes(cleaned)
    assert boxes.index(b"moov") < boxes.index(b"mdat")


def test_the_clean_original_plays_while_it_downloads_when_its_index_outgrew_the_room(
    tmp_path, monkeypatch, phone_mp4
):
    """Too little room at the front: the file is written again with FFmpeg's fast start."""
    monkeypatch.setattr(video_files, "INDEX_BYTES_BASE", 64)
    monkeypatch.setattr(video_files, "INDEX_BYTES_PER_PACKET", 0)
    cleaned = tmp_path / "clean.mp4"
    write_clean_original(phone_mp4, cleaned, RIGHTS)
    boxes = videos.top_level_boxes(cleaned)
    assert boxes.index(b"moov") < boxes.index(b"mdat")
    # No room left unused: FFmpeg moved the data up by exactly the index's size.
    assert sum(size for kind, size in videos.sized_boxes(cleaned) if kind == b"free") <= 8
    assert videos.packets(cleaned) == videos.packets(phone_mp4, kinds={"video", "audio"})


# The web version


def test_the_web_version_is_h264_and_aac_that_starts_at_once(tmp_path, phone_mp4):
    web = tmp_path / "web.mp4"
    facts = write_web_version(phone_mp4, web)
    assert (facts.container, facts.video_codec, facts.audio_codec) == ("mp4", "h264", "aac")
    assert (facts.width, facts.height, facts.frame_rate) == (320, 240, 25)
    assert facts.duration == pytest.approx(2, abs=0.1)
    boxes = videos.top_level_boxes(web)
    assert boxes.index(b"moov") < boxes.index(b"mdat")
    with av.open(str(web)) as opened:
        video, sound = opened.streams.video[0], opened.streams.audio[0]
        assert (video.profile, video.format.name) == ("High", "yuv420p")
        assert (sound.profile, sound.rate, sound.layout.name) == ("LC", 48000, "stereo")
        assert sound.bit_rate == pytest.approx(160_000, rel=0.05)
        frames = [
            frame.to_image() for frame, _ in zip(opened.decode(video), range(3), strict=False)
        ]
    assert len(frames) == 3
    # The picture moves: a frame of the web version is not the one before it.
    assert frames[0].tobytes() != frames[2].tobytes()
    assert videos.is_marked(frames[0], "top left")


def test_the_web_version_carries_the_rights_and_nothing_of_the_shoot(tmp_path, phone_mp4):
    web = tmp_path / "web.mp4"
    write_web_version(phone_mp4, web, rights=RIGHTS)
    tags = videos.exiftool_tags(web)
    assert not any(any(w in key.lower() for w in SHOOT_WORDS) for key in tags)
    assert tags["QuickTime:Copyright"] == RIGHTS.copyright


def test_an_upright_phone_clip_is_turned_in_the_pixels(tmp_path):
    """1920 × 1080 stored, shown turned: the web version is 1080 × 1920 as it is."""
    source = videos.make_clip(
        tmp_path / "IMG_0043.MOV", container="mov", size=(1920, 1080), rate=10, seconds=0.3,
        rotate=90, phone_metadata=False,
    )  # fmt: skip
    web = tmp_path / "web.mp4"
    facts = write_web_version(source, web)
    assert (facts.width, facts.height, facts.rotation) == (1080, 1920, 0)
    with av.open(str(web)) as opened:
        first = next(opened.decode(video=0))
    # Turned clockwise, the stored top left corner is at the top right.
    assert videos.is_marked(first.to_image(), "top right")
    assert not videos.is_marked(first.to_image(), "top left")


def test_a_4k_clip_becomes_1080p(tmp_path):
    source = videos.make_clip(
        tmp_path / "4k.mp4", size=(3840, 2160), rate=10, seconds=0.2, phone_metadata=False
    )
    facts = write_web_version(source, tmp_path / "web.mp4")
    assert (facts.width, facts.height) == (1920, 1080)


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((3840, 2160), (1920, 1080)),
        ((2160, 3840), (1080, 1920)),
        ((4096, 2160), (1920, 1012)),
        ((1440, 1080), (1440, 1080)),
        ((3000, 3000), (1080, 1080)),
        ((641, 359), (640, 360)),
    ],
)
def test_web_sizes_fit_1080p_keep_the_shape_and_are_even(size, expected):
    assert web_size(*size) == expected


def test_more_than_60_frames_a_second_become_60(tmp_path):
    source = videos.make_clip(tmp_path / "slowmo.mp4", size=(160, 120), rate=120, seconds=0.5)
    facts = write_web_version(source, tmp_path / "web.mp4")
    assert facts.frame_rate == 60
    with av.open(str(tmp_path / "web.mp4")) as opened:
        assert sum(1 for _frame in opened.decode(video=0)) == pytest.approx(30, abs=1)


def test_mono_sound_at_44_1_khz_becomes_stereo_at_48_khz(tmp_path):
    source = videos.make_clip(
        tmp_path / "mono.mp4", audio_rate=44100, audio_layout="mono", seconds=1
    )
    write_web_version(source, tmp_path / "web.mp4")
    with av.open(str(tmp_path / "web.mp4")) as opened:
        sound = opened.streams.audio[0]
        assert (sound.rate, sound.layout.name) == (48000, "stereo")
        assert sum(frame.samples for frame in opened.decode(sound)) == pytest.approx(
            48000, rel=0.05
        )


def test_a_silent_clip_has_a_silent_web_version(tmp_path):
    source = videos.make_clip(tmp_path / "silent.mp4", audio=False, seconds=1)
    facts = write_web_version(source, tmp_path / "web.mp4")
    assert facts.audio_codec == ""


def test_the_web_version_reports_its_progress(tmp_path, vp9_webm):
    seen = []
    write_web_version(vp9_webm, tmp_path / "web.mp4", progress=seen.append)
    assert seen == sorted(seen)
    assert seen[-1] == 1.0
    assert 0 < seen[0] < 0.5
    assert len(seen) > 10


def test_a_refused_file_has_no_web_version(tmp_path):
    with pytest.raises(ValidationError):
        write_web_version(videos.pdf_named_mp4(tmp_path / "x.mp4"), tmp_path / "web.mp4")


# The poster frame


def test_the_poster_frame_is_the_picture_at_its_moment(phone_mp4):
    poster = poster_frame(phone_mp4)
    assert (poster.mode, poster.size) == ("RGB", (320, 240))
    # Not blank: the gradient, the bar and the mark are all there.
    assert len(poster.getcolors(maxcolors=320 * 240) or []) > 100
    assert videos.is_marked(poster, "top left")
    assert poster_frame(phone_mp4, 0).tobytes() != poster.tobytes()
    assert poster_frame(phone_mp4, 1.5).tobytes() != poster.tobytes()


def test_the_poster_frame_of_an_upright_phone_clip_is_upright(portrait_mov):
    poster = poster_frame(portrait_mov)
    assert poster.size == (240, 320)
    assert videos.is_marked(poster, "top right")


def test_a_poster_moment_after_the_end_gives_the_last_picture(vp9_webm):
    assert poster_frame(vp9_webm, 60).size == (320, 240)


# What an SDR screen should show of HDR signals, measured from the standards' formulas by
# hand: HDR reference white (HLG 75 %, PQ 58 %: 203 cd/m²) near SDR white, not the dull
# grey (191, 148 of 255) the signal would show as if it were SDR; a dark grey stays dark.
HDR_PATCHES = {
    "hlg": [((0.75, 0.75, 0.75), 248), ((0.25, 0.25, 0.25), 71)],
    "pq": [((0.58, 0.58, 0.58), 248), ((0.3, 0.3, 0.3), 73)],
}


def patch_colours(image, count):
    width, height = image.size
    share = width // count
    return [image.getpixel((place * share + share // 2, height // 2)) for place in range(count)]


@pytest.mark.parametrize("transfer", sorted(HDR_PATCHES))
def test_an_hdr_phone_clip_is_made_sdr_in_the_web_version_and_the_poster(tmp_path, transfer):
    patches = HDR_PATCHES[transfer]
    source = videos.make_hdr_clip(tmp_path / "hdr.mov", transfer, [p for p, _ in patches])

    write_web_version(source, tmp_path / "web.mp4")
    with av.open(str(tmp_path / "web.mp4")) as opened:
        frame = next(opened.decode(video=0))
    web = frame.reformat(format="rgb24", src_colorspace=1).to_image()  # as BT.709 says
    poster = poster_frame(source)

    assert (frame.color_trc, frame.color_primaries, frame.colorspace) == (1, 1, 1)  # BT.709
    assert frame.format.name == "yuv420p"
    for image in (web, poster):
        for (red, green, blue), (_signal, expected) in zip(
            patch_colours(image, len(patches)), patches, strict=True
        ):
            assert abs(red - expected) <= 4, (image, red, expected)
            assert max(red, green, blue) - min(red, green, blue) <= 3  # grey stays grey


def test_hdr_colours_keep_their_hue(tmp_path):
    warm, cool = (0.6, 0.45, 0.3), (0.3, 0.45, 0.6)
    source = videos.make_hdr_clip(tmp_path / "hdr.mov", "hlg", [warm, cool], size=(128, 48))

    (warm_red, warm_green, warm_blue), (cool_red, cool_green, cool_blue) = patch_colours(
        poster_frame(source), 2
    )
    assert warm_red > warm_green > warm_blue
    assert cool_blue > cool_green > cool_red


def test_an_sdr_clip_keeps_its_colours_untouched(tmp_path, phone_mp4):
    write_web_version(phone_mp4, tmp_path / "web.mp4")
    with av.open(str(phone_mp4)) as source, av.open(str(tmp_path / "web.mp4")) as web:
        before, after = next(source.decode(video=0)), next(web.decode(video=0))
    assert (after.color_trc, after.color_primaries) == (before.color_trc, before.color_primaries)
