"""The demo newsrooms: a touring-car driver and his team after an endurance race.

Built on the facts of a real release (the driver's podium at the Hankook 12h
Hockenheimring, the team's first weekend with a new car, the STCC opener at
Ljungbyhed next), written anew. Dates follow the calendar of the day the demo
is loaded, so the race was last weekend and the next event is ahead.

Loading is idempotent: what exists is kept, what is missing is added.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from media.models import Document, DocumentKind, Photo, PhotoSet, Visibility
from media.tasks import generate_renditions
from newsroom.ground.models import License, Membership, Newsroom, Person, Role
from newsroom.site.demo.documents import make_fact_sheet, make_logo_svg
from newsroom.site.demo.photos import make_logo, make_photo
from press.alerts.models import Follower
from press.models import Event, Kind, Outcome, PressRelease, Quote, Result, Status, Tag
from press.passes.models import PreviewPass
from press.publishing import announce_due_releases

EDITOR_USERNAME = "editor"
EDITOR_PASSWORD = "newsroom-demo"  # noqa: S105 (printed by the demo, local use only)
PHOTO_SIZE = (4000, 2667)
PORTRAIT_SIZE = (1600, 2000)


@dataclass
class Calendar:
    """The demo's dates, anchored on the most recent weekend."""

    today: datetime.date
    race_sunday: datetime.date = field(init=False)

    def __post_init__(self):
        days_back = (self.today.weekday() + 1) % 7 or 7
        self.race_sunday = self.today - datetime.timedelta(days=days_back)

    def day(self, offset):
        return self.race_sunday + datetime.timedelta(days=offset)

    def moment(self, offset, hour, minute=0):
        tz = timezone.get_current_timezone()
        return datetime.datetime.combine(self.day(offset), datetime.time(hour, minute), tzinfo=tz)

    def tomorrow_at(self, hour):
        tz = timezone.get_current_timezone()
        tomorrow = self.today + datetime.timedelta(days=1)
        return datetime.datetime.combine(tomorrow, datetime.time(hour), tzinfo=tz)


def load(today=None, photo_size=PHOTO_SIZE, log=lambda message: None):
    """Create whatever part of the demo is missing; return the editor's username."""
    calendar = Calendar(today or timezone.localdate())
    driver = load_driver_newsroom(calendar, photo_size, log)
    team = load_team_newsroom(calendar, photo_size, log)
    editor = ensure_editor([driver, team])
    for photo_pk in Photo.objects.filter(photo_set__newsroom__in=[driver, team]).values_list(
        "pk", flat=True
    ):
        generate_renditions.call(photo_pk)
    # The going-live work for what is public already, before anyone follows:
    # the follower below gets alerts from the next release on.
    announce_due_releases()
    demo_follower(driver)
    return EDITOR_USERNAME, demo_pass(driver, editor)


FOLLOWER_EMAIL = "journalist@news.example"


def demo_follower(newsroom):
    """A journalist who follows the driver: the embargoed release's alert shows in the console."""
    now = timezone.now()
    follower, _ = Follower.objects.get_or_create(
        newsroom=newsroom,
        tag=None,
        email=FOLLOWER_EMAIL,
        defaults={"confirmation_sent_at": now, "confirmed_at": now},
    )
    return follower


def demo_pass(newsroom, editor):
    """A journalist's preview pass for the embargoed release, to see what passes look like."""
    release = newsroom.releases.get(slug="ready-for-the-stcc-opener-at-ljungbyhed")
    if not release.is_scheduled():
        return None  # the demo was loaded long enough ago that the embargo has lifted
    preview_pass, _ = PreviewPass.objects.get_or_create(
        release=release,
        email="journalist@news.example",
        defaults={"name": "Kim Reporter", "outlet": "Motorsport Daily", "created_by": editor},
    )
    return preview_pass


# The driver's newsroom ------------------------------------------------------


DRIVER_ABOUT = """\
Andreas Bäckman is a Swedish touring-car driver. After three seasons racing \
abroad he returns to the Scandinavian Touring Car Championship (STCC) with \
Lestrup Racing Team and its new Audi RS 3 LMS TCR.

Photos on this site may be used free of charge with the credit given."""

