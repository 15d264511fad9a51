"""Time the lists at two archive sizes on PostgreSQL: how much each grows from small to large.

    DATABASE_URL=postgres://… .venv/bin/python bench/lists.py [--small 1000] [--large 20000]

Fills the database (it must be empty; it is migrated first) with two
newsrooms of live releases with bodies of about 8 KB and three tags each from
a pool of 200, spread over ten years, and photo sets (one for every 25
releases). Then times each list as a journalist or a client reaches it, the
page cache off: the release list's first and deepest page, a year's list, the
media kit, a feed, and the API's first page and a page deep in the archive
(by cursor). Next to them, as a reference, the forms these lists had before:
the tag and year choices read from every live row, and the API's last page by
OFFSET over wide rows. Each line prints large / small; the last line is the
headline: the largest growth of any list.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = ["race", "team", "driver", "podium", "qualifying", "endurance", "circuit", "lap"]


def configure(var_dir):
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "VAR_DIR": var_dir,
            "SECRET_KEY": "benchmark-only",
            "ALLOWED_HOSTS": "testserver",
            "SITE_URL": "http://testserver",
            "SECURE_SSL_REDIRECT": "0",
            "NEWSROOM_PAGE_CACHE_SECONDS": "0",
            "STATIC_ROOT": var_dir,
        }
    )
    import django

    django.setup()
    from django.conf import settings

    settings.STORAGES["staticfiles"]["BACKEND"] = (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )


def fill(slug, count, rng):
    from media.models import PhotoSet, Visibility
    from newsroom.ground.models import Newsroom
    from press.models import PressRelease, Status, Tag

    newsroom = Newsroom.objects.create(name=slug.title(), slug=slug)
    tags = Tag.objects.bulk_create(
        Tag(newsroom=newsroom, name=f"Tag {n}", slug=f"tag-{n}") for n in range(200)
    )
    start = datetime(2016, 1, 1, tzinfo=UTC)
    span = (datetime(2026, 1, 1, tzinfo=UTC) - start).total_seconds()
    Through = PressRelease.tags.through
    for offset in range(0, count, 2000):
        batch = []
        for n in range(offset, min(count, offset + 2000)):
            moment = start + timedelta(seconds=rng.random() * span)
            paragraph = " ".join(rng.choice(WORDS) for _ in range(60))
            batch.append(
                PressRelease(
                    newsroom=newsroom,
                    title=f"Release {n} {rng.choice(WORDS)}",
                    slug=f"release-{n}",
                    lead=paragraph[:200],
                    body="".join(f"<p>{paragraph}</p>" for _ in range(20)),
                    search_text=paragraph * 20,
                    status=Status.PUBLISHED,
                    publish_at=moment,
                    first_published_at=moment,
                )
            )
        releases = PressRelease.objects.bulk_create(batch)
        Through.objects.bulk_create(
            Through(pressrelease_id=release.pk, tag_id=tag.pk)
            for release in releases
            for tag in rng.sample(tags, 3)
        )
    PhotoSet.objects.bulk_create(
        PhotoSet(
            newsroom=newsroom, title=f"Set {n}", slug=f"set-{n}", visibility=Visibility.PUBLIC
        )
        for n in range(count // 25)
    )
    return newsroom


def timed(work, repeat):
    work()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def measurements(client, newsroom):
    """{name: callable} for one newsroom: the lists as they are now, and the old forms."""
    from django.core.paginator import Paginator

    from press import views
    from press.api import views as api
    from press.api.pages import FORWARD, encode
    from press.models import PressRelease, Tag

    def get(url):
        def work():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return work

    slug = newsroom.slug
    live = PressRelease.objects.live().filter(newsroom=newsroom)
    deep = live.order_by("-publish_at", "-pk")[live.count() - 21]
    cursor = encode(FORWARD, api.NEWEST_RELEASES.key(deep))

    def old_choices():
        list(Tag.objects.filter(releases__in=live).distinct())
        list(live.datetimes("publish_at", "year", order="DESC"))

    def new_choices():
        list(newsroom.tags.used_by(live))
        live.years()

    def old_api_last_page():
        paginator = Paginator(api.live_releases().filter(newsroom=newsroom), 20)
        list(paginator.page(paginator.num_pages).object_list)

    return {
        "release list, page 1": get(f"/{slug}/releases/"),
        "release list, deepest page": get(f"/{slug}/releases/?page={views.RELEASE_PAGES}"),
        "release list, a year": get(f"/{slug}/releases/?year=2020&page=3"),
        "media kit, page 1": get(f"/{slug}/photos/"),
        "RSS feed": get(f"/{slug}/releases/feed.rss"),
        "API releases, first page": get(f"/api/releases/?newsroom={slug}"),
        "API releases, last page by cursor": get(
            f"/api/releases/?newsroom={slug}&cursor={cursor}"
        ),
        "tag and year choices": new_choices,
        "(before) tag and year choices": old_choices,
        "(before) API last page by OFFSET": old_api_last_page,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to an empty PostgreSQL database.")
    with tempfile.TemporaryDirectory() as var_dir:
        configure(var_dir)
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        call_command("migrate", verbosity=0)
        rng = random.Random(7)
        small, large = fill("small", args.small, rng), fill("large", args.large, rng)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        client = Client()
        times = {}
        for newsroom in (small, large):
            for name, work in measurements(client, newsroom).items():
                times.setdefault(name, []).append(timed(work, args.repeat))
        print(f"{args.small} → {args.large} releases, medians of {args.repeat}:")
        for name, (at_small, at_large) in times.items():
            print(
                f"{name}: {at_small * 1000:.1f} ms → {at_large * 1000:.1f} ms "
                f"({at_large / at_small:.2f}×)"
            )
        growth = {name: b / a for name, (a, b) in times.items() if not name.startswith("(")}
        worst = max(growth, key=growth.get)
        print(
            f"largest growth of a list, {args.small} → {args.large} releases: "
            f"{growth[worst]:.2f}× ({worst})"
        )


if __name__ == "__main__":
    main()
