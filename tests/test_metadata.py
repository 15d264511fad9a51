"""Embedded metadata: what we read from uploads, and what the files we serve may carry.

Test images are made here with Pillow and given their metadata with pyexiv2.
Removals and stamps are checked with pyexiv2 and, independently, with exiftool:
a tag exiv2 merely stops showing would still reach journalists.
"""

import functools
import io
import json
import random
import shutil
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyexiv2
import pytest
from PIL import Image

from media.metadata import Embedded, Rights, clean_and_stamp, read_embedded, strip_personal_data

FORMATS = ["JPEG", "PNG", "WEBP", "TIFF"]
PROJECT_ROOT = Path(__file__).resolve().parents[1]

SWEDISH_CAPTION = "Bäckman på pallen – 3:e plats"
RIGHTS = Rights(
    title="Bäckman på pallen",
    caption=SWEDISH_CAPTION,
    credit="Andreas Bäckman / 24H SERIES",
    copyright="© 24H SERIES 2022",
    usage_terms="Free to use with credit",
)
TAKEN_AT = datetime(2022, 7, 1, 14, 3, tzinfo=timezone(timedelta(hours=2)))

# Everything a camera, a phone and a photographer's presets leave behind.
PERSONAL_EXIF = {
    "Exif.Image.Make": "Canon",
    "Exif.Image.Model": "Canon EOS R5",
    "Exif.Image.Orientation": "6",
    "Exif.Image.Artist": "Bäckman",
    "Exif.Image.CameraSerialNumber": "DNG-4711",
    "Exif.Photo.BodySerialNumber": "032021001234",
    "Exif.Photo.LensSerialNumber": "LENS-9876",
    "Exif.Photo.CameraOwnerName": "Andreas Bäckman",
    "Exif.Photo.ImageUniqueID": "0123456789abcdef0123456789abcdef",
    "Exif.Photo.DateTimeOriginal": "2022:07:01 14:03:00",
    "Exif.Photo.OffsetTimeOriginal": "+02:00",
    "Exif.GPSInfo.GPSLatitudeRef": "N",
    "Exif.GPSInfo.GPSLatitude": "50/1 26/1 0/1",
    "Exif.GPSInfo.GPSLongitudeRef": "E",
    "Exif.GPSInfo.GPSLongitude": "5/1 58/1 0/1",
    # With Make "Canon", exiv2 builds a real Canon maker note from these, the
    # way the camera would: exiftool reads them back as MakerNotes:Canon.
    "Exif.Canon.OwnerName": "Andreas Bäckman",
    "Exif.Canon.SerialNumber": "1234",
}
PERSONAL_IPTC = {
    "Iptc.Envelope.CharacterSet": "\x1b%G",
    "Iptc.Application2.Caption": SWEDISH_CAPTION,
    "Iptc.Application2.Credit": "Bäckman",
    "Iptc.Application2.Contact": ["andreas@example.com"],
}
PERSONAL_XMP = """\
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:exif="http://ns.adobe.com/exif/1.0/"
    xmlns:aux="http://ns.adobe.com/exif/1.0/aux/"
    xmlns:exifEX="http://cipa.jp/exif/1.0/"
    xmlns:tiff="http://ns.adobe.com/tiff/1.0/"
    xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"
    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
    exif:GPSLatitude="50,26.0N" exif:GPSLongitude="5,58.0E"
    aux:SerialNumber="032021001234" aux:LensSerialNumber="LENS-9876" aux:OwnerName="Andreas"
    exifEX:BodySerialNumber="032021001234" exifEX:LensSerialNumber="LENS-9876"
    exifEX:CameraOwnerName="Andreas" exifEX:ImageUniqueID="0123456789abcdef"
    exif:ImageUniqueID="0123456789abcdef"
    tiff:Orientation="6">
   <Iptc4xmpCore:CreatorContactInfo rdf:parseType="Resource">
    <Iptc4xmpCore:CiAdrExtadr>Storgatan 1</Iptc4xmpCore:CiAdrExtadr>
    <Iptc4xmpCore:CiTelWork>+46 70 123 45 67</Iptc4xmpCore:CiTelWork>
    <Iptc4xmpCore:CiEmailWork>andreas@example.com</Iptc4xmpCore:CiEmailWork>
   </Iptc4xmpCore:CreatorContactInfo>
   <xmp:Thumbnails xmlns:xmp="http://ns.adobe.com/xap/1.0/"
     xmlns:xmpGImg="http://ns.adobe.com/xap/1.0/g/img/">
    <rdf:Alt>
     <rdf:li rdf:parseType="Resource">
      <xmpGImg:format>JPEG</xmpGImg:format>
      <xmpGImg:image>/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgH</xmpGImg:image>
     </rdf:li>
    </rdf:Alt>
   </xmp:Thumbnails>
   <Iptc4xmpExt:LocationCreated>
    <rdf:Bag>
     <rdf:li rdf:parseType="Resource">
      <Iptc4xmpExt:City>Spa</Iptc4xmpExt:City>
      <Iptc4xmpExt:GPSLatitude>50,26.0N</Iptc4xmpExt:GPSLatitude>
     </rdf:li>
    </rdf:Bag>
   </Iptc4xmpExt:LocationCreated>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>"""

