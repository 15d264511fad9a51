"""Videos, as journalists get them: a page with a player, files to download, subtitles, ZIPs.

Every clip here is made like a phone's, with the place it was shot and a serial
number in it; every file we serve must have lost both and carry the video's
rights instead (read back with exiftool, an independent reader).
"""

import io
import zipfile

import av
import feedparser
import pytest
from django.urls import reverse
from PIL import Image

from media import selection, video_renditions
from media.models import Video, VideoDownloadCount, Visibility
from media.tasks import generate_video_files
from newsroom.ground.models import License
from press import sitemaps
from press.embeds import embed_for
from tests.factories import body, exiftool, make_photo_set, make_release, make_video

SUBTITLES = [
    ("en", [(0.1, 0.8, "Car #120 passes the grandstand.")]),
    ("sv", [(0.1, 0.8, "Bil #120 passerar läktaren.")]),
]


@pytest.fixture
def video(newsroom):
    photo_set = make_photo_set(newsroom, title="Hockenheim 12h", slug="hockenheim")
    return make_video(
        photo_set,
        title="Night pass",
        caption="Car #120 under the floodlights.",
        credit="Lestrup Racing Team",
        copyright="© Lestrup Racing Team",
        license=License.FREE,
        subtitles=SUBTITLES,
    )


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return body(response)


def private_tags(tags):
    """Tags that say where a clip was shot or which device shot it."""
    words = ("gps", "location", "serial", "iso6709", "make", "model")
    return {key: value for key, value in tags.items() if any(w in key.lower() for w in words)}


def test_the_source_clip_really_has_the_place_and_the_serial_number(newsroom, tmp_path):
    video = make_video(make_photo_set(newsroom), files=False)
    with video.file.open("rb") as handle:
        tags = exiftool(handle.read(), "-ee", "-u")
    found = private_tags(tags)
    assert any("GPS" in key for key in found), tags
    assert any("Serial" in key for key in found), tags


@pytest.mark.parametrize("kind", ["web", "original"])
def test_every_served_video_file_loses_place_and_serial_and_carries_the_rights(
    client, video, kind, tmp_path
):
    data = download(client, video.file_url(kind) + "?download")
    tags = exiftool(data, "-ee", "-u")
    assert private_tags(tags) == {}, private_tags(tags)
    values = " ".join(str(value) for value in tags.values())
    assert "Night pass" in values
    assert "Lestrup Racing Team" in values
    assert "© Lestrup Racing Team" in values
    assert str(video.usage_terms) in values


def test_the_web_version_is_h264_and_aac_with_fast_start_and_decodes(client, video):
    data = download(client, video.web_url)
    assert data.index(b"moov") < data.index(b"mdat")  # plays while it downloads
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert container.streams.audio[0].codec_context.name == "aac"
        frames = [frame for _, frame in zip(range(5), container.decode(video=0), strict=False)]
    assert len(frames) == 5
    assert (frames[0].width, frames[0].height) == (192, 108)
    pixels = frames[0].to_image().convert("L").getextrema()
    assert pixels[1] - pixels[0] > 40  # a picture, not a flat colour


def test_the_poster_is_a_frame_of_the_clip(client, video):
    poster = Image.open(io.BytesIO(download(client, video.poster_url)))
    assert poster.format == "JPEG"
    assert poster.size == (192, 108)
    low, high = poster.convert("L").getextrema()
    assert high - low > 40


def test_the_cleaned_original_keeps_the_streams_as_they_were(client, video):
    def packets(data):
        with av.open(io.BytesIO(data)) as container:
            return [bytes(packet) for packet in container.demux() if packet.size]

    with video.file.open("rb") as handle:
        source = handle.read()
    served = download(client, video.file_url("original") + "?download")
    assert packets(served) == packets(source)


