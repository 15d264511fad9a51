"""Photo files as journalists download them: sizes, names, headers, metadata, pixels."""

import io
import re
from datetime import datetime
from urllib.parse import unquote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageChops, ImageCms

from media.models import DownloadCount, Photo, PhotoText, Rendition, Visibility
from media.sizes import download_sizes
from media.tasks import generate_renditions
from newsroom.ground.models import License
from tests.factories import (
    body,
    exiftool,
    jpeg_bytes,
    make_photo,
    make_photo_set,
    make_release,
    with_exif,
)

GPS = {
    "Exif.GPSInfo.GPSLatitudeRef": "N",
    "Exif.GPSInfo.GPSLatitude": "49/1 19/1 0/1",
    "Exif.GPSInfo.GPSLongitudeRef": "E",
    "Exif.GPSInfo.GPSLongitude": "8/1 34/1 0/1",
    "Exif.Photo.BodySerialNumber": "032021001234",
    "Exif.Photo.CameraOwnerName": "Press Photographer",
}


@pytest.fixture
def photo(newsroom):
    photo_set = make_photo_set(newsroom, title="Hankook 12h Hockenheimring")
    return make_photo(
        photo_set,
        data=with_exif(jpeg_bytes(3000, 2000), GPS),
        name="IMG_0042.jpg",
        title="Third on the podium",
        caption="Bäckman på pallen.",
        credit="24H SERIES",
        copyright="© 24H SERIES 2022",
        license=License.FREE,
        taken_at=datetime(2022, 5, 15, 21, 30, tzinfo=timezone.UTC),
    )


def download(client, photo, size, **headers):
    return client.get(photo.file_url(size) + "?download", headers=headers)


def test_each_size_is_listed_with_pixels_and_bytes(client, photo):
    page = client.get(photo.photo_set.get_absolute_url()).content.decode()

    # Thumbnails and the medium size are for pages, the crops for search engines: none listed.
    offered = [size.name for size in download_sizes()]
    for rendition in photo.renditions.filter(size__in=offered):
        assert f"{rendition.width} × {rendition.height} px" in page
    assert "2048 × 1365 px" in page and "1200 × 630 px" in page and "3000 × 2000 px" in page
    assert photo.file_url("original") + "?download" in page
    assert "Photo: 24H SERIES" in page and "Free to use with credit" in page


def test_downloads_carry_a_readable_name_length_etag_and_cache_headers(client, photo):
    response = download(client, photo, "web")
    data = body(response)

    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    # RFC 6266: an ASCII name first for old clients, then the real one (RFC 8187).
    assert disposition.startswith(
        'attachment; filename="2022-05-15 Hankook 12h Hockenheimring - Third on the podium '
        "(web).jpg\"; filename*=UTF-8''"
    )
    assert unquote(disposition.split("''", 1)[1]) == (
        "2022-05-15 Hankook 12h Hockenheimring – Third on the podium (web).jpg"
    )
    assert int(response["Content-Length"]) == len(data) == photo.renditions.get(size="web").bytes
    assert response["ETag"] == f'"{photo.version}-web"'
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["Accept-Ranges"] == "bytes"
    assert Image.open(io.BytesIO(data)).size == (2048, 1365)


def test_unicode_titles_make_unicode_file_names(client, photo):
    photo.title = "Bäckman på pallen"
    photo.save()
    generate_renditions.call(photo.pk)

    disposition = download(client, photo, "original")["Content-Disposition"]

    assert "filename*=UTF-8''2022-05-15%20Hankook" in disposition
    assert "B%C3%A4ckman%20p%C3%A5%20pallen%20%28original%29.jpg" in disposition
    assert 'filename="2022-05-15 Hankook' in disposition
    assert 'Backman pa pallen (original).jpg"' in disposition  # the ASCII stand-in


def test_every_download_names_its_file_for_old_and_new_clients(client, photo, newsroom):
    release = make_release(newsroom, hero_photo=photo)
    release.photo_sets.add(photo.photo_set)
    urls = [
        photo.file_url("web") + "?download",
        photo.file_url("original"),
        reverse("media:photoset-zip", args=[photo.photo_set.pk, "web"]),
        reverse("press:event-calendar", args=[newsroom.slug]),
    ]
    for url in urls:
        disposition = client.get(url)["Content-Disposition"]
        assert re.fullmatch(
            r"(attachment|inline); filename=\"[ -~]+\"; filename\*=UTF-8''\S+", disposition
        ), (
            url,
            disposition,
        )


