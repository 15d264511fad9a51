"""Time the public pages against a bare Django view, in one process, on the demo content.

    .venv/bin/python bench/pages.py [--requests 700] [--code OTHER_CHECKOUT]

Every request goes through the full middleware stack with Django's test
client (no network), against a fresh SQLite database holding the demo
newsrooms. The reference is the site's smallest view (the favicon redirect),
so the ratios say what each page costs on top of Django itself. Each page is
timed twice: rendered on every request (the server's page cache set to keep
nothing, so each request looks the page up, misses and renders) and served
from the page cache (the default: the shared database cache). `--code` times
another checkout's code (an older commit, in a second worktree) with this
script, so two versions can be compared by the same measurement. The last
line is the headline: the release page against the bare view, rendered and
from the cache.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def configure(var_dir):
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "VAR_DIR": var_dir,
            "SECRET_KEY": "benchmark-only",
            "ALLOWED_HOSTS": "testserver",
            "SITE_URL": "http://testserver",
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": f"sqlite:///{var_dir}/bench.sqlite3",
            "STATIC_ROOT": var_dir,
        }
    )
    import django

    django.setup()
    from django.conf import settings

    settings.STORAGES["staticfiles"]["BACKEND"] = (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )


def timed(client, cases, requests, rounds=7):
    """Median CPU seconds per request of each case, {name: seconds}.

    A case is (name, url, page cache seconds). The cases take turns, a batch of
    requests each, for `rounds` rounds, so a slow spell of the machine falls on
    all of them alike; each batch starts with a few requests that are not timed
    (the first one after the cache setting changed stores the page). CPU time
    of this process, which does all the work (client, server and SQLite), is
    what other programs on a shared machine disturb least.
    """
    from django.conf import settings
    from django.core.cache import cache

    samples = {name: [] for name, _url, _keep in cases}
    batch = max(1, requests // rounds)
    for _ in range(rounds):
        for name, url, keep in cases:
            settings.NEWSROOM_PAGE_CACHE_SECONDS = keep
            if not keep:
                cache.clear()  # what another case kept would be found
            for _ in range(3):
                client.get(url)
            start = time.process_time()
            for _ in range(batch):
                response = client.get(url)
            samples[name].append((time.process_time() - start) / batch)
            assert response.status_code in (200, 301), (url, response.status_code)
    return {name: statistics.median(times) for name, times in samples.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=700, help="per case, in all rounds")
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout to time")
    args = parser.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    with tempfile.TemporaryDirectory() as var_dir:
        configure(var_dir)
        from django.core.management import call_command
        from django.test import Client

        from newsroom.site.demo import loader
        from press.models import PressRelease

        call_command("migrate", verbosity=0)
        loader.load(photo_size=(1200, 800))
        release = PressRelease.objects.live().get(slug="backman-third-in-the-hockenheim-12-hours")
        client = Client()
        pages = {  # in the newsroom's own language, as its links give them
            "release page": release.get_absolute_url(),
            "newsroom home": "/en/andreas-backman/",
            "release list": "/en/andreas-backman/releases/",
            "photo set": "/en/andreas-backman/photos/hockenheim-12h/",
        }
        from django.conf import settings

        keep = settings.NEWSROOM_PAGE_CACHE_SECONDS
        cases = [("bare", "/favicon.ico", keep)]
        for name, url in pages.items():
            cases.append((f"{name} rendered", url, 0))  # nothing is stored: every request renders
            cases.append((f"{name} cached", url, keep))
        times = timed(client, cases, args.requests)
        settings.NEWSROOM_PAGE_CACHE_SECONDS = keep
        bare = times["bare"]
        print(f"bare view: {bare * 1000:.3f} ms per request")
        for name in pages:
            rendered, cached = times[f"{name} rendered"], times[f"{name} cached"]
            print(
                f"{name}: rendered {rendered * 1000:.2f} ms "
                f"({rendered / bare:.1f}× a bare view), "
                f"from the cache {cached * 1000:.3f} ms ({cached / bare:.2f}×)"
            )
        rendered, cached = times["release page rendered"], times["release page cached"]
        print(
            f"release page, × a bare view: rendered {rendered / bare:.1f}, "
            f"from the page cache {cached / bare:.2f}"
        )


if __name__ == "__main__":
    main()
