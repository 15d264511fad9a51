"""Load the demo newsrooms from their data, one TOML file each in `newsrooms/`.

Every row is found by what names it in the data (a slug, a person's name, a
file name) and made only when missing: what exists is kept, so a second run
changes nothing and writes no file. Dates in the data are offsets from the
day of loading, so the race was always last weekend and the next one is ahead.
"""

import datetime
import re
import tempfile
import tomllib
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from media import subtitles
from media.models import Document, Photo, PhotoSet, PhotoText, Subtitle, Video
from media.tasks import generate_renditions, generate_video_files
from media.uploads import accept_video
from newsroom.ground.members import members_group
from newsroom.ground.models import Membership, Newsroom, NewsroomLanguage, Person, Role
from newsroom.site.demo.files import (
    PHOTO_SIZE,
    PORTRAIT_SIZE,
    make_clip,
    make_fact_sheet,
    make_logo,
    make_logo_svg,
    make_photo,
)
from press.alerts.models import Follower
from press.models import Event, PressRelease, Quote, Result, Status, Tag
from press.passes.models import PreviewPass
from press.publishing import announce_due_releases
from press.versions import translate

DATA = Path(__file__).with_name("newsrooms")
EDITOR_USERNAME = "editor"
EDITOR_PASSWORD = "newsroom-demo"  # noqa: S105 (printed by the demo, local use only)
# "race-1 18:10": the Saturday before the last Sunday before today, at 18:10; "today+1 09:00".
DATE = re.compile(r"(race|today)([+-]\d+)?(?: (\d\d):(\d\d))?")
DATE_FIELDS = {"starts_on", "ends_on", "taken_at", "publish_at"}
# Keys of a newsroom's data that hold its parts rather than its own fields.
PARTS = {"logo", "tags", "people", "events", "photo_sets", "documents", "releases"}
PARTS |= {"other_languages"}  # the newsroom's texts in the other languages it publishes in
PARTS |= {"preview_passes", "followers"}  # loaded once every newsroom and the editor exist


def read():
    """Every newsroom's data, in the order of their `position`."""
    found = [tomllib.loads(path.read_text("utf-8")) for path in sorted(DATA.glob("*.toml"))]
    return sorted(found, key=lambda data: data.get("position", 0))


def load(today=None, photo_size=PHOTO_SIZE, log=lambda message: None):
    """Make whatever part of the demo is missing.

    Returns the editor's username, the preview passes and the followers, for the
    command to print.
    """
    dates = Dates(today or timezone.localdate())
    everything = [(load_newsroom(data, dates, photo_size, log), data) for data in read()]
    newsrooms = [newsroom for newsroom, _ in everything]
    editor = ensure_editor(newsrooms)
    photos = Photo.objects.filter(photo_set__newsroom__in=newsrooms)
    for photo_pk in photos.values_list("pk", flat=True):
        generate_renditions.call(photo_pk)
    videos = Video.objects.filter(photo_set__newsroom__in=newsrooms)
    for video_pk in videos.values_list("pk", flat=True):
        generate_video_files.call(video_pk)
    # The going-live work for what is public already, before anyone follows:
    # followers get alerts from the next release on.
    announce_due_releases()
    passes, followers = [], []
    for newsroom, data in everything:
        for item in data.get("preview_passes", []):
            if found := preview_pass(newsroom, editor, item):
                passes.append(found)
        followers += [follower(newsroom, item) for item in data.get("followers", [])]
    return EDITOR_USERNAME, passes, followers


class Dates:
    """The anchors the data counts from: the race Sunday (the last one before today) and today."""

    def __init__(self, today):
        self.today = today
        self.race = today - datetime.timedelta(days=(today.weekday() + 1) % 7 or 7)

    def __call__(self, text):
        match = DATE.fullmatch(text)
        if match is None:
            raise ValueError(f"{text!r} is no demo date, e.g. “race-1 18:10” or “today+1”")
        anchor, days, hour, minute = match.groups()
        day = getattr(self, anchor) + datetime.timedelta(days=int(days or 0))
        if hour is None:
            return day
        moment = datetime.time(int(hour), int(minute))
        return datetime.datetime.combine(day, moment, tzinfo=timezone.get_current_timezone())

    def fields(self, item, *parts):
        """The model fields of a data item: all keys but its parts, dates made dates."""
        return {
            key: self(value) if key in DATE_FIELDS else value
            for key, value in item.items()
            if key not in parts
        }