# exiftool names (with -G0:1) of the rights we stamp.
STAMPED_IPTC = {
    "IPTC:CodedCharacterSet": "UTF8",
    "IPTC:ObjectName": RIGHTS.title,
    "IPTC:Caption-Abstract": RIGHTS.caption,
    "IPTC:Credit": RIGHTS.credit,
    "IPTC:By-line": RIGHTS.credit,
    "IPTC:CopyrightNotice": RIGHTS.copyright,
    "IPTC:SpecialInstructions": RIGHTS.usage_terms,
}
STAMPED_XMP = {
    "XMP:XMP-dc:Title": RIGHTS.title,
    "XMP:XMP-dc:Description": RIGHTS.caption,
    "XMP:XMP-dc:Creator": RIGHTS.credit,
    "XMP:XMP-dc:Rights": RIGHTS.copyright,
    "XMP:XMP-photoshop:Credit": RIGHTS.credit,
    "XMP:XMP-xmpRights:UsageTerms": RIGHTS.usage_terms,
    "XMP:XMP-xmpRights:Marked": True,
}
STAMPED_EXIF = {
    "EXIF:IFD0:ImageDescription": RIGHTS.caption,
    "EXIF:IFD0:Artist": RIGHTS.credit,
    "EXIF:IFD0:Copyright": RIGHTS.copyright,
}


# Making test images


@functools.cache
def plain_image(image_format: str, size: tuple[int, int] = (800, 600)) -> bytes:
    """Noise and gradients, so the compressed data is not trivially small."""
    noise = Image.effect_noise(size, 60)
    across = Image.linear_gradient("L").resize(size)
    around = Image.radial_gradient("L").resize(size)
    buffer = io.BytesIO()
    Image.merge("RGB", (noise, across, around)).save(buffer, image_format)
    return buffer.getvalue()


def exif_thumbnail() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (160, 120), "red").save(buffer, "JPEG")
    return buffer.getvalue()


def with_metadata(
    data: bytes,
    *,
    exif: dict | None = None,
    iptc: dict | None = None,
    xmp: str = "",
    thumbnail: bytes = b"",
    encoding: str = "utf-8",
) -> bytes:
    """`data` with the given metadata written by pyexiv2."""
    image = pyexiv2.ImageData(data)
    try:
        if exif:
            image.modify_exif(exif, encoding=encoding)
        if iptc:
            image.modify_iptc(iptc, encoding=encoding)
        if xmp:
            image.modify_raw_xmp(xmp, encoding=encoding)
        if thumbnail:
            image.modify_thumbnail(thumbnail)
        return image.get_bytes()
    finally:
        image.close()


@functools.cache
def personal_photo(image_format: str) -> bytes:
    """A photo carrying every kind of personal data we promise to remove.

    WebP has no IPTC container, so exiv2 cannot put the IPTC part there.
    """
    iptc = PERSONAL_IPTC if image_format != "WEBP" else None
    return with_metadata(
        plain_image(image_format),
        exif=PERSONAL_EXIF,
        iptc=iptc,
        xmp=PERSONAL_XMP,
        thumbnail=exif_thumbnail(),
    )


# Reading files back


