"""Download a whole photo set as one ZIP from the real server, against a plain pipe.

    .venv/bin/python bench/zip.py            # a 1.1 GiB set
    .venv/bin/python bench/zip.py --gib 2    # a bigger set
    .venv/bin/python bench/zip.py --quick    # 0.2 GiB, a smoke test
    .venv/bin/python bench/zip.py --runs 9   # more rounds

Builds, in a temporary directory, a public photo set whose print ZIP weighs
at least --gib GiB: a few 6000×4000 camera-like JPEGs from the demo generator,
copied as many times as needed into separate rendition files, with the Photo
and Rendition rows written directly (no upload, no rendering). Then starts
gunicorn (one sync worker, as deployed) on loopback and downloads the set's
print ZIP (`media.views.photoset_zip`) over HTTP, discarding the bytes.
The download and the reference pipe take turns, --runs rounds of each (5 by
default), and the best time of each counts: one pass lasts well under a
second, and on a small VM the pipe alone runs several times slower
whenever the scheduler puts its two `cat`s on different cores (which it
does now and then), so a single pass or even a median says more about
where processes landed than about the code.

What the figures mean (MB = 10^6 bytes, times are the best of the rounds):

- ZIP download: wall time from sending the request to the last byte, and
  bytes received / that time. Every download's byte count must equal the
  Content-Length the view announces, and the stream must end with a ZIP
  end record.
- pipe: `find DIR -type f -print0 | xargs -0 cat | cat > /dev/null` over the
  same rendition files, timed: the cost of reading them from the page cache
  and pushing them through one copy between processes, with no Python, HTTP
  or ZIP in the way. Both run warm (an untimed pass reads every file first).
  The two cats are pinned to one core, the pipe's fastest and steadiest
  placement, so the reference is never flattered by an unlucky schedule.
- ratio: ZIP MB/s / pipe MB/s, from the best times. Goal ≥ 0.45.
- server memory growth: how far the worker's resident memory rises above its
  high-water mark after a warm-up download of a small ZIP: the larger of the
  VmRSS peak sampled every 50 ms during the downloads and VmHWM after them,
  minus VmHWM before. Goal < 50 MB: a set of any size streams in flat memory.
- server / client CPU: CPU seconds the worker and this script spent during
  the fastest download, to tell which side limits the speed.
- resumed download: time from sending a request for the bytes from 90 % of
  the ZIP on (what a browser sends to resume) to the first byte received,
  best of the rounds, beside the same for a range from byte 0. The ZIP's
  layout maps an offset to a file and a place in it, so this should not grow
  with the offset.

Then the same for a journalist's selection (`media.views.selection_zip`): --picked
photos (50 by default) and --videos videos (2 by default, a 100 MB broadcast
file each: what a print-size selection holds of a video) from two sets, as one
print ZIP, against the pipe over their files; its goal is the set's ratio of
the same run.

The goals print PASS or FAIL; the script never fails on them. The last line
gives both ratios.
"""

import argparse
import hashlib
import http.client
import math
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GIB = 1024**3
MB = 1000**2
CHUNK = 1024 * 1024
SAMPLE_SECONDS = 0.05
SOURCE_PHOTOS = 6
PHOTO_SIZE = (6000, 4000)
VIDEO_BYTES = 100 * MB  # a broadcast file of about a minute of camera H.264
RATIO_GOAL = 0.45
MEMORY_GOAL_MB = 50
# Room for the database, the logs and the file system's own needs.
DISK_MARGIN = 512 * 1024**2


def configure(var_dir):
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "VAR_DIR": var_dir,
            "SECRET_KEY": "benchmark-only",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SECURE_SSL_REDIRECT": "0",
            "SITE_URL": "http://127.0.0.1",
            "DATABASE_URL": f"sqlite:///{var_dir}/bench.sqlite3",
            # Its own folder: WhiteNoise indexes STATIC_ROOT at start-up and
            # must not find (and serve) the uploads.
            "STATIC_ROOT": f"{var_dir}/static",
        }
    )
    Path(var_dir, "static").mkdir()
    import django

    django.setup()


