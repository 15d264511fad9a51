"""Video files: know an upload is a real video, clean its original, make its web version.

An editor uploads what a camera, a phone or an editing suite wrote: MP4 and
MOV (H.264, H.265, ProRes, DNxHD) or WebM (VP8, VP9, AV1). Before anything
else reads it, `probe()` checks that it is one, whole and within our limits,
without decoding more than its first frames. The original journalists download
is the same video and sound, packet for packet, in a new file without what the
camera or phone knew about the shoot (where it was, which device, its serial
number) and with our rights in its place. The web version is what every
browser plays: H.264 and AAC in an MP4 that starts playing while it loads.

Everything here is a plain function of local paths, built on FFmpeg's
libraries through PyAV, and works in constant memory whatever the file's size.
"""

import os
import struct
from dataclasses import dataclass
from fractions import Fraction
from pathlib import PurePath

import av
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image

from media import tone_mapping

# The codecs we take in each container, by FFmpeg's codec names. Both MP4 and
# MOV hold what cameras and phones record; ProRes and DNxHD only come in MOV
# (FFmpeg's MP4 writer refuses them, and a cleaned original keeps its container);
# WebM allows nothing but these by its own rules.
VIDEO_CODECS = {
    "mp4": {"h264", "hevc", "av1", "vp9", "mpeg4"},
    "mov": {"h264", "hevc", "prores", "dnxhd", "av1", "vp9", "mpeg4"},
    "webm": {"vp8", "vp9", "av1"},
}
CAMERA_AUDIO_CODECS = {
    "aac", "mp3", "ac3", "eac3", "alac", "flac", "opus",
    "pcm_s16le", "pcm_s16be", "pcm_s24le", "pcm_s24be", "pcm_s32le", "pcm_s32be",
    "pcm_f32le", "pcm_f32be",
}  # fmt: skip
AUDIO_CODECS = {"mp4": CAMERA_AUDIO_CODECS, "mov": CAMERA_AUDIO_CODECS, "webm": {"opus", "vorbis"}}

# The only decoders FFmpeg may run on an upload, even while it looks for stream
# parameters at opening: a hostile file naming some rarely used codec must not
# reach that codec's decoder. Some codecs have a second decoder by another name.
DECODERS = ",".join(
    sorted(
        set().union(*VIDEO_CODECS.values(), CAMERA_AUDIO_CODECS, {"vorbis"})
        | {"libdav1d", "mp3float", "aac_fixed", "ac3_fixed"}
    )
)
DEMUXERS = {"mp4": "mov", "mov": "mov", "webm": "matroska"}
MUXERS = {"mp4": "mp4", "mov": "mov", "webm": "webm"}

CODEC_LABELS = {
    "h264": "H.264",
    "hevc": "H.265",
    "prores": "ProRes",
    "dnxhd": "DNxHD",
    "mpeg4": "MPEG-4",
    "vp8": "VP8",
    "vp9": "VP9",
    "av1": "AV1",
}

DEFAULT_MAX_SIDE = 8192
DEFAULT_MAX_SECONDS = 4 * 60 * 60

# Enough of the start to know a file by its signature and its container header.
HEAD_BYTES = 4096
# A ZIP reader looks for its end record this far back from the end at most
# (the record, then a comment of up to 64 KiB).
ZIP_TAIL_BYTES = 22 + 0xFFFF
ZIP_END = b"PK\x05\x06"

# Decoding this many frames of each stream shows the data is what the headers
# say; the packets of the rest are checked against the file's length instead.
FRAMES_TO_DECODE = 3
# Sound may begin a little after the picture in the file; past this many packets
# without a decoded frame of each, the stream holds nothing playable.
PACKETS_TO_TRY = 600

ISO_BOX_HEADER = struct.Struct(">I4s")
ISO_LARGE_SIZE = struct.Struct(">Q")
# HEIF and AVIF photos, image sequences and Canon's raw photos share MP4's box
# structure and its "ftyp" signature.
STILL_IMAGE_BRANDS = {
    b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx",
    b"mif1", b"msf1", b"avif", b"avis", b"crx ",
}  # fmt: skip
QUICKTIME_BRAND = b"qt  "
# The boxes an MP4 or MOV file is made of at its top level. One of these that
# runs past the end of the file was cut short; anything else there is not part
# of the video ("<htm" reads as a box of a gigabyte).
ISO_TOP_LEVEL_BOXES = {
    b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"uuid", b"meta", b"pdin",
    b"moof", b"mfra", b"styp", b"sidx", b"ssix", b"prft", b"emsg", b"pnot", b"PICT",
}  # fmt: skip
EBML_HEADER = 0x1A45DFA3
EBML_DOC_TYPE = 0x4282
MATROSKA_SEGMENT = 0x18538067