HOCKENHEIM_BODY = """\
<p>Andreas Bäckman and Lestrup Racing Team opened their year on the podium: third in the TCR \
class at the Hankook 12h Hockenheimring, the fourth round of the 24H Series, on the Grand Prix \
circuit in Germany.</p>
<p>It was the first race for the team's brand-new Audi RS 3 LMS TCR, the first endurance race in \
a TCR car for Bäckman and his first weekend with the team. He shared car #120 with Oliver \
Söderström, Emil Sällberg and Marcus Fluch.</p>
<h2>From pole position to a fight back</h2>
<p>Free practice on Friday ended third in class. In the evening's qualifying the crew set the \
fastest time of all TCR cars, so #120 started Saturday's race from pole position.</p>
<p>The twelve hours were split in two: six on Saturday evening and six on Sunday evening. The car \
led its class early on, but technical trouble cost some 20 minutes in the pits and dropped it to \
sixth. The crew recovered to finish third in both TCR and TCE, the team's first podium of the \
year.</p>
<h2>Next: the STCC</h2>
<p>The weekend served as a test before the STCC season, which opens at Ljungbyhed in Sweden in \
three weeks.</p>"""

RETURN_BODY = """\
<p>After three seasons of international racing, Andreas Bäckman is back in the Scandinavian \
Touring Car Championship. He drives the new Audi RS 3 LMS TCR for Lestrup Racing Team.</p>
<p>Before the STCC opener the team will enter the Hankook 12h Hockenheimring, a round of the \
24H Series, to learn the new car over a full endurance weekend.</p>"""

OPENER_BODY = """\
<p>The STCC season starts at Ljungbyhed this weekend. Andreas Bäckman and Lestrup Racing Team \
arrive with a podium from the Hockenheim 12 hours and many laps of data on the new Audi.</p>
<p>Media accreditation is open; interviews can be booked through the press contact below.</p>"""

NIGHT_GALLERY_BODY = """\
<p>A selection of photos from the night stints at Hockenheim, still being captioned.</p>"""


