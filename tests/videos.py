"""Videos the tests upload: small clips as cameras and phones write them, and hostile files.

Every clip is made here with PyAV, a few seconds of tiny frames at most. The
picture moves (a bar sweeps across a shifting gradient) so decoded frames can
be told apart, and a red square marks the stored picture's top left corner so
a test can see which way a picture was turned.
"""

import io
import json
import math
import shutil
import struct
import subprocess
import zipfile
from array import array
from fractions import Fraction

import av
from PIL import Image, ImageChops, ImageDraw

from tests.files import camera_jpeg, make_fact_sheet

# Hockenheim, as an iPhone writes it (ISO 6709: latitude, longitude, altitude).
HOCKENHEIM = "+49.3278+008.5658+100.000/"
CAMERA_SERIAL = "C39XK0RJN72Q"
LENS_SERIAL = "LS-0042-7731"

# What a phone writes about the shoot, in QuickTime's keyed tags and the classic ones.
PHONE_TAGS = {
    "location": HOCKENHEIM,
    "com.apple.quicktime.location.ISO6709": HOCKENHEIM,
    "com.apple.quicktime.location.accuracy.horizontal": "4.7",
    "make": "Apple",
    "model": "iPhone 15 Pro",
    "com.apple.quicktime.make": "Apple",
    "com.apple.quicktime.model": "iPhone 15 Pro",
    "com.apple.quicktime.software": "17.4.1",
    "com.apple.quicktime.creationdate": "2024-04-21T14:03:00+0200",
    "com.apple.quicktime.camera.serialnumber": CAMERA_SERIAL,
    "com.android.version": "14",
    "com.android.lens.serialnumber": LENS_SERIAL,
}

ENCODERS = {
    "h264": "libx264",
    "hevc": "libx265",
    "prores": "prores_ks",
    "vp9": "libvpx-vp9",
    "av1": "libsvtav1",
    "mpeg4": "mpeg4",
    "mjpeg": "mjpeg",
}
PIXEL_FORMATS = {"prores": "yuv422p10le", "mjpeg": "yuvj420p"}
ENCODER_OPTIONS = {
    "h264": {"preset": "ultrafast"},
    "hevc": {"preset": "ultrafast", "x265-params": "log-level=none"},
    "vp9": {"deadline": "realtime", "cpu-used": "8"},
    "av1": {"preset": "12"},
}
SOUND_ENCODERS = {"mp4": "aac", "mov": "aac", "webm": "libopus", "matroska": "aac", "avi": "mp3"}
MARK = (230, 20, 30)


