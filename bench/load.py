"""Slow clients against the production servers: the recommended ASGI setup and gunicorn.

    DATABASE_URL=postgres://user:password@host/db .venv/bin/python bench/load.py
        [--releases 100000] [--seconds 75] [--servers uvicorn,gunicorn]

Needs `pip install -e '.[bench]'` (locust, the load tool) and a PostgreSQL database
of its own: it is migrated and emptied, then loaded with bench/scale.py's archive
and a public photo set whose originals and print ZIP the downloaders fetch. Each
server is started on loopback with production settings (DEBUG off, the database
cache, the page cache keeping nothing, so every page request renders and needs
the database). First the release page is read by 10 clients, once a second each,
for --idle-seconds; then again while 200 clients download originals and 20
download the set's print ZIP, each reading --rate bytes a second through a small
receive window, over and over, for --seconds (downloads under way at the end are
let finish). Throughout, the server's memory (all its processes) and the
database's connections are sampled. The last line is the recommended server's
figures against the goals: no request fails, the page's p99 at most 2× idle,
memory flat, connections well under the limit.
"""

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
BIN = Path(sys.executable).parent

import scale  # noqa: E402 (bench/scale.py: its archive, loaded the same way)

SERVERS = {
    "uvicorn": ("uvicorn, 2 workers (recommended)", ["uvicorn", "newsroom.asgi:application"]),
    "gunicorn": ("gunicorn, 3 sync workers", ["gunicorn", "newsroom.wsgi"]),
}
KIT_PHOTOS = 2
# Noise compresses badly: a 500 × 333 JPEG of it is about 130 KB, a download of half
# a minute at 4 KiB/s, and the set's print ZIP (its originals) about a minute.
KIT_WIDTH = 500
SAMPLE_EVERY = 0.25
PAGE_P99_GOAL = 2.0
SERVER_APP_NAME = "newsroom-load-server"


def server_command(name, port):
    _label, (program, application) = SERVERS[name]
    address = ["--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    if name == "gunicorn":
        address = ["--bind", f"127.0.0.1:{port}", "--workers", "3"]
    return [str(BIN / program), application, *address]


def server_env(var_dir, port):
    # The loader's in-process cache is dropped: the servers share the database cache.
    env = {key: value for key, value in os.environ.items() if key != "CACHE_BACKEND"}
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "load-benchmark-only-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "VAR_DIR": var_dir,
            "STATIC_ROOT": str(Path(var_dir) / "static"),
            "NEWSROOM_PAGE_CACHE_SECONDS": "0",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "SECURE_HSTS_SECONDS": "0",
            # Names the server's database connections, so only they are counted.
            "PGAPPNAME": SERVER_APP_NAME,
        }
    )
    return env


# The content ---------------------------------------------------------------------


def noise_jpeg(width, seed):
    import random

    from PIL import Image

    height = width * 2 // 3
    pixels = random.Random(seed).randbytes(width * height * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), pixels).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def load(releases, log=print):
    """The archive, then the press kit; returns the paths the clients fetch."""
    from django.core.files.base import ContentFile
    from django.urls import reverse
    from django.utils import timezone

    from media import sizes
    from media.models import Photo, PhotoSet, Visibility
    from media.tasks import generate_renditions
    from newsroom.ground.models import Newsroom
    from press.models import PressRelease, Status

    scale.reset_database()
    loader = scale.Loader(timezone.now())
    loader.prepare()
    took = loader.load(0, releases, log=lambda line: None)
    log(f"loaded {releases:,} releases in {took:.0f} s")
    kit = PhotoSet.objects.create(
        newsroom=Newsroom.objects.get(slug=scale.MAIN),
        title="Press kit",
        slug="press-kit",
        visibility=Visibility.PUBLIC,
    )
    for number in range(KIT_PHOTOS):
        photo = Photo.objects.create(
            photo_set=kit,
            image=ContentFile(noise_jpeg(KIT_WIDTH, number), name=f"kit-{number}.jpg"),
            title=f"Kit photo {number + 1}",
            credit="Scale Racing",
            position=number,
        )
        generate_renditions.call(photo.pk)
    # Autovacuum would otherwise pick the fresh rows up in the middle of the measurement.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    photo = kit.photos.order_by("position").first()
    newest = (
        PressRelease.objects.filter(status=Status.PUBLISHED, publish_at__lte=timezone.now())
        .order_by("-publish_at")
        .first()
    )
    return {
        "LOAD_PAGE": newest.get_absolute_url(),
        "LOAD_ORIGINAL": photo.file_url(sizes.ORIGINAL) + "?download",
        "LOAD_ZIP": reverse("media:photoset-zip", args=[kit.pk, "print"]),
    }


# Watching the server -------------------------------------------------------------


