"""Every accepted photo is served in every size, or its editors are told why not."""

import io
import json
import random
import shutil
import struct
import subprocess
from datetime import datetime
from urllib.parse import unquote

import pytest
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from media import renditions
from media.models import Photo, Rendition
from media.sizes import SIZES
from media.tasks import generate_renditions
from media.uploads import accept_photo
from newsroom.ground import uploads
from tests.factories import body, make_photo, make_photo_set


@pytest.fixture
def photo_set(newsroom):
    return make_photo_set(newsroom, title="Spa", slug="spa")


def grainy(size=(800, 600), seed=1):
    rng = random.Random(seed)
    grain = Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))
    light = Image.linear_gradient("L").resize(size)
    return Image.merge("RGB", [Image.blend(light, grain, 0.2)] * 3)


def camera_jpeg(**options):
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0112] = 6
    exif[0x8769] = {0x9003: "2022:05:15 14:03:00", 0xA431: "032021001234"}
    exif[0x8825] = {1: "N", 2: (49.0, 19.0, 40.0), 3: "E", 4: (8.0, 33.0, 58.0)}
    buffer = io.BytesIO()
    grainy().save(buffer, "JPEG", quality=90, exif=exif.tobytes(), **options)
    return buffer.getvalue()


def segment(marker, payload):
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def damaged_ifd_offsets():
    """The EXIF block's first directory lies far outside it: exiv2 gives up on the block."""
    data = bytearray(camera_jpeg())
    tiff = data.index(b"Exif\x00\x00") + 6
    struct.pack_into("<I" if data[tiff] == ord("I") else ">I", data, tiff + 4, 0x00FFFFFF)
    return bytes(data)


def big_comment():
    data = camera_jpeg()
    return data[:2] + segment(0xFE, b"Shot on the grid. " * 3600) + data[2:]  # 64,800 bytes


def lying_app1():
    """An APP1 whose length is 60 bytes short: the rest is junk, which decoders skip."""
    data = bytearray(camera_jpeg())
    app1 = data.index(b"\xff\xe1")
    struct.pack_into(">H", data, app1 + 2, struct.unpack_from(">H", data, app1 + 2)[0] - 60)
    return bytes(data)


def exiftool(data):
    if shutil.which("exiftool") is None:
        pytest.fail("exiftool is needed: apt install libimage-exiftool-perl")
    result = subprocess.run(
        ["exiftool", "-j", "-G1", "-a", "-"], input=data, capture_output=True, check=True
    )
    return json.loads(result.stdout)[0]


def personal(tags):
    return sorted(key for key in tags if "GPS" in key or "Serial" in key)


def upload_photo(client, photo_set, name, data, capture):
    with capture(execute=True):
        response = client.post(
            reverse("admin:media_photoset_upload", args=[photo_set.pk]),
            {"files": [SimpleUploadedFile(name, data)]},
            headers={"Accept": "application/json"},
        )
    result = response.json()["results"][0]
    assert result["saved"], result
    return Photo.objects.get(pk=result["photo"]["id"])


def served(client, photo, size):
    response = client.get(photo.file_url(size))
    assert response.status_code == 200, (size, response.status_code)
    return body(response)


@pytest.mark.parametrize(
    "data", [damaged_ifd_offsets(), big_comment(), lying_app1()], ids=["ifd", "comment", "app1"]
)
def test_photos_with_broken_metadata_are_served_in_every_size(
    editor_client, client, photo_set, data, django_capture_on_commit_callbacks
):
    photo = upload_photo(
        editor_client, photo_set, "broken.jpg", data, django_capture_on_commit_callbacks
    )

    photo.refresh_from_db()
    assert photo.rendering_error == ""
    assert photo.rendered_version == photo.version
    for size in ["thumbnail", "medium", "web", "social", "print", "original"]:
        served_file = served(client, photo, size)
        assert Image.open(io.BytesIO(served_file)).size > (100, 100)
        assert personal(exiftool(served_file)) == []
    # The original's pixels are the upload's, byte for byte.
    original = served(client, photo, "original")
    assert original[original.index(b"\xff\xda") :] == data[data.index(b"\xff\xda") :]


def test_the_served_original_keeps_orientation_and_compressed_data(client, photo_set):
    data = camera_jpeg(progressive=True)
    photo = make_photo(photo_set, data=data)

    original = served(client, photo, "original")

    tags = exiftool(original)
    assert tags["IFD0:Orientation"] == "Rotate 90 CW"
    assert personal(tags) == []
    assert original[original.index(b"\xff\xda") :] == data[data.index(b"\xff\xda") :]
    assert Image.open(io.BytesIO(original)).tobytes() == Image.open(io.BytesIO(data)).tobytes()


