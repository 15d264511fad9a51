"""The demo's files: camera-like photos, a phone-like video clip, logos and a one-page fact
sheet.

A photo here is no painting of a scene but behaves like a camera file where it
matters to the site: camera-sized, soft gradients under full-resolution sensor
grain (so a 4000×2667 JPEG weighs megabytes, as real ones do), EXIF from a
camera with date, exposure and the place it was taken (GPS, which every file
we serve must lose), and its title written across it so each is recognisable
in a grid of thumbnails.
"""

import colorsys
import io
import math
import random
import struct
import unicodedata
from functools import cache
from statistics import NormalDist
from xml.sax.saxutils import escape

import av
from PIL import ExifTags, Image, ImageChops, ImageDraw, ImageFont, ImageOps
from PIL.TiffImagePlugin import IFDRational

PHOTO_SIZE = (4000, 2667)
PORTRAIT_SIZE = (1600, 2000)
CAMERA = ("Demo Camera Co.", "Demo Camera DC-1", "Demo Zoom 24-400mm")
# (exposure time, f-number, ISO): daylight, overcast, under floodlights.
EXPOSURES = [((1, 1000), 5.6, 200), ((1, 320), 4.0, 800), ((1, 160), 2.8, 3200)]


def make_photo(
    title,
    size=PHOTO_SIZE,
    *,
    seed=None,
    taken_at=None,
    credit="",
    copyright="",
    caption="",
    gps=None,
    grain=7.0,
):
    """JPEG bytes of a photo-like image with `title` on it and a camera's EXIF.

    The picture follows from `seed` (the title unless given): same call, same bytes.
    """
    rng = random.Random(seed or title)
    exposure = rng.randrange(len(EXPOSURES))
    light = (1.0, 0.8, 0.45)[exposure]
    width, height = size
    hue = rng.random()
    sky = ImageOps.colorize(
        Image.linear_gradient("L"),
        black=hsv(hue, 0.35, 0.9 * light),
        white=hsv(hue + 0.5, 0.5, 0.35 * light),
        mid=hsv(hue + 0.1, 0.2, 0.75 * light),
    )
    # A few pixels of colour blown up to full size: the soft, out-of-focus
    # shapes of a background, which a long lens turns any scene into.
    shapes = Image.frombytes("RGB", (8, 5), rng.randbytes(8 * 5 * 3))
    photo = Image.blend(sky.resize(size), shapes.resize(size, Image.Resampling.BICUBIC), 0.3)
    vignette = ImageOps.invert(Image.radial_gradient("L")).point(lambda v: 150 + v * 105 // 255)
    photo = ImageChops.multiply(photo, vignette.resize(size).convert("RGB"))
    write_title(photo, title, rng)
    noise = Image.frombytes("L", size, rng.randbytes(width * height)).point(gaussian(grain))
    photo = ImageChops.add(photo, Image.merge("RGB", [noise] * 3), offset=-128)
    exif = camera_exif(size, EXPOSURES[exposure], taken_at, credit, copyright, caption, gps)
    output = io.BytesIO()
    photo.save(output, "JPEG", quality=90, exif=exif)
    return output.getvalue()


def hsv(hue, saturation, value):
    red, green, blue = colorsys.hsv_to_rgb(hue % 1.0, saturation, value)
    return round(red * 255), round(green * 255), round(blue * 255)


@cache
def gaussian(sigma):
    """A table turning uniform random bytes into grain around 128 with this spread."""
    spread = NormalDist(128, sigma)
    return [max(0, min(255, round(spread.inv_cdf((i + 0.5) / 256)))) for i in range(256)]


@cache
def font(size):
    # DejaVu is on most Linux systems; Pillow's own font has no accented letters.
    try:
        return ImageFont.truetype("DejaVuSans-Bold.ttf", size)
    except OSError:
        return ImageFont.load_default(size)


def drawable(text, chosen):
    if isinstance(chosen, ImageFont.FreeTypeFont) and "DejaVu" in (chosen.getname()[0] or ""):
        return text
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def write_title(photo, title, rng):
    """The title in the lower third, white on a shadow, as a caption would sit."""
    width, height = photo.size
    size = max(12, height // 14)
    text = drawable(title, font(size))
    # Smaller for a long title on a narrow (portrait) photo: it stays inside.
    chosen = font(min(size, int(size * width * 0.85 / max(1, font(size).getlength(text)))))
    draw = ImageDraw.Draw(photo)
    x, y = width // 16, height * 3 // 4 + rng.randrange(height // 16)
    shadow = max(2, height // 300)
    draw.text((x + shadow, y + shadow), text, font=chosen, fill=(20, 20, 20), anchor="ls")
    draw.text((x, y), text, font=chosen, fill=(245, 245, 240), anchor="ls")


def rational(value, denominator=10000):
    return IFDRational(round(value * denominator), denominator)


def camera_exif(size, exposure, taken_at, artist, copyright, description, gps):
    exif = Image.Exif()
    make, model, lens = CAMERA
    base, ifd = ExifTags.Base, ExifTags.IFD
    exif.update({base.Make: make, base.Model: model, base.Orientation: 1})
    for tag, text in ((base.Artist, artist), (base.Copyright, copyright)):
        if text:
            # EXIF text has no charset; UTF-8 is what photo software writes.
            exif[tag] = text.encode()
    if description:
        exif[base.ImageDescription] = description.encode()
    (numerator, denominator), f_number, iso = exposure
    details = exif.get_ifd(ifd.Exif)
    details.update(
        {
            base.ExposureTime: IFDRational(numerator, denominator),
            base.FNumber: rational(f_number, 10),
            base.ISOSpeedRatings: iso,
            base.FocalLength: IFDRational(200, 1),
            base.LensModel: lens,
            base.ExifImageWidth: size[0],
            base.ExifImageHeight: size[1],
        }
    )
    if taken_at is not None:
        stamp = taken_at.strftime("%Y:%m:%d %H:%M:%S")
        exif[base.DateTime] = details[base.DateTimeOriginal] = stamp
        details[base.DateTimeDigitized] = stamp
        if offset := taken_at.strftime("%z"):
            details[base.OffsetTimeOriginal] = f"{offset[:3]}:{offset[3:]}"
    if gps is not None:
        latitude, longitude = gps
        exif.get_ifd(ifd.GPSInfo).update(
            {
                ExifTags.GPS.GPSVersionID: b"\x02\x03\x00\x00",
                ExifTags.GPS.GPSLatitudeRef: "N" if latitude >= 0 else "S",
                ExifTags.GPS.GPSLatitude: degrees(abs(latitude)),
                ExifTags.GPS.GPSLongitudeRef: "E" if longitude >= 0 else "W",
                ExifTags.GPS.GPSLongitude: degrees(abs(longitude)),
            }
        )
    return exif


def degrees(value):
    whole, minutes = int(value), (value - int(value)) * 60
    return (IFDRational(whole, 1), IFDRational(int(minutes), 1), rational(minutes % 1 * 60, 100))


def make_logo(text, rgb, size=(1200, 400)):
    """PNG bytes of a wordmark on a transparent ground: a rounded tile and the name."""
    scale = 4  # drawn large and reduced, because Pillow's shapes are not anti-aliased
    width, height = size[0] * scale, size[1] * scale
    logo = Image.new("RGBA", (width, height))
    draw = ImageDraw.Draw(logo)
    side, margin = height * 3 // 4, height // 8
    draw.rounded_rectangle((margin, margin, margin + side, margin + side), side // 5, fill=rgb)
    tip = margin + side * 3 // 4
    chevron = [(margin + side // 4, margin + side // 4), (tip, margin + side // 2)]
    draw.line(
        [*chevron, (margin + side // 4, margin + side * 3 // 4)], "white", side // 8, joint="curve"
    )
    chosen = font(height // 3)
    name = drawable(text, chosen)
    draw.text((margin * 2 + side, height // 2), name, font=chosen, fill=rgb, anchor="lm")
    output = io.BytesIO()
    logo.resize(size, Image.Resampling.LANCZOS).save(output, "PNG")
    return output.getvalue()


def make_logo_svg(text, rgb):
    """The same wordmark as SVG, the file a designer asks for."""
    fill = "rgb({},{},{})".format(*rgb)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="300" viewBox="0 0 1200 300">'
        f'<rect x="20" y="40" width="220" height="220" rx="36" fill="{fill}"/>'
        '<path d="M80 90 L170 150 L80 210" fill="none" stroke="#fff" stroke-width="34"/>'
        '<text x="280" y="190" font-family="Helvetica, Arial, sans-serif" font-size="110" '
        f'font-weight="700" fill="{fill}">{escape(text)}</text></svg>\n'
    ).encode()


def make_fact_sheet(title, lines):
    """A one-page A4 PDF in Helvetica, written by hand: a few objects and their offsets."""

    def string(text):
        # Latin-1 (WinAnsi) covers the demo's names; PDF strings escape these three.
        quoted = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return quoted.encode("latin-1", "replace")

    text = [b"BT /F1 20 Tf 56 780 Td (%s) Tj ET" % string(title)]
    for number, line in enumerate(lines):
        text.append(b"BT /F1 11 Tf 56 %d Td (%s) Tj ET" % (740 - number * 18, string(line)))
    stream = b"\n".join(text)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    output = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(output))
        output += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    table = len(output)
    output += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    output += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    output += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        table,
    )
    return bytes(output)


CLIP_SIZE = (1280, 720)
CLIP_RATE = 25
AUDIO_RATE = 48_000
AUDIO_FRAME = 1024


def make_clip(path, title, *, seconds=6, size=CLIP_SIZE, gps=None, seed=None):
    """A phone-like clip: a car crossing a floodlit straight, engine hum, and what phones
    write into their videos (the place it was shot, make, model, a serial number).

    H.264 and AAC in MP4, as an iPhone or Android phone saves them by default.
    """
    rng = random.Random(seed or title)
    clip = av.open(str(path), "w", options={"movflags": "use_metadata_tags"})
    if gps is not None:
        latitude, longitude = gps
        clip.metadata["location"] = f"{latitude:+08.4f}{longitude:+09.4f}/"
        clip.metadata["com.apple.quicktime.location.ISO6709"] = (
            f"{latitude:+08.4f}{longitude:+09.4f}+101.000/"
        )
    clip.metadata["com.apple.quicktime.make"] = "Demo Phone Co."
    clip.metadata["com.apple.quicktime.model"] = "Demo Phone 3"
    clip.metadata["com.android.serial"] = f"DP3-{rng.randrange(10**8):08d}"
    video = clip.add_stream("libx264", rate=CLIP_RATE, options={"preset": "veryfast"})
    video.width, video.height, video.pix_fmt = *size, "yuv420p"
    audio = clip.add_stream("aac", rate=AUDIO_RATE, layout="stereo")
    backdrop = clip_backdrop(size, rng)
    frames = seconds * CLIP_RATE
    for number in range(frames):
        frame = av.VideoFrame.from_image(clip_frame(backdrop, title, number, frames))
        frame.pts = number
        for packet in video.encode(frame):
            clip.mux(packet)
    for number in range(seconds * AUDIO_RATE // AUDIO_FRAME):
        for packet in audio.encode(engine_hum(number, seconds)):
            clip.mux(packet)
    for stream in (video, audio):
        for packet in stream.encode():
            clip.mux(packet)
    clip.close()


def clip_backdrop(size, rng):
    width, height = size
    sky = Image.linear_gradient("L").resize(size).point(lambda v: 20 + v // 4)
    backdrop = Image.merge("RGB", (sky, sky, sky.point(lambda v: v + 25)))
    draw = ImageDraw.Draw(backdrop)
    draw.rectangle([0, height * 2 // 3, width, height], fill=(55, 55, 60))  # the track
    for x in range(0, width, width // 8):  # floodlights
        draw.ellipse([x + 40, 40, x + 70, 70], fill=(255, 250, 220))
    for _ in range(300):  # the crowd on the grandstand
        x, y = rng.randrange(width), rng.randrange(height // 3, height * 2 // 3)
        draw.point((x, y), fill=hsv(rng.random(), 0.5, 0.8))
    return backdrop


def clip_frame(backdrop, title, number, frames):
    frame = backdrop.copy()
    draw = ImageDraw.Draw(frame)
    width, height = frame.size
    x = int(-300 + (width + 300) * number / frames)
    top = height * 2 // 3 + 30
    draw.rounded_rectangle([x, top, x + 260, top + 80], radius=18, fill=(200, 20, 30))
    draw.text((x + 70, top + 18), "120", fill="white", font=font(36))
    draw.text((40, height - 70), f"{title} · {number / CLIP_RATE:4.1f} s", font=font(30))
    return frame


def engine_hum(number, seconds):
    """One frame of stereo audio: an engine note rising as the car passes."""
    frame = av.AudioFrame(format="fltp", layout="stereo", samples=AUDIO_FRAME)
    start = number * AUDIO_FRAME
    pitch = 90 + 60 * start / (seconds * AUDIO_RATE)
    samples = [
        0.25 * math.sin(2 * math.pi * pitch * (start + k) / AUDIO_RATE) for k in range(AUDIO_FRAME)
    ]
    data = struct.pack(f"<{AUDIO_FRAME}f", *samples)
    for plane in frame.planes:
        plane.update(data)
    frame.sample_rate = AUDIO_RATE
    frame.pts = start
    return frame
