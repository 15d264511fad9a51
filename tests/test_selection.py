"""A journalist's selection across sets and documents: its link, its page, its one ZIP."""

import csv
import io
import zipfile
import zlib
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from media import selection
from media.models import (
    Document,
    DownloadCount,
    Rendition,
    VideoDownloadCount,
    Visibility,
)
from tests.factories import (
    body,
    jpeg_bytes,
    make_photo,
    make_photo_set,
    make_release,
    make_video,
)
from tests.files import make_fact_sheet


@pytest.fixture
def kit(newsroom):
    """Two sets of two photos and a public fact sheet: what a picture editor picks from."""
    race = make_photo_set(newsroom, title="Hockenheim race", slug="race", visibility="public")
    paddock = make_photo_set(newsroom, title="Paddock", slug="paddock", visibility="public")
    photos = [
        make_photo(
            photo_set,
            data=jpeg_bytes(900 + n, 600, colour=(n * 50, 90, 140)),
            title=title,
            caption=f"Caption of {title}",
            credit="24H SERIES",
            position=n,
        )
        for n, (photo_set, title) in enumerate(
            [(race, "Podium"), (race, "Start"), (paddock, "Pit stop"), (paddock, "Garage")]
        )
    ]
    sheet = Document.objects.create(
        newsroom=newsroom,
        title="Fact sheet",
        file=ContentFile(make_fact_sheet("Sheet", ["Line"]), name="sheet.pdf"),
        visibility=Visibility.PUBLIC,
    )
    return {"photos": photos, "sheet": sheet}


def start(client, *items, **query):
    params = [("item", item) for item in items] + list(query.items())
    return client.get(reverse("media:selection-start"), params)


def page_of(client, *items):
    response = start(client, *items)
    assert response.status_code == 302
    return urlsplit(response["Location"]).path


def zip_of(client, *items, size="web"):
    response = start(client, *items, size=size)
    assert response.status_code == 302
    return urlsplit(response["Location"]).path


def test_a_selection_across_two_sets_and_a_document_is_one_zip_with_its_credits(client, kit):
    podium, _start, pit_stop, _garage = kit["photos"]
    url = zip_of(client, f"p{pit_stop.pk}", f"d{kit['sheet'].pk}", f"p{podium.pk}")

    response = client.get(url)
    data = body(response)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert int(response["Content-Length"]) == len(data)
    assert response["Accept-Ranges"] == "bytes"
    assert 'filename="Selection (web).zip"' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    names = archive.namelist()
    assert names[:3] == [
        "01 Pit stop.jpg",
        f"02 {kit['sheet'].newsroom.name} – Fact sheet.pdf",
        "03 Podium.jpg",
    ]
    assert names[3:] == ["CREDITS.txt", "credits.csv"]
    # The photos in web size, the document as uploaded.
    web = Rendition.objects.get(photo=pit_stop, size="web")
    assert archive.read("01 Pit stop.jpg") == web.file.open("rb").read()
    assert Image.open(io.BytesIO(archive.read("03 Podium.jpg"))).size == (
        Rendition.objects.get(photo=podium, size="web").width,
        Rendition.objects.get(photo=podium, size="web").height,
    )
    assert archive.read(names[1]) == kit["sheet"].file.open("rb").read()
    credits = archive.read("CREDITS.txt").decode()
    assert "01 Pit stop.jpg\r\n  Title: Pit stop\r\n  Caption: Caption of Pit stop" in credits
    assert "Credit: 24H SERIES" in credits
    assert "No longer available" not in credits
    rows = list(csv.DictReader(io.StringIO(archive.read("credits.csv").decode("utf-8-sig"))))
    assert [row["file"] for row in rows] == names[:3]
    assert rows[0]["credit"] == "24H SERIES" and rows[0]["width"] == str(web.width)


