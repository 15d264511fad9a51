"""Subtitle files: what editors may upload, what they are told when it is wrong, what we keep."""

import pytest
from django.core.exceptions import ValidationError

from media.subtitles import Cue, check_fits, parse_subtitles, to_srt, to_webvtt
from tests.factories import jpeg_bytes

SRT_FILE = """1
00:00:01,000 --> 00:00:04,000
Bäckman tar sig förbi på insidan.

2
00:00:04,500 --> 00:00:07,250
<i>Å, vilken start!</i>
Andra raden: ö och ä.
"""

WEBVTT_FILE = """WEBVTT - Hockenheim, race 1
Kind: captions

NOTE Made in Subtitle Edit
over two lines

STYLE
::cue { color: yellow; }

REGION
id:bottom width:40%

start
00:01.000 --> 00:04.000 align:start line:90% position:10%,line-left region:bottom
Bäckman tar sig förbi på insidan.

2
00:00:04.500 --> 00:00:07.250
<i>Å, vilken start!</i>
Andra raden: ö och ä.
"""

# Saved by an old Windows tool: "sjö" on line 7 is not UTF-8.
LATIN_1_SRT = (
    "1\n00:00:01,000 --> 00:00:02,000\nhej\n\n2\n00:00:03,000 --> 00:00:04,000\nsjö\n".encode(
        "latin-1"
    )
)

SWEDISH_CUES = [
    Cue(1.0, 4.0, "Bäckman tar sig förbi på insidan."),
    Cue(4.5, 7.25, "<i>Å, vilken start!</i>\nAndra raden: ö och ä."),
]


def parse(text, name="race.srt"):
    return parse_subtitles(text.encode("utf-8") if isinstance(text, str) else text, name)


def refusal(text, name="race.srt"):
    with pytest.raises(ValidationError) as error:
        parse(text, name)
    [message] = error.value.messages
    return message


def test_srt_is_read_with_its_comma_decimals_and_swedish_letters():
    assert parse(SRT_FILE) == SWEDISH_CUES


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf" + SRT_FILE.encode(),
        SRT_FILE.replace("\n", "\r\n").encode(),
        b"\xef\xbb\xbf" + SRT_FILE.replace("\n", "\r\n").encode(),
        SRT_FILE.replace("\n", "\r").encode(),
        ("\n\n" + SRT_FILE + "\n\n\n").encode(),
    ],
    ids=["bom", "crlf", "bom-and-crlf", "old-mac-cr", "extra-blank-lines"],
)
def test_srt_is_read_with_or_without_bom_and_whatever_line_ends(data):
    assert parse(data) == SWEDISH_CUES


def test_webvtt_is_read_with_header_notes_styles_regions_identifiers_and_settings():
    cues = parse(WEBVTT_FILE, "race.vtt")

    assert [(cue.start, cue.end, cue.text) for cue in cues] == [
        (cue.start, cue.end, cue.text) for cue in SWEDISH_CUES
    ]
    # Valid settings are kept for placement; the region is not (its block is not kept).
    assert cues[0].settings == "align:start line:90% position:10%,line-left"
    assert cues[1].settings == ""


def test_webvtt_with_bom_and_crlf_is_read():
    data = b"\xef\xbb\xbf" + WEBVTT_FILE.replace("\n", "\r\n").encode()

    assert len(parse(data, "race.vtt")) == 2


def test_the_content_decides_the_format_not_the_name():
    assert parse(WEBVTT_FILE, "race.srt")[0].text == SWEDISH_CUES[0].text
    assert parse(SRT_FILE, "race.txt") == SWEDISH_CUES


def test_srt_with_dots_missing_numbers_and_position_hints_is_read():
    text = (
        "00:00:01.000 --> 00:00:02.000 X1:100 X2:600 Y1:20 Y2:80\nOne\n"
        "\n"
        "7\n00:00:03,000-->00:00:04,000\nTwo\n"
    )

    assert parse(text) == [Cue(1.0, 2.0, "One"), Cue(3.0, 4.0, "Two")]