def test_preview_images_after_the_photo_are_not_served(client, photo_set):
    # A camera's preview (MPF) carries EXIF of its own, GPS included.
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (49.0, 19.0, 40.0)}
    photo_image = grainy()
    buffer = io.BytesIO()
    photo_image.save(
        buffer,
        "MPO",
        save_all=True,
        append_images=[photo_image.resize((400, 300))],
        exif=exif.tobytes(),
    )
    photo = make_photo(photo_set, data=buffer.getvalue())
    assert photo.image_format == "JPEG"

    original = served(client, photo, "original")

    assert original.count(b"\xff\xd8") == 1
    assert personal(exiftool(original)) == []


def test_a_failure_is_shown_to_editors_and_made_again_by_the_command(
    editor_client, photo_set, monkeypatch
):
    photo = make_photo(photo_set, title="Podium", renditions=False)

    def fail(data, *args, **kwargs):
        raise ValueError("exiv2 could not read the XMP")

    monkeypatch.setattr("media.renditions.clean_and_stamp", fail)
    generate_renditions.call(photo.pk)
    photo.refresh_from_db()
    assert photo.rendering_failed_at is not None
    assert photo.rendering_error == "exiv2 could not read the XMP"
    message = "The files could not be made"
    page = editor_client.get(reverse("admin:media_photo_change", args=[photo.pk])).content
    assert message in page.decode() and "exiv2 could not read the XMP" in page.decode()
    grid = editor_client.get(reverse("admin:media_photoset_change", args=[photo_set.pk]))
    assert "photo-card-failure" in grid.content.decode()
    assert "exiv2 could not read the XMP" in grid.content.decode()

    out = io.StringIO()
    call_command("render_photos", "--missing", stdout=out)  # failed ones wait for --failed
    assert "Made 0 file(s) of 0 of 0 photo(s); 0 failed." in out.getvalue()
    monkeypatch.undo()
    out = io.StringIO()
    call_command("render_photos", "--failed", stdout=out)

    made = len(photo.sizes_made())
    assert out.getvalue().splitlines() == [
        f"photo 1/1: {made} sizes made",
        f"Made {made} file(s) of 1 of 1 photo(s); 0 failed.",
    ]
    photo.refresh_from_db()
    assert (photo.rendering_failed_at, photo.rendering_error) == (None, "")
    assert set(photo.renditions.values_list("size", flat=True)) == {
        size.name for size in photo.sizes_made()
    }
    page = editor_client.get(reverse("admin:media_photo_change", args=[photo.pk])).content
    assert message not in page.decode()


def test_the_command_makes_what_is_missing_and_leaves_the_rest(photo_set):
    make_photo(photo_set, title="Ready")
    never = make_photo(photo_set, title="Never made", renditions=False)
    gone = make_photo(photo_set, title="File gone")
    lost = gone.renditions.get(size="web")
    lost.file.storage.delete(lost.file.name)
    before = {
        (r.photo_id, r.size): (r.file.name, r.created_at)
        for r in Rendition.objects.exclude(pk=lost.pk)
    }

    out = io.StringIO()
    call_command("render_photos", "--missing", stdout=out)

    made = len(never.sizes_made())
    assert out.getvalue().splitlines() == [
        f"photo 2/3: {made} sizes made",
        "photo 3/3: 1 size made",
        f"Made {made + 1} file(s) of 2 of 3 photo(s); 0 failed.",
    ]
    for photo in (never, gone):
        photo.refresh_from_db()
        assert photo.rendered_version == photo.version
        for rendition in photo.renditions.all():
            assert rendition.file.storage.exists(rendition.file.name)
    # The files that were there are the same files, made at the same time.
    after = {(r.photo_id, r.size): (r.file.name, r.created_at) for r in Rendition.objects.all()}
    assert {key: after[key] for key in before} == before
    assert gone.renditions.get(size="web").file.name == lost.file.name