def picture(background: Image.Image, number: int) -> Image.Image:
    """Frame `number`: the gradient shifted, a white bar further along, the corner mark."""
    width, height = background.size
    image = ImageChops.offset(background, number * 6, number * 2)
    draw = ImageDraw.Draw(image)
    bar = (number * max(2, width // 25)) % width
    draw.rectangle([bar, 0, bar + max(2, width // 12), height], fill=(245, 245, 245))
    side = max(4, min(width, height) // 8)
    draw.rectangle([0, 0, side, side], fill=MARK)
    draw.text((side + 4, 4), str(number), fill=(0, 0, 0))
    return image


def gradient(size) -> Image.Image:
    ramp = Image.linear_gradient("L")
    return Image.merge(
        "RGB", [ramp.resize(size), ramp.rotate(90).resize(size), Image.new("L", size, 90)]
    )


def tone(start: int, count: int, rate: int, channels: int) -> bytes:
    """Interleaved 16-bit samples of a 440 Hz tone."""
    samples = array("h")
    for n in range(start, start + count):
        value = int(9000 * math.sin(2 * math.pi * 440 * n / rate))
        samples.extend([value] * channels)
    return samples.tobytes()


def make_clip(
    path,
    *,
    seconds=2,
    size=(320, 240),
    rate=25,
    codec="h264",
    container="mp4",
    audio=True,
    audio_rate=48000,
    audio_layout="stereo",
    rotate=0,
    phone_metadata=True,
    extra_tracks=False,
    faststart=False,
):
    """Write a clip as a camera or phone would and return its path.

    `rotate` is the display rotation in clockwise degrees, as exiftool reports
    it (a phone held upright records 90). `phone_metadata` adds location, make,
    model, software and serial numbers as phones write them; `extra_tracks`
    adds what a cleaned file must leave behind besides: a time-code track and
    chapters (a chapter text track in MP4 and MOV).
    """
    options = {}
    flags = []
    if container in ("mp4", "mov"):
        # Without this FFmpeg writes only the tags it knows, none of the keyed
        # (com.apple.quicktime...) ones phones write.
        flags.append("+use_metadata_tags")
        if faststart:
            flags.append("+faststart")
    if flags:
        options["movflags"] = "".join(flags)
    with av.open(str(path), "w", format=container, options=options) as out:
        video = out.add_stream(
            ENCODERS[codec], rate=Fraction(rate), options=ENCODER_OPTIONS.get(codec, {})
        )
        video.width, video.height = size
        video.pix_fmt = PIXEL_FORMATS.get(codec, "yuv420p")
        if rotate:
            # PyAV takes counter-clockwise degrees.
            video.set_display_rotation(-rotate)
        sound = None
        if audio:
            sound = out.add_stream(SOUND_ENCODERS[container], rate=audio_rate, layout=audio_layout)
        if phone_metadata:
            out.metadata.update(PHONE_TAGS)
            video.metadata.update({"handler_name": "Core Media Video", "encoder": "H.264"})
        if extra_tracks:
            video.metadata["timecode"] = "14:03:00:00"
            out.set_chapters(
                [
                    {
                        "id": number + 1,
                        "start": number * 1000,
                        "end": (number + 1) * 1000,
                        "time_base": Fraction(1, 1000),
                        "metadata": {"title": f"Lap {number + 1}"},
                    }
                    for number in range(max(1, int(seconds)))
                ]
            )
        background = gradient(size)
        for number in range(round(seconds * rate)):
            frame = av.VideoFrame.from_image(picture(background, number))
            frame.pts = number
            frame.time_base = Fraction(1, rate)
            out.mux(video.encode(frame.reformat(format=video.pix_fmt)))
        out.mux(video.encode())
        if sound is not None:
            write_tone(out, sound, seconds, audio_rate, audio_layout)
    return path


# HDR as phones record it: BT.2020 colours, ten bits, HLG (an iPhone) or PQ (HDR10).
HDR_TRANSFERS = {"hlg": 18, "pq": 16}  # FFmpeg's numbers for the transfers
BT2020 = 9


def make_hdr_clip(path, transfer, patches, *, seconds=1, size=(64, 48)):
    """A 10-bit BT.2020 clip in `transfer` ("hlg" or "pq") of side-by-side flat patches,
    each an (R', G', B') signal from 0 to 1 as the camera wrote it."""
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    share = width // len(patches)
    for place, signal in enumerate(patches):
        colour = tuple(round(value * 255) for value in signal)
        draw.rectangle((place * share, 0, (place + 1) * share - 1, height), fill=colour)
    tags = (HDR_TRANSFERS[transfer], BT2020, BT2020, 1)  # transfer, primaries, matrix, range
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=25, options={"preset": "ultrafast", "qp": "0"})
        video.width, video.height, video.pix_fmt = width, height, "yuv420p10le"
        context = video.codec_context
        context.color_trc, context.color_primaries, context.colorspace, context.color_range = tags
        for number in range(round(seconds * 25)):
            frame = av.VideoFrame.from_image(image).reformat(
                format="yuv420p10le", dst_colorspace=BT2020, dst_color_range=1
            )
            frame.color_trc, frame.color_primaries, frame.colorspace, frame.color_range = tags
            frame.pts = number
            out.mux(video.encode(frame))
        out.mux(video.encode())
    return path


def write_tone(out, sound, seconds, rate, layout):
    channels = len(av.AudioLayout(layout).channels)
    step = 1024
    for start in range(0, round(seconds * rate), step):
        frame = av.AudioFrame(format="s16", layout=layout, samples=step)
        data = tone(start, step, rate, channels)
        plane = frame.planes[0]
        plane.update(data + bytes(plane.buffer_size - len(data)))
        frame.sample_rate = rate
        frame.pts = start
        frame.time_base = Fraction(1, rate)
        out.mux(sound.encode(frame))
    out.mux(sound.encode())


def make_sound_only(path, seconds=1):
    """An M4A: MP4's container with sound and no picture."""
    with av.open(str(path), "w", format="mp4") as out:
        sound = out.add_stream("aac", rate=48000, layout="stereo")
        write_tone(out, sound, seconds, 48000, "stereo")
    return path


def make_pictureless_video(path):
    """An MP4 whose video track has not one frame in it: it plays for no time."""
    with av.open(str(path), "w", format="mp4") as out:
        video = out.add_stream("libx264", rate=25)
        video.width, video.height, video.pix_fmt = 320, 240, "yuv420p"
        sound = out.add_stream("aac", rate=48000, layout="stereo")
        write_tone(out, sound, 0.1, 48000, "stereo")
    return path


# Hostile files: each is written to `path` and `path` returned.


def pdf_named_mp4(path):
    path.write_bytes(make_fact_sheet("Race results", ["1. Car #120"]))
    return path


def jpeg_named_mov(path):
    path.write_bytes(camera_jpeg((64, 48)))
    return path


def cut_short(source, path, keep=2 / 3):
    """The first `keep` of the file, as an interrupted copy or upload leaves it."""
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def small_zip() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zip_file:
        zip_file.writestr("index.html", "<script>alert(document.cookie)</script>")
    return archive.getvalue()


def with_zip_after(source, path):
    path.write_bytes(source.read_bytes() + small_zip())
    return path


def with_zip_in_free_box(source, path):
    """A ZIP inside a "free" box at the end: a well-formed MP4 that opens as an archive too."""
    archive = small_zip()
    box = struct.pack(">I4s", 8 + len(archive), b"free") + archive
    path.write_bytes(source.read_bytes() + box)
    return path


def with_html_after(source, path):
    path.write_bytes(source.read_bytes() + b"<html><script>alert(1)</script></html>\n")
    return path


def with_html_before(source, path):
    path.write_bytes(b"<!doctype html><script>alert(1)</script>\n" + source.read_bytes())
    return path


def copy_of(source, path):
    shutil.copyfile(source, path)
    return path


# Reading back what was written


def exiftool_tags(path) -> dict:
    """Every tag exiftool finds in the file, timed metadata tracks included, as "Group:Tag"."""
    if shutil.which("exiftool") is None:
        raise AssertionError("exiftool is needed: apt install libimage-exiftool-perl")
    result = subprocess.run(
        ["exiftool", "-j", "-G", "-a", "-ee", str(path)],
        capture_output=True,
        check=True,
    )
    tags = json.loads(result.stdout)[0]
    # Where exiftool found the file and what it thinks of it, not what the file says.
    return {
        key: value
        for key, value in tags.items()
        if not key.startswith(("SourceFile", "ExifTool:", "File:", "System:"))
    }


def packets(path, kinds=None) -> dict[str, list[bytes]]:
    """The bytes of every packet of each stream kind, in the file's order."""
    found = {}
    with av.open(str(path)) as opened:
        for packet in opened.demux():
            kind = packet.stream.type
            if packet.size and (kinds is None or kind in kinds):
                found.setdefault(kind, []).append(bytes(packet))
    return found


def top_level_boxes(path) -> list[bytes]:
    """The kinds of the outermost boxes of an MP4 or MOV file, in order."""
    return [kind for kind, _size in sized_boxes(path)]


def sized_boxes(path) -> list[tuple[bytes, int]]:
    """(kind, size in bytes) of the outermost boxes of an MP4 or MOV file, in order."""
    boxes = []
    with open(path, "rb") as file:
        while header := file.read(8):
            size, kind = struct.unpack(">I4s", header)
            header_size = 8
            if size == 1:
                size, header_size = struct.unpack(">Q", file.read(8))[0], 16
            boxes.append((kind, size))
            file.seek(size - header_size, 1)
    return boxes


def is_marked(image, corner) -> bool:
    """Whether the red mark of the stored picture's top left corner is at this corner."""
    width, height = image.size
    x = 3 if "left" in corner else width - 4
    y = 3 if "top" in corner else height - 4
    pixel = image.convert("RGB").getpixel((x, y))
    return all(abs(value - mark) < 40 for value, mark in zip(pixel, MARK, strict=True))
