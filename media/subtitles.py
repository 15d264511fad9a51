"""Subtitles editors upload for a video: WebVTT or SubRip (SRT) in, one clean WebVTT kept.

Files come from many tools, so the reader takes what they write in practice: a
byte order mark or none, Windows or Unix line ends, SRT's comma before the
milliseconds, WebVTT's header text, NOTE, STYLE and REGION blocks, cue identifiers
and cue settings. What is not subtitles (an image, a web page, text in another
encoding, a time that is no time) is refused, naming the line to fix.

Browsers parse the markup in WebVTT cue text when they show a <track>. We never
render it as HTML ourselves, but the text keeps only tags that mean something to a
viewer and cannot do more: <i> <b> <u> <c>, <v Speaker> and <lang xx>. Any other
tag (<font> and <script> from SRT files, karaoke timestamps) is dropped and its
text kept as plain text.
"""

import html
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
# A cue a second for five and a half hours: far more than any real video needs.
DEFAULT_MAX_CUES = 20_000
# How far after the video's end a cue may start: probed durations are rounded, and
# subtitle tools often leave the last cue a moment past the final frame.
FIT_SLACK_SECONDS = 2.0

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# PNG, JPEG, GIF, PDF, ZIP (and Office files), RIFF (WAV, AVI, WebP), Matroska/WebM.
BINARY_SIGNATURES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"PK\x03\x04", b"RIFF")
MATROSKA = b"\x1a\x45\xdf\xa3"
# Control characters no subtitle shows; tabs and line ends stay.
CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")

TIME = re.compile(
    r"(?:(?P<hours>\d{1,3}):)?(?P<minutes>[0-5]\d):(?P<seconds>[0-5]\d)[.,](?P<millis>\d{3})"
)
WEBVTT_SIGNATURE = re.compile(r"WEBVTT(?:[ \t].*)?")
NOTE = re.compile(r"NOTE(?:[ \t].*)?")
STYLE_OR_REGION = re.compile(r"(?:STYLE|REGION)[ \t]*")
CUE_NUMBER = re.compile(r"[ \t]*\d+[ \t]*")

PERCENTAGE = r"\d{1,3}(?:\.\d+)?%"
CUE_SETTINGS = {
    "vertical": re.compile(r"rl|lr"),
    "line": re.compile(rf"(?:-?\d+|{PERCENTAGE})(?:,(?:start|center|end))?"),
    "position": re.compile(rf"{PERCENTAGE}(?:,(?:line-left|center|line-right))?"),
    "size": re.compile(PERCENTAGE),
    "align": re.compile(r"start|center|end|left|right"),
}

TAG = re.compile(r"<([^<>\n]*)>")
OPENING_TAG = re.compile(
    r"(?P<name>[A-Za-z]+)(?P<classes>(?:\.[A-Za-z0-9_-]+)*)(?:[ \t]+(?P<annotation>.*))?"
)
CLOSING_TAG = re.compile(r"/(?P<name>[A-Za-z]+)[ \t]*")
STYLE_TAGS = {"i", "b", "u", "c"}
SRT_TAGS = {"i", "b", "u"}
LANGUAGE = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
# {\an8} and friends: SubStation Alpha overrides that many SRT files carry.
ASS_OVERRIDE = re.compile(r"\{\\[^{}\n]*\}")


@dataclass(frozen=True)
class Cue:
    start: float  # seconds
    end: float
    text: str  # WebVTT cue text: the allowed tags, &amp; &lt; &gt; for the characters
    settings: str = ""  # WebVTT cue settings we keep (line, position, size, align, vertical)


@dataclass(frozen=True)
class Format:
    label: str
    time_line: str  # an example, for messages
    time: str
    decimal: str


WEBVTT = Format("WebVTT", "00:00:01.000 --> 00:00:04.000", "00:01:02.500", ".")
SRT = Format("SRT", "00:00:01,000 --> 00:00:04,000", "00:01:02,500", ",")