def load_newsroom(data, dates, photo_size, log):
    newsroom, _ = Newsroom.objects.get_or_create(
        slug=data["slug"], defaults=dates.fields(data, "slug", *PARTS)
    )
    if not newsroom.logo:
        logo = make_logo(data["logo"]["text"], tuple(data["logo"]["colour"]))
        name = f"{newsroom.slug}-logo.png"
        # Named, so the logo's width and height are read and kept: Django reads them from
        # the file given, and a nameless one counts as no file. Left empty, every newsroom
        # loaded from the database would open its logo again to learn them.
        newsroom.logo.save(name, ContentFile(logo, name=name))
    for item in data.get("other_languages", []):
        NewsroomLanguage.objects.get_or_create(
            newsroom=newsroom, language=item["language"], defaults=item
        )
    # What the releases point to, by the names the data gives them.
    named = {"tags": {}, "contacts": {}, "events": {}, "photo_sets": {}, "documents": {}}
    for name in data.get("tags", []):
        named["tags"][name], _ = Tag.objects.get_or_create(
            newsroom=newsroom, slug=slugify(name), defaults={"name": name}
        )
    for item in data.get("people", []):
        person, _ = Person.objects.get_or_create(
            newsroom=newsroom, name=item["name"], defaults=dates.fields(item, "name", "portrait")
        )
        if item.get("portrait") and not person.portrait:
            portrait = make_photo(person.name, PORTRAIT_SIZE, credit=newsroom.default_credit)
            person.portrait.save(f"{slugify(person.name)}.jpg", ContentFile(portrait))
        named["contacts"][person.name] = person
    for item in data.get("events", []):
        named["events"][item["slug"]], _ = Event.objects.get_or_create(
            newsroom=newsroom, slug=item["slug"], defaults=dates.fields(item, "slug")
        )
    photos = {}
    for item in data.get("photo_sets", []):
        photo_set, _ = PhotoSet.objects.get_or_create(
            newsroom=newsroom,
            slug=item["slug"],
            defaults=dates.fields(item, "slug", "photos", "videos", "license", "gps"),
        )
        named["photo_sets"][photo_set.slug] = photo_set
        for position, photo in enumerate(item["photos"]):
            found = photo_set.photos.filter(original_filename=photo["file"]).first()
            photos[photo["file"]] = found or add_photo(
                photo_set, photo, position, item, dates, photo_size, log
            )
        for position, video in enumerate(item.get("videos", [])):
            if not photo_set.videos.filter(original_filename=video["file"]).exists():
                add_video(photo_set, video, position, item, log)
    for item in data.get("documents", []):
        found = newsroom.documents.filter(original_filename=item["file"]).first()
        named["documents"][item["file"]] = found or add_document(newsroom, item, dates, data)
    for item in data.get("releases", []):
        if not newsroom.releases.filter(slug=item["slug"]).exists():
            add_release(newsroom, item, dates, named, photos)
    log(f"Newsroom “{newsroom}” ready: {newsroom.get_absolute_url()}")
    return newsroom


def add_photo(photo_set, photo, position, photo_set_data, dates, photo_size, log):
    fields = dates.fields(photo, "file", "portrait", "texts")
    fields.setdefault("license", photo_set_data["license"])
    fields.setdefault("copyright", f"© {fields['credit']} {fields['taken_at']:%Y}")
    size = PORTRAIT_SIZE if photo.get("portrait") else photo_size
    log(f"  making {photo['file']} ({size[0]}×{size[1]})")
    data = make_photo(
        fields["title"],
        size,
        seed=photo["file"],
        taken_at=fields["taken_at"],
        credit=fields["credit"],
        copyright=fields["copyright"],
        caption=fields["caption"],
        gps=photo_set_data.get("gps"),
    )
    image = ContentFile(data, name=photo["file"])
    added = Photo.objects.create(photo_set=photo_set, image=image, position=position, **fields)
    for texts in photo.get("texts", []):  # title, caption and alt text in other languages
        PhotoText.objects.create(photo=added, **texts)
    return added