class Sampler(threading.Thread):
    """Memory of the server's processes and the database's connections, a few times a second."""

    def __init__(self, pid, database_url):
        super().__init__(daemon=True)
        self.pid, self.database_url = pid, database_url
        self.rss, self.connections = [], []
        self.running = True

    def run(self):
        import psutil
        import psycopg

        server = psutil.Process(self.pid)
        with psycopg.connect(self.database_url, autocommit=True) as db:
            while self.running:
                self.rss.append(process_tree_rss(server, psutil))
                count = db.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                    [SERVER_APP_NAME],
                ).fetchone()[0]
                self.connections.append(count)
                time.sleep(SAMPLE_EVERY)

    def stop(self):
        self.running = False
        self.join()


def process_tree_rss(process, psutil):
    total = 0
    for member in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += member.memory_info().rss
    return total


def max_connections(database_url):
    import psycopg

    with psycopg.connect(database_url) as db:
        return int(db.execute("SHOW max_connections").fetchone()[0])


# One server ----------------------------------------------------------------------


def wait_until_up(base, path, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + path, timeout=5) as answer:  # noqa: S310 (http)
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server at {base} did not answer {path} in {seconds} s")


def fetch_length(base, path):
    with urllib.request.urlopen(base + path, timeout=30) as answer:  # noqa: S310 (http)
        return len(answer.read())


def run_clients(base, paths, work, phase, *, readers, downloads, zips, seconds, rate):
    report = work / f"{phase}.json"
    env = {
        **os.environ,
        **paths,
        "LOAD_READERS": str(readers),
        "LOAD_DOWNLOADS": str(downloads),
        "LOAD_ZIPS": str(zips),
        "LOAD_RATE": str(rate),
        "LOAD_REPORT": str(report),
    }
    users = readers + downloads + zips
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "load_clients.py"),
            "--headless",
            "--host",
            base,
            "--users",
            str(users),
            # Everyone within the first second; downloaders then wait a moment of their own.
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{seconds}s",
            # Downloads under way at the end finish (a download takes about a minute).
            "--stop-timeout",
            "120",
            "--only-summary",
            "--loglevel",
            "ERROR",
        ],
        env=env,
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return json.loads(report.read_text())


def median_or_nan(latencies):
    return statistics.median(latencies) if latencies else float("nan")


def p99(latencies):
    if len(latencies) < 2:
        return float("nan")
    return statistics.quantiles(latencies, n=100, method="inclusive")[98]


def measure_server(name, var_dir, paths, database_url, args, log=print):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    work = Path(var_dir) / name
    work.mkdir()
    log_file = open(work / "server.log", "wb")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        server_command(name, port),
        cwd=ROOT,
        env=server_env(var_dir, port),
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        try:
            wait_until_up(base, paths["LOAD_PAGE"])
        except SystemExit:
            log_file.flush()
            print((work / "server.log").read_text(errors="replace")[-3000:])
            raise
        sizes = {
            "original": fetch_length(base, paths["LOAD_ORIGINAL"]),
            "zip": fetch_length(base, paths["LOAD_ZIP"]),
        }
        for _ in range(50):
            fetch_length(base, paths["LOAD_PAGE"])
        sampler = Sampler(server.pid, database_url)
        sampler.start()
        idle = run_clients(
            base,
            paths,
            work,
            "idle",
            readers=args.readers,
            downloads=0,
            zips=0,
            seconds=args.idle_seconds,
            rate=args.rate,
        )
        idle_samples = len(sampler.rss)
        loaded = run_clients(
            base,
            paths,
            work,
            "loaded",
            readers=args.readers,
            downloads=args.downloads,
            zips=args.zips,
            seconds=args.seconds,
            rate=args.rate,
        )
        sampler.stop()
    finally:
        os.killpg(server.pid, 15)
        server.wait(20)
        log_file.close()
    rss_idle = max(sampler.rss[:idle_samples])
    return {
        "label": SERVERS[name][0],
        "sizes": sizes,
        "idle": idle,
        "loaded": loaded,
        "rss_idle": rss_idle,
        "rss_loaded": max(sampler.rss[idle_samples:]),
        "connections": max(sampler.connections),
    }


def free_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The report ----------------------------------------------------------------------


def summary(figures):
    idle, loaded = figures["idle"]["page"], figures["loaded"]["page"]
    downloads = [figures["loaded"][kind] for kind in ("original", "zip")]
    return {
        "idle p50": median_or_nan(idle["latencies"]) * 1000,
        "loaded p50": median_or_nan(loaded["latencies"]) * 1000,
        "idle p99": p99(idle["latencies"]) * 1000,
        "loaded p99": p99(loaded["latencies"]) * 1000,
        "pages answered": len(loaded["latencies"]),
        "pages failed": len(loaded["failures"]) + len(idle["failures"]),
        "downloads started": sum(kind["started"] for kind in downloads),
        "downloads completed": sum(kind["completed"] for kind in downloads),
        "downloads failed": sum(len(kind["failures"]) for kind in downloads),
        "rss growth": (figures["rss_loaded"] - figures["rss_idle"]) / 2**20,
    }