# The web version: what every browser and phone plays, fast start, at most 1080p.
WEB_BOX = (1920, 1080)
WEB_MAX_RATE = 60
# x264's preset: measured on two cores with a noisy 1080p camera clip, "faster"
# encodes at about half real time (a 3-minute clip in 6 minutes), "medium", the
# default, takes 1.8 times as long, "veryfast" 0.8 times. Files came out within
# 0.5 % of one another in size there, the bit-rate cap deciding; "faster" keeps
# most of "medium"'s motion search and the wait for an editor reasonable.
WEB_VIDEO_OPTIONS = {
    "preset": "faster",
    "crf": "23",
    # A cap for noisy 1080p scenes (rain, crowds, confetti) that CRF alone would
    # spend 20 Mbit/s on: 8 Mbit/s still streams on an ordinary connection. The
    # buffer of two seconds lets short peaks through.
    "maxrate": "8M",
    "bufsize": "16M",
}
WEB_AUDIO_RATE = 48000
WEB_AUDIO_LAYOUT = "stereo"
WEB_AUDIO_BIT_RATE = 160_000
# How much of the encode passes between two calls of a progress callback.
PROGRESS_STEP = 0.01

# The cleaned MP4 or MOV has its index (moov) at the start, so it plays while it
# downloads. FFmpeg's "faststart" writes the file and then moves everything up
# to make room, a second pass over every byte; reserving the room up front costs
# the unused part of it instead, a "free" box of about a thousandth of a camera
# file. Per packet the index holds its size, offset, decoding and composition
# times and keyframe flag: 40 bytes covers the most any of them takes.
INDEX_BYTES_PER_PACKET = 40
INDEX_BYTES_BASE = 64 * 1024

POSTER_MOMENT = 1.0
POSTER_SHARE = 0.1


@dataclass(frozen=True)
class VideoFacts:
    """What `probe()` learnt of a video, the picture as players show it."""

    container: str  # "mp4", "mov" or "webm"
    video_codec: str  # FFmpeg's name: "h264", "hevc", "prores", "vp9", "av1", ...
    audio_codec: str  # "" without sound
    duration: float  # seconds
    width: int  # as displayed: rotation and non-square pixels applied
    height: int
    frame_rate: float
    bit_rate: int  # of the whole file, bits per second; 0 when unknown
    # Degrees the stored picture is turned clockwise for display (0, 90, 180 or
    # 270), as exiftool's "Rotation" tells it: 90 for a phone held upright.
    rotation: int = 0

    @property
    def label(self) -> str:
        """A short description for editors: "1920 × 1080, 25 fps, H.264, 0:12"."""
        return _("%(width)s × %(height)s, %(rate)s fps, %(codec)s, %(duration)s") % {
            "width": self.width,
            "height": self.height,
            "rate": f"{self.frame_rate:.2f}".rstrip("0").rstrip("."),
            "codec": CODEC_LABELS.get(self.video_codec, self.video_codec),
            "duration": clock_time(self.duration),
        }


@dataclass(frozen=True)
class VideoRights:
    """What we write into the videos we serve; an empty value writes no tag."""

    title: str
    caption: str
    credit: str
    copyright: str
    usage_terms: str


def clock_time(seconds: float) -> str:
    """A duration as a player shows it: "0:12", "4:05", "1:02:03"."""
    minutes, second = divmod(round(seconds), 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours}:{minute:02}:{second:02}" if hours else f"{minute}:{second:02}"


def max_side() -> int:
    return getattr(settings, "NEWSROOM_VIDEO_MAX_SIDE", DEFAULT_MAX_SIDE)


def max_seconds() -> float:
    return getattr(settings, "NEWSROOM_VIDEO_MAX_SECONDS", DEFAULT_MAX_SECONDS)


# Probing


def probe(path, name=None) -> VideoFacts:
    """Know the file is a real video, or raise ValidationError saying why.

    `name` is what the editor calls the file (the upload's name), for the
    message; the path's own name otherwise.
    """
    name = _display_name(name or PurePath(os.fspath(path)).name)
    size = os.path.getsize(path)
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty."), code="empty", params={"name": name})
    with open(path, "rb") as file:
        head = file.read(HEAD_BYTES)
        container = _container_of(head, name)
        _refuse_zip_inside(file, size, name)
        _check_structure(file, size, container, name)
    try:
        with _open(path, container) as opened:
            return _facts_of(opened, container, size, name)
    except av.FFmpegError:
        raise damaged(name) from None


def _display_name(name: str) -> str:
    """The file's name, shortened so a message stays readable."""
    return name if len(name) <= 60 else f"{name[:40]}…{name[-15:]}"


def damaged(name) -> ValidationError:
    return ValidationError(
        _("“%(name)s” is damaged or incomplete and could not be read."),
        code="damaged",
        params={"name": name},
    )


def _truncated(name) -> ValidationError:
    return ValidationError(
        _(
            "“%(name)s” is incomplete: the file ends before the video does. It may not have "
            "finished copying or uploading; please upload it again."
        ),
        code="truncated",
        params={"name": name},
    )