def test_cues_come_out_in_order_of_their_start():
    text = "2\n00:00:05,000 --> 00:00:06,000\nLater\n\n1\n00:00:01,000 --> 00:00:02,000\nFirst\n"

    assert [cue.text for cue in parse(text)] == ["First", "Later"]


def test_cues_without_visible_text_are_dropped():
    text = (
        "1\n00:00:01,000 --> 00:00:02,000\n<font color=red></font>\n"
        "\n"
        "2\n00:00:03,000 --> 00:00:04,000\nKvar\n"
    )

    assert parse(text) == [Cue(3.0, 4.0, "Kvar")]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("<i>kursiv</i> <b>fet</b> <u>under</u>", "<i>kursiv</i> <b>fet</b> <u>under</u>"),
        ("<v Emma Lindqvist>Hej!</v>", "<v Emma Lindqvist>Hej!</v>"),
        ("<v.loud Fredrik>Heja!", "<v.loud Fredrik>Heja!</v>"),
        ("<c.yellow.bg_blue>gul</c>", "<c.yellow.bg_blue>gul</c>"),
        ("<lang en-GB>pit lane</lang>", "<lang en-GB>pit lane</lang>"),
        ("<script>alert(1)</script>hej", "alert(1)hej"),
        ('<font color="#ff0000">röd</font>', "röd"),
        ('<a href="javascript:alert(1)">klick</a>', "klick"),
        ("<img src=x onerror=alert(1)>bild", "bild"),
        ("<I>versaler</I>", "<i>versaler</i>"),
        ("<i>aldrig stängd", "<i>aldrig stängd</i>"),
        ("stängd</b> utan början", "stängd utan början"),
        ("<b><i>korsade</b></i>", "<b><i>korsade</i></b>"),
        ("<lang <script>>x", "&lt;lang &gt;x"),
        ("<v>ingen talare</v>", "ingen talare"),
        ("<lang x y z>fel språk</lang>", "fel språk"),
        ("{\\an8}överst", "överst"),
        ("rad ett<br>rad två", "rad ett\nrad två"),
        ("Tom & Jerry &amp; <3 > 2", "Tom &amp; Jerry &amp; &lt;3 &gt; 2"),
        ("a < b > c", "a &lt; b &gt; c"),
        ("ett <00:00:01.500>två", "ett två"),
        ("&lt;i&gt; som text", "&lt;i&gt; som text"),
        ("mellan&nbsp;slag", "mellan\u00a0slag"),
    ],
)
def test_cue_text_keeps_only_safe_meaningful_tags(text, kept):
    [cue] = parse(f"1\n00:00:01,000 --> 00:00:02,000\n{text}\n")

    assert cue.text == kept


def test_the_webvtt_we_write_is_clean_and_normalized():
    assert to_webvtt(parse(WEBVTT_FILE, "race.vtt")) == (
        "WEBVTT\n"
        "\n"
        "00:00:01.000 --> 00:00:04.000 align:start line:90% position:10%,line-left\n"
        "Bäckman tar sig förbi på insidan.\n"
        "\n"
        "00:00:04.500 --> 00:00:07.250\n"
        "<i>Å, vilken start!</i>\n"
        "Andra raden: ö och ä.\n"
    )


def test_the_srt_we_write_is_numbered_with_comma_decimals_and_plain_characters():
    cues = [
        Cue(3723.5, 3725.0, "<v Emma>Tom &amp; Jerry &lt;3</v>"),
        Cue(3726.0, 3727.0, "<i.red>kursiv</i> <lang en>lane</lang>"),
    ]

    assert to_srt(cues) == (
        "1\n01:02:03,500 --> 01:02:05,000\nTom & Jerry <3\n\n"
        "2\n01:02:06,000 --> 01:02:07,000\n<i>kursiv</i> lane\n\n"
    )


def test_vtt_to_srt_to_vtt_is_the_same_file():
    vtt = to_webvtt(parse(SRT_FILE.replace("ö och ä", "ö & ä <3")))

    srt = to_srt(parse(vtt, "race.vtt"))
    again = to_webvtt(parse(srt, "race.srt"))

    assert again == vtt
    assert "ö &amp; ä &lt;3" in again