def exiftool(data: bytes) -> dict:
    """Every tag exiftool finds, keyed "Family0:Family1:Name" (-G0:1).

    Family 0 files all maker-note tags under "MakerNotes:", whatever the brand.
    """
    executable = shutil.which("exiftool")
    if executable is None:
        pytest.fail(
            "exiftool is not on PATH. These tests need it as an independent reader: "
            "install it (Debian/Ubuntu: apt-get install libimage-exiftool-perl)."
        )
    result = subprocess.run(
        [executable, "-j", "-G0:1", "-a", "-s", "-"], input=data, capture_output=True, check=True
    )
    return json.loads(result.stdout)[0]


def exiv2_tags(data: bytes) -> dict:
    """Every EXIF, IPTC and XMP tag as pyexiv2 reads it."""
    image = pyexiv2.ImageData(data)
    try:
        return {**image.read_exif(), **image.read_iptc(), **image.read_xmp()}
    finally:
        image.close()


def exiv2_thumbnail(data: bytes) -> bytes:
    image = pyexiv2.ImageData(data)
    try:
        return image.read_thumbnail()
    finally:
        image.close()


def looks_personal_to_exiftool(key: str) -> bool:
    group, _, name = key.rpartition(":")
    return (
        "GPS" in name
        or name.endswith(("SerialNumber", "OwnerName"))
        or name in {"ImageUniqueID", "MakerNote", "MakerNoteUnknownText", "Contact"}
        or name.startswith("Thumbnail")
        or group.startswith("MakerNotes")
        or group == "EXIF:IFD1"
        # CreatorAddress, CreatorWorkEmail, CreatorWorkTelephone, ...
        or (group == "XMP:XMP-iptcCore" and name.startswith("Creator"))
    )


def looks_personal_to_exiv2(key: str) -> bool:
    return (
        "GPS" in key
        or "SerialNumber" in key
        or "OwnerName" in key
        or "ImageUniqueID" in key
        or "CreatorContactInfo" in key
        or "MakerNote" in key
        or key.startswith(("Exif.Canon", "Exif.Thumbnail", "Xmp.xmp.Thumbnails"))
        or key == "Iptc.Application2.Contact"
    )


def jpeg_scan_data(data: bytes) -> bytes:
    """The compressed pixels: everything from the main image's first SOS marker on.

    Walks the marker segments instead of searching for FF DA, because the EXIF
    thumbnail inside APP1 is a JPEG with its own SOS marker.
    """
    position = 2  # after SOI
    while data[position] == 0xFF:
        if data[position + 1] == 0xDA:
            return data[position:]
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        position += 2 + length
    raise AssertionError("no SOS marker in the JPEG")


def png_image_data(data: bytes) -> bytes:
    """The concatenated IDAT chunks: the compressed pixels of a PNG."""
    position, idat = 8, b""  # after the signature
    while position < len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        if data[position + 4 : position + 8] == b"IDAT":
            idat += data[position + 8 : position + 8 + length]
        position += 12 + length
    return idat


def webp_bitstream(data: bytes) -> bytes:
    """The VP8/VP8L chunk: the compressed pixels of a WebP."""
    position = 12  # after "RIFF", size, "WEBP"
    while position < len(data):
        kind = data[position : position + 4]
        length = int.from_bytes(data[position + 4 : position + 8], "little")
        if kind in (b"VP8 ", b"VP8L"):
            return data[position + 8 : position + 8 + length]
        position += 8 + length + length % 2
    raise AssertionError("no VP8 bitstream in the WebP")


def pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        return image.tobytes()


# read_embedded


def test_reads_an_iptc_only_file():
    data = with_metadata(
        plain_image("JPEG"),
        iptc={
            "Iptc.Envelope.CharacterSet": "\x1b%G",
            "Iptc.Application2.ObjectName": "Pallen",
            "Iptc.Application2.Caption": SWEDISH_CAPTION,
            "Iptc.Application2.Credit": "Andreas Bäckman",
            "Iptc.Application2.Copyright": "© 24H SERIES 2022",
        },
    )
    assert read_embedded(data) == Embedded(
        title="Pallen",
        caption=SWEDISH_CAPTION,
        credit="Andreas Bäckman",
        copyright="© 24H SERIES 2022",
    )