def _container_of(head: bytes, name) -> str:
    """The container, "mp4", "mov" or "webm", from the file's first bytes; or why none."""
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in STILL_IMAGE_BRANDS:
            raise _not_a_video(name, _("a photo (HEIC, AVIF or camera raw)"))
        return "mov" if brand == QUICKTIME_BRAND else "mp4"
    if head.startswith(EBML_HEADER.to_bytes(4, "big")):
        if _ebml_doc_type(head) == b"webm":
            return "webm"
        raise _not_taken(name, _("a Matroska (MKV) video"))
    other_video = _other_video_kind(head)
    if other_video:
        raise _not_taken(name, other_video)
    raise _not_a_video(name, _other_file_kind(head))


def _other_video_kind(head: bytes) -> str:
    """The name of a video format we do not take, when the file is one."""
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return _("an AVI video")
    if head.startswith(bytes.fromhex("3026b2758e66cf11")):
        return _("a Windows Media (WMV) video")
    if head.startswith(b"FLV"):
        return _("a Flash (FLV) video")
    if head.startswith(b"\x00\x00\x01\xba"):
        return _("an MPEG video (MPG or VOB)")
    if head.startswith(b"OggS"):
        return _("an Ogg file")
    # Transport streams: a sync byte every 188 bytes, or every 192 in the .mts
    # and .m2ts files of camcorders (with a 4-byte time code before each packet).
    for start, step in ((0, 188), (4, 192)):
        if len(head) > start + 2 * step and all(head[start + n * step] == 0x47 for n in range(3)):
            return _("an MPEG transport stream (TS, MTS or M2TS)")
    return ""


def _other_file_kind(head: bytes) -> str:
    """What the file is instead of a video, as far as its start tells."""
    if head.startswith(b"%PDF"):
        return _("a PDF document")
    if head.startswith(b"\xff\xd8\xff"):
        return _("a JPEG photo")
    if head.startswith(b"\x89PNG"):
        return _("a PNG image")
    if head.startswith(b"GIF8"):
        return _("a GIF image")
    if head.startswith(b"PK\x03\x04"):
        return _("a ZIP archive or an Office document")
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return _("a web page or other markup")
    return ""


def _not_a_video(name, kind: str) -> ValidationError:
    if kind:
        return ValidationError(
            _("“%(name)s” is %(kind)s, not a video."),
            code="not_a_video",
            params={"name": name, "kind": kind},
        )
    return ValidationError(
        _("“%(name)s” is not a video we can read. Videos are taken as MP4, MOV or WebM files."),
        code="not_a_video",
        params={"name": name},
    )


def _not_taken(name, kind: str) -> ValidationError:
    return ValidationError(
        _(
            "“%(name)s” is %(kind)s, a kind of video file we do not take. Please export it as "
            "MP4, MOV or WebM."
        ),
        code="container",
        params={"name": name, "kind": kind},
    )


def _refuse_zip_inside(file, size: int, name) -> None:
    """Refuse a video that is also a ZIP archive.

    ZIP readers find an archive by its end record near the end of a file, so a
    video with an archive after it, or inside a box no player reads, opens as
    both. The record's disk numbers are zero and its two entry counts agree in
    any real archive: video data matching that by chance is a 1 in 2^64 event.
    """
    start = max(0, size - ZIP_TAIL_BYTES)
    file.seek(start)
    tail = file.read(size - start)
    found = tail.rfind(ZIP_END)
    while found >= 0:
        record = tail[found + 4 : found + 12]
        if len(record) == 8:
            disk, directory_disk, on_disk, total = struct.unpack("<4H", record)
            if disk == directory_disk == 0 and on_disk == total:
                raise ValidationError(
                    _("“%(name)s” has a ZIP archive hidden in it. Please upload the video alone."),
                    code="polyglot",
                    params={"name": name},
                )
        found = tail.rfind(ZIP_END, 0, found)


def _check_structure(file, size: int, container: str, name) -> None:
    """The container's outermost parts must fill the file exactly: no more, no less.

    A part that runs past the end is a file cut short (the index at the front
    promises data that is not there; with the index at the end, it is missing).
    Bytes after the last part are something else attached to the video.
    """
    walk = _matroska_end if container == "webm" else _iso_end
    end = walk(file, size, name)
    if end > size:
        raise _truncated(name)
    if end < size:
        raise ValidationError(
            _("“%(name)s” has data after the end of the video."),
            code="trailing_data",
            params={"name": name},
        )