def load_driver_newsroom(calendar, photo_size, log):
    newsroom, _ = Newsroom.objects.get_or_create(
        slug="andreas-backman",
        defaults={
            "name": "Andreas Bäckman",
            "tagline": "Touring-car driver · STCC · Lestrup Racing Team",
            "about": DRIVER_ABOUT,
            "language": "en",
            "default_credit": "Andreas Bäckman Racing",
            "default_license": License.FREE,
            "position": 1,
        },
    )
    add_logo(newsroom, "BÄCKMAN", (200, 30, 45))
    andreas = person(
        newsroom,
        "Andreas Bäckman",
        title="racing driver",
        organisation="Lestrup Racing Team",
        portrait_seed=11,
    )
    fredrik = person(
        newsroom, "Fredrik Lestrup", title="co-founder", organisation="Lestrup Racing Team"
    )
    press_officer = person(
        newsroom,
        "Emma Lindqvist",
        title="press officer",
        organisation="Andreas Bäckman Racing",
        email="press@backman-racing.example",
        phone="+46 70 123 45 67",
        is_press_contact=True,
        portrait_seed=12,
    )
    hockenheim, ljungbyhed = race_events(newsroom, calendar)
    tags = {name: tag(newsroom, name) for name in ("24H Series", "STCC", "Endurance")}

    hockenheim_photos = photo_set(
        newsroom,
        "hockenheim-12h",
        "Hankook 12h Hockenheimring",
        "Free-to-use photos from the 12-hour race at Hockenheim: the podium, the car by day and "
        "by night, and the pit stops.",
        visibility=Visibility.PUBLIC,
        is_featured=True,
        photos=[
            (
                "hockenheim-podium.jpg",
                "podium",
                "Third on the podium",
                "Andreas Bäckman and his teammates of Lestrup Racing Team on the podium after "
                "finishing third in the TCR class of the Hankook 12h Hockenheimring.",
                "24H SERIES",
                calendar.moment(0, 21, 30),
            ),
            (
                "hockenheim-car-120.jpg",
                "track",
                "Car #120 in the first stint",
                "The Audi RS 3 LMS TCR of Lestrup Racing Team, #120, early in the race.",
                "24H SERIES",
                calendar.moment(-1, 18, 10),
            ),
            (
                "hockenheim-night.jpg",
                "night",
                "Through the night",
                "Car #120 under the lights during Saturday's six-hour part of the race.",
                "24H SERIES",
                calendar.moment(-1, 23, 40),
            ),
            (
                "hockenheim-pit-stop.jpg",
                "pitlane",
                "Pit stop",
                "Lestrup Racing Team at work in the pit lane at Hockenheim.",
                "24H SERIES",
                calendar.moment(0, 19, 5),
            ),
        ],
        credit_license=License.FREE,
        photo_size=photo_size,
        log=log,
    )
    opener_photos = photo_set(
        newsroom,
        "stcc-ljungbyhed-preview",
        "STCC opener at Ljungbyhed: media kit",
        "Portrait and car photos for the season opener.",
        visibility=Visibility.WITH_RELEASE,
        photos=[
            (
                "backman-portrait-stcc.jpg",
                "portrait",
                "Andreas Bäckman",
                "Andreas Bäckman before the STCC season opener.",
                "Andreas Bäckman Racing",
                calendar.moment(2, 12),
            ),
            (
                "audi-rs3-tcr.jpg",
                "track",
                "The Audi RS 3 LMS TCR",
                "Lestrup Racing Team's Audi RS 3 LMS TCR in STCC colours.",
                "Andreas Bäckman Racing",
                calendar.moment(2, 12, 30),
            ),
        ],
        credit_license=License.FREE,
        photo_size=photo_size,
        log=log,
    )
    podium = hockenheim_photos.photos.get(original_filename="hockenheim-podium.jpg")
    fact_sheet = document(
        newsroom,
        "Andreas Bäckman – driver fact sheet",
        DocumentKind.FACT_SHEET,
        "backman-fact-sheet.pdf",
        make_fact_sheet(
            "Andreas Bäckman - fact sheet",
            [
                "Touring-car driver from Sweden.",
                "Team: Lestrup Racing Team, Audi RS 3 LMS TCR.",
                f"Hankook 12h Hockenheimring {calendar.day(0):%Y}: 3rd in TCR, pole in class.",
                "Next: STCC season opener, Ljungbyhed.",
                "Press: press@backman-racing.example, +46 70 123 45 67",
            ],
        ),
        visibility=Visibility.PUBLIC,
    )
    opener_schedule = document(
        newsroom,
        "Ljungbyhed media day schedule",
        DocumentKind.PRESS_KIT,
        "ljungbyhed-media-day.pdf",
        make_fact_sheet(
            "STCC Ljungbyhed - media day",
            ["Interviews on request through the press officer.", "Photo session in the paddock."],
        ),
        visibility=Visibility.WITH_RELEASE,
    )

    hockenheim_release = release(
        newsroom,
        "backman-third-in-the-hockenheim-12-hours",
        title="Bäckman on the podium in the Hockenheim 12 hours",
        lead="Andreas Bäckman and Lestrup Racing Team finished third in the TCR class of the "
        "Hankook 12h Hockenheimring: a podium in the team's first race with its new Audi.",
        body=HOCKENHEIM_BODY,
        kind=Kind.PRESS_RELEASE,
        publish_at=calendar.moment(0, 22),
        hero_photo=podium,
        photo_sets=[hockenheim_photos],
        documents=[fact_sheet],
        events=[hockenheim, ljungbyhed],
        contacts=[press_officer],
        tags=[tags["24H Series"], tags["Endurance"], tags["STCC"]],
        quotes=[
            (
                andreas,
                "A podium is a great way to start the season, and even better in my "
                "first race with the team. It was good preparation for the STCC.",
            ),
            (
                fredrik,
                "This weekend was a very valuable start to our year. A new car always has "
                "a few hiccups, but the drivers did a great job and we collected race data that "
                "no pre-season test can give you.",
            ),
            (
                andreas,
                "I'm really happy to share this result in my first weekend with the team. "
                "We covered a lot of kilometres and learned the car; not everything went our way, "
                "but it was a proper rehearsal for the STCC.",
            ),
        ],
        results=[
            (hockenheim, "Free Practice", "TCR", Outcome.CLASSIFIED, 3),
            (hockenheim, "Qualifying", "TCR", Outcome.CLASSIFIED, 1),
            (hockenheim, "Race 1 (12 hours)", "TCR", Outcome.CLASSIFIED, 3),
        ],
    )
    release(
        newsroom,
        "backman-returns-to-the-stcc",
        title="Bäckman returns to the STCC with Lestrup Racing Team",
        lead="After three seasons abroad Andreas Bäckman is back in the Scandinavian Touring "
        "Car Championship, driving the team's new Audi RS 3 LMS TCR.",
        body=RETURN_BODY,
        kind=Kind.NEWS,
        publish_at=calendar.moment(-40, 9),
        contacts=[press_officer],
        tags=[tags["STCC"]],
        quotes=[
            (
                andreas,
                "I have missed the STCC. Coming back with a new car and a team that wants "
                "to win is exactly what I was looking for.",
            ),
        ],
    )
    release(
        newsroom,
        "ready-for-the-stcc-opener-at-ljungbyhed",
        title="Ready for the STCC opener at Ljungbyhed",
        lead="With a podium from Hockenheim behind them, Andreas Bäckman and Lestrup Racing "
        "Team head to Ljungbyhed for the first round of the STCC.",
        body=OPENER_BODY,
        kind=Kind.MEDIA_ADVISORY,
        publish_at=calendar.tomorrow_at(9),
        photo_sets=[opener_photos],
        documents=[opener_schedule],
        events=[ljungbyhed],
        contacts=[press_officer],
        tags=[tags["STCC"]],
        quotes=[
            (
                andreas,
                "Hockenheim gave us confidence and a lot of homework. Now we want to "
                "start the championship the same way.",
            ),
        ],
    )
    release(
        newsroom,
        "hockenheim-night-gallery",
        title="Gallery: the night stints at Hockenheim",
        lead="Photos from the night part of the 12-hour race.",
        body=NIGHT_GALLERY_BODY,
        kind=Kind.NEWS,
        status=Status.DRAFT,
        events=[hockenheim],
    )
    log(f"Newsroom “{newsroom}” ready: {hockenheim_release.get_absolute_url()}")
    return newsroom