XMP_ONLY = """\
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:exif="http://ns.adobe.com/exif/1.0/"
    exif:DateTimeOriginal="2022-07-01T14:03:00+02:00">
   <dc:title><rdf:Alt>
    <rdf:li xml:lang="sv-SE">Pallen</rdf:li>
    <rdf:li xml:lang="x-default">Podium</rdf:li>
   </rdf:Alt></dc:title>
   <dc:description><rdf:Alt>
    <rdf:li xml:lang="x-default">Bäckman på pallen – 3:e plats</rdf:li>
   </rdf:Alt></dc:description>
   <dc:creator><rdf:Seq>
    <rdf:li>Andreas Bäckman</rdf:li>
    <rdf:li>Jane Doe</rdf:li>
   </rdf:Seq></dc:creator>
   <dc:rights><rdf:Alt>
    <rdf:li xml:lang="x-default">© 24H SERIES 2022</rdf:li>
   </rdf:Alt></dc:rights>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>"""


def test_reads_an_xmp_only_file_as_plain_text():
    data = with_metadata(plain_image("JPEG"), xmp=XMP_ONLY)
    assert read_embedded(data) == Embedded(
        title="Podium",  # x-default wins over the other languages
        caption=SWEDISH_CAPTION,
        credit="Andreas Bäckman, Jane Doe",
        copyright="© 24H SERIES 2022",
        taken_at=TAKEN_AT,
    )


def test_xmp_photoshop_credit_and_date_created_are_used_too():
    packet = XMP_ONLY.replace(
        'exif:DateTimeOriginal="2022-07-01T14:03:00+02:00"',
        'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
        'photoshop:Credit="24H SERIES" photoshop:DateCreated="2022-07-01T14:03:00+02:00"',
    )
    embedded = read_embedded(with_metadata(plain_image("JPEG"), xmp=packet))
    assert embedded.credit == "24H SERIES"
    assert embedded.taken_at == TAKEN_AT


def test_a_bare_date_is_not_a_capture_time():
    packet = XMP_ONLY.replace('exif:DateTimeOriginal="2022-07-01T14:03:00+02:00"', "").replace(
        "<dc:title>",
        '<photoshop:DateCreated xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/">'
        "2022-07-01</photoshop:DateCreated><dc:title>",
    )
    assert read_embedded(with_metadata(plain_image("JPEG"), xmp=packet)).taken_at is None


def test_reads_an_exif_only_file_with_utf8_text_and_utc_offset():
    data = with_metadata(
        plain_image("JPEG"),
        exif={
            "Exif.Image.ImageDescription": SWEDISH_CAPTION,
            "Exif.Image.Artist": "Bäckman",
            "Exif.Image.Copyright": "© 24H SERIES 2022",
            "Exif.Photo.DateTimeOriginal": "2022:07:01 14:03:00",
            "Exif.Photo.OffsetTimeOriginal": "+02:00",
        },
    )
    embedded = read_embedded(data)
    assert embedded == Embedded(
        caption=SWEDISH_CAPTION,
        credit="Bäckman",
        copyright="© 24H SERIES 2022",
        taken_at=TAKEN_AT,
    )
    assert embedded.taken_at.utcoffset() == timedelta(hours=2)


def test_exif_time_without_offset_is_naive():
    data = with_metadata(
        plain_image("JPEG"), exif={"Exif.Photo.DateTimeOriginal": "2022:07:01 14:03:00"}
    )
    assert read_embedded(data).taken_at == datetime(2022, 7, 1, 14, 3)


def test_an_unset_camera_clock_gives_no_capture_time():
    data = with_metadata(
        plain_image("JPEG"), exif={"Exif.Photo.DateTimeOriginal": "0000:00:00 00:00:00"}
    )
    assert read_embedded(data).taken_at is None


@pytest.mark.parametrize(
    ("stored", "encoding"),
    [
        ("Bäckman", "utf-8"),  # what modern cameras and tools write
        ("Bäckman", "latin-1"),  # older Windows tools: one byte per letter
        ("BÃ¤ckman", "utf-8"),  # UTF-8 read as Latin-1 by some tool and saved again
    ],
)
def test_exif_text_comes_back_as_the_right_letters(stored, encoding):
    data = with_metadata(
        plain_image("JPEG"), exif={"Exif.Image.Artist": stored}, encoding=encoding
    )
    assert read_embedded(data).credit == "Bäckman"


def test_iptc_without_character_set_marker_is_still_read():
    # Many tools write UTF-8 IPTC without the ESC % G marker.
    data = with_metadata(plain_image("JPEG"), iptc={"Iptc.Application2.Caption": SWEDISH_CAPTION})
    assert read_embedded(data).caption == SWEDISH_CAPTION