def test_head_sends_the_headers_without_the_body(client, photo):
    get = download(client, photo, "original")
    head = client.head(photo.file_url("original") + "?download")

    assert head.status_code == 200
    assert head.content == b""
    for header in (
        "Content-Length",
        "ETag",
        "Content-Type",
        "Content-Disposition",
        "Last-Modified",
    ):
        assert head[header] == get[header]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", (0, 99)),
        ("bytes=100-", (100, None)),
        ("bytes=-50", (-50, None)),
        ("bytes=10-999999999", (10, None)),
    ],
)
def test_a_single_range_resumes_a_download(client, photo, header, expected):
    whole = body(download(client, photo, "original"))
    size = len(whole)
    start, end = expected
    first = size + start if start < 0 else start
    last = size - 1 if end is None else end

    response = download(client, photo, "original", Range=header)

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{size}"
    assert body(response) == whole[first : last + 1]
    assert int(response["Content-Length"]) == last - first + 1


def test_ranges_outside_the_file_are_refused_with_416(client, photo):
    size = photo.renditions.get(size="original").bytes

    response = download(client, photo, "original", Range=f"bytes={size}-")

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


@pytest.mark.parametrize("header", ["bytes=0-10,20-30", "bytes=abc", "items=0-10", "bytes=30-10"])
def test_ranges_we_do_not_serve_get_the_whole_file(client, photo, header):
    response = download(client, photo, "original", Range=header)

    assert response.status_code == 200
    assert len(body(response)) == photo.renditions.get(size="original").bytes


def test_if_range_resumes_only_the_same_file(client, photo):
    etag = download(client, photo, "original")["ETag"]

    same = download(client, photo, "original", Range="bytes=0-9", **{"If-Range": etag})
    changed = download(client, photo, "original", Range="bytes=0-9", **{"If-Range": '"other"'})

    assert same.status_code == 206
    assert changed.status_code == 200


def test_conditional_requests_get_304(client, photo):
    first = download(client, photo, "web")

    by_etag = download(client, photo, "web", **{"If-None-Match": first["ETag"]})
    by_date = download(client, photo, "web", **{"If-Modified-Since": first["Last-Modified"]})

    assert by_etag.status_code == by_date.status_code == 304
    assert by_etag.content == b""


def test_no_served_file_carries_location_or_serial_numbers(client, photo):
    with photo.image.open("rb") as uploaded:
        uploaded_tags = exiftool(uploaded.read())
    assert "GPS:GPSLatitude" in uploaded_tags and "ExifIFD:SerialNumber" in uploaded_tags
    for size in ("thumbnail", "web", "social", "original"):
        tags = exiftool(body(client.get(photo.file_url(size))))
        leaks = [key for key in tags if "GPS" in key or "Serial" in key or "OwnerName" in key]
        assert not leaks, (size, leaks)


def test_every_served_file_carries_credit_caption_and_usage_terms(client, photo):
    for size in ("thumbnail", "web", "social", "original"):
        tags = exiftool(body(client.get(photo.file_url(size))))
        assert tags["IPTC:Credit"] == "24H SERIES", size
        assert tags["IPTC:CopyrightNotice"] == "© 24H SERIES 2022", size
        assert tags["IPTC:Caption-Abstract"] == "Bäckman på pallen.", size
        assert tags["XMP-photoshop:Credit"] == "24H SERIES", size
        assert tags["XMP-xmpRights:UsageTerms"] == "Free to use with credit", size
        assert tags["XMP-dc:Rights"] == "© 24H SERIES 2022", size


def test_every_served_file_carries_the_caption_in_each_language_it_is_written_in(
    client, photo, django_capture_on_commit_callbacks
):
    before = photo.version
    with django_capture_on_commit_callbacks(execute=True):
        PhotoText.objects.create(
            photo=photo, language="sv", title="Pallen", caption="Bäckman trea på Hockenheim."
        )
    photo.refresh_from_db()
    assert photo.version != before  # new files, made by the worker, carry the new texts
    for size in ("thumbnail", "web", "print", "original"):
        tags = exiftool(body(client.get(photo.file_url(size))))
        assert tags["XMP-dc:Description-sv"] == "Bäckman trea på Hockenheim.", size
        assert tags["XMP-dc:Title-sv"] == "Pallen", size
        assert tags[f"XMP-dc:Description-{photo.photo_set.newsroom.language}"] == (
            "Bäckman på pallen."
        ), size
        assert tags["IPTC:Caption-Abstract"] == "Bäckman på pallen.", size