# The team's newsroom ---------------------------------------------------------


TEAM_ABOUT = """\
Lestrup Racing Team is a Swedish touring-car team competing in the STCC and in \
international endurance racing with an Audi RS 3 LMS TCR.

Team photos may be used free of charge for editorial purposes, credited \
“Lestrup Racing Team”."""

TEAM_BODY = """\
<p>Lestrup Racing Team's new Audi RS 3 LMS TCR finished on the podium in its very first race: \
third in the TCR class of the Hankook 12h Hockenheimring.</p>
<p>Car #120, driven by Andreas Bäckman, Oliver Söderström, Emil Sällberg and Marcus Fluch, \
took pole position in the class and led early before a 20-minute repair in the pits. The crew \
fought back from sixth to third.</p>
<p>The team used the race to prepare for the STCC, which opens at Ljungbyhed.</p>"""


def load_team_newsroom(calendar, photo_size, log):
    newsroom, _ = Newsroom.objects.get_or_create(
        slug="lestrup-racing",
        defaults={
            "name": "Lestrup Racing Team",
            "tagline": "Touring cars · STCC · 24H Series",
            "about": TEAM_ABOUT,
            "language": "en",
            "default_credit": "Lestrup Racing Team",
            "default_license": License.EDITORIAL,
            "position": 2,
        },
    )
    add_logo(newsroom, "LESTRUP RACING", (20, 60, 130))
    fredrik = person(
        newsroom,
        "Fredrik Lestrup",
        title="co-founder",
        organisation="Lestrup Racing Team",
        portrait_seed=21,
    )
    person(newsroom, "Andreas Bäckman", title="driver", organisation="Lestrup Racing Team")
    press = person(
        newsroom,
        "Johan Berg",
        title="team manager and press contact",
        organisation="Lestrup Racing Team",
        email="press@lestrup-racing.example",
        phone="+46 70 765 43 21",
        is_press_contact=True,
    )
    hockenheim, ljungbyhed = race_events(newsroom, calendar)
    document(
        newsroom,
        "Lestrup Racing Team logo (vector)",
        DocumentKind.LOGO,
        "lestrup-racing-logo.svg",
        make_logo_svg("LESTRUP RACING", (20, 60, 130)),
        visibility=Visibility.PUBLIC,
    )
    team_photos = photo_set(
        newsroom,
        "audi-rs3-tcr-hockenheim",
        "The new Audi at Hockenheim",
        "The team's Audi RS 3 LMS TCR in its first race.",
        visibility=Visibility.PUBLIC,
        is_featured=True,
        photos=[
            (
                "team-garage.jpg",
                "pitlane",
                "In the garage",
                "The crew prepares car #120.",
                "Lestrup Racing Team",
                calendar.moment(-2, 10),
            ),
            (
                "team-on-track.jpg",
                "track",
                "On track",
                "Car #120 in free practice.",
                "Lestrup Racing Team",
                calendar.moment(-2, 14),
            ),
            (
                "team-podium.jpg",
                "podium",
                "Podium",
                "Third in class on debut.",
                "Lestrup Racing Team",
                calendar.moment(0, 21, 35),
            ),
        ],
        credit_license=License.EDITORIAL,
        photo_size=photo_size,
        log=log,
    )
    release(
        newsroom,
        "podium-on-debut-for-the-new-audi",
        title="Podium on debut for the new Audi at Hockenheim",
        lead="Third in the TCR class of the Hankook 12h Hockenheimring in the car's first race.",
        body=TEAM_BODY,
        kind=Kind.PRESS_RELEASE,
        publish_at=calendar.moment(0, 23),
        hero_photo=team_photos.photos.get(original_filename="team-on-track.jpg"),
        photo_sets=[team_photos],
        events=[hockenheim, ljungbyhed],
        contacts=[press],
        quotes=[
            (
                fredrik,
                "A podium first time out tells us the car is right. The small problems we "
                "had are exactly what a race like this is for, before the STCC starts.",
            ),
        ],
        results=[
            (hockenheim, "Qualifying", "TCR", Outcome.CLASSIFIED, 1),
            (hockenheim, "Race 1 (12 hours)", "TCR", Outcome.CLASSIFIED, 3),
        ],
    )
    log(f"Newsroom “{newsroom}” ready: {newsroom.get_absolute_url()}")
    return newsroom