def test_a_dropped_selection_download_resumes_where_it_stopped(client, kit):
    url = zip_of(client, *(f"p{photo.pk}" for photo in kit["photos"]), size="print")
    whole = client.get(url)
    data, etag = body(whole), whole["ETag"]

    resumed = client.get(url, headers={"Range": f"bytes={len(data) // 3}-", "If-Range": etag})

    assert resumed.status_code == 206
    assert body(resumed) == data[len(data) // 3 :]
    assert resumed["Content-Range"] == f"bytes {len(data) // 3}-{len(data) - 1}/{len(data)}"
    assert client.get(url)["ETag"] == etag  # the same bytes on every download


def test_a_selection_download_counts_once_for_each_file_it_holds(client, kit):
    podium, start_photo, *_others = kit["photos"]
    video = make_video(podium.photo_set, title="The start")
    items = [f"p{podium.pk}", f"v{video.pk}", f"d{kit['sheet'].pk}", f"p{start_photo.pk}"]
    url = zip_of(client, *items, size="print")

    whole = client.get(url)
    data = body(whole)
    resumed = client.get(url, headers={"Range": "bytes=100-", "If-Range": whole["ETag"]})
    body(resumed)  # the same download, resumed: counted once

    assert resumed.status_code == 206
    for photo in (podium, start_photo):
        assert DownloadCount.objects.get(photo=photo).size == "print"
        assert DownloadCount.objects.get(photo=photo).count == 1
    assert VideoDownloadCount.objects.get(video=video).kind == "original"
    assert VideoDownloadCount.objects.get(video=video).count == 1
    kit["sheet"].refresh_from_db()
    assert kit["sheet"].download_count == 1
    assert len(zipfile.ZipFile(io.BytesIO(data)).namelist()) == 4 + 2  # and the credits

    body(client.get(url))  # a second download
    assert DownloadCount.objects.get(photo=podium).count == 2


def test_the_form_sends_a_selection_to_its_signed_address_and_the_page_shows_it(client, kit):
    podium, start_photo, pit_stop, _garage = kit["photos"]
    items = [f"p{podium.pk}", f"p{pit_stop.pk}", f"d{kit['sheet'].pk}", f"p{podium.pk}", "x9"]
    path = page_of(client, *items)
    assert path.startswith("/en/selection/")

    html = body(client.get(path)).decode()

    # Each item once, in the order picked; what is not an item is dropped.
    assert html.count('name="item"') == 3
    assert html.index("Podium") < html.index("Pit stop") < html.index("Fact sheet")
    assert "Start" not in html
    assert "Photo: 24H SERIES" in html
    for size in ("web", "print", "original"):
        assert reverse("media:selection-zip", args=[path.split("/")[3], size]) in html
    assert f'value="http://testserver{path}"' in html  # the link to share
    assert start_photo.title not in html


def test_a_shared_link_cannot_be_forged_or_overfilled(client, kit, settings):
    path = page_of(client, f"p{kit['photos'][0].pk}")
    token = path.split("/")[3]
    forged = selection.token([selection.Item("p", kit["photos"][1].pk)]).replace(":", ":x", 1)
    assert client.get(reverse("media:selection", args=[forged])).status_code == 404
    assert client.get(reverse("media:selection", args=[token[:-2]])).status_code == 404
    assert client.get(reverse("media:selection-zip", args=[forged, "web"])).status_code == 404
    assert client.get(reverse("media:selection-zip", args=[token, "thumbnail"])).status_code == 404

    settings.NEWSROOM_SELECTION_MAX_ITEMS = 2
    refused = start(client, *(f"p{photo.pk}" for photo in kit["photos"]))
    assert refused.status_code == 400
    assert "A selection holds at most 2 items, and this one had 4." in body(refused).decode()
    empty = start(client)
    assert empty.status_code == 200
    assert "Nothing is selected yet." in body(empty).decode()


def test_a_selection_larger_than_one_zip_may_hold_says_so(client, kit, settings):
    items = [f"p{photo.pk}" for photo in kit["photos"]]
    settings.NEWSROOM_SELECTION_MAX_BYTES = 50_000
    path = page_of(client, *items)
    html = body(client.get(path)).decode()
    assert "more than the 48.8\xa0KB one ZIP may hold" in html

    refused = client.get(zip_of(client, *items, size="original"))
    assert refused.status_code == 403
    assert "one ZIP holds at most 48.8\xa0KB" in body(refused).decode()


def test_what_is_no_longer_public_is_left_out_and_named_only_by_its_place(client, newsroom, kit):
    podium = kit["photos"][0]
    hidden_set = make_photo_set(newsroom, title="Secret set", visibility=Visibility.WITH_RELEASE)
    secret = make_photo(hidden_set, title="Secret photo", caption="Secret caption")
    release = make_release(newsroom, publish_at=timezone.now() + timedelta(hours=2))
    release.photo_sets.add(hidden_set)
    private = Document.objects.create(
        newsroom=newsroom,
        title="Secret document",
        file=ContentFile(make_fact_sheet("Secret", ["Line"]), name="secret.pdf"),
        visibility=Visibility.PRIVATE,
    )
    items = [f"p{podium.pk}", f"p{secret.pk}", f"d{private.pk}"]
    page, archive_url = page_of(client, *items), zip_of(client, *items)

    html = body(client.get(page)).decode()
    data = body(client.get(archive_url))

    assert "Item 2, a photo, is no longer available and is left out." in html
    assert "Item 3, a document, is no longer available and is left out." in html
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.namelist() == ["01 Podium.jpg", "CREDITS.txt", "credits.csv"]
    credits = archive.read("CREDITS.txt").decode()
    assert "No longer available, not included: item(s) 2 (a photo), 3 (a document)." in credits
    for words in (b"Secret", secret.file_url("thumbnail").encode()):
        assert words not in data and words not in html.encode()

    # The same link, once the release is out: the set is public with it.
    release.publish_at = timezone.now() - timedelta(minutes=1)
    release.save()
    archive = zipfile.ZipFile(io.BytesIO(body(Client().get(archive_url))))
    assert archive.namelist()[:2] == ["01 Podium.jpg", "02 Secret photo.jpg"]


def test_a_set_page_without_javascript_downloads_the_ticked_photos(client, kit):
    podium, start_photo, *_rest = kit["photos"]
    html = body(client.get(podium.photo_set.get_absolute_url())).decode()
    assert f'<form method="get" action="{reverse("media:selection-start")}"' in html
    assert f'name="item" value="p{podium.pk}"' in html
    assert f'name="item" value="p{start_photo.pk}"' in html
    assert 'name="size" value="web"' in html

    response = start(client, f"p{start_photo.pk}", size="web")
    archive = zipfile.ZipFile(io.BytesIO(body(client.get(response["Location"]))))
    assert archive.namelist() == ["01 Start.jpg", "CREDITS.txt", "credits.csv"]


def test_a_selection_costs_the_same_queries_for_five_items_as_for_two(client, kit):
    two = [f"p{kit['photos'][0].pk}", f"d{kit['sheet'].pk}"]
    five = [f"p{photo.pk}" for photo in kit["photos"]] + [f"d{kit['sheet'].pk}"]
    counts = []
    for items in (two, five):
        page, archive = page_of(client, *items), zip_of(client, *items)
        body(client.get(archive))  # the documents' checksums are worked out once
        with CaptureQueriesContext(connection) as page_queries:
            client.get(page)
        with CaptureQueriesContext(connection) as zip_queries:
            body(client.get(archive))
        counts.append((len(page_queries), len(zip_queries)))
    assert counts[0] == counts[1]
    # The photos, their renditions, the documents; the photos' and documents' counters.
    assert counts[0][1] <= 6


def test_each_photo_tells_the_tray_its_bytes_in_every_selection_size(client, kit):
    podium = kit["photos"][0]
    html = body(client.get(podium.photo_set.get_absolute_url())).decode()
    sizes = {r.size: r.bytes for r in Rendition.objects.filter(photo=podium)}
    # A JPEG's print file is its original.
    expected = f"web:{sizes['web']},print:{sizes['original']},original:{sizes['original']}"
    assert f'data-item="p{podium.pk}" data-title="Podium" data-bytes="{expected}"' in html
    assert 'class="select-all"' in html
    kit_page = body(
        client.get(reverse("media:photoset-list", args=[podium.photo_set.newsroom.slug]))
    )
    sheet = kit["sheet"]
    assert (
        f'data-item="d{sheet.pk}" data-title="Fact sheet" '
        f'data-bytes="web:{sheet.bytes},print:{sheet.bytes},original:{sheet.bytes}"'
    ).encode() in kit_page


def test_an_editors_preview_offers_no_selection(editor_client, newsroom):
    private = make_photo_set(newsroom, title="Internal", visibility=Visibility.PRIVATE)
    make_photo(private, title="Internal photo")
    html = body(editor_client.get(private.get_absolute_url())).decode()
    assert 'class="preview-banner"' in html  # an editor's preview, not the public page
    assert "select-item" not in html and 'name="item"' not in html


def test_a_document_keeps_its_crc32_from_the_upload(kit):
    sheet = kit["sheet"]
    data = sheet.file.open("rb").read()
    # Taken with the SHA-256 as the file came in: no ZIP reads the file again to learn it.
    assert Document.objects.get(pk=sheet.pk).crc32 == zlib.crc32(data)
