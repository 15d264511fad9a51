"""How the site's answers grow with the archive: 1k, 10k and 100k releases on PostgreSQL.

    DATABASE_URL=postgres://user:password@host/db .venv/bin/python bench/scale.py
        [--sizes 1000,10000,100000] [--repeat 5]

The database named by DATABASE_URL is migrated and emptied first: give it
one of its own. Releases are loaded the way a newsroom's archive looks
(quotes, results, tags, a hero photo in a photo set, drafts and scheduled
ones), each size adding to the one before. At each size every public page
type, feed, sitemap file and API call, and the admin's changelist, search and
save, is requested through the full middleware stack with Django's test
client, the page cache keeping nothing, and the median time of the repeats is
kept. The table gives each operation at each size and how much slower it got
from the smallest size to the largest; the last line is the worst of those
ratios against its goal (2×, search 3×).
"""

import argparse
import hashlib
import math
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = (1_000, 10_000, 100_000)
GOAL, SEARCH_GOAL = 2.0, 3.0
# Releases per photo set (the hero photos of a race weekend) and per event.
PER_SET = 25
BATCH = 5_000
TAGS = 200
# Every 20th release from the 4th is a draft, from the 14th scheduled: 10 % together.
DRAFT, SCHEDULED = 4, 14
COMMON_WORD, RARE_WORD = "race", "kinnekulle"
RARE_EVERY = 997
# After three repeats, a row stops repeating once it has taken this long.
ROW_SECONDS = 20

MAIN, OTHER = "team-scale", "driver-scale"
EDITOR = "scale-editor"