def test_reading_what_we_wrote_gives_the_same_cues():
    cues = parse(WEBVTT_FILE, "race.vtt")

    assert parse(to_webvtt(cues), "kept.vtt") == cues


def test_long_videos_keep_their_hours():
    [cue] = parse("1\n12:34:56,789 --> 12:34:59,001\nSent\n")

    assert (cue.start, cue.end) == (45296.789, 45299.001)
    assert "12:34:56.789 --> 12:34:59.001" in to_webvtt([cue])


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "race.srt", "“race.srt” is empty."),
        (b"\xef\xbb\xbf \r\n\r\n", "race.vtt", "“race.vtt” is empty."),
        (
            jpeg_bytes(),
            "race.srt",
            "“race.srt” is not a subtitle file: it holds binary data, like an image or a video.",
        ),
        (b"\x89PNG\r\n\x1a\n" + b"x" * 50, "race.vtt", "it holds binary data"),
        (b"\x00\x00\x00\x18ftypmp42", "race.srt", "it holds binary data"),
        (b"1\n00:00:01,000 --> 00:00:02,000\nhej\x00\n", "race.srt", "it holds binary data"),
        (
            b"<!DOCTYPE html><html><body>Not found</body></html>",
            "race.vtt",
            "“race.vtt” is a web page or XML, not a WebVTT or SRT file.",
        ),
        (b'<?xml version="1.0"?><tt></tt>', "race.srt", "is a web page or XML"),
        (
            LATIN_1_SRT,
            "race.srt",
            "“race.srt” is not UTF-8 text (see line 7). Save it as UTF-8 and upload it again.",
        ),
        (
            "1\n00:00:01,000 --> 00:00:02,000\nhej\n".encode("utf-16"),
            "race.srt",
            "“race.srt” is saved as UTF-16. Save it as UTF-8 and upload it again.",
        ),
        (
            b"1\n00:00:01.000 --> 00:00:02.000\nhej\n",
            "race.vtt",
            "“race.vtt” is named like a WebVTT file but does not start with “WEBVTT”.",
        ),
        (
            b"Dear editors,\nhere are the subtitles.\n",
            "race.srt",
            "“race.srt” is not a WebVTT or SRT file: line 1 should be “WEBVTT”, a cue number "
            "or a time line like “00:00:01,000 --> 00:00:04,000”.",
        ),
        (
            b"WEBVTT\n\nNOTE nothing yet\n",
            "race.vtt",
            "“race.vtt” has no cues: no text with a start and an end time.",
        ),
        (b"WEBVTT\n", "race.vtt", "“race.vtt” has no cues"),
    ],
    ids=[
        "empty",
        "only-bom-and-blanks",
        "renamed-jpeg",
        "renamed-png",
        "renamed-mp4",
        "nul-byte",
        "html",
        "ttml-xml",
        "latin-1",
        "utf-16",
        "vtt-without-header",
        "prose",
        "only-a-note",
        "only-a-header",
    ],
)
def test_files_that_are_not_subtitles_are_refused(data, name, message):
    assert message in refusal(data, name)