def test_a_text_in_the_newsrooms_own_language_is_explained_not_kept(photo):
    text = PhotoText(photo=photo, language=photo.photo_set.newsroom.language, caption="x")
    with pytest.raises(ValidationError, match="own title and caption are in this language"):
        text.full_clean()


def test_the_original_keeps_its_pixels(client, photo):
    served = body(client.get(photo.original_url))
    with photo.image.open("rb") as uploaded:
        original = uploaded.read()

    # JPEG scan data (from the first start-of-scan marker) is untouched.
    assert served[served.index(b"\xff\xda") :] == original[original.index(b"\xff\xda") :]
    assert Image.open(io.BytesIO(served)).tobytes() == Image.open(io.BytesIO(original)).tobytes()


def oriented_jpeg(orientation):
    """An image with a red top-left corner when upright, stored turned as `orientation` says."""
    upright = Image.new("RGB", (600, 400), (255, 255, 255))
    upright.paste((255, 0, 0), (0, 0, 150, 100))
    # What a camera stores so that applying `orientation` gives the upright view.
    stored = upright.transpose(
        {
            2: Image.Transpose.FLIP_LEFT_RIGHT,
            3: Image.Transpose.ROTATE_180,
            4: Image.Transpose.FLIP_TOP_BOTTOM,
            5: Image.Transpose.TRANSPOSE,
            6: Image.Transpose.ROTATE_90,
            7: Image.Transpose.TRANSVERSE,
            8: Image.Transpose.ROTATE_270,
        }[orientation]
    )
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = orientation
    stored.save(buffer, "JPEG", exif=exif, quality=95)
    return buffer.getvalue()


@pytest.mark.parametrize("orientation", [2, 3, 4, 5, 6, 7, 8])
def test_renditions_are_upright_whatever_the_camera_orientation(client, newsroom, orientation):
    photo = make_photo(make_photo_set(newsroom), data=oriented_jpeg(orientation))

    assert (photo.width, photo.height) == (600, 400)
    for size in ("web", "thumbnail", "social"):
        image = Image.open(io.BytesIO(body(client.get(photo.file_url(size)))))
        red, _green, _blue = image.getpixel((5, 5))
        assert red > 200 and image.getpixel((image.width - 5, image.height - 5))[1] > 200, (
            size,
            orientation,
        )
        assert image.width > image.height


def test_cmyk_and_wide_gamut_photos_become_srgb(client, newsroom):
    cmyk = io.BytesIO()
    Image.new("CMYK", (800, 600), (0, 255, 255, 0)).save(cmyk, "JPEG")  # pure red ink
    p3 = io.BytesIO()
    display_p3 = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB"))  # any non-sRGB profile
    Image.new("RGB", (800, 600), (200, 30, 30)).save(p3, "JPEG", icc_profile=display_p3.tobytes())
    photo_set = make_photo_set(newsroom)

    for data in (cmyk.getvalue(), p3.getvalue()):
        photo = make_photo(photo_set, data=data)
        web = Image.open(io.BytesIO(body(client.get(photo.web_url))))
        assert web.mode == "RGB"
        assert "icc_profile" not in web.info
        red, green, blue = web.getpixel((10, 10))
        assert red > green and red > blue


def test_sixteen_bit_and_transparent_pngs_become_opaque_eight_bit_jpegs(client, newsroom):
    grey = io.BytesIO()
    Image.new("I;16", (800, 600), 32768).save(grey, "PNG")  # mid grey in 16 bits
    clear = io.BytesIO()
    Image.new("RGBA", (800, 600), (0, 0, 0, 0)).save(clear, "PNG")  # fully transparent
    photo_set = make_photo_set(newsroom)

    grey_photo = make_photo(photo_set, data=grey.getvalue(), name="grey.png")
    clear_photo = make_photo(photo_set, data=clear.getvalue(), name="clear.png")

    grey_web = Image.open(io.BytesIO(body(client.get(grey_photo.web_url))))
    clear_web = Image.open(io.BytesIO(body(client.get(clear_photo.web_url))))
    assert grey_web.mode == clear_web.mode == "RGB"
    assert 120 <= grey_web.getpixel((5, 5))[0] <= 136  # scaled, not clipped to white
    assert clear_web.getpixel((5, 5)) == (255, 255, 255)  # flattened onto white
    # PNG originals also get a full-size JPEG for print, and keep their own format.
    assert set(grey_photo.renditions.values_list("size", flat=True)) >= {"print", "original"}
    assert grey_photo.renditions.get(size="original").file.name.endswith(".png")