# Building blocks ----------------------------------------------------------------


def race_events(newsroom, calendar):
    hockenheim, _ = Event.objects.get_or_create(
        newsroom=newsroom,
        slug="hankook-12h-hockenheimring",
        defaults={
            "name": "Hankook 12h Hockenheimring",
            "series": "24H Series",
            "venue": "Hockenheimring",
            "city": "Hockenheim",
            "country": "Germany",
            "starts_on": calendar.day(-2),
            "ends_on": calendar.day(0),
            "visibility": Visibility.PUBLIC,
        },
    )
    ljungbyhed, _ = Event.objects.get_or_create(
        newsroom=newsroom,
        slug="stcc-ljungbyhed",
        defaults={
            "name": "STCC season opener, Ljungbyhed",
            "series": "STCC",
            "city": "Ljungbyhed",
            "country": "Sweden",
            "starts_on": calendar.day(19),
            "ends_on": calendar.day(20),
            # The season calendar is announced: on the events page from the start.
            "visibility": Visibility.PUBLIC,
        },
    )
    return hockenheim, ljungbyhed


def person(newsroom, name, *, portrait_seed=None, **fields):
    found, created = Person.objects.get_or_create(newsroom=newsroom, name=name, defaults=fields)
    if created and portrait_seed is not None:
        data = make_photo(portrait_seed, scene="portrait", size=PORTRAIT_SIZE, artist=name)
        found.portrait.save(f"{name}.jpg", ContentFile(data))
    return found