def test_the_command_says_what_it_makes_and_which_photo_failed(photo_set, monkeypatch):
    first = make_photo(photo_set, title="First")
    broken = make_photo(photo_set, title="Broken")
    third = make_photo(photo_set, title="Third")
    Rendition.objects.filter(size="thumbnail").delete()
    real = renditions.clean_and_stamp

    def fail_for_broken(data, rights, **kwargs):
        if rights.title == "Broken":
            raise ValueError("exiv2 could not read the XMP")
        return real(data, rights, **kwargs)

    monkeypatch.setattr("media.renditions.clean_and_stamp", fail_for_broken)
    out, err = io.StringIO(), io.StringIO()
    call_command("render_photos", "--missing", stdout=out, stderr=err)

    assert out.getvalue().splitlines() == [
        "photo 1/3: 1 size made",
        "photo 3/3: 1 size made",
        "Made 2 file(s) of 2 of 3 photo(s); 1 failed.",
    ]
    assert err.getvalue().splitlines() == [
        f"photo 2/3 “Broken” (id {broken.pk}): failed: exiv2 could not read the XMP"
    ]
    for photo in (first, third):
        assert photo.renditions.filter(size="thumbnail").exists()
    assert not broken.renditions.filter(size="thumbnail").exists()
    broken.refresh_from_db()
    assert broken.rendering_claim == ""  # let go: the next run tries again


def test_the_command_adds_nothing_while_another_worker_adds_files(photo_set):
    photo = make_photo(photo_set, title="Claimed")
    photo.renditions.filter(size="thumbnail").delete()
    assert photo.claim_adding() is True
    assert photo.claim_adding() is False  # a second worker, at the same moment

    out = io.StringIO()
    call_command("render_photos", "--missing", stdout=out)

    assert out.getvalue().splitlines() == [
        "photo 1/1: being made by another worker",
        "Made 0 file(s) of 0 of 1 photo(s); 0 failed.",
    ]
    assert not photo.renditions.filter(size="thumbnail").exists()
    photo.release_adding_claim()
    call_command("render_photos", "--missing", stdout=out)
    assert photo.renditions.filter(size="thumbnail").exists()


# HEIC, as iPhones send it


def heic_bytes(size=(640, 480)):
    exif = Image.Exif()
    exif[0x010F] = "Apple"
    exif[0x0110] = "iPhone 15"
    # EXIF text is ASCII as Pillow writes it.
    exif[0x010E] = "Backman on the podium at Spa"
    exif[0x013B] = "Andreas Backman"
    exif[0x8769] = {0x9003: "2024:07:01 14:03:00", 0xA431: "F2LXK0QJ"}
    exif[0x8825] = {1: "N", 2: (50.0, 26.0, 0.0), 3: "E", 4: (5.0, 58.0, 0.0)}
    buffer = io.BytesIO()
    grainy(size).save(buffer, "HEIF", quality=70, exif=exif.tobytes())
    return buffer.getvalue()


def test_iphone_photos_are_accepted_read_and_served_in_every_size_without_location(
    editor_client, client, photo_set, django_capture_on_commit_callbacks
):
    data = heic_bytes()
    assert personal(exiftool(data))  # the upload does carry them

    photo = upload_photo(
        editor_client, photo_set, "IMG_0042.HEIC", data, django_capture_on_commit_callbacks
    )

    assert (photo.image_format, photo.width, photo.height) == ("HEIF", 640, 480)
    assert photo.caption == "Backman on the podium at Spa"
    assert photo.credit == "Andreas Backman"
    assert timezone.localtime(photo.taken_at).replace(tzinfo=None) == datetime(2024, 7, 1, 14, 3)
    photo.refresh_from_db()
    assert set(photo.renditions.values_list("size", flat=True)) == set(SIZES)  # print too
    for size in ["thumbnail", "medium", "web", "social", "print", "16x9", "4x3", "1x1"]:
        jpeg = served(client, photo, size)
        assert jpeg[:2] == b"\xff\xd8"
        assert personal(exiftool(jpeg)) == []
    print_file = served(client, photo, "print")
    assert Image.open(io.BytesIO(print_file)).size == (640, 480)
    assert exiftool(print_file)["IPTC:Credit"] == "Andreas Backman"
    original = served(client, photo, "original")
    response = client.get(photo.file_url("original"))
    assert response["Content-Type"] == "image/heic"
    assert unquote(response["Content-Disposition"]).endswith("(original).heic")
    assert Image.open(io.BytesIO(original)).format == "HEIF"
    tags = exiftool(original)
    assert personal(tags) == []
    assert tags["IFD0:Artist"] == "Andreas Backman"
    # Same length, same compressed picture: only the EXIF item changed in place.
    assert len(original) == len(data)
    assert Image.open(io.BytesIO(original)).tobytes() == Image.open(io.BytesIO(data)).tobytes()


# HEIC as phones store it: a grid of tiles, turned by rotation and mirroring boxes