def test_iptc_wins_over_xmp_which_wins_over_exif():
    data = with_metadata(
        plain_image("JPEG"),
        exif={"Exif.Image.Artist": "EXIF artist", "Exif.Image.Copyright": "EXIF copyright"},
        iptc={"Iptc.Application2.Byline": ["IPTC by-line"]},
        xmp=XMP_ONLY,
    )
    embedded = read_embedded(data)
    # By-line comes after photoshop:Credit but before dc:creator.
    assert embedded.credit == "IPTC by-line"
    assert embedded.copyright == "© 24H SERIES 2022"


@pytest.mark.parametrize("image_format", FORMATS)
def test_reads_what_clean_and_stamp_wrote(image_format):
    stamped = clean_and_stamp(personal_photo(image_format), RIGHTS)
    assert read_embedded(stamped) == Embedded(
        title=RIGHTS.title,
        caption=RIGHTS.caption,
        credit=RIGHTS.credit,
        copyright=RIGHTS.copyright,
        taken_at=TAKEN_AT,
    )


def test_a_plain_image_has_nothing_to_say():
    assert read_embedded(plain_image("PNG")) == Embedded()


@pytest.mark.parametrize(
    "data",
    [b"", b"not an image", b"%PDF-1.7\n", random.Random(7).randbytes(5000)],
    ids=["empty", "text", "pdf", "random"],
)
def test_garbage_is_not_an_image(data):
    with pytest.raises(ValueError):
        read_embedded(data)
    with pytest.raises(ValueError):
        clean_and_stamp(data, RIGHTS)


def test_broken_metadata_in_a_real_image_reads_as_empty():
    payload = b"Exif\x00\x00II*\x00\x08\x00\x00\x00\xff\xff" + bytes(range(256)) * 2
    segment = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
    jpeg = plain_image("JPEG")
    assert read_embedded(jpeg[:2] + segment + jpeg[2:]) == Embedded()


def test_formats_we_cannot_clean_are_refused_rather_than_served():
    buffer = io.BytesIO()
    Image.new("P", (10, 10)).save(buffer, "GIF")
    assert read_embedded(buffer.getvalue()) == Embedded()
    with pytest.raises(ValueError):
        strip_personal_data(buffer.getvalue())