def add_video(photo_set, video, position, photo_set_data, log):
    """A clip made like a phone's (with the place it was shot), taken in as an upload is,
    with its subtitles."""
    log(f"  making {video['file']} ({video['seconds']} s)")
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / video["file"]
        make_clip(path, video["title"], seconds=video["seconds"], gps=photo_set_data.get("gps"))
        result = accept_video(photo_set, str(path), video["file"])
    if not result.saved:
        raise ValueError(result.message)
    added = result.kept
    for name in ("title", "caption", "credit", "copyright"):
        setattr(added, name, video.get(name, ""))
    added.license = video.get("license", photo_set_data["license"])
    added.position = position
    added.save()
    for item in video.get("subtitles", []):
        cues = [subtitles.Cue(start, end, text) for start, end, text in item["cues"]]
        text = subtitles.to_webvtt(cues)
        Subtitle.objects.create(
            video=added,
            language=item["language"],
            file=ContentFile(text.encode("utf-8"), name="subtitles.vtt"),
            original_filename=f"{Path(video['file']).stem}.{item['language']}.vtt",
            cue_count=len(cues),
        )
    return added


def add_document(newsroom, item, dates, newsroom_data):
    """A fact sheet (PDF) of the item's heading and lines, or the newsroom's logo as SVG."""
    if item["file"].endswith(".svg"):
        content = make_logo_svg(newsroom_data["logo"]["text"], newsroom_data["logo"]["colour"])
    else:
        lines = [line.format(race=dates.race) for line in item["lines"]]
        content = make_fact_sheet(item["heading"], lines)
    return Document.objects.create(
        newsroom=newsroom,
        file=ContentFile(content, name=item["file"]),
        **dates.fields(item, "file", "heading", "lines"),
    )


@transaction.atomic
def add_release(newsroom, item, dates, named, photos):
    fields = dates.fields(item, "hero_photo", "quotes", "results", "translations", *named)
    # Releases in the data are published (at their `publish_at`) unless they say otherwise.
    fields.setdefault("status", Status.PUBLISHED)
    fields.setdefault("language", newsroom.language)
    release = PressRelease.objects.create(
        newsroom=newsroom,
        hero_photo=photos[item["hero_photo"]] if "hero_photo" in item else None,
        **fields,
    )
    for part, rows in named.items():
        getattr(release, part).set([rows[name] for name in item.get(part, [])])
    for position, quote in enumerate(item.get("quotes", [])):
        speaker = named["contacts"][quote["speaker"]]
        Quote.objects.create(
            release=release, speaker=speaker, text=quote["text"], position=position
        )
    for order, result in enumerate(item.get("results", [])):
        fields = dict(result, event=named["events"][result["event"]])
        Result.objects.create(release=release, order=order, **fields)
    for version in item.get("translations", []):
        add_translation(release, version)
    return release


def add_translation(original, item):
    """A published translation: its own texts, the original's media, results and time."""
    version = translate(original, item["language"])
    for field in ("slug", "title", "lead", "body", "hero_caption"):
        if field in item:
            setattr(version, field, item[field])
    version.status = Status.PUBLISHED
    version.save()
    for quote, text in zip(version.quotes.order_by("position"), item["quotes"], strict=True):
        quote.text = text
        quote.save()
    return version


def ensure_editor(newsrooms):
    """An editor who may publish in every demo newsroom."""
    group = members_group()
    user, created = get_user_model().objects.get_or_create(
        username=EDITOR_USERNAME,
        defaults={"is_staff": True, "first_name": "Demo", "last_name": "Editor"},
    )
    if created:
        user.set_password(EDITOR_PASSWORD)
        user.save()
        user.groups.add(group)
    for newsroom in newsrooms:
        Membership.objects.get_or_create(
            newsroom=newsroom, user=user, defaults={"role": Role.PUBLISHER}
        )
    return user


def follower(newsroom, item):
    """A confirmed follower of the newsroom: its alerts are printed in the demo's console."""
    now = timezone.now()
    found, _ = Follower.objects.get_or_create(
        newsroom=newsroom,
        tag=None,
        email=item["email"],
        defaults={
            "confirmation_sent_at": now,
            "confirmed_at": now,
            "languages": item.get("languages", ""),
        },
    )
    return found


def preview_pass(newsroom, editor, item):
    """A journalist's pass for a release under embargo; none once the embargo has lifted."""
    release = newsroom.releases.get(slug=item["release"])
    if not release.is_scheduled():
        return None
    found, _ = PreviewPass.objects.get_or_create(
        release=release,
        email=item["email"],
        defaults={"name": item["name"], "outlet": item["outlet"], "created_by": editor},
    )
    return found
