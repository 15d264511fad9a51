import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from newsroom.ground.uploads import decode_image
from tests.factories import jpeg_bytes


def upload(name, data):
    return SimpleUploadedFile(name, data)


def test_a_real_jpeg_is_accepted():
    assert decode_image(upload("podium.jpg", jpeg_bytes(300, 200))) == ("JPEG", 300, 200)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.jpg", b"", "“empty.jpg” is empty."),
        (
            "notes.jpg",
            b"just some text, not a photo" * 10,
            "“notes.jpg” is not a JPEG, PNG, WebP, TIFF or HEIC image.",
        ),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "is not a JPEG",
        ),
        ("page.jpg", b"<!doctype html><html><body>hi</body></html>", "is not a JPEG"),
        ("cut.jpg", jpeg_bytes(800, 600)[:2000], "“cut.jpg” is damaged or incomplete"),
        (
            "photo.png",
            jpeg_bytes(),
            "“photo.png” is named like a .png file but contains a JPEG image.",
        ),
    ],
)
def test_bad_files_are_refused_by_name(name, data, message):
    with pytest.raises(ValidationError) as error:
        decode_image(upload(name, data))
    assert message in error.value.messages[0]


def test_too_many_pixels_are_refused_before_decoding(settings):
    settings.NEWSROOM_MAX_IMAGE_PIXELS = 100 * 100

    # Up to twice the limit the message gives the size; past it Pillow's own
    # guard (set to the same limit) refuses before the size is known.
    with pytest.raises(
        ValidationError, match=r"is 120 × 120 pixels; images up to 0\.01 megapixels"
    ):
        decode_image(upload("big.png", jpeg_bytes(120, 120, image_format="PNG")))
    with pytest.raises(ValidationError, match=r"has too many pixels; images up to 0\.01"):
        decode_image(upload("bigger.png", jpeg_bytes(200, 200, image_format="PNG")))


def test_too_many_bytes_are_refused(settings):
    settings.NEWSROOM_MAX_UPLOAD_BYTES = 1000

    with pytest.raises(ValidationError, match=r"files up to 1000"):
        decode_image(upload("big.jpg", jpeg_bytes(400, 400)))


def test_a_pixel_bomb_header_is_refused():
    # A PNG that claims 100,000 × 100,000 pixels in a few hundred bytes.
    buffer = io.BytesIO()
    Image.new("1", (1, 1)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    data[16:24] = (100_000).to_bytes(4, "big") * 2  # IHDR width and height

    with pytest.raises(ValidationError, match=r"bomb\.png"):
        decode_image(upload("bomb.png", bytes(data)))