def test_mangled_files_never_crash_the_interpreter(tmp_path):
    # A crash in exiv2's C++ would kill pytest itself, so a child process
    # reads hundreds of damaged copies of metadata-rich files and we check it
    # exits normally.
    for image_format in FORMATS:
        (tmp_path / image_format).write_bytes(personal_photo(image_format))
    script = textwrap.dedent(
        """
        import random, sys
        from pathlib import Path
        from media.metadata import Rights, clean_and_stamp, read_embedded

        rights = Rights("t", "c", "Bäckman", "©", "u")
        rng = random.Random(2022)
        for path in Path(sys.argv[1]).iterdir():
            original = path.read_bytes()
            for attempt in range(150):
                damaged = bytearray(original if attempt % 2 else original[:5000])
                for _ in range(rng.randint(1, 20)):
                    damaged[rng.randrange(min(len(damaged), 5000))] = rng.randrange(256)
                for operation in (read_embedded, lambda data: clean_and_stamp(data, rights)):
                    try:
                        operation(bytes(damaged))
                    except ValueError:
                        pass
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr


# clean_and_stamp and strip_personal_data


@pytest.mark.parametrize("image_format", FORMATS)
def test_the_test_photo_really_carries_personal_data(image_format):
    # Otherwise the removal tests below would prove nothing.
    tags = exiftool(personal_photo(image_format))
    names = {key.rpartition(":")[2] for key in tags}
    assert {"GPSLatitude", "SerialNumber", "LensSerialNumber", "OwnerName"} <= names
    assert "ImageUniqueID" in names
    assert {"CreatorWorkEmail", "CreatorWorkTelephone", "CreatorAddress"} <= names
    assert "LocationCreatedGPSLatitude" in names
    assert "MakerNotes:Canon:SerialNumber" in tags
    assert "EXIF:IFD1:ThumbnailImage" in tags
    assert "XMP:XMP-xmp:ThumbnailImage" in tags
    assert exiv2_thumbnail(personal_photo(image_format))
    if image_format != "WEBP":
        assert tags["IPTC:Contact"] == "andreas@example.com"


def stamp(data: bytes) -> bytes:
    return clean_and_stamp(data, RIGHTS)


@pytest.mark.parametrize("image_format", FORMATS)
@pytest.mark.parametrize("clean", [strip_personal_data, stamp], ids=["strip", "stamp"])
def test_personal_data_is_removed(image_format, clean):
    cleaned = clean(personal_photo(image_format))

    assert [key for key in exiftool(cleaned) if looks_personal_to_exiftool(key)] == []
    assert [key for key in exiv2_tags(cleaned) if looks_personal_to_exiv2(key)] == []
    assert exiv2_thumbnail(cleaned) == b""


@pytest.mark.parametrize("image_format", FORMATS)
def test_harmless_camera_data_is_kept(image_format):
    tags = exiftool(strip_personal_data(personal_photo(image_format)))
    assert tags["EXIF:IFD0:Model"] == "Canon EOS R5"
    assert tags["EXIF:ExifIFD:DateTimeOriginal"] == "2022:07:01 14:03:00"
    assert tags["XMP:XMP-iptcExt:LocationCreatedCity"] == "Spa"


@pytest.mark.parametrize("image_format", FORMATS)
def test_rights_are_stamped_with_non_ascii_intact(image_format):
    tags = exiftool(clean_and_stamp(personal_photo(image_format), RIGHTS))

    assert {key: tags.get(key) for key in STAMPED_XMP} == STAMPED_XMP
    assert {key: tags.get(key) for key in STAMPED_EXIF} == STAMPED_EXIF
    if image_format == "WEBP":
        # WebP has no IPTC container (neither exiv2 nor exiftool can write one);
        # photo desks read the XMP instead.
        assert not [key for key in tags if key.startswith("IPTC:")]
    else:
        assert {key: tags.get(key) for key in STAMPED_IPTC} == STAMPED_IPTC


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "TIFF"])
def test_iptc_is_written_as_marked_utf8(image_format):
    # A file without IPTC: the marker must come from the stamp, not the upload.
    stamped = clean_and_stamp(plain_image(image_format), RIGHTS)
    tags = exiv2_tags(stamped)
    assert tags["Iptc.Envelope.CharacterSet"] == "\x1b%G"
    assert tags["Iptc.Application2.Caption"] == SWEDISH_CAPTION
    assert tags["Iptc.Application2.Byline"] == [RIGHTS.credit]
    assert exiftool(stamped)["IPTC:Caption-Abstract"] == SWEDISH_CAPTION


def test_legacy_iptc_text_left_in_place_is_re_encoded_as_utf8():
    # Older tools wrote Latin-1 IPTC without a marker; once the stamp marks the
    # block UTF-8, untouched fields like City must not turn into garbage.
    legacy = with_metadata(
        plain_image("JPEG"),
        iptc={"Iptc.Application2.City": "Göteborg", "Iptc.Application2.Keywords": ["Öresund"]},
        encoding="latin-1",
    )
    tags = exiftool(clean_and_stamp(legacy, RIGHTS))
    assert tags["IPTC:City"] == "Göteborg"
    assert tags["IPTC:Keywords"] == "Öresund"


def test_stamping_twice_replaces_instead_of_adding():
    twice = clean_and_stamp(clean_and_stamp(personal_photo("JPEG"), RIGHTS), RIGHTS)
    tags = exiv2_tags(twice)
    assert tags["Iptc.Application2.Byline"] == [RIGHTS.credit]
    assert tags["Xmp.dc.creator"] == [RIGHTS.credit]


def test_empty_rights_remove_tags_instead_of_writing_empty_ones():
    stamped = clean_and_stamp(personal_photo("JPEG"), RIGHTS)
    credit_only = Rights(title="", caption="", credit="24H SERIES", copyright="", usage_terms="")
    tags = exiv2_tags(clean_and_stamp(stamped, credit_only))

    gone = {
        "Iptc.Application2.ObjectName",
        "Iptc.Application2.Caption",
        "Iptc.Application2.Copyright",
        "Iptc.Application2.SpecialInstructions",
        "Xmp.dc.title",
        "Xmp.dc.description",
        "Xmp.dc.rights",
        "Xmp.xmpRights.UsageTerms",
        "Xmp.xmpRights.Marked",
        "Exif.Image.ImageDescription",
        "Exif.Image.Copyright",
    }
    assert gone & tags.keys() == set()
    assert tags["Iptc.Application2.Credit"] == "24H SERIES"
    assert tags["Xmp.photoshop.Credit"] == "24H SERIES"
    assert tags["Exif.Image.Artist"] == "24H SERIES"


def test_long_values_are_cut_to_iptc_limits_but_kept_whole_in_xmp():
    caption = "å" * 1500  # 3000 bytes in UTF-8, the IIM limit is 2000
    rights = Rights(RIGHTS.title, caption, RIGHTS.credit, RIGHTS.copyright, RIGHTS.usage_terms)
    tags = exiv2_tags(clean_and_stamp(plain_image("JPEG"), rights))
    # pyexiv2 decodes strictly as UTF-8, so a split letter would raise here.
    assert tags["Iptc.Application2.Caption"] == "å" * 1000
    assert tags["Xmp.dc.description"] == {'lang="x-default"': caption}


def test_strip_personal_data_writes_no_rights():
    stripped = strip_personal_data(plain_image("JPEG"))
    tags = exiftool(stripped)
    assert not [key for key in tags if key.startswith(("IPTC:", "XMP:"))]
    assert "EXIF:IFD0:Artist" not in tags
    assert exiv2_tags(stripped) == {}


def test_jpeg_scan_data_is_unchanged():
    original = personal_photo("JPEG")
    assert jpeg_scan_data(clean_and_stamp(original, RIGHTS)) == jpeg_scan_data(original)


def test_png_image_data_is_unchanged():
    original = personal_photo("PNG")
    assert png_image_data(clean_and_stamp(original, RIGHTS)) == png_image_data(original)


def test_webp_bitstream_is_unchanged():
    original = personal_photo("WEBP")
    assert webp_bitstream(clean_and_stamp(original, RIGHTS)) == webp_bitstream(original)


@pytest.mark.parametrize("image_format", FORMATS)
def test_pixels_are_unchanged(image_format):
    original = personal_photo(image_format)
    assert pixels(clean_and_stamp(original, RIGHTS)) == pixels(original)


@pytest.mark.parametrize("image_format", FORMATS)
def test_orientation_is_kept_for_originals(image_format):
    cleaned = clean_and_stamp(personal_photo(image_format), RIGHTS)
    assert exiv2_tags(cleaned)["Exif.Image.Orientation"] == "6"
    assert exiftool(cleaned)["EXIF:IFD0:Orientation"] == "Rotate 90 CW"


@pytest.mark.parametrize("image_format", FORMATS)
def test_orientation_is_removed_for_upright_renditions(image_format):
    cleaned = clean_and_stamp(personal_photo(image_format), RIGHTS, keep_orientation=False)
    assert "Exif.Image.Orientation" not in exiv2_tags(cleaned)
    # The XMP copy too, or viewers that read it would turn the picture anyway.
    assert not [key for key in exiftool(cleaned) if key.endswith(":Orientation")]


AGENCY_XMP = """<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:description><rdf:Alt>
    <rdf:li xml:lang="x-default">Agency caption</rdf:li>
    <rdf:li xml:lang="de">Bildunterschrift der Agentur</rdf:li>
   </rdf:Alt></dc:description>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>"""


def test_captions_and_titles_in_every_language_are_xmp_language_alternatives():
    rights = Rights(
        title="Podium",
        caption="Third place at Hockenheim.",
        credit="24H SERIES",
        copyright="",
        usage_terms="",
        language="en",
        translations=(("sv", "Pallen", "Trea på Hockenheim."),),
    )
    source = with_metadata(plain_image("JPEG"), xmp=AGENCY_XMP)

    tags = exiftool(clean_and_stamp(source, rights, keep_orientation=False))

    assert tags["XMP:XMP-dc:Description"] == "Third place at Hockenheim."  # x-default
    assert tags["XMP:XMP-dc:Description-en"] == "Third place at Hockenheim."
    assert tags["XMP:XMP-dc:Description-sv"] == "Trea på Hockenheim."
    assert tags["XMP:XMP-dc:Title-sv"] == "Pallen"
    # What the file said before in a language we have no text for is not left to contradict us.
    assert "XMP:XMP-dc:Description-de" not in tags
    # IPTC holds one language: the newsroom's own.
    assert tags["IPTC:Caption-Abstract"] == "Third place at Hockenheim."