def test_the_video_page_has_the_player_poster_tracks_and_files(client, video):
    response = client.get(video.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert '<video class="video-player" controls preload="none"' in html
    assert f'poster="{video.poster_url}"' in html
    assert f'<source src="{video.web_url}" type="video/mp4">' in html
    assert 'kind="subtitles"' in html and 'srclang="sv"' in html and 'srclang="en"' in html
    assert f"Video: Lestrup Racing Team ({video.usage_terms})" in html
    assert "192 × 108 px, H.264 / AAC" in html
    assert "Broadcast" in html
    assert '"@type": "VideoObject"' in html
    assert "youtube" not in html.lower() and "vimeo" not in html.lower()


def test_the_set_page_and_the_release_page_show_video_cards(client, video):
    release = make_release(video.photo_set.newsroom, title="Podium at Hockenheim")
    release.photo_sets.add(video.photo_set)
    for url in (video.photo_set.get_absolute_url(), release.get_absolute_url()):
        html = client.get(url).content.decode()
        assert 'class="video-card"' in html, url
        assert f'poster="{video.poster_url}"' in html, url
        assert 'data-item="v' in html, url  # "Add to selection"


def test_subtitles_are_served_as_webvtt_for_the_player_and_srt_to_save(client, video):
    swedish = video.subtitles.get(language="sv")
    track = client.get(swedish.file_url("vtt"))
    assert track.status_code == 200
    assert track["Content-Type"].startswith("text/vtt")
    text = track.content.decode()
    assert text.startswith("WEBVTT")
    assert "00:00:00.100 --> 00:00:00.800" in text
    assert "Bil #120 passerar läktaren." in text
    srt = client.get(swedish.file_url("srt"))
    assert "attachment" in srt["Content-Disposition"]
    assert srt.content.decode().startswith("1\n00:00:00,100 --> 00:00:00,800")


def test_a_download_resumes_and_counts_once(client, video):
    url = video.file_url("original") + "?download"
    whole = download(client, url)
    rest = client.get(url, HTTP_RANGE="bytes=100-")
    assert rest.status_code == 206
    assert body(rest) == whole[100:]
    counted = VideoDownloadCount.objects.get(video=video, kind="original")
    assert counted.count == 1


def test_the_web_version_plays_inline_and_is_not_counted(client, video):
    response = client.get(video.web_url, HTTP_RANGE="bytes=0-99")
    assert response.status_code == 206
    assert "attachment" not in response.get("Content-Disposition", "")
    assert not VideoDownloadCount.objects.filter(video=video).exists()


def test_an_old_version_link_leads_to_the_current_file(client, video):
    old = video.file_url("web")
    video.title = "Night pass at Hockenheim"
    video.save()
    generate_video_files.call(video.pk)
    video.refresh_from_db()
    response = client.get(old)
    assert response.status_code == 302
    assert response["Location"] == video.file_url("web")


def zip_entries(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info.filename) for info in archive.infolist()}


def test_the_set_zip_has_the_web_version_in_web_size_and_the_broadcast_file_in_print(
    client, video
):
    web = zip_entries(
        download(client, reverse("media:photoset-zip", args=[video.photo_set.pk, "web"]))
    )
    names = [name for name in web if name.endswith(".mp4")]
    assert names == ["01 Night pass.mp4"]
    served = download(client, video.web_url)
    assert web[names[0]] == served
    credits = web["CREDITS.txt"].decode()
    assert "Night pass" in credits and "Lestrup Racing Team" in credits
    printed = zip_entries(
        download(client, reverse("media:photoset-zip", args=[video.photo_set.pk, "print"]))
    )
    original = download(client, video.file_url("original") + "?download")
    assert printed["01 Night pass.mp4"] == original


def test_a_selection_holds_videos_and_names_a_withdrawn_one_by_its_place(client, newsroom, video):
    other_set = make_photo_set(newsroom, title="Hidden")
    hidden = make_video(other_set, title="Secret test day")
    token = selection.token([selection.Item("v", video.pk), selection.Item("v", hidden.pk)])
    other_set.visibility = Visibility.PRIVATE
    other_set.save()
    page = client.get(reverse("media:selection", args=[token])).content.decode()
    assert "Night pass" in page
    assert "Secret test day" not in page
    assert "Item 2, a video, is no longer available" in page
    entries = zip_entries(download(client, reverse("media:selection-zip", args=[token, "web"])))
    assert "01 Night pass.mp4" in entries
    credits = entries["CREDITS.txt"].decode()
    assert "No longer available, not included: item(s) 2 (a video)." in credits
    assert "Secret test day" not in credits


def test_a_video_waiting_for_its_files_says_so(client, newsroom):
    waiting = make_video(make_photo_set(newsroom), files=False, title="Just uploaded")
    page = client.get(waiting.get_absolute_url()).content.decode()
    assert "This video is being prepared" in page
    assert client.get(waiting.web_url).status_code == 503