def table(results, limit):
    rows = [
        (
            "release page p50, idle → under load (ms)",
            lambda s, f: f"{s['idle p50']:.0f} → {s['loaded p50']:.0f}",
        ),
        ("release page p99, idle (ms)", lambda s, f: f"{s['idle p99']:.0f}"),
        ("release page p99, under load (ms)", lambda s, f: f"{s['loaded p99']:.0f}"),
        ("× idle", lambda s, f: f"{s['loaded p99'] / s['idle p99']:.2f}"),
        (
            "page requests answered / failed",
            lambda s, f: f"{s['pages answered']} / {s['pages failed']}",
        ),
        (
            "downloads started / completed / failed",
            lambda s, f: (
                f"{s['downloads started']} / {s['downloads completed']} / {s['downloads failed']}"
            ),
        ),
        (
            "median download time, original / ZIP (s)",
            lambda s, f: " / ".join(
                f"{statistics.median(f['loaded'][kind]['seconds']):.0f}"
                if f["loaded"][kind]["seconds"]
                else "–"
                for kind in ("original", "zip")
            ),
        ),
        (
            "server memory, idle → under load (MB)",
            lambda s, f: f"{f['rss_idle'] / 2**20:.0f} → {f['rss_loaded'] / 2**20:.0f}",
        ),
        (f"most database connections (of {limit})", lambda s, f: str(f["connections"])),
    ]
    names = list(results)
    lines = [
        "| | " + " | ".join(results[name]["label"] for name in names) + " |",
        "| --- |" + " --- |" * len(names),
    ]
    for title, cell in rows:
        cells = [cell(summary(results[name]), results[name]) for name in names]
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def failures(results):
    lines = []
    for name, figures in results.items():
        for phase in ("idle", "loaded"):
            for kind, counts in figures[phase].items():
                seen = {}
                for problem in counts["failures"]:
                    seen[problem] = seen.get(problem, 0) + 1
                for problem, times in sorted(seen.items(), key=lambda item: -item[1])[:3]:
                    lines.append(f"  {name}, {phase}, {kind}: {times} × {problem}")
    return lines


def headline(name, figures, limit):
    s = summary(figures)
    failed = s["pages failed"] + s["downloads failed"]
    unfinished = s["downloads started"] - s["downloads completed"] - s["downloads failed"]
    ratio = s["loaded p99"] / s["idle p99"]
    met = failed == 0 and unfinished == 0 and ratio <= PAGE_P99_GOAL
    return (
        f"{figures['label']}: {failed} failed and {unfinished} unfinished of "
        f"{s['pages answered'] + s['downloads started']} requests, page p99 {ratio:.2f}× idle "
        f"(goal ≤ {PAGE_P99_GOAL:g}×), memory {s['rss growth']:+.0f} MB, at most "
        f"{figures['connections']} of {limit} database connections"
        + ("" if met else " — misses its goals")
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=75, help="how long the downloads run")
    parser.add_argument(
        "--idle-seconds", type=int, default=75, help="how long the page is read alone first"
    )
    parser.add_argument("--rate", type=int, default=4096, help="bytes a second per download")
    parser.add_argument("--readers", type=int, default=10)
    parser.add_argument("--downloads", type=int, default=200)
    parser.add_argument("--zips", type=int, default=20)
    parser.add_argument("--servers", default=",".join(SERVERS))
    args = parser.parse_args()
    names = args.servers.split(",")
    if not set(names) <= set(SERVERS):
        parser.error(f"--servers: some of {', '.join(SERVERS)}")
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="newsroom-load-") as var_dir:
        scale.configure(var_dir)
        database_url = os.environ["DATABASE_URL"]
        paths = load(args.releases)
        # The loader ran with an in-process cache: the servers' database cache needs its table.
        for command in (["collectstatic", "--noinput"], ["createcachetable"]):
            subprocess.run(
                [str(BIN / "python"), "manage.py", *command],
                cwd=ROOT,
                env=server_env(var_dir, 0),
                check=True,
                stdout=subprocess.DEVNULL,
            )
        from django.db import connections

        connections.close_all()
        limit = max_connections(database_url)
        results = {}
        for name in names:
            print(f"{SERVERS[name][0]}: ", end="", flush=True)
            results[name] = measure_server(name, var_dir, paths, database_url, args)
            print("done", flush=True)
        sizes = results[names[0]]["sizes"]
        print(
            f"\n{args.releases:,} releases; {args.downloads} clients download an original "
            f"({sizes['original'] / 1000:.0f} KB) and {args.zips} the set's print ZIP "
            f"({sizes['zip'] / 1000:.0f} KB) at {args.rate / 1024:g} KiB/s for {args.seconds} s; "
            f"{args.readers} readers ask for the release page once a second "
            f"(whole run {(time.perf_counter() - began) / 60:.1f} min)\n"
        )
        print(table(results, limit))
        problems = failures(results)
        if problems:
            print("\nfailures (most frequent first):")
            print("\n".join(problems))
        print()
        print(headline(names[0], results[names[0]], limit))


if __name__ == "__main__":
    main()