def _iso_end(file, size: int, name) -> int:
    """Where the top-level boxes of an MP4 or MOV file end."""
    offset = 0
    while offset < size:
        file.seek(offset)
        header = file.read(ISO_BOX_HEADER.size)
        if len(header) < ISO_BOX_HEADER.size:
            return size + 1
        box_size, kind = ISO_BOX_HEADER.unpack(header)
        if not all(0x20 <= byte < 0x7F for byte in kind):
            # Not a box: whatever comes here is not part of the video.
            return offset
        known = kind in ISO_TOP_LEVEL_BOXES
        if box_size == 1:
            large = file.read(ISO_LARGE_SIZE.size)
            if len(large) < ISO_LARGE_SIZE.size:
                return size + 1
            box_size = ISO_LARGE_SIZE.unpack(large)[0]
        elif box_size == 0:  # the last box, to the end of the file
            box_size = size - offset
        if box_size < ISO_BOX_HEADER.size:
            raise damaged(name)
        if offset + box_size > size and not known:
            return offset
        offset += box_size
    return offset


def _ebml_number(data: bytes, offset: int, *, keep_marker: bool) -> tuple[int | None, int]:
    """An EBML variable-length number at `offset`: (value, length in bytes).

    Element IDs keep their length marker, sizes do not; a size of all ones
    means "unknown" (a live recording), returned as None.
    """
    if offset >= len(data) or data[offset] == 0:
        raise ValueError("no EBML number here")
    length = 9 - data[offset].bit_length()
    if offset + length > len(data):
        raise ValueError("EBML number cut off")
    value = int.from_bytes(data[offset : offset + length], "big")
    if keep_marker:
        return value, length
    value &= (1 << (7 * length)) - 1
    return (None if value == (1 << (7 * length)) - 1 else value), length


def _ebml_doc_type(head: bytes) -> bytes:
    """The document type in a Matroska file's EBML header: b"webm" or b"matroska"."""
    try:
        _id, id_length = _ebml_number(head, 0, keep_marker=True)
        header_size, size_length = _ebml_number(head, id_length, keep_marker=False)
        offset = id_length + size_length
        end = offset + (header_size or 0)
        while offset < min(end, len(head)):
            element, id_length = _ebml_number(head, offset, keep_marker=True)
            element_size, size_length = _ebml_number(head, offset + id_length, keep_marker=False)
            offset += id_length + size_length
            if element == EBML_DOC_TYPE:
                return head[offset : offset + (element_size or 0)].rstrip(b"\x00")
            offset += element_size or 0
    except ValueError:
        pass
    return b""


def _read_ebml_element(file, offset: int) -> tuple[int, int | None, int]:
    """(element ID, size or None, header length) of the element at `offset`."""
    file.seek(offset)
    data = file.read(12)
    element, id_length = _ebml_number(data, 0, keep_marker=True)
    element_size, size_length = _ebml_number(data, id_length, keep_marker=False)
    return element, element_size, id_length + size_length


def _matroska_end(file, size: int, name) -> int:
    """Where a WebM file's EBML header and segment end.

    A live recording (a browser's, a streaming tool's) may leave the segment's
    size unknown; its elements inside are walked then, up to the first whose
    size is unknown too, past which nothing can be told without reading it all.
    """
    try:
        element, header_size, header_length = _read_ebml_element(file, 0)
        offset = header_length + (header_size or 0)
        element, segment_size, header_length = _read_ebml_element(file, offset)
        if element != MATROSKA_SEGMENT:
            raise damaged(name)
        offset += header_length
        if segment_size is not None:
            return offset + segment_size
        while offset < size:
            _element, element_size, header_length = _read_ebml_element(file, offset)
            if element_size is None:
                return size
            offset += header_length + element_size
        return offset
    except ValueError:
        # The numbers stop short of a full header: the file ends in the middle.
        return size + 1


def _open(path, container: str, *, decoding: bool = True):
    """Open a video for reading with only our demuxer and our decoders allowed.

    Without `decoding` (copying packets), FFmpeg decodes nothing even at
    opening, where it would otherwise decode the first frames to learn what
    the container already says: a tenth of a second for 1080p, half as long as
    copying the packets of a one-minute clip takes.
    """
    options = _decoder_options()
    if not decoding:
        options["skip_frame"] = "all"
    return av.open(
        os.fspath(path),
        format=DEMUXERS[container],
        # The decoder options reach the decoders FFmpeg runs at opening to learn
        # stream parameters; `_start_decoding()` gives them to ours too.
        options=options,
        # A local file only: no other protocol, and no other demuxer even if
        # the file points to one (QuickTime references to other files stay off,
        # FFmpeg's default).
        container_options={
            "protocol_whitelist": "file",
            "format_whitelist": "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm",
        },
    )


def _decoder_options() -> dict[str, str]:
    # A decoder refuses a picture larger than the limit whatever the container
    # claimed: a small header over a huge stream is a decompression bomb.
    return {"codec_whitelist": DECODERS, "max_pixels": str(max_side() ** 2)}


