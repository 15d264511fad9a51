"""Lighthouse scores of every indexable public page type, on a phone, served as in production.

    .venv/bin/python bench/lighthouse.py [--runs 3] [--port 8765]

Loads the demo newsrooms (full-size camera photos) into a fresh SQLite
database and media folder, collects the static files, and serves them with
gunicorn and DEBUG off (WhiteNoise serving the static files, as in
production) on a loopback port. Lighthouse (bench/package.json, installed
with `npm ci` on the first run) then audits each page with its default
mobile emulation (a mid-range phone, simulated slow 4G) in Debian's
Chromium. Each page is audited `--runs` times; the table gives the medians
of performance, accessibility, best practices and SEO, and of the largest
contentful paint. The last line is the headline: the lowest performance.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
LIGHTHOUSE = BENCH / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
sys.path.insert(0, str(ROOT))


def environment(var_dir, port):
    """Production settings, but plain HTTP on a loopback port and SQLite in `var_dir`."""
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "0",
        "VAR_DIR": var_dir,
        "SECRET_KEY": "benchmark-only",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": f"sqlite:///{var_dir}/bench.sqlite3",
        "STATIC_ROOT": f"{var_dir}/static",
    }


def load_demo():
    """The demo content, made in this process; returns {page type: path}."""
    import django

    django.setup()
    from django.core.management import call_command

    from media.models import PhotoSet
    from newsroom.site.demo import loader
    from press.models import Event, PressRelease

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    loader.load()
    release = PressRelease.objects.live().get(slug="backman-third-in-the-hockenheim-12-hours")
    photo_set = PhotoSet.objects.public().filter(newsroom=release.newsroom).first()
    event = Event.objects.public().filter(newsroom=release.newsroom, results__isnull=False)
    return {
        "newsrooms (front page)": "/",
        "newsroom home": release.newsroom.get_absolute_url(),
        "release list": f"/{release.newsroom.slug}/releases/",
        "release page": release.get_absolute_url(),
        "events": f"/{release.newsroom.slug}/events/",
        "event page": event.distinct().first().get_absolute_url(),
        "media kit": f"/{release.newsroom.slug}/photos/",
        "photo set": photo_set.get_absolute_url(),
        "photo page": photo_set.photos.first().get_absolute_url(),
        "press contacts": f"/{release.newsroom.slug}/contacts/",
    }


def serve(env, port):
    """gunicorn, two workers (one per core), as the README's production setup runs it."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "newsroom.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def lighthouse(url, chrome, output, tries=3):
    """(the four category scores and the LCP, the audits short of full marks) of one run."""
    for attempt in range(tries):
        # Lighthouse now and then loses the page's trace (NO_NAVSTART): run it again.
        done = run_lighthouse(url, chrome, output)
        if done.returncode == 0:
            break
        print(f"lighthouse failed (try {attempt + 1}): {done.stderr[-300:]}", file=sys.stderr)
    else:
        raise SystemExit(f"Lighthouse failed {tries} times on {url}")
    return read_report(output)


def run_lighthouse(url, chrome, output):
    return subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={output}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--chrome-flags=--headless=new --no-sandbox",
        ],
        capture_output=True,
        text=True,
        env=os.environ | {"CHROME_PATH": chrome},
        timeout=300,
    )


def read_report(output):
    report = json.loads(Path(output).read_text())
    scores = {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}
    scores["lcp"] = report["audits"]["largest-contentful-paint"]["numericValue"]
    failing = [
        audit_id
        for name in CATEGORIES[1:]
        for ref in report["categories"][name]["auditRefs"]
        if ref["weight"] and (audit := report["audits"][ref["id"]])["score"] not in (None, 1)
        for audit_id in [audit["id"]]
    ]
    return scores, failing


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--reports", help="a folder to keep Lighthouse's JSON reports in")
    parser.add_argument("--only", action="append", help="audit only this page type (repeatable)")
    args = parser.parse_args()
    chrome = os.environ.get("CHROME_PATH") or shutil.which("chromium")
    if not chrome:
        raise SystemExit("Chromium is not installed (Debian: apt install chromium).")
    if not LIGHTHOUSE.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=BENCH, check=True)

    with tempfile.TemporaryDirectory() as var_dir:
        env = environment(var_dir, args.port)
        os.environ.update(env)
        pages = load_demo()
        if args.only:
            pages = {name: path for name, path in pages.items() if name in args.only}
        reports = Path(args.reports or var_dir)
        reports.mkdir(parents=True, exist_ok=True)
        server = serve(env, args.port)
        try:
            results = {}
            for name, path in pages.items():
                runs, failing = [], set()
                for run in range(args.runs):
                    stem = "".join(c if c.isalnum() else "-" for c in name)
                    output = reports / f"{stem}-{run}.json"
                    scores, failed = lighthouse(
                        f"http://127.0.0.1:{args.port}{path}", chrome, output
                    )
                    runs.append(scores)
                    failing.update(failed)
                results[name] = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
                results[name]["failing"] = sorted(failing)
                print(name, path, results[name], file=sys.stderr)
        finally:
            server.terminate()
            server.wait(timeout=30)

    print(f"Lighthouse, mobile, medians of {args.runs} runs")
    print("| page | performance | accessibility | best practices | SEO | LCP, s |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, scores in results.items():
        figures = [scores[category] for category in CATEGORIES]
        print(f"| {name} | " + " | ".join(f"{figure:.0f}" for figure in figures), end=" ")
        print(f"| {scores['lcp'] / 1000:.1f} |")
    for name, scores in results.items():
        if scores["failing"]:
            print(f"{name}: audits short of full marks: {', '.join(scores['failing'])}")
    lowest = min(results, key=lambda name: results[name]["performance"])
    print(f"lowest performance: {results[lowest]['performance']:.0f} ({lowest})")


if __name__ == "__main__":
    main()