def test_one_worker_makes_a_version_and_a_second_run_does_nothing(newsroom, settings):
    photo = make_photo(make_photo_set(newsroom), renditions=False)

    assert photo.claim_rendering() is True
    assert photo.claim_rendering() is False  # a second worker, at the same moment
    generate_renditions.call(photo.pk)  # while claimed elsewhere: nothing happens
    assert not photo.renditions.exists()

    Photo.objects.filter(pk=photo.pk).update(rendering_claim="")
    generate_renditions.call(photo.pk)
    generate_renditions.call(photo.pk)
    files = [path for path in (settings.MEDIA_ROOT / "renditions").rglob("*") if path.is_file()]
    # One file a size (the crops too), made once.
    assert len(files) == photo.renditions.count() == len(photo.sizes_made())


def test_new_rights_make_new_files_and_retire_the_old(client, photo, settings):
    old_names = set(photo.renditions.values_list("file", flat=True))
    photo.credit = "Lestrup Racing Team"
    photo.save()
    generate_renditions.call(photo.pk)
    photo.refresh_from_db()

    new_names = set(photo.renditions.values_list("file", flat=True))
    assert not old_names & new_names
    storage = photo.image.storage
    assert not any(storage.exists(name) for name in old_names)
    assert exiftool(body(client.get(photo.web_url)))["IPTC:Credit"] == "Lestrup Racing Team"