def test_a_failure_to_make_the_files_is_shown_to_editors(newsroom, monkeypatch):
    waiting = make_video(make_photo_set(newsroom), files=False)

    def broken(*args, **kwargs):
        raise RuntimeError("the encoder gave up")

    monkeypatch.setattr(video_renditions, "write_web_version", broken)
    assert generate_video_files.call(waiting.pk) is False
    waiting.refresh_from_db()
    assert "the encoder gave up" in waiting.rendering_failure()
    assert waiting.rendering_claim == ""


def test_a_new_poster_moment_makes_new_files(client, video):
    first = download(client, video.poster_url)
    video.poster_at = 0.9
    video.save()
    generate_video_files.call(video.pk)
    video.refresh_from_db()
    assert download(client, video.poster_url) != first
    assert Video.objects.get(pk=video.pk).files.count() == 3


@pytest.fixture
def released_video(video):
    release = make_release(video.photo_set.newsroom, title="Podium at Hockenheim")
    release.photo_sets.add(video.photo_set)
    return release, video


def test_feeds_carry_the_video(client, released_video):
    release, video = released_video
    slug = release.newsroom.slug
    rss = client.get(reverse("press:rss", args=[slug])).content.decode()
    assert 'medium="video"' in rss
    assert video.web_url in rss
    atom = feedparser.parse(client.get(reverse("press:atom", args=[slug])).content)
    enclosures = [(link.href, link.type) for link in atom.entries[0].enclosures]
    assert (f"http://testserver{video.web_url}", "video/mp4") in enclosures


def test_the_sitemap_lists_the_video_page(client, released_video):
    release, video = released_video
    index = client.get(reverse("sitemap")).content.decode()
    section = sitemaps.file_path(release.newsroom, "videos", video.created_at)
    assert section in index
    listed = client.get(section).content.decode()
    assert video.get_absolute_url() in listed


def test_search_finds_a_video_by_its_caption(client, video):
    page = client.get(reverse("search") + "?q=floodlights").content.decode()
    assert 'class="video-card"' in page
    assert video.poster_url in page


def test_the_api_gives_videos_as_ninjs_video_items(client, released_video):
    release, video = released_video
    url = reverse("api:release-detail", args=[release.newsroom.slug, release.slug])
    item = client.get(url).json()
    videos = [a for a in item["associations"] if a["type"] == "video"]
    assert len(videos) == 1
    found = videos[0]
    assert found["headlines"] == [{"role": "main", "value": "Night pass"}]
    assert found["copyrightholder"] == "Lestrup Racing Team"
    renditions = {r["name"]: r for r in found["renditions"]}
    assert set(renditions) == {"poster", "web", "original"}
    assert renditions["web"]["contenttype"] == "video/mp4"
    assert renditions["web"]["format"] == "H.264 / AAC"
    assert renditions["web"]["duration"] == pytest.approx(video.duration, abs=0.01)
    assert renditions["poster"]["contenttype"] == "image/jpeg"
    photo_set = client.get(reverse("api:photoset-detail", args=[video.photo_set.pk])).json()
    assert [v["uri"] for v in photo_set["videos"]] == [found["uri"]]


def test_a_youtube_video_loads_nothing_before_the_reader_presses_play(client, newsroom):
    release = make_release(newsroom, video_link="https://youtu.be/dQw4w9WgXcQ")
    html = client.get(release.get_absolute_url()).content.decode()
    assert 'data-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"' in html
    assert "<iframe" not in html
    assert "ytimg" not in html
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in html


@pytest.mark.parametrize(
    ("link", "embedded"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=10", ("YouTube", "dQw4w9WgXcQ")),
        ("https://www.youtube.com/shorts/dQw4w9WgXcQ", ("YouTube", "dQw4w9WgXcQ")),
        ("https://vimeo.com/76979871", ("Vimeo", "76979871")),
        ("https://player.vimeo.com/video/76979871", ("Vimeo", "76979871")),
        ("https://example.com/watch?v=dQw4w9WgXcQ", None),
        ("javascript:alert(1)", None),
        ("https://www.youtube.com/watch?v=<script>", None),
    ],
)
def test_only_youtube_and_vimeo_links_become_players(link, embedded):
    found = embed_for(link)
    assert (None if found is None else (found.provider, found.video_id)) == embedded