def _main_video(opened):
    """The video stream players show; cover pictures in MP4 are video streams too."""
    for stream in opened.streams.video:
        if not stream.disposition & av.stream.Disposition.attached_pic:
            return stream
    return None


def _codec_name(stream) -> str:
    context = stream.codec_context
    return context.codec.canonical_name if context is not None else "unknown"


def _facts_of(opened, container: str, size: int, name) -> VideoFacts:
    video = _main_video(opened)
    if video is None:
        raise ValidationError(
            _("“%(name)s” has no picture in it, only sound or data."),
            code="no_video",
            params={"name": name},
        )
    audio = opened.streams.audio[0] if opened.streams.audio else None
    _check_codecs(container, video, audio, name)
    _check_size(video.codec_context.width, video.codec_context.height, name)
    duration = _duration(opened, video)
    _check_duration(duration, name)
    _check_packets_inside(opened, size, name)
    frame = _start_decoding(opened, video, audio, name)
    _check_size(frame.width, frame.height, name)
    rotation = _clockwise(frame.rotation)
    width, height = _displayed_size(frame.width, frame.height, video, rotation)
    return VideoFacts(
        container=container,
        video_codec=_codec_name(video),
        audio_codec=_codec_name(audio) if audio else "",
        duration=duration,
        width=width,
        height=height,
        frame_rate=float(video.average_rate or video.guessed_rate or 0),
        bit_rate=opened.bit_rate or 0,
        rotation=rotation,
    )


def _check_codecs(container: str, video, audio, name) -> None:
    codec = _codec_name(video)
    if codec not in VIDEO_CODECS[container]:
        raise ValidationError(
            _(
                "The picture in “%(name)s” is encoded as %(codec)s, which we do not take in a "
                "%(container)s file. Please export it as H.264 or H.265 in MP4 or MOV, or as "
                "VP9 or AV1 in WebM."
            ),
            code="video_codec",
            params={
                "name": name,
                "codec": CODEC_LABELS.get(codec, codec),
                "container": container.upper(),
            },
        )
    if audio is not None and _codec_name(audio) not in AUDIO_CODECS[container]:
        raise ValidationError(
            _(
                "The sound in “%(name)s” is encoded as %(codec)s, which we do not take in a "
                "%(container)s file. Please export it with AAC sound in MP4 or MOV, or Opus "
                "in WebM."
            ),
            code="audio_codec",
            params={"name": name, "codec": _codec_name(audio), "container": container.upper()},
        )


def _check_size(width: int, height: int, name) -> None:
    if width <= 0 or height <= 0:
        raise damaged(name)
    limit = max_side()
    if max(width, height) > limit:
        raise ValidationError(
            _(
                "“%(name)s” is %(width)s × %(height)s pixels; videos up to %(limit)s pixels a "
                "side are accepted."
            ),
            code="too_many_pixels",
            params={"name": name, "width": width, "height": height, "limit": limit},
        )


def _duration(opened, video) -> float:
    if opened.duration is not None:
        return opened.duration / av.time_base
    if video.duration is not None:
        return float(video.duration * video.time_base)
    return 0.0


def _check_duration(duration: float, name) -> None:
    if duration <= 0:
        raise ValidationError(
            _("“%(name)s” has no length: it plays for no time at all."),
            code="no_duration",
            params={"name": name},
        )
    limit = max_seconds()
    if duration > limit:
        raise ValidationError(
            _("“%(name)s” plays for %(duration)s; videos up to %(limit)s long are accepted."),
            code="too_long",
            params={"name": name, "duration": clock_time(duration), "limit": clock_time(limit)},
        )


def _check_packets_inside(opened, size: int, name) -> None:
    """Every packet the index lists must lie inside the file.

    MP4 and MOV list every packet's place and size; WebM's cues list where
    its clusters begin. Reading the index costs nothing like reading the data.
    """
    for stream in opened.streams:
        for entry in stream.index_entries:
            if entry.pos + entry.size > size:
                raise _truncated(name)


def _start_decoding(opened, video, audio, name):
    """Decode the first frames of picture and sound; the first picture frame.

    A file that only looks like a video (right headers, wrong data) fails here.
    """
    streams = [video] + ([audio] if audio else [])
    for stream in streams:
        stream.codec_context.options = _decoder_options()
        # One thread: frame threads would each hold frames of their own (hundreds of
        # megabytes for 4K or 8K) to decode the three frames a check needs.
        stream.codec_context.thread_count = 1
    counts = {stream.index: 0 for stream in streams}
    first = None
    try:
        for number, packet in enumerate(opened.demux(*streams)):
            index = packet.stream.index
            if counts[index] < FRAMES_TO_DECODE:
                frames = packet.decode()
                counts[index] += len(frames)
                if index == video.index and first is None and frames:
                    first = frames[0]
            if number > PACKETS_TO_TRY or all(
                count >= FRAMES_TO_DECODE for count in counts.values()
            ):
                break
    except av.FFmpegError:
        raise damaged(name) from None
    if not all(counts.values()) or first is None:
        raise damaged(name)
    return first