def check_disk_space(directory, set_bytes):
    free = shutil.disk_usage(directory).free
    needed = set_bytes + DISK_MARGIN
    if free < needed:
        sys.exit(
            f"Not enough disk space in {directory}: the set needs {needed / GIB:.2f} GiB "
            f"with margin, {free / GIB:.2f} GiB are free. Use --gib or set TMPDIR."
        )


def make_source_photos():
    from newsroom.site.demo.files import make_photo

    return [
        make_photo(f"Hockenheim, photo {number}", PHOTO_SIZE)
        for number in range(1, SOURCE_PHOTOS + 1)
    ]


def write_files(media_root, folder, photos, total_bytes, count=None):
    """Separate files cycling through `photos` until they add up to `total_bytes` (or, with
    `count`, until there are that many).

    Identical contents are fine for a throughput test; separate files make
    both the server and the pipe read every byte from the page cache.
    """
    directory = Path(media_root, "renditions", folder)
    directory.mkdir(parents=True)
    names, written = [], 0
    checksums = [zlib.crc32(data) for data in photos]  # as the rendition task keeps them
    while (len(names) < count) if count else (written < total_bytes):
        index = len(names) % len(photos)
        data = photos[index]
        name = f"renditions/{folder}/{len(names) + 1:05d}.jpg"
        Path(media_root, name).write_bytes(data)
        names.append((name, len(data), checksums[index]))
        written += len(data)
    # Written back now, so the kernel's flusher does not compete with the timings.
    os.sync()
    return directory, names


def create_set(newsroom, slug, files):
    """A public set with one JPEG photo per file, its `original` rendition that file.

    Rows are written directly: `Photo.save()` would read the file's metadata
    again and schedule rendering, neither of which this benchmark is about.
    A set holds each file once (a unique SHA-256 per set); the files here repeat
    a few photos on purpose, so each row's digest is taken of its file's name.
    """
    from media.models import Photo, PhotoSet, Rendition
    from media.sizes import ORIGINAL

    photo_set = PhotoSet.objects.create(
        newsroom=newsroom, title=f"Bench {slug}", slug=slug, visibility="public"
    )
    width, height = PHOTO_SIZE
    photos = Photo.objects.bulk_create(
        Photo(
            photo_set=photo_set,
            image=name,
            image_format="JPEG",
            title=f"Bench photo {position}",
            license="free",
            version="bench",
            rendered_version="bench",
            width=width,
            height=height,
            bytes=size,
            sha256=hashlib.sha256(name.encode()).hexdigest(),
            position=position,
        )
        for position, (name, size, _crc) in enumerate(files, start=1)
    )
    Rendition.objects.bulk_create(
        Rendition(
            photo=photo,
            size=ORIGINAL,
            file=name,
            version="bench",
            width=width,
            height=height,
            bytes=size,
            crc32=crc,
        )
        for photo, (name, size, crc) in zip(photos, files, strict=True)
    )
    return photo_set


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port, log_path):
    log = open(log_path, "wb")  # noqa: SIM115 - stays open for the server's lifetime
    command = [sys.executable, "-m", "gunicorn", "newsroom.wsgi"]
    command += ["--workers", "1", "--worker-class", "sync"]
    command += ["--bind", f"127.0.0.1:{port}", "--timeout", "600"]
    return subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=log)