def max_bytes():
    return int(getattr(settings, "NEWSROOM_SUBTITLE_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_cues():
    return int(getattr(settings, "NEWSROOM_SUBTITLE_MAX_CUES", DEFAULT_MAX_CUES))


def parse_subtitles(data: bytes, name: str) -> list[Cue]:
    """The cues of a WebVTT or SRT file, in order of their start; ValidationError if it is not one.

    The file's content decides its format; a name ending in .vtt only asks for the header.
    """
    text = decoded(data, name)
    lines = text.split("\n")
    if text.lstrip().startswith("<"):
        raise refusal(_("“%(name)s” is a web page or XML, not a WebVTT or SRT file."), name)
    if WEBVTT_SIGNATURE.fullmatch(lines[0]):
        cues = webvtt_cues(lines, name)
    elif name.lower().endswith(".vtt"):
        raise refusal(
            _("“%(name)s” is named like a WebVTT file but does not start with “WEBVTT”."), name
        )
    else:
        cues = srt_cues(lines, name)
    if not cues:
        raise refusal(_("“%(name)s” has no cues: no text with a start and an end time."), name)
    if len(cues) > max_cues():
        raise refusal(
            _("“%(name)s” has %(count)s cues; a video can have at most %(limit)s."),
            name,
            count=len(cues),
            limit=max_cues(),
        )
    return sorted(cues, key=lambda cue: cue.start)


def check_fits(cues: list[Cue], duration: float | None) -> None:
    """Refuse cues that start after the video ends; a duration of 0 or None is not known yet."""
    if not duration:
        return
    for number, cue in enumerate(cues, start=1):
        if cue.start > duration + FIT_SLACK_SECONDS:
            raise ValidationError(
                _(
                    "Cue %(number)s starts at %(start)s, after the video ends (%(duration)s). "
                    "Are these the subtitles of another video?"
                )
                % {
                    "number": number,
                    "start": timestamp(cue.start),
                    "duration": timestamp(duration),
                },
                code="after_the_video",
            )


def to_webvtt(cues: list[Cue]) -> str:
    """A clean WebVTT file: the header, then each cue's times, settings and text."""
    blocks = ["WEBVTT"]
    for cue in cues:
        timing = f"{timestamp(cue.start)} --> {timestamp(cue.end)}"
        if cue.settings:
            timing = f"{timing} {cue.settings}"
        blocks.append(f"{timing}\n{cue.text}")
    return "\n\n".join(blocks) + "\n"


def to_srt(cues: list[Cue]) -> str:
    """The same cues as SubRip: numbered, comma decimals, only <i> <b> <u> kept."""
    return "".join(
        f"{number}\n{timestamp(cue.start, SRT)} --> {timestamp(cue.end, SRT)}\n"
        f"{srt_text(cue.text)}\n\n"
        for number, cue in enumerate(cues, start=1)
    )


def timestamp(seconds: float, form: Format = WEBVTT) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    whole, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{whole:02d}{form.decimal}{millis:03d}"


def decoded(data, name):
    """The file's text with Unix line ends, or a refusal saying why it is not subtitle text."""
    if len(data) > max_bytes():
        raise refusal(
            _("“%(name)s” is %(size)s; subtitle files can be at most %(limit)s."),
            name,
            size=readable_size(len(data)),
            limit=readable_size(max_bytes()),
        )
    if data.startswith(UTF16_BOMS):
        raise refusal(
            _("“%(name)s” is saved as UTF-16. Save it as UTF-8 and upload it again."), name
        )
    if data.startswith((*BINARY_SIGNATURES, MATROSKA)) or data[4:8] == b"ftyp" or b"\0" in data:
        raise refusal(
            _(
                "“%(name)s” is not a subtitle file: it holds binary data, "
                "like an image or a video."
            ),
            name,
        )
    data = data.removeprefix(UTF8_BOM)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise refusal(
            _(
                "“%(name)s” is not UTF-8 text (see line %(line)s). "
                "Save it as UTF-8 and upload it again."
            ),
            name,
            line=data.count(b"\n", 0, error.start) + 1,
        ) from None
    text = CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise refusal(_("“%(name)s” is empty."), name)
    return text


def blocks(lines):
    """Runs of non-blank lines, each line with its number in the file (counted from 1)."""
    block = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            block.append((number, line))
        elif block:
            yield block
            block = []
    if block:
        yield block


def webvtt_cues(lines, name):
    header, *rest = blocks(lines)
    for number, line in header[1:]:
        if "-->" in line:
            raise refusal(
                _(
                    "Line %(line)s of “%(name)s”: leave a blank line after the “WEBVTT” "
                    "header, before the first cue."
                ),
                name,
                line=number,
            )
    cues = []
    for block in rest:
        first = block[0][1]
        has_times = any("-->" in line for _number, line in block)
        if NOTE.fullmatch(first) or (STYLE_OR_REGION.fullmatch(first) and not has_times):
            continue  # comments, and styles and regions we do not keep
        if "-->" not in first and len(block) > 1:
            block = block[1:]  # the cue's identifier: not kept, the file is renumbered
        cue = read_cue(block, name, WEBVTT)
        if cue is not None:
            cues.append(cue)
    return cues


def srt_cues(lines, name):
    cues = []
    for index, block in enumerate(blocks(lines)):
        if CUE_NUMBER.fullmatch(block[0][1]) and len(block) > 1:
            block = block[1:]
        number, first = block[0]
        if index == 0 and "-->" not in first:
            raise refusal(
                _(
                    "“%(name)s” is not a WebVTT or SRT file: line %(line)s should be "
                    "“WEBVTT”, a cue number or a time line like “%(example)s”."
                ),
                name,
                line=number,
                example=SRT.time_line,
            )
        cue = read_cue(block, name, SRT)
        if cue is not None:
            cues.append(cue)
    return cues


def read_cue(block, name, form):
    """One cue from its time line and text lines; None if no visible text is left."""
    (number, timing), *text_lines = block
    if "-->" not in timing:
        raise refusal(
            _(
                "Line %(line)s of “%(name)s” is text outside any cue. Each cue starts with "
                "a time line like “%(example)s”; is there a blank line inside a cue?"
            ),
            name,
            line=number,
            example=form.time_line,
        )
    start_text, _arrow, rest = timing.partition("-->")
    end_text, *settings_text = rest.split(None, 1) or [""]
    start = seconds(start_text.strip(), number, name, form)
    end = seconds(end_text, number, name, form)
    if end <= start:
        raise refusal(
            _(
                "Line %(line)s of “%(name)s”: the cue ends at %(end)s, "
                "which is not after its start at %(start)s."
            ),
            name,
            line=number,
            start=start_text.strip(),
            end=end_text,
        )
    for text_number, line in text_lines:
        if "-->" in line:
            raise refusal(
                _(
                    "Line %(line)s of “%(name)s” has “-->” in the text of a cue. If it is "
                    "the time line of the next cue, put a blank line before it."
                ),
                name,
                line=text_number,
            )
    text = clean_text([line for _number, line in text_lines])
    if not TAG.sub("", text).strip():
        return None
    # SRT has no cue settings; what some tools write there (X1:… Y2:…) means nothing to us.
    kept_settings = cue_settings(" ".join(settings_text)) if form is WEBVTT else ""
    return Cue(start, end, text, kept_settings)


def seconds(text, line, name, form):
    match = TIME.fullmatch(text)
    if match is None:
        raise refusal(
            _("Line %(line)s of “%(name)s”: “%(time)s” is not a time like “%(example)s”."),
            name,
            line=line,
            time=text,
            example=form.time,
        )
    hours = int(match["hours"] or 0)
    whole = hours * 3600 + int(match["minutes"]) * 60 + int(match["seconds"])
    return (whole * 1000 + int(match["millis"])) / 1000


def cue_settings(text):
    """The valid WebVTT cue settings, normalized; invalid ones are dropped, as browsers do."""
    kept = {}
    for setting in text.split():
        key, _colon, value = setting.partition(":")
        pattern = CUE_SETTINGS.get(key)
        if pattern is not None and pattern.fullmatch(value):
            kept[key] = value
    return " ".join(f"{key}:{value}" for key, value in kept.items())


def clean_text(lines):
    """WebVTT cue text with only the allowed tags, balanced, and the characters escaped."""
    text = ASS_OVERRIDE.sub("", "\n".join(lines))
    cleaned, open_tags, position = [], [], 0
    for match in TAG.finditer(text):
        cleaned.append(plain(text[position : match.start()]))
        cleaned.append(clean_tag(match[1], open_tags))
        position = match.end()
    cleaned.append(plain(text[position:]))
    cleaned.extend(f"</{name}>" for name in reversed(open_tags))
    # A blank line would end the cue in the file we write: none survives.
    return "\n".join(line.strip() for line in "".join(cleaned).split("\n") if line.strip())


def plain(text):
    """Text as WebVTT writes it: character references read, then &, < and > escaped again."""
    return html.escape(html.unescape(text), quote=False)


def clean_tag(inner, open_tags):
    if TIME.fullmatch(inner):
        return ""  # a karaoke timestamp
    if not (inner[:1].isalpha() or inner[:1] in "/!?"):
        return plain(f"<{inner}>")  # not markup at all: "<3", "a < b > c"
    closing = CLOSING_TAG.fullmatch(inner)
    if closing is not None:
        return close(closing["name"].lower(), open_tags)
    opening = OPENING_TAG.fullmatch(inner)
    if opening is None:
        return ""
    name = opening["name"].lower()
    if name == "br":
        return "\n"
    tag = opening_tag(name, opening["classes"], (opening["annotation"] or "").strip())
    if tag:
        open_tags.append(name)
    return tag


def opening_tag(name, classes, annotation):
    if name in STYLE_TAGS:
        return f"<{name}{classes}>"
    if name == "v" and annotation:
        return f"<v{classes} {plain(' '.join(annotation.split()))}>"
    if name == "lang" and LANGUAGE.fullmatch(annotation):
        return f"<lang{classes} {annotation}>"
    return ""


def close(name, open_tags):
    """Close `name` and whatever was opened inside it; a closing tag never opened is dropped."""
    if name not in open_tags:
        return ""
    closed = []
    while open_tags:
        inner = open_tags.pop()
        closed.append(f"</{inner}>")
        if inner == name:
            break
    return "".join(closed)


def srt_text(text):
    def srt_tag(match):
        closing, name = match[1].startswith("/"), match[1].lstrip("/").split(".")[0]
        if name not in SRT_TAGS:
            return ""
        return f"</{name}>" if closing else f"<{name}>"

    lines = html.unescape(TAG.sub(srt_tag, text)).split("\n")
    return "\n".join(line for line in lines if line.strip())


def refusal(message, name, **values):
    return ValidationError(message % {"name": name, **values})


def readable_size(count):
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= size:
            return f"{count / size:.3g} {unit}"
    return f"{count} B"