def _clockwise(rotation: float) -> int:
    """FFmpeg's counter-clockwise display rotation as clockwise degrees, 0 to 270."""
    return round(-rotation / 90) * 90 % 360


def _displayed_size(width: int, height: int, video, rotation: int) -> tuple[int, int]:
    """The picture's size on screen: non-square pixels widened, then turned."""
    aspect = video.sample_aspect_ratio
    if aspect and aspect > 0 and aspect != 1:
        width = round(width * aspect)
    return (height, width) if rotation in (90, 270) else (width, height)


# The cleaned original


def write_clean_original(source, destination, rights: VideoRights) -> None:
    """Copy the video's picture and sound into a new file with our rights and nothing else.

    Packets are copied, never decoded: what journalists get is exactly what was
    recorded, in the same container. Everything else the file held is left
    behind: timed data tracks (a phone's location track, time codes), chapters,
    cover pictures, and every tag at file and stream level (location, make,
    model, software, serial numbers, dates). What players need stays: the
    language of each stream, and the rotation that keeps a portrait clip upright.
    """
    container = _container_of_file(source)
    try:
        try:
            _remux(source, destination, container, rights, reserve_index=True)
        except av.ArgumentError:
            if container == "webm":
                raise
            # The index came out larger than the room reserved for it: write
            # the file again and let FFmpeg move the index to the front.
            _remux(source, destination, container, rights, reserve_index=False)
    except av.FFmpegError:
        raise damaged(_display_name(PurePath(os.fspath(source)).name)) from None


def _container_of_file(path) -> str:
    with open(path, "rb") as file:
        return _container_of(file.read(HEAD_BYTES), PurePath(os.fspath(path)).name)


def _remux(source, destination, container, rights, *, reserve_index: bool) -> None:
    with _open(source, container, decoding=False) as opened:
        video = _main_video(opened)
        kept = [video, *opened.streams.audio]
        options = _muxer_options(container, kept, reserve_index)
        with av.open(
            os.fspath(destination), "w", format=MUXERS[container], options=options
        ) as out:
            copies = {stream.index: _copy_of(out, stream) for stream in kept}
            out.metadata.update(_rights_tags(rights, container))
            for packet in opened.demux(*kept):
                # The demuxer ends each stream with an empty packet, which is
                # not for muxing.
                if packet.dts is None:
                    continue
                packet.stream = copies[packet.stream.index]
                out.mux(packet)


def _muxer_options(container: str, kept, reserve_index: bool) -> dict[str, str]:
    if container == "webm":
        return {}
    options = {}
    if reserve_index:
        packets = sum(len(stream.index_entries) for stream in kept)
        options["moov_size"] = str(INDEX_BYTES_BASE + INDEX_BYTES_PER_PACKET * packets)
    else:
        options["movflags"] = "+faststart"
    if container == "mov":
        # QuickTime's own tags, the ones Apple's tools and exiftool read; FFmpeg
        # writes them only with this flag (see `_rights_tags()`).
        options["movflags"] = options.get("movflags", "") + "+use_metadata_tags"
    return options


def _copy_of(out, stream):
    """An output stream for the packets of `stream`: its codec parameters, no tags.

    The codec parameters include the display matrix (rotation); PyAV copies
    no tags of a stream with a codec, so only the language is set again.
    """
    # The template's own codec object: a new one by the same name would look
    # for an encoder, and there is none called like some decoders ("libdav1d").
    copy = out.add_stream_from_template(stream, opaque=True)
    if stream.language and stream.language != "und":
        copy.language = stream.language
    copy.disposition = av.stream.Disposition.default
    return copy


def _rights_tags(rights: VideoRights | None, container: str) -> dict[str, str]:
    """Our rights as the tags FFmpeg writes for each container.

    MP4 gets iTunes-style tags (©nam, desc, ©ART, cprt, ©cmt), which every
    player and exiftool reads. FFmpeg's classic QuickTime tags have no caption,
    so MOV gets QuickTime's current keyed tags (com.apple.quicktime.*), what
    Apple's own apps write. WebM gets Matroska's TITLE, DESCRIPTION, ARTIST,
    COPYRIGHT and COMMENT. The usage terms go in the comment: no container has
    a field of that name, and the comment is what players show.
    """
    if rights is None:
        return {}
    values = {
        "title": rights.title,
        "description": rights.caption,
        "artist": rights.credit,
        "author": rights.credit,
        "copyright": rights.copyright,
        "comment": rights.usage_terms,
    }
    if container == "mp4":
        del values["author"]  # MP4 has no such tag; the artist carries the credit
    prefix = "com.apple.quicktime." if container == "mov" else ""
    return {prefix + key: value for key, value in values.items() if value}


# The web version