def configure(var_dir):
    """Settings for a run: the given PostgreSQL database, files in `var_dir`, no page cache."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "bench/scale.py measures PostgreSQL: set DATABASE_URL=postgres://… to a database "
            "of its own (it is migrated and emptied). SQLite is not what grows to 100k releases."
        )
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "VAR_DIR": var_dir,
            "SECRET_KEY": "benchmark-only",
            "ALLOWED_HOSTS": "testserver",
            "SITE_URL": "http://testserver",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "STATIC_ROOT": var_dir,
            # In-process cache: the page cache's lookup still runs, and misses.
            "CACHE_BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "NEWSROOM_PAGE_CACHE_SECONDS": "0",
        }
    )
    import django

    django.setup()
    from django.conf import settings

    settings.STORAGES["staticfiles"]["BACKEND"] = (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


# Content ------------------------------------------------------------------------------

SENTENCES = [
    "The team arrived at the circuit with a car that had been rebuilt over the winter.",
    "Qualifying was held in changing conditions, with rain at the end of the session.",
    "The race started cleanly and the car held its place through the first stint.",
    "A safety car period in the second hour bunched the field up again.",
    "The mechanics changed the brakes during a scheduled stop without losing time.",
    "Tyre wear was higher than expected in the heat of the afternoon.",
    "The drivers shared the car in stints of about ninety minutes each.",
    "Strategy was decided on the pit wall lap by lap as the weather changed.",
    "The gap to the leaders came down to a few seconds in the final hour.",
    "Night fell with the car running in the top five of its class.",
    "The next round takes the series to a faster track with long straights.",
    "Sponsors and partners followed the weekend from the hospitality area.",
    "Engineers will go through the data before the test next month.",
    "The result moves the team up in the championship standings.",
    "Fans gathered at the paddock fence for autographs after the race.",
    "A late penalty changed the order of the class podium.",
]
SESSIONS = ("Free Practice", "Qualifying", "Race 1 (12 hours)")
PEOPLE = [
    ("Andrea Berg", "racing driver", ""),
    ("Mikael Holm", "team principal", "Scale Racing"),
    ("Sara Lind", "race engineer", "Scale Racing"),
    ("Jonas Ek", "co-driver", ""),
    ("Lena Nyström", "press officer", "Scale Racing"),
    ("Peter Falk", "technical director", "Scale Racing"),
]
QUOTES = [
    "It was a hard race but the car was fast all weekend.",
    "We learnt a lot about the tyres and we will be back stronger.",
    "The crew did a perfect job in the pit stops tonight.",
    "A podium is what we came for, and we got it.",
    "The conditions changed every lap, so staying out of trouble was the key.",
]


def rng_for(n):
    return random.Random(n * 7919 + 17)


def release_fields(n):
    """The words of release number `n` (0 is the newest): headline, lead, body as HTML."""
    rng = rng_for(n)
    paragraphs = []
    for _ in range(6):
        words = " ".join(rng.sample(SENTENCES, 5))
        paragraphs.append(f"<p>{words}</p>")
    if n % RARE_EVERY == 3:
        paragraphs[2] = f"<p>The team tested at {RARE_WORD.title()} before the season.</p>"
    paragraphs[1] = paragraphs[1].replace("race", "<strong>race</strong>", 1)
    return {
        "title": f"Scale Racing report {n}: {rng.choice(SESSIONS)} at round {n % 12 + 1}",
        "lead": rng.choice(SENTENCES) + " " + rng.choice(SENTENCES),
        "body": "".join(paragraphs),
    }


def newsroom_of(n):
    """Nine photo sets' worth of releases in ten belong to the team, the tenth to the driver."""
    return OTHER if (n // PER_SET) % 10 == 9 else MAIN


def status_of(n):
    from press.models import Status

    if n % 20 == DRAFT:
        return Status.DRAFT
    return Status.PUBLISHED


class Loader:
    """Adds releases `[start, stop)` with everything they link to, in batches."""

    def __init__(self, now):
        self.now = now
        self.newest = now - timedelta(hours=1)

    def publish_at(self, n):
        if n % 20 == SCHEDULED:
            return self.now + timedelta(days=1 + n % 30)
        if n % 20 == DRAFT:
            return None
        return self.newest - timedelta(hours=n)

    # Once per database ------------------------------------------------------------

    def prepare(self):
        """Newsrooms, people, tags, the member editor and the files every photo shares."""
        from django.contrib.auth import get_user_model
        from django.core.files.base import ContentFile

        from media.models import Document, Photo, PhotoSet, Visibility
        from media.tasks import generate_renditions
        from newsroom.ground.models import License, Membership, Newsroom, Person, Role
        from press.models import Event, Tag
        from tests.factories import jpeg_bytes, our_permissions

        for position, (slug, name) in enumerate([(MAIN, "Scale Racing"), (OTHER, "Andrea Berg")]):
            newsroom = Newsroom.objects.create(
                slug=slug,
                name=name,
                position=position,
                about="We race touring cars.\n\nPhotos are free to use with credit.",
                default_credit="Scale Racing",
                default_license=License.FREE,
            )
            for number, (person, title, organisation) in enumerate(PEOPLE):
                Person.objects.create(
                    newsroom=newsroom,
                    name=person,
                    title=title,
                    organisation=organisation,
                    is_press_contact=number == 4,
                    email="press@scale.example" if number == 4 else "",
                    position=number,
                )
            Tag.objects.bulk_create(
                Tag(newsroom=newsroom, name=f"Topic {t}", slug=f"topic-{t}") for t in range(TAGS)
            )
            for ahead in range(3):
                day = self.now.date() + timedelta(days=30 * (ahead + 1))
                Event.objects.create(
                    newsroom=newsroom,
                    name=f"Coming round {ahead + 1}",
                    slug=f"coming-{ahead + 1}",
                    series="Scale Series",
                    starts_on=day,
                    ends_on=day + timedelta(days=2),
                    visibility=Visibility.PUBLIC,
                )
        editor = get_user_model().objects.create_user(
            EDITOR, "editor@scale.example", "scale-editor-password", is_staff=True
        )
        editor.user_permissions.set(our_permissions())
        # A publisher may change a live release: what a member of the newsroom saves daily.
        main = Newsroom.objects.get(slug=MAIN)
        Membership.objects.create(newsroom=main, user=editor, role=Role.PUBLISHER)
        # One real photo, rendered by the rendition task: every other photo shares its files.
        holder = PhotoSet.objects.create(
            newsroom=main, title="Files", slug="files", visibility=Visibility.PRIVATE
        )
        photo = Photo.objects.create(
            photo_set=holder,
            image=ContentFile(jpeg_bytes(1600, 1067), name="hero.jpg"),
            title="Template",
        )
        generate_renditions.call(photo.pk)
        document = Document(
            newsroom=main,
            title="Template",
            file=ContentFile(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n", "a.pdf"),
            visibility=Visibility.PRIVATE,
        )
        document.save()

    def shared_files(self):
        from media.models import Document, Photo

        template = Photo.objects.get(photo_set__slug="files")
        return template, list(template.renditions.all()), Document.objects.get(title="Template")

    # Releases -----------------------------------------------------------------------

    def load(self, start, stop, log=print):
        began = time.perf_counter()
        for first in range(start, stop, BATCH):
            self.load_batch(first, min(stop, first + BATCH))
            done = min(stop, first + BATCH)
            log(f"  loaded {done} releases ({time.perf_counter() - began:.0f} s)")
        self.bring_up_to_date(start, stop)
        from django.core.cache import cache

        cache.clear()
        return time.perf_counter() - began

    def load_batch(self, start, stop):
        from django.db import transaction

        from media.models import Document, Photo, PhotoSet, Rendition, Visibility
        from newsroom.ground.models import Newsroom, Person
        from press.models import Event, PressRelease, Quote, Result, Status, Tag

        newsrooms = {newsroom.slug: newsroom for newsroom in Newsroom.objects.all()}
        people = {
            slug: list(Person.objects.filter(newsroom__slug=slug).order_by("position"))
            for slug in newsrooms
        }
        tags = {
            slug: list(Tag.objects.filter(newsroom__slug=slug).order_by("pk"))
            for slug in newsrooms
        }
        template, renditions, document_file = self.shared_files()
        blocks = range(start // PER_SET, (stop - 1) // PER_SET + 1)
        with transaction.atomic():
            sets = {s.slug: s for s in PhotoSet.objects.filter(slug__startswith="weekend-")}
            events = {e.slug: e for e in Event.objects.filter(slug__startswith="weekend-")}
            new_sets, new_events = [], []
            for block in blocks:
                slug = f"weekend-{block}"
                newsroom = newsrooms[newsroom_of(block * PER_SET)]
                if slug not in sets:
                    new_sets.append(
                        PhotoSet(
                            newsroom=newsroom,
                            title=f"Round {block % 12 + 1}, weekend {block}",
                            slug=slug,
                            description="Photos from the weekend, free to use with credit.",
                            visibility=Visibility.WITH_RELEASE,
                            is_featured=block < 3,
                        )
                    )
                if slug not in events:
                    day = (self.newest - timedelta(hours=block * PER_SET + PER_SET)).date()
                    new_events.append(
                        Event(
                            newsroom=newsroom,
                            name=f"Round {block % 12 + 1} of weekend {block}",
                            slug=slug,
                            series="Scale Series",
                            venue="Ring",
                            city="Anderstorp",
                            country="Sweden",
                            starts_on=day - timedelta(days=1),
                            ends_on=day,
                            visibility=Visibility.WITH_RELEASE,
                        )
                    )
            for made in PhotoSet.objects.bulk_create(new_sets):
                sets[made.slug] = made
            for made in Event.objects.bulk_create(new_events):
                events[made.slug] = made

            photos = []
            for n in range(start, stop):
                photo = Photo(
                    photo_set=sets[f"weekend-{n // PER_SET}"],
                    image=template.image.name,
                    original_filename=f"hero-{n}.jpg",
                    image_format=template.image_format,
                    title=f"Hero of report {n}",
                    caption=f"The car on track during weekend {n // PER_SET}.",
                    credit="Scale Racing",
                    license=template.license,
                    width=template.width,
                    height=template.height,
                    bytes=template.bytes,
                    sha256=hashlib.sha256(f"scale-photo-{n}".encode()).hexdigest(),
                    position=n % PER_SET + 1,
                )
                photo.version = photo.rendered_version = photo.compute_version()
                photos.append(photo)
            photos = Photo.objects.bulk_create(photos, batch_size=2000)
            Rendition.objects.bulk_create(
                (
                    Rendition(
                        photo=photo,
                        size=r.size,
                        file=r.file.name,
                        version=photo.version,
                        width=r.width,
                        height=r.height,
                        bytes=r.bytes,
                        crc32=r.crc32,
                    )
                    for photo in photos
                    for r in renditions
                ),
                batch_size=5000,
            )

            releases, words = [], {}
            for n, photo in zip(range(start, stop), photos, strict=True):
                fields = release_fields(n)
                status = status_of(n)
                publish_at = self.publish_at(n)
                live = status == Status.PUBLISHED and publish_at <= self.now
                releases.append(
                    PressRelease(
                        newsroom=newsrooms[newsroom_of(n)],
                        slug=f"report-{n}",
                        hero_photo=photo,
                        status=status,
                        publish_at=publish_at,
                        first_published_at=publish_at if status == Status.PUBLISHED else None,
                        announced_at=publish_at if live else None,
                        **fields,
                    )
                )
                words[n] = fields
            releases = PressRelease.objects.bulk_create(releases, batch_size=2000)

            quotes, results, links = [], [], {"tags": [], "photo_sets": [], "documents": []}
            new_documents = []
            for n, release in zip(range(start, stop), releases, strict=True):
                slug = newsroom_of(n)
                rng = rng_for(n)
                for position, speaker in enumerate(rng.sample(people[slug], 2)):
                    quotes.append(
                        Quote(
                            release=release,
                            speaker=speaker,
                            text=rng.choice(QUOTES),
                            position=position,
                        )
                    )
                event = events[f"weekend-{n // PER_SET}"]
                for order, session in enumerate(SESSIONS):
                    results.append(
                        Result(
                            release=release,
                            event=event,
                            session=session,
                            category="TCR",
                            entry=f"#{100 + n % 50}",
                            position=rng.randint(1, 12),
                            order=order,
                        )
                    )
                for tag in rng.sample(tags[slug], 3):
                    links["tags"].append((release.pk, tag.pk))
                links["photo_sets"].append((release.pk, sets[f"weekend-{n // PER_SET}"].pk))
                if n % 100 == 0:
                    new_documents.append(
                        (
                            release,
                            Document(
                                newsroom=newsrooms[slug],
                                title=f"Fact sheet {n}",
                                description="Car, crew and schedule of the weekend.",
                                file=document_file.file.name,
                                original_filename="fact-sheet.pdf",
                                file_type=document_file.file_type,
                                content_type=document_file.content_type,
                                bytes=document_file.bytes,
                                sha256=hashlib.sha256(f"document-{n}".encode()).hexdigest(),
                                visibility=Visibility.WITH_RELEASE,
                            ),
                        )
                    )
            Quote.objects.bulk_create(quotes, batch_size=5000)
            Result.objects.bulk_create(results, batch_size=5000)
            made = Document.objects.bulk_create([d for _, d in new_documents])
            links["documents"] = [
                (release.pk, document.pk)
                for (release, _), document in zip(new_documents, made, strict=True)
            ]
            for name, pairs in links.items():
                through = PressRelease._meta.get_field(name).remote_field.through
                column = f"{PressRelease._meta.get_field(name).related_model._meta.model_name}_id"
                through.objects.bulk_create(
                    (
                        through(pressrelease_id=release_pk, **{column: other})
                        for release_pk, other in pairs
                    ),
                    batch_size=5000,
                )
            self.index(releases, words, quotes, results, events)

    def index(self, releases, words, quotes, results, events):
        """The search text and vector of each release, as `press.search.index_release` makes
        them, written with COPY and one UPDATE (its weights: headline A, lead B, body and
        quotes C, results D)."""
        from django.db import connection

        from newsroom.ground.models import Person
        from press.search import DICTIONARIES
        from press.text import body_text

        names = dict(Person.objects.values_list("pk", "name"))
        event_names = {event.pk: event.name for event in events.values()}
        said, given = {}, {}
        for quote in quotes:
            said.setdefault(quote.release_id, []).append(f"{quote.text} {names[quote.speaker_id]}")
        for result in results:
            given.setdefault(result.release_id, []).append(
                f"{event_names[result.event_id]} {result.session} {result.category} "
                f"{result.entry} {result.note}"
            )
        rows = []
        for release in releases:
            texts = {
                "A": release.title,
                "B": release.lead,
                "C": " ".join([body_text(release.body), *said[release.pk]]),
                "D": " ".join(given[release.pk]),
            }
            search_text = "\n".join(text for text in texts.values() if text)
            config = DICTIONARIES.get(release.language, "simple")
            rows.append((release.pk, config, search_text, *texts.values()))
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE scale_words (id bigint, config text, search_text text, "
                "a text, b text, c text, d text) ON COMMIT DROP"
            )
            with cursor.cursor.copy(
                "COPY scale_words (id, config, search_text, a, b, c, d) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
            vector = " || ".join(
                f"setweight(to_tsvector(w.config::regconfig, COALESCE(w.{column}, '')), "
                f"'{column.upper()}')"
                for column in "abcd"
            )
            cursor.execute(
                f"UPDATE press_pressrelease r SET search_text = w.search_text, "  # noqa: S608
                f"search_vector = {vector} FROM scale_words w WHERE r.id = w.id"
            )

    def bring_up_to_date(self, start, stop):
        """The public time of every set, document and event, as `sync_release_times` stores
        it: the earliest `publish_at` of the published releases that have it (through the
        release's sets or hero, documents, events or results)."""
        from django.db import connection, transaction

        statements = [
            """UPDATE media_photoset s SET released_at = t.first FROM (
                SELECT set_id, MIN(publish_at) AS first FROM (
                    SELECT l.photoset_id AS set_id, r.publish_at
                    FROM press_pressrelease_photo_sets l
                    JOIN press_pressrelease r ON r.id = l.pressrelease_id
                    WHERE r.status = 'published'
                    UNION ALL
                    SELECT p.photo_set_id, r.publish_at
                    FROM press_pressrelease r JOIN media_photo p ON p.id = r.hero_photo_id
                    WHERE r.status = 'published') linked
                GROUP BY set_id) t
            WHERE s.id = t.set_id AND s.released_at IS DISTINCT FROM t.first""",
            """UPDATE media_document d SET released_at = t.first FROM (
                SELECT l.document_id, MIN(r.publish_at) AS first
                FROM press_pressrelease_documents l
                JOIN press_pressrelease r ON r.id = l.pressrelease_id
                WHERE r.status = 'published' GROUP BY l.document_id) t
            WHERE d.id = t.document_id AND d.released_at IS DISTINCT FROM t.first""",
            """UPDATE press_event e SET released_at = t.first FROM (
                SELECT event_id, MIN(publish_at) AS first FROM (
                    SELECT l.event_id, r.publish_at FROM press_pressrelease_events l
                    JOIN press_pressrelease r ON r.id = l.pressrelease_id
                    WHERE r.status = 'published'
                    UNION ALL
                    SELECT x.event_id, r.publish_at FROM press_result x
                    JOIN press_pressrelease r ON r.id = x.release_id
                    WHERE r.status = 'published') linked
                GROUP BY event_id) t
            WHERE e.id = t.event_id AND e.released_at IS DISTINCT FROM t.first""",
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
            cursor.execute("ANALYZE")
        self.count_sitemap_months()

    def count_sitemap_months(self):
        """The sitemap's summary of months, as the project fills it when it has none: the
        load added releases to months it had counted, past its signals."""
        from press import sitemap_months
        from press.models import SitemapMonth

        SitemapMonth.objects.all().delete()
        sitemap_months.release_months()

    def check(self, sample=12):
        """What the load wrote is what the project's own code would write: re-run
        `index_release` and `sync_release_times` on a sample and compare, and count the
        sitemap's months from every live release."""
        from django.db import transaction

        from media.models import Document, PhotoSet
        from press.models import Event, PressRelease, decided_by, sync_release_times
        from press.search import index_release

        pks = list(PressRelease.objects.order_by("?").values_list("pk", flat=True)[:sample])
        fields = ["search_text", "search_vector", "body"]

        def stored():
            rows = PressRelease.objects.filter(pk__in=pks).order_by("pk")
            releases = [tuple(map(str, row)) for row in rows.values_list(*fields)]
            decided = decided_by(pks)
            times = [
                sorted(model.objects.filter(pk__in=chosen).values_list("pk", "released_at"))
                for model, chosen in (
                    (PhotoSet, decided.photo_sets),
                    (Document, decided.documents),
                    (Event, decided.events),
                )
            ]
            return releases, times, decided

        loaded, loaded_times, decided = stored()
        with transaction.atomic():
            for pk in pks:
                index_release(pk)
            sync_release_times(decided)
            again, again_times, _ = stored()
            transaction.set_rollback(True)
        if loaded != again or loaded_times != again_times:
            raise AssertionError("the loaded search index or release times differ from the code's")
        from press import sitemap_months

        if sitemap_months.release_months() != sitemap_months.count_months(
            sitemap_months.release_rows()
        ):
            raise AssertionError("the sitemap's months differ from a count of the live releases")
        body = PressRelease._meta.get_field("body")
        for row in PressRelease.objects.filter(pk__in=pks).values_list("body", flat=True):
            if body.sanitize(row) != row:
                raise AssertionError("a loaded body is not as the editor's sanitiser leaves it")
        return len(pks)


# Measuring -----------------------------------------------------------------------------

# Public routes of the URL conf not timed here, and why. Every other route must have an
# operation below: a new page fails the run until someone decides.
NOT_TIMED = {
    "favicon.ico": "a redirect to a static file",
    "media:photo-file": "a file download: bytes from storage (tests/test_serving.py)",
    "media:photoset-zip": "a ZIP download: its own benchmark, bench/zip.py",
    "media:document-file": "a file download: bytes from storage",
    "newsroom:logo": "a file download: the newsroom's logo",
    "newsroom:portrait": "a file download: a person's portrait",
    "passes:pass": "a preview pass renders one release as the release page does",
    "passes:pass-version": "another version of the pass's release, as the release page does",
    "passes:pass-calendar": "one release's events, through a preview pass",
    "passes:pass-photoset": "a photo set through a preview pass, as the public set page",
    "passes:pass-photo": "a photo through a preview pass, as the public photo page",
    "passes:pass-photo-file": "a file download through a preview pass",
    "passes:pass-photoset-zip": "a ZIP download through a preview pass",
    "passes:pass-document": "a file download through a preview pass",
    "passes:pass-selection-start": "a redirect to the pass's selection of the items given",
    "passes:pass-selection": "a preview pass's selection, by key, as the public one",
    "passes:pass-selection-zip": "a ZIP download through a preview pass",
    "alerts:follow": "a form that sends e-mail; reads no archive",
    "alerts:confirm": "a signed link that confirms one follower",
    "alerts:unsubscribe": "a signed link that removes one follower",
    "api:not-found": "the API's 404 for unknown addresses",
    "media:selection-start": "a redirect to the address of the items it is given",
    "media:selection": "reads the items its address names, by key",
    "media:selection-zip": "a ZIP of the items its address names, by key",
    "media:video-detail": "one video by key, as the photo page (the archive has no videos)",
    "media:video-file": "a file download: bytes from storage",
    "media:subtitle-file": "one subtitle file by key",
    "passes:pass-video": "a video through a preview pass, as the public video page",
    "passes:pass-video-file": "a file download through a preview pass",
    "passes:pass-subtitle-file": "a subtitle file through a preview pass",
}
# The operations judged against the search goal.
SEARCH_ROWS = {"search, common word", "search, rare word", "admin release search"}


def last_page(client, url):
    """The list's last page: the one its "Page 1 of N" names, or else the deepest its page
    links reach when followed."""
    html = client.get(url).content.decode()
    if counted := re.search(r"Page 1 of (\d+)", html):
        return f"{url}?page={counted[1]}"
    number = 1
    for _ in range(50):
        links = [int(n) for n in re.findall(r"[?&;]page=(\d+)", html)]
        if not links or max(links) <= number:
            break
        number = max(links)
        html = client.get(f"{url}?page={number}").content.decode()
    return f"{url}?page={number}"


def api_last_page(client, url):
    """The API list's last page: numbered pages jump there; cursors are followed once."""
    data = client.get(url).json()
    following = data.get("next")
    if not following:
        return url
    query = parse_qs(urlsplit(following).query)
    if "page" in query and "count" in data:
        pages = math.ceil(data["count"] / max(1, len(data["results"])))
        return f"{url}{'&' if '?' in url else '?'}page={pages}"
    address = urlsplit(following)
    return f"{address.path}?{address.query}"


def fullest_release_file():
    """The sitemap file of the month in which the team's newsroom published most releases."""
    from collections import Counter

    from newsroom.ground.models import Newsroom
    from press import sitemaps

    newsroom = Newsroom.objects.get(slug=MAIN)
    rows = sitemaps.SECTIONS["releases"].rows(newsroom).values_list("listed_at", flat=True)
    month, _count = Counter(map(sitemaps.Month.of, rows)).most_common(1)[0]
    return sitemaps.SECTIONS["releases"].paths(MAIN)(month)


class Operations:
    """Everything timed, named as the table names it, each a function of no arguments that
    makes one request (or one change) and checks its answer."""

    def __init__(self):
        from django.test import Client

        self.public = Client()
        self.member = Client()
        self.sample = self.choose()
        self.form = None
        self.restore = None

    def choose(self):
        from django.contrib.auth import get_user_model

        from media.models import PhotoSet
        from press.models import Event, PressRelease, Tag

        self.member.force_login(get_user_model().objects.get(username=EDITOR))
        live = PressRelease.objects.live().filter(newsroom__slug=MAIN)
        release = live.order_by("-publish_at").first()
        tag = Tag.objects.filter(newsroom__slug=MAIN, releases=release).order_by("pk").first()
        photo_set = PhotoSet.objects.public().filter(newsroom__slug=MAIN).order_by("pk").first()
        event = Event.objects.public().filter(slug__startswith="weekend-", newsroom__slug=MAIN)
        return {
            "release": release,
            "tag": tag,
            "year": release.publish_at.year,
            "photo_set": photo_set,
            "photo": photo_set.photos.order_by("position").first(),
            "event": event.order_by("pk").first(),
            # Sets of the newsroom's oldest weekends, added to a recent release and taken off.
            "more_sets": list(
                PhotoSet.objects.filter(newsroom__slug=MAIN, slug__startswith="weekend-")
                .order_by("-pk")
                .values_list("pk", flat=True)[:3]
            ),
        }

    def get(self, url, client=None, status=200):
        def request():
            response = (client or self.public).get(url)
            if response.status_code != status:
                raise AssertionError(f"{url}: {response.status_code}, not {status}")
            if response.streaming:
                b"".join(response.streaming_content)

        request.url = url
        return request

    def routes(self):
        """(route name, operation name, url) for every timed public route."""
        from django.urls import reverse

        from tests.factories import sitemap_files

        s = self.sample
        release, photo_set, event = s["release"], s["photo_set"], s["event"]
        room = {"newsroom": MAIN}
        kind = release.kind
        releases = reverse("press:release-list", kwargs=room)
        section = fullest_release_file()
        assert section in sitemap_files(self.public), section
        api_releases = reverse("api:release-list")
        return [
            ("newsroom:site-root", "site root", reverse("newsroom:site-root")),
            ("newsroom:home", "home", reverse("newsroom:home", kwargs=room)),
            ("newsroom:contacts", "contacts", reverse("newsroom:contacts", kwargs=room)),
            ("press:release-list", "release list, page 1", releases),
            (None, "release list, last page", last_page(self.public, releases)),
            (
                None,
                "release list, tag and year",
                f"{releases}?tag={s['tag'].slug}&year={s['year']}",
            ),
            ("press:release-detail", "release page", release.get_absolute_url()),
            (
                "press:release-text",
                "release as text",
                reverse("press:release-text", kwargs={**room, "slug": release.slug}),
            ),
            (
                "press:release-markdown",
                "release as Markdown",
                reverse("press:release-markdown", kwargs={**room, "slug": release.slug}),
            ),
            ("media:photoset-list", "media kit", reverse("media:photoset-list", kwargs=room)),
            (
                "media:document-list",
                "document list, last page",
                last_page(self.public, reverse("media:document-list", kwargs=room)),
            ),
            ("media:photoset-detail", "photo set", photo_set.get_absolute_url()),
            ("media:photo-detail", "photo page", s["photo"].get_absolute_url()),
            ("press:event-list", "event list", reverse("press:event-list", kwargs=room)),
            ("press:event-detail", "event page", event.get_absolute_url()),
            (
                "press:event-calendar",
                "event calendar",
                reverse("press:event-calendar", kwargs=room),
            ),
            ("search", "search form", reverse("search")),
            (None, "search, common word", f"{reverse('search')}?q={COMMON_WORD}"),
            (None, "search, rare word", f"{reverse('search')}?q={RARE_WORD}"),
            ("press:site-rss", "site RSS", reverse("press:site-rss")),
            ("press:site-atom", "site Atom", reverse("press:site-atom")),
            ("press:rss", "newsroom RSS", reverse("press:rss", kwargs=room)),
            ("press:atom", "newsroom Atom", reverse("press:atom", kwargs=room)),
            (
                "press:tag-rss",
                "tag RSS",
                reverse("press:tag-rss", kwargs={**room, "tag": s["tag"].slug}),
            ),
            (
                "press:tag-atom",
                "tag Atom",
                reverse("press:tag-atom", kwargs={**room, "tag": s["tag"].slug}),
            ),
            (
                "press:kind-rss",
                "kind RSS",
                reverse("press:kind-rss", kwargs={**room, "kind": "release"}),
            ),
            (
                "press:kind-atom",
                "kind Atom",
                reverse("press:kind-atom", kwargs={**room, "kind": kind}),
            ),
            ("sitemap", "sitemap index", reverse("sitemap")),
            ("sitemap-site", "sitemap, site file", reverse("sitemap-site")),
            ("sitemap-section", "sitemap, fullest month of releases", section),
            ("robots", "robots.txt", reverse("robots")),
            ("api:index", "API index", reverse("api:index")),
            ("api:openapi", "API description", reverse("api:openapi")),
            ("api:release-list", "API release list, page 1", api_releases),
            (None, "API release list, last page", api_last_page(self.public, api_releases)),
            (
                "api:release-detail",
                "API release",
                reverse("api:release-detail", kwargs={**room, "slug": release.slug}),
            ),
            ("api:photoset-list", "API photo sets", reverse("api:photoset-list")),
            (
                "api:photoset-detail",
                "API photo set",
                reverse("api:photoset-detail", args=[photo_set.pk]),
            ),
            ("api:event-list", "API events", reverse("api:event-list")),
            ("api:event-detail", "API event", reverse("api:event-detail", args=[event.pk])),
        ]

    def all(self):
        """[(name, operation)]: the public routes, then the admin's work as the member."""
        from django.urls import reverse

        from tests.factories import public_routes

        routes = self.routes()
        covered = {route for route, _, _ in routes if route} | set(NOT_TIMED)
        forgotten = sorted(set(public_routes()) - covered)
        if forgotten:
            raise SystemExit(
                "Public routes neither timed nor named in NOT_TIMED: " + ", ".join(forgotten)
            )
        operations = [(name, self.get(url)) for _, name, url in routes]
        changelist = reverse("admin:press_pressrelease_changelist")
        operations += [
            ("admin changelist", self.get(changelist, self.member)),
            ("admin release search", self.get(f"{changelist}?q={COMMON_WORD}", self.member)),
            ("admin release save", self.save_release),
            ("adding photo sets to a release", self.add_photo_sets),
        ]
        return operations

    def change_form(self):
        """(address, data) of a live release's change form as the member sees it, inlines
        and all, read once from the rendered forms (untimed): posting back the same data
        is the save that is timed."""
        from django.template import Template
        from django.test.utils import instrumented_test_render
        from django.urls import reverse

        from tests.factories import admin_form_data

        url = reverse("admin:press_pressrelease_change", args=[self.sample["release"].pk])
        plain, Template._render = Template._render, instrumented_test_render
        try:
            data = admin_form_data(self.member.get(url))  # the test client keeps the context
        finally:
            Template._render = plain
        return url, {**data, "_save": "Save"}

    def save_release(self):
        """The change form posted back as the member: the release and its inlines saved."""
        if self.form is None:
            self.form = self.change_form()
        url, data = self.form
        response = self.member.post(url, data)
        if response.status_code != 302:
            raise AssertionError(f"the release was not saved: {response.status_code}")

    def add_photo_sets(self):
        """`photo_sets.set()` with three more sets, committed (the after-commit work runs too);
        the release gets its own sets back afterwards, untimed."""
        from django.db import transaction

        release = self.sample["release"]
        own = list(release.photo_sets.values_list("pk", flat=True))
        with transaction.atomic():
            release.photo_sets.set(own + self.sample["more_sets"])
        self.restore = lambda: release.photo_sets.set(own)


def timed(operation, repeat):
    """Median seconds of `repeat` runs; only three once a row has taken ROW_SECONDS."""
    samples, spent = [], 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        operation()
        took = time.perf_counter() - start
        restore(operation)
        samples.append(took)
        spent += took
        if len(samples) >= 3 and spent > ROW_SECONDS:
            break
    return statistics.median(samples)


def restore(operation):
    owner = getattr(operation, "__self__", None)
    if owner is not None and getattr(owner, "restore", None):
        owner.restore()
        owner.restore = None


def measure(repeat, log=print):
    """{operation name: median seconds} at the database's current size."""
    operations = Operations().all()
    # One pass over everything first: templates compiled, the database's caches warm for
    # every row alike, whatever loading left behind.
    for _, operation in operations:
        operation()
        restore(operation)
    figures = {}
    for name, operation in operations:
        figures[name] = timed(operation, repeat)
        log(f"  {name}: {figures[name] * 1000:.1f} ms")
    return figures


def table(sizes, figures):
    """The Markdown table: one row per operation, ms at each size, and the ratio of the
    largest size to the smallest."""
    first, last = sizes[0], sizes[-1]
    ratio = f"× {last // 1000}k / {first // 1000}k" if first >= 1000 else f"× {last} / {first}"
    lines = [
        "| operation | " + " | ".join(label(size) + ", ms" for size in sizes) + f" | {ratio} |",
        "| --- |" + " --- |" * (len(sizes) + 1),
    ]
    for name in figures[first]:
        cells = [f"{figures[size][name] * 1000:.1f}" for size in sizes]
        lines.append(
            f"| {name} | " + " | ".join(cells) + f" | {growth(figures, sizes, name):.2f} |"
        )
    return "\n".join(lines)


def label(size):
    return f"{size // 1000}k" if size >= 1000 and size % 1000 == 0 else str(size)


def growth(figures, sizes, name):
    return figures[sizes[-1]][name] / figures[sizes[0]][name]


def headline(sizes, figures):
    """The row that grew most against its goal, and whether it meets it."""

    def against_goal(name):
        return growth(figures, sizes, name) / goal(name)

    worst = max(figures[sizes[0]], key=against_goal)
    ratio = growth(figures, sizes, worst)
    verdict = "meets" if ratio <= goal(worst) else "misses"
    return (
        f"worst growth {label(sizes[0])} → {label(sizes[-1])}: {ratio:.2f}× ({worst}), "
        f"{verdict} its goal of {goal(worst):g}×"
    )


def goal(name):
    return SEARCH_GOAL if name in SEARCH_ROWS else GOAL


def reset_database():
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)


def run(sizes, repeat, log=print):
    """Load each size on top of the last and measure it; returns {size: figures}."""
    from django.utils import timezone

    loader = Loader(timezone.now())
    loader.prepare()
    figures, loaded = {}, 0
    for size in sizes:
        log(f"{label(size)} releases:")
        took = loader.load(loaded, size, log=log)
        loaded = size
        log(f"  load: {took:.0f} s; {loader.check()} releases checked against the project's code")
        figures[size] = measure(repeat, log=log)
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, SIZES)),
        help="release counts, comma-separated, each at least the one before",
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per row (median)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    if sizes != sorted(sizes) or len(set(sizes)) != len(sizes):
        parser.error("--sizes must grow: 1000,10000,100000")
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as var_dir:
        configure(var_dir)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            server = cursor.fetchone()[0].split(" on ")[0]
        print(f"{server}; Python {sys.version.split()[0]}")
        reset_database()
        figures = run(sizes, args.repeat)
        print(f"\nwhole run: {(time.perf_counter() - began) / 60:.1f} min\n")
        print(table(sizes, figures))
        print()
        print(headline(sizes, figures))


if __name__ == "__main__":
    main()
