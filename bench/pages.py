"""Time the public pages against a bare Django view, in one process, on the demo content.

    .venv/bin/python bench/pages.py [--requests 300]

Every request goes through the full middleware stack with Django's test
client (no network), against a fresh SQLite database holding the demo
newsrooms. The reference is the site's smallest view (the favicon redirect),
so the ratios say what each page costs on top of Django itself. Each page is
timed twice: rendered on every request (the server's page cache turned off)
and served from the page cache (the default: the shared database cache). The
last line is the headline: how much faster the cache serves the release page
than rendering it.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


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


def timed(client, url, requests):
    """Median seconds per request over `requests` requests, after a warm-up."""
    for _ in range(10):
        client.get(url)
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(requests // 5):
            response = client.get(url)
        samples.append((time.perf_counter() - start) / (requests // 5))
        assert response.status_code in (200, 301), (url, response.status_code)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
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
        bare = timed(client, "/favicon.ico", args.requests)
        pages = {
            "release page": release.get_absolute_url(),
            "newsroom home": "/andreas-backman/",
            "release list": "/andreas-backman/releases/",
            "photo set": "/andreas-backman/photos/hockenheim-12h/",
        }
        from django.conf import settings

        print(f"bare view: {bare * 1000:.2f} ms per request")
        keep = settings.NEWSROOM_PAGE_CACHE_SECONDS
        settings.NEWSROOM_PAGE_CACHE_SECONDS = 0  # nothing is stored: every request renders
        rendered = {name: timed(client, url, args.requests) for name, url in pages.items()}
        settings.NEWSROOM_PAGE_CACHE_SECONDS = keep
        cached = {name: timed(client, url, args.requests) for name, url in pages.items()}
        for name in pages:
            print(
                f"{name}: rendered {rendered[name] * 1000:.2f} ms "
                f"({rendered[name] / bare:.1f}× a bare view), "
                f"from the cache {cached[name] * 1000:.2f} ms ({cached[name] / bare:.1f}×)"
            )
        print(
            "release page, rendered / from the page cache: "
            f"{rendered['release page'] / cached['release page']:.1f}"
        )


if __name__ == "__main__":
    main()