def write_web_version(
    source, destination, progress=None, rights: VideoRights | None = None
) -> VideoFacts:
    """Encode the video as every browser plays it and return the new file's facts.

    H.264 (x264) and AAC-LC stereo at 48 kHz in an MP4 with its index first,
    at most 1920 × 1080 (1080 × 1920 upright) and 60 frames a second, the
    rotation turned into the pixels. No tag of the source comes along; `rights`
    are written as in the cleaned original. `progress(fraction)` is called as
    the encode goes on, last with 1.0.
    """
    facts = probe(source)
    width, height = web_size(facts.width, facts.height)
    try:
        with _open(source, facts.container) as opened:
            _encode_web(opened, destination, facts, (width, height), rights, progress)
    except av.FFmpegError:
        raise damaged(_display_name(PurePath(os.fspath(source)).name)) from None
    if progress:
        progress(1.0)
    return probe(destination)


def web_size(width: int, height: int) -> tuple[int, int]:
    """Fit within 1920 × 1080 (1080 × 1920 upright), never enlarged, sides even."""
    long_side, short_side = WEB_BOX
    box = (long_side, short_side) if width >= height else (short_side, long_side)
    scale = min(1.0, box[0] / width, box[1] / height)
    # H.264 in 4:2:0 needs even sides; rounding to an even number stays within
    # the box, whose sides are even.
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def _encode_web(opened, destination, facts, size, rights, progress) -> None:
    video = _main_video(opened)
    audio = opened.streams.audio[0] if opened.streams.audio else None
    video.codec_context.thread_type = "AUTO"
    video.codec_context.options = _decoder_options()
    with av.open(
        os.fspath(destination), "w", format="mp4", options={"movflags": "+faststart"}
    ) as out:
        web = _WebEncode(out, video, size, facts, with_sound=audio is not None)
        out.metadata.update(_rights_tags(rights, "mp4"))
        for packet in opened.demux(*[stream for stream in (video, audio) if stream]):
            for frame in packet.decode():
                if packet.stream is audio:
                    web.add_sound(frame)
                else:
                    web.add_picture(frame)
                    if progress:
                        web.report(progress, frame)
        web.finish()


class _WebEncode:
    """The web version being written: pictures through filters into x264, sound into AAC."""

    def __init__(self, out, video, size, facts, *, with_sound: bool):
        self.out, self.video, self.size, self.facts = out, video, size, facts
        rate = Fraction(video.average_rate or video.guessed_rate or 25)
        self.over_rate = rate > WEB_MAX_RATE
        self.encoder = out.add_stream(
            "libx264", rate=min(rate, Fraction(WEB_MAX_RATE)), options=WEB_VIDEO_OPTIONS
        )
        self.encoder.width, self.encoder.height = size
        self.encoder.pix_fmt = "yuv420p"
        # PyAV asks for slice threads, with which x264 splits each frame across
        # the cores; as the ffmpeg command does, let it encode several frames at
        # once instead, which keeps the cores busier (a tenth less wall time on two).
        self.encoder.codec_context.thread_type = "AUTO"
        # Source timestamps go through unchanged (phones record at a variable
        # rate); above 60 fps the filter graph drops frames, in its own time base.
        self.encoder.codec_context.time_base = (
            Fraction(1, WEB_MAX_RATE) if self.over_rate else video.time_base
        )
        self.sound = None
        if with_sound:
            self.sound = out.add_stream("aac", rate=WEB_AUDIO_RATE, layout=WEB_AUDIO_LAYOUT)
            self.sound.bit_rate = WEB_AUDIO_BIT_RATE
        self.graph = None
        # Sound encoded before the first picture is decoded waits: the file's
        # header, written with the first packet, must describe the picture's colours.
        self.waiting = []
        self.reported = 0.0

    def add_sound(self, frame) -> None:
        # The encoder resamples, mixes down and cuts the sound into AAC's
        # frames of 1024 samples itself.
        packets = self.sound.encode(frame)
        if self.graph is None:
            self.waiting.extend(packets)
        else:
            self.out.mux(packets)

    def add_picture(self, frame) -> None:
        if self.graph is None:
            self.graph = _picture_graph(
                frame, self.video, self.size, self.facts.rotation, self.over_rate
            )
            _describe_colours(self.encoder, frame)
        self.graph.vpush(frame)
        self._encode_filtered()
        if self.waiting:
            self.out.mux(self.waiting)
            self.waiting = []

    def report(self, progress, frame) -> None:
        if frame.time is None:
            return
        done = min(1.0, frame.time / self.facts.duration)
        if done - self.reported >= PROGRESS_STEP:
            self.reported = done
            progress(done)

    def finish(self) -> None:
        if self.graph is not None:
            self.graph.vpush(None)
            self._encode_filtered()
        self.out.mux(self.encoder.encode())
        if self.sound is not None:
            self.out.mux(self.waiting + self.sound.encode())

    def _encode_filtered(self) -> None:
        while True:
            try:
                picture = self.graph.vpull()
            except (av.BlockingIOError, av.EOFError):
                return
            self.out.mux(self.encoder.encode(picture))