def tag(newsroom, name):
    found, _ = Tag.objects.get_or_create(
        newsroom=newsroom, slug=slugify(name), defaults={"name": name}
    )
    return found


def add_logo(newsroom, text, colour):
    if not newsroom.logo:
        newsroom.logo.save(f"{newsroom.slug}-logo.png", ContentFile(make_logo(text, colour)))


def photo_set(
    newsroom,
    slug,
    title,
    description,
    *,
    visibility,
    photos,
    credit_license,
    photo_size,
    log,
    is_featured=False,
):
    found, _ = PhotoSet.objects.get_or_create(
        newsroom=newsroom,
        slug=slug,
        defaults={
            "title": title,
            "description": description,
            "visibility": visibility,
            "is_featured": is_featured,
        },
    )
    for position, (filename, scene, photo_title, caption, credit, taken_at) in enumerate(photos):
        if found.photos.filter(original_filename=filename).exists():
            continue
        size = PORTRAIT_SIZE if scene == "portrait" else photo_size
        log(f"  drawing {filename} ({size[0]}×{size[1]})")
        data = make_photo(
            position + len(slug),
            scene=scene,
            size=size,
            taken_at=taken_at,
            artist=credit,
            copyright=credit,
            description=caption,
        )
        Photo.objects.create(
            photo_set=found,
            image=ContentFile(data, name=filename),
            title=photo_title,
            caption=caption,
            credit=credit,
            copyright=f"© {credit} {taken_at:%Y}",
            license=credit_license,
            taken_at=taken_at,
            position=position,
        )
    return found


def document(newsroom, title, kind, filename, data, *, visibility):
    found = Document.objects.filter(newsroom=newsroom, original_filename=filename).first()
    if found is None:
        found = Document.objects.create(
            newsroom=newsroom,
            title=title,
            kind=kind,
            file=ContentFile(data, name=filename),
            visibility=visibility,
        )
    return found


def release(
    newsroom,
    slug,
    *,
    title,
    lead,
    body,
    kind,
    publish_at=None,
    status=Status.PUBLISHED,
    hero_photo=None,
    photo_sets=(),
    documents=(),
    events=(),
    contacts=(),
    tags=(),
    quotes=(),
    results=(),
):
    existing = PressRelease.objects.filter(newsroom=newsroom, slug=slug).first()
    if existing:
        return existing
    with transaction.atomic():
        created = PressRelease.objects.create(
            newsroom=newsroom,
            slug=slug,
            title=title,
            lead=lead,
            body=body,
            kind=kind,
            language=newsroom.language,
            status=status,
            publish_at=publish_at,
            hero_photo=hero_photo,
        )
        created.photo_sets.set(photo_sets)
        created.documents.set(documents)
        created.events.set(events)
        created.contacts.set(contacts)
        created.tags.set(tags)
        for position, (speaker, text) in enumerate(quotes):
            Quote.objects.create(release=created, speaker=speaker, text=text, position=position)
        for order, (event, session, category, outcome, position) in enumerate(results):
            Result.objects.create(
                release=created,
                event=event,
                session=session,
                category=category,
                entry="#120",
                outcome=outcome,
                position=position,
                order=order,
            )
    return created


def ensure_editor(newsrooms):
    """An editor who may publish in both demo newsrooms."""
    group, _ = Group.objects.get_or_create(name="Editors")
    if not group.permissions.exists():
        group.permissions.set(
            Permission.objects.filter(
                Q(content_type__app_label__in=["press", "passes", "alerts", "media"])
                | Q(content_type__app_label="newsroom", content_type__model="person")
                | Q(codename__in=["view_newsroom", "change_newsroom"])
            )
        )
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