def stop_server(server):
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def request(port, method, path):
    """Status, headers and body length of one request; the body is not kept."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        body = len(response.read())
        return response.status, response.headers, body
    finally:
        connection.close()


def wait_until_up(server, port, path, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.returncode}")
        try:
            status, _headers, _body = request(port, "HEAD", path)
        except OSError:
            time.sleep(0.2)
            continue
        if status != 200:
            raise RuntimeError(f"HEAD {path} answered {status}")
        return
    raise RuntimeError(f"gunicorn did not answer within {timeout} s")


def child_pids(pid):
    pids = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        pids += [int(child) for child in children.read_text().split()]
    return pids


def worker_pid(master_pid):
    pids = child_pids(master_pid)
    if len(pids) != 1:
        raise RuntimeError(f"expected one gunicorn worker, found {pids}")
    return pids[0]


def memory_kb(pid):
    """VmHWM and VmRSS of a process, in kB as the kernel reports them."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _colon, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            fields[key] = int(value.split()[0])
    return fields["VmHWM"], fields["VmRSS"]


def cpu_seconds(pid):
    """User + system CPU time of a process so far."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # The command name may hold spaces: count fields after its closing parenthesis.
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sample_rss(pid, stop, peak):
    """Keep the highest VmRSS seen in peak[0] until `stop` is set."""
    while not stop.is_set():
        peak[0] = max(peak[0], memory_kb(pid)[1])
        stop.wait(SAMPLE_SECONDS)


def download(port, path):
    """GET `path`, discarding the body a chunk at a time into one reused buffer."""
    buffer = memoryview(bytearray(CHUNK))
    received, tail = 0, b""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    start = time.perf_counter()
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        while count := response.readinto(buffer):
            received += count
            # The last 22 bytes of a ZIP (without comment) are its end record.
            tail = (tail + bytes(buffer[max(0, count - 22) : count]))[-22:]
        seconds = time.perf_counter() - start
    finally:
        connection.close()
    return {
        "status": response.status,
        "content_length": int(response.headers.get("Content-Length", -1)),
        "content_type": response.headers.get("Content-Type"),
        "received": received,
        "seconds": seconds,
        "ends_with_end_record": tail.startswith(b"PK\x05\x06"),
    }


def first_byte_seconds(port, path, start):
    """Time from sending a Range request starting at `start` to its first body byte."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    began = time.perf_counter()
    try:
        connection.request("GET", path, headers={"Range": f"bytes={start}-"})
        response = connection.getresponse()
        first = response.read(1)
        seconds = time.perf_counter() - began
    finally:
        connection.close()
    if response.status != 206 or len(first) != 1:
        raise RuntimeError(f"Range {start}- of {path} answered {response.status}")
    return seconds