def _picture_graph(frame, video, size, rotation: int, over_rate: bool):
    """FFmpeg filters that turn, scale and convert each decoded picture.

    A picture of the right size and format passes `scale` untouched, so a
    1080p H.264 source costs nothing here. An HDR picture is made SDR after
    scaling (`media.tone_mapping`).
    """
    graph = av.filter.Graph()
    steps = [graph.add_buffer(template=frame, time_base=video.time_base)]
    steps += [graph.add(name, args) for name, args in _turn_filters(rotation)]
    steps.append(graph.add("scale", f"{size[0]}:{size[1]}"))
    if tone_mapping.is_hdr(frame):  # at the web size: a 4K source's table work is a quarter
        steps += [graph.add(name, args) for name, args in tone_mapping.filters(frame)]
        steps.append(graph.add("scale", tone_mapping.TO_BT709))
    steps.append(graph.add("format", "yuv420p"))
    steps.append(graph.add("setsar", "1"))
    if over_rate:
        steps.append(graph.add("fps", str(WEB_MAX_RATE)))
    steps.append(graph.add("buffersink"))
    graph.link_nodes(*steps).configure()
    return graph


def _turn_filters(rotation: int) -> list[tuple[str, str | None]]:
    if rotation == 90:
        return [("transpose", "clock")]
    if rotation == 270:
        return [("transpose", "cclock")]
    if rotation == 180:
        return [("hflip", None), ("vflip", None)]
    return []


def _describe_colours(encoder, frame) -> None:
    """Tell the encoder the source's colour space, so browsers show the colours it had; an
    HDR source's pictures have been made BT.709 SDR."""
    context = encoder.codec_context
    if tone_mapping.is_hdr(frame):
        tone_mapping.sdr_tags(context)
        return
    context.color_range = frame.color_range
    context.colorspace = frame.colorspace
    context.color_primaries = frame.color_primaries
    context.color_trc = frame.color_trc


# The poster frame


def poster_frame(source, at_seconds: float | None = None) -> Image.Image:
    """The picture at `at_seconds` (or soon after), upright, as an RGB image.

    By default the picture one second in, or a tenth of the way into a clip
    shorter than ten seconds: the first frame is often black or a fade.
    """
    name = _display_name(PurePath(os.fspath(source)).name)
    container = _container_of_file(source)
    try:
        with _open(source, container) as opened:
            video = _main_video(opened)
            if video is None:
                raise damaged(name)
            if at_seconds is None:
                duration = _duration(opened, video)
                at_seconds = min(POSTER_MOMENT, duration * POSTER_SHARE)
            frame = _frame_at(opened, video, at_seconds)
            aspect = video.sample_aspect_ratio
    except av.FFmpegError:
        raise damaged(name) from None
    if frame is None:
        raise damaged(name)
    return _upright_image(frame, aspect)


def _frame_at(opened, video, at_seconds: float):
    """The first frame at or after the moment; the last one when the clip ends before it."""
    video.codec_context.thread_type = "AUTO"
    video.codec_context.options = _decoder_options()
    start = video.start_time or 0
    # Seeking lands on the keyframe at or before the moment; decoding goes on from there.
    opened.seek(start + int(at_seconds / video.time_base), stream=video, backward=True)
    last = None
    # Half a frame's leeway: timestamps are rounded to the time base.
    moment = at_seconds + (video.start_time or 0) * video.time_base - _half_frame(video)
    for frame in opened.decode(video):
        last = frame
        if frame.time is not None and frame.time >= moment:
            return frame
    return last


def _half_frame(video) -> float:
    rate = video.average_rate or video.guessed_rate
    return 0.5 / float(rate) if rate else 0.0


def _upright_image(frame, aspect) -> Image.Image:
    image = _sdr(frame).to_image()
    if aspect and aspect > 0 and aspect != 1:
        image = image.resize((round(image.width * aspect), image.height))
    turn = {
        90: Image.Transpose.ROTATE_270,
        180: Image.Transpose.ROTATE_180,
        270: Image.Transpose.ROTATE_90,
    }.get(_clockwise(frame.rotation))
    return image.transpose(turn) if turn else image


def _sdr(frame):
    """The frame as it is, or an HDR one made SDR as in the web version, in RGB."""
    if not tone_mapping.is_hdr(frame):
        return frame
    graph = av.filter.Graph()
    steps = [graph.add_buffer(template=frame)]
    steps += [graph.add(name, args) for name, args in tone_mapping.filters(frame)]
    steps += [graph.add("format", "rgb24"), graph.add("buffersink")]
    graph.link_nodes(*steps).configure()
    graph.vpush(frame)
    return graph.vpull()
