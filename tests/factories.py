"""Small helpers that make valid rows with as little typing as possible."""

import io
import itertools
import json
import shutil
import subprocess
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pyexiv2
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.forms import FileField, MultiWidget
from django.test import TestCase
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from lxml import etree
from PIL import Image

from media.models import Photo, PhotoSet, Subtitle, Visibility
from media.subtitles import Cue, to_webvtt
from media.tasks import generate_renditions, generate_video_files
from media.uploads import accept_video
from newsroom.ground.models import Newsroom, Person
from newsroom.site.demo.files import make_clip
from press.models import Event, PressRelease, Quote, Result, Status

sequence = itertools.count(1)


def our_permissions(*packages):
    """Every permission of the models of our apps (newsroom, press, media), or of some."""
    packages = packages or ("newsroom", "press", "media")
    labels = [
        config.label for config in apps.get_app_configs() if config.name.split(".")[0] in packages
    ]
    return Permission.objects.filter(content_type__app_label__in=labels)


def jpeg_bytes(width=600, height=400, colour=(200, 40, 40), image_format="JPEG", **save_options):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, image_format, **save_options)
    return buffer.getvalue()


def committed():
    """Run what waits for the commit (the search index, the page cache's renewal), as after
    an editor's save: the tests' own transaction is rolled back, never committed."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def make_newsroom(**fields):
    n = next(sequence)
    fields.setdefault("name", f"Newsroom {n}")
    fields.setdefault("slug", f"newsroom-{n}")
    fields.setdefault("about", "We race touring cars.\n\nPhotos are free to use with credit.")
    fields.setdefault("default_credit", "Team Photo")
    return Newsroom.objects.create(**fields)


def make_person(newsroom, **fields):
    n = next(sequence)
    fields.setdefault("name", f"Person {n}")
    return Person.objects.create(newsroom=newsroom, **fields)


def make_photo_set(newsroom, **fields):
    n = next(sequence)
    fields.setdefault("title", f"Photo set {n}")
    fields.setdefault("slug", f"photo-set-{n}")
    fields.setdefault("visibility", Visibility.PUBLIC)
    return PhotoSet.objects.create(newsroom=newsroom, **fields)


def make_photo(photo_set, *, renditions=True, data=None, name="photo.jpg", **fields):
    if data is None:
        # A file of its own: a set holds each file once.
        data = jpeg_bytes(comment=f"photo {next(sequence)}")
    photo = Photo.objects.create(photo_set=photo_set, image=ContentFile(data, name=name), **fields)
    if renditions:
        # What the worker does once the upload is committed.
        generate_renditions.call(photo.pk)
    return photo


def make_video(photo_set, *, files=True, seconds=1, size=(192, 108), subtitles=(), **fields):
    """A short phone-like clip (with the place it was shot) taken in as an upload is, its
    files made as the worker would, and `subtitles` as (language, [(start, end, text)])."""
    n = next(sequence)
    name = fields.pop("name", f"clip-{n}.mp4")
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / name
        make_clip(path, f"Clip {n}", seconds=seconds, size=size, gps=(49.3278, 8.5656))
        result = accept_video(photo_set, str(path), name)
    assert result.saved, result.message
    video = result.kept
    for field, value in fields.items():
        setattr(video, field, value)
    video.save()
    for language, lines in subtitles:
        text = to_webvtt([Cue(start, end, words) for start, end, words in lines])
        Subtitle.objects.create(
            video=video,
            language=language,
            file=ContentFile(text.encode(), name="subtitles.vtt"),
            original_filename=f"clip.{language}.vtt",
            cue_count=len(lines),
        )
    if files:
        generate_video_files.call(video.pk)
        video.refresh_from_db()
    return video


def make_event(newsroom, **fields):
    n = next(sequence)
    start = fields.pop("starts_on", date(2022, 5, 13))
    fields.setdefault("name", f"Event {n}")
    fields.setdefault("slug", f"event-{n}")
    fields.setdefault("visibility", Visibility.PUBLIC)
    return Event.objects.create(
        newsroom=newsroom,
        starts_on=start,
        ends_on=fields.pop("ends_on", start + timedelta(days=2)),
        **fields,
    )


def make_release(newsroom, **fields):
    n = next(sequence)
    fields.setdefault("title", f"Release {n}")
    fields.setdefault("slug", f"release-{n}")
    fields.setdefault("status", Status.PUBLISHED)
    if fields["status"] == Status.PUBLISHED:
        fields.setdefault("publish_at", timezone.now() - timedelta(hours=1))
    with committed():
        return PressRelease.objects.create(newsroom=newsroom, **fields)


def make_quote(release, speaker, text="Fast car, great team.", **fields):
    with committed():
        return Quote.objects.create(release=release, speaker=speaker, text=text, **fields)


def make_result(release, event, **fields):
    fields.setdefault("session", "Race 1")
    fields.setdefault("position", 1)
    with committed():
        return Result.objects.create(release=release, event=event, **fields)


def with_exif(data, exif):
    """The image bytes with these EXIF tags added (pyexiv2 key → value)."""
    with pyexiv2.ImageData(data) as image:
        image.modify_exif(exif)
        return image.get_bytes()


def exiftool(data, *options):
    """All metadata an independent reader (Debian's exiftool) finds in the bytes; `options`
    such as "-ee" (embedded data: a video's timed metadata) and "-u" (unknown tags)."""
    if shutil.which("exiftool") is None:
        raise AssertionError("exiftool is needed: apt install libimage-exiftool-perl")
    result = subprocess.run(
        ["exiftool", "-j", "-G1", "-a", "-s", "-charset", "iptc=UTF8", *options, "-"],
        input=data,
        capture_output=True,
        check=True,
    )
    return json.loads(result.stdout)[0]


def body(response):
    """All bytes of a response, streamed or not."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def admin_form_data(response):
    """What the change form posts back unchanged, read from the rendered forms."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = management[name].value()
        forms.extend(formset.forms)
    for form in forms:
        for field in form:
            value = field.value()
            widget = field.field.widget
            if value is None or value is False or isinstance(field.field, FileField):
                continue  # a stored file is kept when no new one is sent
            if isinstance(widget, MultiWidget):
                for number, part in enumerate(widget.decompress(value)):
                    data[f"{field.html_name}_{number}"] = "" if part is None else part
            else:
                data[field.html_name] = "on" if value is True else value
    return data


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML_LINK = "{http://www.w3.org/1999/xhtml}link"


def sitemap_schema_with_alternates(sitemap_xsd):
    """The sitemap schema at `sitemap_xsd`, with hreflang links (<xhtml:link>) declared."""
    link_xsd = Path(__file__).parent / "schemas" / "xhtml-link.xsd"
    both = f"""<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">
      <xsd:import namespace="http://www.sitemaps.org/schemas/sitemap/0.9"
                  schemaLocation="{Path(sitemap_xsd).resolve().as_uri()}"/>
      <xsd:import namespace="http://www.w3.org/1999/xhtml"
                  schemaLocation="{link_xsd.resolve().as_uri()}"/>
    </xsd:schema>"""
    return etree.XMLSchema(etree.fromstring(both))


def sitemap_files(client):
    """The paths of every file the sitemap index lists."""
    index = etree.fromstring(client.get("/sitemap.xml").content)
    addresses = [urlsplit(loc.text) for loc in index.iter(f"{SITEMAP}loc")]
    return [address.path + (f"?{address.query}" if address.query else "") for address in addresses]


# The admin is for editors, not the public; Django's own templates.
ADMIN_PREFIX = "admin/"


def public_routes(patterns=None, namespace="", route=""):
    """The names of the public site's routes ("press:release-detail"); unnamed ones by route."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if route + str(entry.pattern) == ADMIN_PREFIX:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from public_routes(entry.url_patterns, inner, route + str(entry.pattern))
        elif not (route + str(entry.pattern)).startswith(f"^{ADMIN_PREFIX}"):
            yield f"{namespace}{entry.name}" if entry.name else route + str(entry.pattern)


def months_ago(months, day=15):
    """Noon on `day` of the month `months` before this one, in UTC (0: this month)."""
    now = timezone.now().astimezone(UTC)
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    return datetime(year, month + 1, day, 12, tzinfo=UTC)