def test_replacing_or_deleting_a_photo_removes_its_files(
    photo, django_capture_on_commit_callbacks
):
    storage = photo.image.storage
    first_upload = photo.image.name
    old_renditions = set(photo.renditions.values_list("file", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        photo.image = ContentFile(jpeg_bytes(1000, 700, colour=(0, 99, 0)), name="new.jpg")
        photo.save()
    assert not storage.exists(first_upload)
    assert not any(storage.exists(name) for name in old_renditions)
    current = set(photo.renditions.values_list("file", flat=True)) | {photo.image.name}
    assert all(storage.exists(name) for name in current)

    with django_capture_on_commit_callbacks(execute=True):
        photo.delete()
    assert not any(storage.exists(name) for name in current)
    assert not Rendition.objects.exists()


def test_missing_renditions_show_a_placeholder_never_an_error(client, newsroom):
    photo = make_photo(make_photo_set(newsroom), renditions=False)

    thumbnail = client.get(photo.thumbnail_url)
    original = client.get(photo.original_url)

    assert thumbnail.status_code == 200
    assert thumbnail["Content-Type"] == "image/svg+xml"
    assert "no-store" in thumbnail["Cache-Control"]
    assert original.status_code == 503
    assert original["Retry-After"] == "30"


def test_old_links_lead_to_the_current_file(client, photo):
    old = photo.file_url("web")
    photo.caption = "A new caption."
    photo.save()

    response = client.get(old)

    assert response.status_code == 302
    assert response["Location"] == photo.file_url("web")


def test_downloads_are_counted_without_personal_data(client, editor_client, photo):
    download(client, photo, "original")
    download(client, photo, "original")
    download(client, photo, "web")
    client.head(photo.file_url("web") + "?download")
    download(client, photo, "original", Range="bytes=100-")  # a resumed download
    client.get(photo.thumbnail_url)  # shown in a page, not downloaded
    photo.photo_set.visibility = Visibility.PRIVATE
    photo.photo_set.save()
    download(editor_client, photo, "web")  # an editor's preview

    counts = dict(DownloadCount.objects.values_list("size", "count"))
    assert counts == {"original": 2, "web": 1}
    assert {field.name for field in DownloadCount._meta.fields} == {"id", "photo", "size", "count"}


def test_hidden_photo_files_are_404_by_every_url(client, newsroom):
    photo = make_photo(make_photo_set(newsroom, visibility=Visibility.WITH_RELEASE))
    make_release(newsroom, status="draft").photo_sets.add(photo.photo_set)

    for size in ("thumbnail", "web", "social", "print", "original"):
        assert client.get(photo.file_url(size)).status_code == 404
        assert client.head(photo.file_url(size)).status_code == 404
    # Guessing: another version, another photo number, another size name.
    assert (
        client.get(reverse("media:photo-file", args=[photo.pk, "0" * 12, "web"])).status_code
        == 404
    )
    assert (
        client.get(
            reverse("media:photo-file", args=[photo.pk + 1, photo.version, "web"])
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("media:photo-file", args=[photo.pk, photo.version, "huge"])).status_code
        == 404
    )


def test_a_photos_own_page_shows_it_large_with_its_rights_and_sizes(client, photo):
    page = client.get(photo.get_absolute_url()).content.decode()

    # A phone takes the medium size, a large screen the web size.
    srcset = (
        f"{photo.file_url('thumbnail')} 400w, {photo.file_url('medium')} 1024w, "
        f"{photo.web_url} 2048w"
    )
    assert f'src="{photo.file_url("medium")}" srcset="{srcset}"' in page
    assert 'width="1024" height="683"' in page
    assert "Bäckman på pallen." in page
    assert "Photo: 24H SERIES" in page and "Free to use with credit" in page
    assert "© 24H SERIES 2022" in page
    for size in ("web", "social", "original"):
        assert photo.file_url(size) + "?download" in page


def test_credit_and_license_follow_the_photo_onto_cards(client, photo):
    photo.photo_set.is_featured = True
    photo.photo_set.save()
    make_release(photo.photo_set.newsroom, title="Podium", hero_photo=photo)

    home = client.get(photo.photo_set.newsroom.get_absolute_url()).content.decode()

    # Once on the release card, once on the photo set card.
    assert home.count("Photo: 24H SERIES") == 2
    assert home.count("Free to use with credit") == 2


def test_renditions_decode_big_jpegs_at_reduced_scale_without_losing_quality():
    """libjpeg's 3/8 scale for the web size: a quarter of the pixels, no visible loss."""
    from media.imagegenerators import Draft, Thumbnail, Web

    source = io.BytesIO()
    Image.linear_gradient("L").resize((6000, 4000)).convert("RGB").save(source, "JPEG", quality=95)
    data = source.getvalue()

    sizes = {}
    for spec, cover in ((Web, False), (Thumbnail, False), (Web, True)):
        image = Image.open(io.BytesIO(data))
        sizes[(spec.__name__, cover)] = Draft(*spec.box, cover=cover).process(image).size
        image.load()  # the decoder really delivers that size
    assert sizes[("Web", False)] == (2250, 1500)  # 3/8
    assert sizes[("Thumbnail", False)] == (750, 500)  # 1/8
    assert sizes[("Web", True)] == (6000, 4000)  # covering 2048×2048 needs over half

    rendered = Image.open(
        io.BytesIO(Web(source=ContentFile(data, name="big.jpg")).generate().read())
    )
    reference = (
        Image.open(io.BytesIO(data)).convert("RGB").resize(rendered.size, Image.Resampling.LANCZOS)
    )
    difference = ImageChops.difference(rendered.convert("RGB"), reference).getextrema()
    assert rendered.size == (2048, 1365) and max(high for _low, high in difference) < 16


def test_the_medium_size_is_made_for_pages_and_not_offered_for_download(client, photo):
    medium = photo.renditions.get(size="medium")
    assert (medium.width, medium.height) == (1024, 683)
    assert Image.open(io.BytesIO(body(client.get(photo.file_url("medium"))))).size == (1024, 683)

    page = client.get(photo.get_absolute_url()).content.decode()
    assert photo.file_url("medium") + "?download" not in page
    assert "1024 × 683 px" not in page


def test_a_small_photo_names_each_width_once_in_its_srcset(client, newsroom):
    small = make_photo(make_photo_set(newsroom), data=jpeg_bytes(600, 400))

    page = client.get(small.get_absolute_url()).content.decode()

    # Medium and web are both the photo's own 600 px: one candidate, the smaller file.
    assert f'srcset="{small.file_url("thumbnail")} 400w, {small.file_url("medium")} 600w"' in page


def test_photos_made_before_the_medium_size_show_the_web_one_until_it_is_made(client, photo):
    photo.renditions.filter(size="medium").delete()

    page = client.get(photo.get_absolute_url())
    assert page.status_code == 200
    response = client.get(photo.file_url("medium"))
    # A stand-in only for now: no cache may keep it once the medium file exists.
    assert response.status_code == 302
    assert response["Location"] == photo.web_url
    assert "no-store" in response["Cache-Control"]

    call_command("render_photos", "--missing", stdout=io.StringIO())

    response = client.get(photo.file_url("medium"))
    assert response.status_code == 200
    assert Image.open(io.BytesIO(body(response))).size == (1024, 683)