def marked(size=(700, 500)):
    """Grain with a red block in the top left corner, to see which way a file is turned."""
    image = grainy(size)
    image.paste((230, 20, 20), (0, 0, size[0] // 5, size[1] // 5))
    return image


def tiled_heic(monkeypatch, image, orientation=1, tile=256):
    import pillow_heif

    monkeypatch.setattr(pillow_heif.options, "GRID_TILE_SIZE", tile)
    exif = Image.Exif()
    exif[0x0112] = orientation  # pillow-heif writes it as the file's irot and imir boxes
    buffer = io.BytesIO()
    image.save(buffer, "HEIF", quality=90, **({"exif": exif.tobytes()} if orientation else {}))
    return buffer.getvalue()


def reference_pixels(data):
    """libheif's whole decode through pillow-heif, its transformations applied."""
    import pillow_heif

    return pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=True).to_pillow()


@pytest.mark.parametrize("orientation", range(1, 9))
def test_tiles_read_row_by_row_are_libheifs_pixels_in_every_orientation(monkeypatch, orientation):
    from newsroom.ground.heif import open_tiles
    from newsroom.ground.orientation import UPRIGHT

    data = tiled_heic(monkeypatch, marked(), orientation)

    with open_tiles(io.BytesIO(data)) as tiles:
        assert (tiles.tiling.columns, tiles.tiling.rows) == (3, 2)
        assert tiles.row_pixels == 700 * 256
        # Bands across the tile rows' border, as the print file and reductions read them.
        bands = [tiles.band(top, min(top + 96, 500)) for top in range(0, 500, 96)]
        stored = Image.new("RGB", tiles.size)
        for number, band in enumerate(bands):
            stored.paste(band, (0, number * 96))
        upright = stored
        for turn in UPRIGHT[tiles.orientation]:
            upright = upright.transpose(turn)

    assert tiles.orientation == orientation
    assert upright.tobytes() == reference_pixels(data).convert("RGB").tobytes()


def is_red(pixel):
    red, green, blue = pixel[:3]
    return red > 180 and green < 90 and blue < 90


def test_turned_tiled_phone_photos_are_served_upright(
    editor_client, client, photo_set, monkeypatch, django_capture_on_commit_callbacks
):
    # Orientation 6, as a phone held upright writes it: the stored pixels lie on their side.
    data = tiled_heic(monkeypatch, marked(), orientation=6)
    upright = reference_pixels(data)
    assert upright.size == (500, 700)
    assert is_red(upright.getpixel((upright.width - 5, 5)))  # the block is now top right

    photo = upload_photo(
        editor_client, photo_set, "IMG_0043.HEIC", data, django_capture_on_commit_callbacks
    )

    assert (photo.width, photo.height) == (500, 700)
    web = Image.open(io.BytesIO(served(client, photo, "web")))
    assert web.size == (500, 700)
    assert is_red(web.getpixel((web.width - 5, 5)))
    assert not is_red(web.getpixel((5, 5)))
    # The print file keeps the stored pixels and says how to turn them, like a camera's JPEG.
    printed = Image.open(io.BytesIO(served(client, photo, "print")))
    assert printed.size == (700, 500)
    assert printed.getexif()[0x0112] == 6
    from PIL import ImageOps

    assert ImageOps.exif_transpose(printed).size == (500, 700)


def test_heic_is_limited_by_what_is_decoded_at_once_not_by_its_whole_size(
    editor, photo_set, monkeypatch
):
    monkeypatch.setitem(uploads.WHOLE_DECODE_PIXELS, "HEIF", 200_000)  # one row: 179,200
    tiled = tiled_heic(monkeypatch, marked(), tile=256)
    whole = tiled_heic(monkeypatch, marked(), tile=0)  # one HEVC picture of 350,000 pixels

    assert accept_photo(photo_set, SimpleUploadedFile("tiled.heic", tiled)).saved
    refused = accept_photo(photo_set, SimpleUploadedFile("whole.heic", whole))

    assert not refused.saved
    assert refused.message == (
        "“whole.heic” is a HEIC image stored in one piece of 0.3 megapixels. Pieces of HEIC "
        "images are decoded whole, so we accept them up to 0.2 megapixels (phones store theirs "
        "in small tiles); save it as a JPEG, accepted up to 100 megapixels."
    )


def test_without_libheifs_tile_functions_heic_is_decoded_whole_within_the_one_piece_limit(
    editor_client, client, photo_set, monkeypatch, django_capture_on_commit_callbacks
):
    from newsroom.ground import heif

    monkeypatch.setattr(heif, "libheif", lambda: None)  # a libheif older than its tile API
    data = tiled_heic(monkeypatch, marked(), orientation=6)

    photo = upload_photo(
        editor_client, photo_set, "IMG_0045.HEIC", data, django_capture_on_commit_callbacks
    )

    web = Image.open(io.BytesIO(served(client, photo, "web")))
    assert web.size == (500, 700) and is_red(web.getpixel((web.width - 5, 5)))
    monkeypatch.setitem(uploads.WHOLE_DECODE_PIXELS, "HEIF", 200_000)
    refused = accept_photo(photo_set, SimpleUploadedFile("IMG_0046.HEIC", data))
    assert not refused.saved and "stored in one piece of 0.3 megapixels" in refused.message


def test_heic_beyond_the_largest_phone_photos_is_refused_with_the_limit(
    editor, photo_set, monkeypatch
):
    monkeypatch.setattr(uploads, "HEIF_MAX_PIXELS", 300_000)
    data = tiled_heic(monkeypatch, marked(), tile=256)

    result = accept_photo(photo_set, SimpleUploadedFile("pano.heic", data))

    assert not result.saved
    assert result.message == (
        "“pano.heic” is a HEIC image of 0.3 megapixels; HEIC images are accepted up to 0.3 "
        "megapixels (a phone's largest, such as an iPhone's HEIF Max, are 48). Save it as a "
        "JPEG, accepted up to 100 megapixels."
    )


def test_a_cut_short_tiled_heic_is_refused_by_name(editor, photo_set, monkeypatch):
    data = bytearray(tiled_heic(monkeypatch, marked(), orientation=None, tile=256))
    # The last tiles cut off (no EXIF item after them), the pixel box's length made to
    # agree: the file still opens.
    cut = 30_000
    mdat = data.index(b"mdat") - 4
    (length,) = struct.unpack_from(">I", data, mdat)
    struct.pack_into(">I", data, mdat, length - cut)
    data = bytes(data[:-cut])
    assert Image.open(io.BytesIO(data)).size == (700, 500)

    result = accept_photo(photo_set, SimpleUploadedFile("IMG_0044.HEIC", data))

    assert not result.saved
    assert result.message == "“IMG_0044.HEIC” is damaged or incomplete and could not be read."


# Memory: pinned as behaviour, measured in bench/uploads.py


class NoWholeReads(io.BytesIO):
    """A file that refuses to be read whole (a read without a size, or of more than 16 MB)."""

    def read(self, size=-1):
        assert size is not None and 0 <= size <= 16 * 1024 * 1024, f"read({size})"
        return super().read(size)


def test_the_upload_path_never_reads_a_whole_file(editor, photo_set, settings, monkeypatch):
    data = camera_jpeg()
    # What Django makes of a large upload (a file on disk, read in chunks).
    upload = UploadedFile(NoWholeReads(data), "podium.jpg", "image/jpeg", len(data))
    real_open = FileSystemStorage._open

    def guarded_open(storage, name, mode="rb"):
        with real_open(storage, name, mode) as handle:
            return File(NoWholeReads(handle.read()), name=name)

    result = accept_photo(photo_set, upload)
    assert result.saved, result.message
    monkeypatch.setattr(FileSystemStorage, "_open", guarded_open)
    generate_renditions.call(result.kept.pk)
    photo = Photo.objects.get(pk=result.kept.pk)
    assert photo.rendered_version == photo.version, photo.rendering_error
    assert Rendition.objects.filter(photo=photo).count() == len(photo.sizes_made())


def test_a_print_file_is_written_in_bands_joined_by_restart_markers(client, photo_set):
    buffer = io.BytesIO()
    grainy((1203, 2011)).convert("RGBA").save(buffer, "PNG")
    photo = make_photo(photo_set, data=buffer.getvalue(), name="poster.png")

    print_file = served(client, photo, "print")

    image = Image.open(io.BytesIO(print_file))
    assert image.size == (1203, 2011) and image.mode == "RGB"
    assert b"\xff\xdd" in print_file[: print_file.index(b"\xff\xda")]  # restart interval
    assert b"\xff\xd0" in print_file  # at least two bands
    # Band seams add nothing: the same as one encoder writing the whole image.
    whole = io.BytesIO()
    Image.open(io.BytesIO(buffer.getvalue())).convert("RGB").save(
        whole, "JPEG", quality=92, subsampling=0
    )
    reference = Image.open(whole)
    assert image.tobytes() == reference.tobytes()


def test_request_bodies_past_the_largest_upload_are_refused_unread(editor_client, photo_set):
    url = reverse("admin:media_photoset_upload", args=[photo_set.pk])

    response = editor_client.post(
        url,
        data=b"x" * 100,
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )

    assert response.status_code == 413
    assert "one request may carry at most 101.0\xa0MB" in response.content.decode()
    assert not Photo.objects.exists()