def resumed(port, path, length, runs):
    """Best time to the first byte of a download resumed at 90 %, and of one from 0."""
    at_90 = min(first_byte_seconds(port, path, length * 9 // 10) for _ in range(runs))
    at_0 = min(first_byte_seconds(port, path, 0) for _ in range(runs))
    return at_90, at_0


def timed_download(port, path, pid):
    """One download, with the CPU time of the worker and of this process."""
    server_cpu, client_cpu = cpu_seconds(pid), time.process_time()
    result = download(port, path)
    result["server_cpu"] = cpu_seconds(pid) - server_cpu
    # Includes the sampler thread's few reads of /proc, a small share.
    result["client_cpu"] = time.process_time() - client_cpu
    if result["status"] != 200:
        raise RuntimeError(f"GET {path} answered {result['status']}")
    return result


def rounds(port, path, pid, set_dir, runs):
    """Downloads and pipes taking turns, the worker's memory watched throughout."""
    hwm_before, rss_before = memory_kb(pid)
    peak, stop = [rss_before], threading.Event()
    sampler = threading.Thread(target=sample_rss, args=(pid, stop, peak), daemon=True)
    downloads, pipes = [], []
    sampler.start()
    try:
        for _ in range(runs):
            pipes.append(pipe_seconds(set_dir))
            downloads.append(timed_download(port, path, pid))
    finally:
        stop.set()
        sampler.join()
    hwm_after, _rss = memory_kb(pid)
    memory = {"hwm_before": hwm_before, "hwm_after": hwm_after, "rss_peak": peak[0]}
    memory["growth_mb"] = (max(peak[0], hwm_after) - hwm_before) * 1024 / MB
    return downloads, pipes, memory


def same_core():
    # Both cats on one core: the pipe's fastest and steadiest case. Left to the
    # scheduler they sometimes land on different cores and run 3-6x slower,
    # which would flatter the ZIP.
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def pipe_seconds(directory):
    """Wall time of `find DIR -type f -print0 | xargs -0 cat | cat > /dev/null`, on one core."""
    start = time.perf_counter()
    find = subprocess.Popen(["find", directory, "-type", "f", "-print0"], stdout=subprocess.PIPE)
    reader = subprocess.Popen(
        ["xargs", "-0", "cat"], stdin=find.stdout, stdout=subprocess.PIPE, preexec_fn=same_core
    )
    writer = subprocess.Popen(
        ["cat"], stdin=reader.stdout, stdout=subprocess.DEVNULL, preexec_fn=same_core
    )
    # Only the children hold the pipe ends now, so each sees end of file in turn.
    find.stdout.close()
    reader.stdout.close()
    codes = [process.wait() for process in (writer, reader, find)]
    seconds = time.perf_counter() - start
    if any(codes):
        raise RuntimeError(f"pipe failed with exit codes {codes}")
    return seconds


def cpu_model():
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return platform.processor() or "unknown CPU"


def versions():
    from importlib.metadata import version

    import django

    packages = ["gunicorn"]
    installed = ", ".join(f"{name} {version(name)}" for name in packages)
    return f"Python {platform.python_version()}, Django {django.get_version()}, {installed}"


def verdict(passed):
    return "PASS" if passed else "FAIL"


def seconds_list(values):
    return " ".join(f"{value:.2f}" for value in values)


def report(machine, files, file_bytes, downloads, pipes, memory, resume):
    zip_bytes = downloads[0]["content_length"]
    complete = all(
        d["received"] == d["content_length"] == zip_bytes and d["ends_with_end_record"]
        for d in downloads
    )
    fastest = min(downloads, key=lambda d: d["seconds"])
    zip_seconds, pipe_seconds = fastest["seconds"], min(pipes)
    zip_rate = zip_bytes / zip_seconds / MB
    pipe_rate = file_bytes / pipe_seconds / MB
    ratio = zip_rate / pipe_rate
    growth = memory["growth_mb"]
    print(f"machine: {machine}")
    print(f"set: {files} files, {file_bytes / GIB:.2f} GiB ({file_bytes / MB:.0f} MB)")
    print(
        f"ZIP: {zip_bytes} bytes ({zip_bytes / GIB:.2f} GiB) announced; every download "
        f"received them all and ended with the end record: {complete}"
    )
    print(f"ZIP download, best: {zip_seconds:.2f} s, {zip_rate:.0f} MB/s")
    print(f"pipe (cat | cat), best: {pipe_seconds:.2f} s, {pipe_rate:.0f} MB/s")
    print(f"  rounds, ZIP s: {seconds_list(d['seconds'] for d in downloads)}")
    print(f"  rounds, pipe s: {seconds_list(pipes)}")
    print(
        f"CPU in the fastest download: server {fastest['server_cpu']:.2f} s, "
        f"client {fastest['client_cpu']:.2f} s"
    )
    print(
        f"server memory: VmHWM {memory['hwm_before'] / 1024:.1f} MiB before, "
        f"{memory['hwm_after'] / 1024:.1f} MiB after, "
        f"VmRSS peak {memory['rss_peak'] / 1024:.1f} MiB; growth {growth:.1f} MB"
    )
    at_90, at_0 = resume
    print(
        f"resumed download (Range from 90 %, {zip_bytes * 9 // 10} bytes in), first byte, best: "
        f"{at_90 * 1000:.1f} ms (from byte 0: {at_0 * 1000:.1f} ms)"
    )
    print(f"goal ZIP / pipe ≥ {RATIO_GOAL}: {verdict(ratio >= RATIO_GOAL)} ({ratio:.2f})")
    print(
        f"goal memory growth < {MEMORY_GOAL_MB} MB: "
        f"{verdict(growth < MEMORY_GOAL_MB)} ({growth:.1f} MB)"
    )
    return ratio


def selection_report(files, file_bytes, downloads, pipes, memory, set_ratio):
    """The selection's figures, against the pipe over its files and the set's ratio."""
    zip_bytes = downloads[0]["content_length"]
    complete = all(
        d["received"] == d["content_length"] == zip_bytes and d["ends_with_end_record"]
        for d in downloads
    )
    fastest = min(downloads, key=lambda d: d["seconds"])
    zip_rate = zip_bytes / fastest["seconds"] / MB
    pipe_rate = file_bytes / min(pipes) / MB
    ratio = zip_rate / pipe_rate
    print(
        f"selection: {files} from two sets, {file_bytes / MB:.0f} MB; ZIP {zip_bytes} "
        f"bytes, every download complete: {complete}"
    )
    print(f"selection ZIP download, best: {fastest['seconds']:.2f} s, {zip_rate:.0f} MB/s")
    print(f"pipe over its files, best: {min(pipes):.2f} s, {pipe_rate:.0f} MB/s")
    print(f"  rounds, selection ZIP s: {seconds_list(d['seconds'] for d in downloads)}")
    print(f"  rounds, pipe s: {seconds_list(pipes)}")
    print(f"selection server memory growth: {memory['growth_mb']:.1f} MB")
    print(
        f"goal selection ZIP / pipe ≥ the set's ({set_ratio:.2f}): "
        f"{verdict(ratio >= set_ratio)} ({ratio:.2f})"
    )
    return ratio


def write_videos(media_root, folder, count, size):
    """`count` broadcast files of `size` bytes each beside the picked photos (random bytes:
    a ZIP stores them as they are, so only their size matters here)."""
    files = []
    for number in range(1, count + 1):
        data = os.urandom(size)
        name = f"renditions/{folder}/clip-{number}.mp4"
        Path(media_root, name).write_bytes(data)
        files.append((name, size, zlib.crc32(data)))
    os.sync()
    return files


def create_video(photo_set, file, position):
    """A video whose broadcast file (what a print ZIP holds) is `file`; rows written directly,
    as `create_set` does for photos."""
    from media.models import Video, VideoFile
    from media.sizes import CLEAN_ORIGINAL

    name, size, crc = file
    facts = {"width": 1920, "height": 1080, "video_codec": "h264", "audio_codec": "aac"}
    # Written directly, as the photos are: `Video.save()` would queue its files' making.
    [video] = Video.objects.bulk_create(
        [
            Video(
                photo_set=photo_set,
                file=name,
                original_filename=Path(name).name,
                container="mp4",
                duration=60,
                frame_rate=25,
                bytes=size,
                sha256=hashlib.sha256(name.encode()).hexdigest(),
                title=f"Bench clip {position}",
                license="free",
                version="bench",
                rendered_version="bench",
                position=position,
                **facts,
            )
        ]
    )
    VideoFile.objects.create(
        video=video,
        kind=CLEAN_ORIGINAL,
        file=name,
        version=video.version,
        bytes=size,
        crc32=crc,
        **facts,
    )
    return video


def make_selection(newsroom, files, videos=()):
    """Two public sets sharing `files` (and one of `videos` each), and the address of a
    selection of all their photos and videos (the first set's, then the second's) as one
    print ZIP."""
    from media import selection

    half = len(files) // 2
    picked = []
    parts = (("picked-a", files[:half]), ("picked-b", files[half:]))
    for number, (slug, part) in enumerate(parts):
        photo_set = create_set(newsroom, slug, part)
        pks = photo_set.photos.order_by("position").values_list("pk", flat=True)
        picked += [selection.Item("p", pk) for pk in pks]
        for video_file in videos[number :: len(parts)]:
            video = create_video(photo_set, video_file, len(picked))
            picked.append(selection.Item("v", video.pk))
    return f"/files/selection/{selection.token(picked)}/print.zip"


def run(var_dir, set_bytes, runs, picked, videos):
    configure(var_dir)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    from newsroom.ground.models import Newsroom

    call_command("migrate", verbosity=0)
    print("drawing the source photos…", flush=True)
    photos = make_source_photos()
    set_dir, set_files = write_files(settings.MEDIA_ROOT, "bench", photos, set_bytes)
    two_photos = len(photos[0]) + len(photos[1])
    _warm_dir, warm_files = write_files(settings.MEDIA_ROOT, "warmup", photos, two_photos)
    newsroom = Newsroom.objects.create(name="Bench", slug="bench")
    big = create_set(newsroom, "big", set_files)
    small = create_set(newsroom, "small", warm_files)
    picked_dir, picked_files = write_files(settings.MEDIA_ROOT, "picked", photos, 0, picked)
    picked_videos = write_videos(settings.MEDIA_ROOT, "picked", videos, VIDEO_BYTES)
    selection_zip = make_selection(newsroom, picked_files, picked_videos)
    connections.close_all()
    file_bytes = sum(size for _name, size, _crc in set_files)
    picked_bytes = sum(size for _name, size, _crc in picked_files + picked_videos)

    port = free_port()
    server = start_server(port, Path(var_dir, "gunicorn.log"))
    try:
        small_zip = f"/files/sets/{small.pk}/print.zip"
        wait_until_up(server, port, small_zip)
        pid = worker_pid(server.pid)
        # The whole code path once, so imports and first-request costs are
        # in the high-water mark before the measured download.
        status, _headers, _body = request(port, "GET", small_zip)
        if status != 200:
            raise RuntimeError(f"GET {small_zip} answered {status}")
        print("warming the page cache…", flush=True)
        pipe_seconds(set_dir)
        print(f"{runs} rounds of download and pipe…", flush=True)
        big_zip = f"/files/sets/{big.pk}/print.zip"
        downloads, pipes, memory = rounds(port, big_zip, pid, set_dir, runs)
        resume = resumed(port, big_zip, downloads[0]["content_length"], runs)
        print(f"{runs} rounds of selection download and pipe…", flush=True)
        pipe_seconds(picked_dir)
        picked_rounds = rounds(port, selection_zip, pid, picked_dir, runs)
    except Exception:
        print(Path(var_dir, "gunicorn.log").read_text()[-4000:], file=sys.stderr)
        raise
    finally:
        stop_server(server)
    machine = f"{cpu_model()}, {os.cpu_count()} cores, Linux {platform.release()}; {versions()}"
    set_ratio = report(machine, len(set_files), file_bytes, downloads, pipes, memory, resume)
    ratio = selection_report(
        f"{len(picked_files)} photos and {len(picked_videos)} videos",
        picked_bytes,
        *picked_rounds,
        set_ratio,
    )
    print(f"set ZIP / pipe {set_ratio:.2f}, selection ZIP / pipe {ratio:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=1.1, help="size of the set in GiB")
    parser.add_argument("--quick", action="store_true", help="a 0.2 GiB set, a smoke test")
    parser.add_argument("--runs", type=int, default=5, help="rounds of download and pipe")
    parser.add_argument(
        "--picked", type=int, default=50, help="photos in the selection, from two sets"
    )
    parser.add_argument(
        "--videos", type=int, default=2, help="videos in the selection (100 MB broadcast files)"
    )
    args = parser.parse_args()
    set_bytes = math.ceil((0.2 if args.quick else args.gib) * GIB)
    check_disk_space(tempfile.gettempdir(), set_bytes)
    with tempfile.TemporaryDirectory(prefix="bench-zip-") as var_dir:
        run(var_dir, set_bytes, max(1, args.runs), max(2, args.picked), max(0, args.videos))


if __name__ == "__main__":
    main()