@pytest.mark.parametrize(
    ("text", "name", "message"),
    [
        (
            "1\n00:00:01 --> 00:00:02,000\nhej\n",
            "race.srt",
            "Line 2 of “race.srt”: “00:00:01” is not a time like “00:01:02,500”.",
        ),
        (
            "WEBVTT\n\n00:00:01.000 --> 00:61:00.000\nhej\n",
            "race.vtt",
            "Line 3 of “race.vtt”: “00:61:00.000” is not a time like “00:01:02.500”.",
        ),
        (
            "1\n00:00:01,5 --> 00:00:02,000\nhej\n",
            "race.srt",
            "Line 2 of “race.srt”: “00:00:01,5” is not a time",
        ),
        (
            "WEBVTT\n\n00:00:01.000 -->\nhej\n",
            "race.vtt",
            "Line 3 of “race.vtt”: “” is not a time",
        ),
        (
            "1\n00:00:05,000 --> 00:00:04,000\nhej\n",
            "race.srt",
            "Line 2 of “race.srt”: the cue ends at 00:00:04,000, "
            "which is not after its start at 00:00:05,000.",
        ),
        (
            "WEBVTT\n\n00:00:05.000 --> 00:00:05.000\nhej\n",
            "race.vtt",
            "Line 3 of “race.vtt”: the cue ends at 00:00:05.000, which is not after",
        ),
        (
            "1\n00:00:01,000 --> 00:00:02,000\nförsta delen\n\nandra delen\n",
            "race.srt",
            "Line 5 of “race.srt” is text outside any cue. Each cue starts with a time line "
            "like “00:00:01,000 --> 00:00:04,000”; is there a blank line inside a cue?",
        ),
        (
            "WEBVTT\n\nintro\n\n00:00:01.000 --> 00:00:02.000\nhej\n",
            "race.vtt",
            "Line 3 of “race.vtt” is text outside any cue. Each cue starts with a time line "
            "like “00:00:01.000 --> 00:00:04.000”",
        ),
        (
            "1\n00:00:01,000 --> 00:00:02,000\nhej\n2\n00:00:03,000 --> 00:00:04,000\nhå\n",
            "race.srt",
            "Line 5 of “race.srt” has “-->” in the text of a cue. If it is the time line of "
            "the next cue, put a blank line before it.",
        ),
        (
            "WEBVTT\n00:00:01.000 --> 00:00:02.000\nhej\n",
            "race.vtt",
            "Line 2 of “race.vtt”: leave a blank line after the “WEBVTT” header, "
            "before the first cue.",
        ),
        (
            "1\n00:00:01,000 --> 00:00:02,000\nhej\n\n2\n\n",
            "race.srt",
            "Line 5 of “race.srt” is text outside any cue.",
        ),
    ],
    ids=[
        "no-milliseconds",
        "minute-61",
        "short-milliseconds",
        "no-end",
        "ends-before-start",
        "ends-when-it-starts",
        "blank-line-inside-srt-cue",
        "text-before-first-vtt-cue",
        "missing-blank-line-between-cues",
        "no-blank-after-header",
        "number-without-times",
    ],
)
def test_broken_cues_are_refused_naming_the_line(text, name, message):
    assert message in refusal(text, name)


def test_too_large_a_file_is_refused(settings):
    settings.NEWSROOM_SUBTITLE_MAX_BYTES = 1024

    message = refusal("1\n00:00:01,000 --> 00:00:02,000\n" + "å" * 600 + "\n")

    assert message == "“race.srt” is 1.2 KB; subtitle files can be at most 1 KB."


def test_the_default_size_limit_is_two_megabytes():
    cue = "1\n00:00:01,000 --> 00:00:02,000\n" + "hej " * 50 + "\n\n"
    size = len(cue.encode())

    assert len(parse(cue * (2 * 1024 * 1024 // size))) > 0
    assert "subtitle files can be at most 2 MB" in refusal(cue * (2 * 1024 * 1024 // size + 1))


def test_too_many_cues_are_refused(settings):
    settings.NEWSROOM_SUBTITLE_MAX_CUES = 3
    cue = "00:00:01,000 --> 00:00:02,000\nhej\n\n"

    assert len(parse(cue * 3)) == 3
    assert refusal(cue * 4) == "“race.srt” has 4 cues; a video can have at most 3."


def test_cues_must_start_before_the_video_ends():
    cues = [Cue(1.0, 2.0, "hej"), Cue(61.5, 63.0, "för sent")]

    check_fits(cues, 61.0)  # half a second after the last frame: rounding, not a mistake
    check_fits(cues, 0)  # the video's length is not known yet
    with pytest.raises(ValidationError) as error:
        check_fits(cues, 59.0)

    assert error.value.messages == [
        "Cue 2 starts at 00:01:01.500, after the video ends (00:00:59.000). "
        "Are these the subtitles of another video?"
    ]
