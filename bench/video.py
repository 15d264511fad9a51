"""Time our video web version and cleaned original against the ffmpeg command and a file copy.

    .venv/bin/python bench/video.py [--quick]

Needs the `ffmpeg` command (Debian: `apt-get install ffmpeg`), for the
reference and to make the test clip. The clip is made once and kept in the
temporary folder: a 60 s (`--quick`: 10 s) 1920 × 1080 "camera clip" at
30 fps, FFmpeg's moving test picture under animated grain, H.264 at about
25 Mbit/s as cameras record, AAC sound, and what a phone writes about the
shoot (location, make, model, serial number) in QuickTime's keyed tags.

- web version: `media.video_files.write_web_version()` in a fresh Python
  process, against the `ffmpeg` command making the same encode (the same x264
  preset, CRF, bit-rate cap and buffer, AAC at the same rate, 48 kHz stereo,
  fast start; the options are read from our module so the two cannot drift
  apart). Figure: CPU seconds (user + system) of the child process, from
  `RUSAGE_CHILDREN`, so x264's and the decoder's threads are all counted, and
  our side includes starting Python, importing and probing the source and the
  result. Taking turns (which one goes first alternates), medians.
- cleaned original: `write_clean_original()` in this process against
  `shutil.copyfile()` of the same file, throughput in MB/s of the source. The
  source is read once before, so both find it in the page cache; both write
  into the page cache, and `os.sync()` after each (outside the timing) leaves
  no dirty pages to the next. Taking turns, medians.
- peak memory: the largest resident size of each child process, against the
  clip's size: the work streams, it never holds the file.

The last line is the headline: our CPU over ffmpeg's, our throughput over a copy.
"""

import argparse
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CACHE = Path(tempfile.gettempdir()) / "newsroom-bench-video"
CLIP_SIZE = "1920x1080"
CLIP_RATE = 30
CLIP_BIT_RATE = "25M"
PHONE_TAGS = {
    "location": "+49.3278+008.5658+100.000/",
    "com.apple.quicktime.location.ISO6709": "+49.3278+008.5658+100.000/",
    "com.apple.quicktime.make": "Apple",
    "com.apple.quicktime.model": "iPhone 15 Pro",
    "com.apple.quicktime.camera.serialnumber": "C39XK0RJN72Q",
}
GOAL_CPU_RATIO = 1.1
GOAL_THROUGHPUT_RATIO = 0.5

# The module reads two settings and nothing else of the site; a bare
# configuration keeps the child processes' start-up small and the same each time.
CHILD = """
import sys
from django.conf import settings
settings.configure(USE_I18N=False)
from media import video_files
from media.video_files import VideoRights
rights = VideoRights("Car #120", "The start", "Motorsport Nord", "(c) 2026", "Editorial use only")
if sys.argv[1] == "web":
    video_files.write_web_version(sys.argv[2], sys.argv[3])
else:
    video_files.write_clean_original(sys.argv[2], sys.argv[3], rights)
# The peak of this process's own memory: ru_maxrss would start from the size of
# the process that started it.
print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM")))
"""


# Runs a command and prints the peak resident size of it (in KiB), which the
# parent cannot tell apart from its other children's.
PEAK_OF = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def need_ffmpeg():
    if shutil.which("ffmpeg") is None:
        sys.exit("bench/video.py needs the ffmpeg command. On Debian: apt-get install ffmpeg")


def camera_clip(seconds):
    """The test clip, made once with the ffmpeg command and kept."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"camera-{seconds}s.mov"
    if path.exists():
        return path
    print(f"making the {seconds} s camera clip (once, kept at {path}) ...", flush=True)
    picture = f"testsrc2=size={CLIP_SIZE}:rate={CLIP_RATE},noise=alls=12:allf=t+u"
    sound = "sine=frequency=440:sample_rate=48000,pan=stereo|c0=c0|c1=c0"
    tags = [arg for key, value in PHONE_TAGS.items() for arg in ("-metadata", f"{key}={value}")]
    partial = path.with_suffix(".part.mov")
    command = [
        "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", picture, "-f", "lavfi", "-i", sound, "-t", str(seconds),
        "-c:v", "libx264", "-preset", "veryfast", "-b:v", CLIP_BIT_RATE,
        "-maxrate", CLIP_BIT_RATE, "-bufsize", "50M", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "192k", *tags, "-movflags", "use_metadata_tags", str(partial),
    ]  # fmt: skip
    subprocess.run(command, check=True)
    partial.rename(path)
    return path


def ffmpeg_web_command(source, destination, size):
    """The ffmpeg command for the encode `write_web_version()` does, from its own settings."""
    from media import video_files

    x264 = video_files.WEB_VIDEO_OPTIONS
    width, height = size
    return [
        "ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", str(source),
        "-map", "0:v:0", "-map", "0:a:0?", "-map_metadata", "-1", "-map_chapters", "-1",
        "-vf", f"scale={width}:{height},format=yuv420p,setsar=1",
        "-c:v", "libx264", "-preset", x264["preset"], "-crf", x264["crf"],
        "-maxrate", x264["maxrate"], "-bufsize", x264["bufsize"],
        "-c:a", "aac", "-b:a", str(video_files.WEB_AUDIO_BIT_RATE),
        "-ar", str(video_files.WEB_AUDIO_RATE), "-ac", "2",
        "-movflags", "+faststart", str(destination),
    ]  # fmt: skip


def our_command(job, source, destination):
    return [sys.executable, "-c", CHILD, job, str(source), str(destination)]


def child_cpu(command):
    """CPU seconds (user + system) and wall seconds of a child process, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    result = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, result.stdout


def time_web(source, folder, size, rounds):
    """Median CPU and wall seconds of ours and ffmpeg's, and the peak memory of each in MB.

    ffmpeg runs under a small Python process that reports its peak memory:
    the 0.03 s of CPU that costs is counted on its side.
    """
    commands = {
        "ours": our_command("web", source, folder / "ours.mp4"),
        "ffmpeg": [
            sys.executable,
            "-c",
            PEAK_OF,
            *ffmpeg_web_command(source, folder / "ffmpeg.mp4", size),
        ],
    }
    samples = {name: [] for name in commands}
    peak = dict.fromkeys(commands, 0.0)
    for number in range(rounds):
        order = list(commands) if number % 2 == 0 else list(reversed(commands))
        for name in order:
            cpu, wall, output = child_cpu(commands[name])
            samples[name].append((cpu, wall))
            peak[name] = max(peak[name], int(output.split()[-1]) / 1024)
            print(f"  web version, round {number + 1}, {name}: {cpu:.1f} s CPU, {wall:.1f} s wall")
    medians = {
        name: (
            statistics.median(cpu for cpu, _ in runs),
            statistics.median(wall for _, wall in runs),
        )
        for name, runs in samples.items()
    }
    return medians, peak


def time_cleaning(source, folder, rounds):
    """Median MB/s of the source per way of cleaning and per destination, and our peak MB.

    Two destinations: the page cache (the file written, nothing waited for)
    and the disk (`fsync()` of the written file inside the timing).
    """
    from media.video_files import VideoRights, write_clean_original

    rights = VideoRights("Car #120", "The start", "Motorsport Nord", "© 2026", "Editorial use")
    size_mb = source.stat().st_size / 1e6
    target = folder / "clean.mov"
    jobs = {
        "ours": lambda: write_clean_original(source, target, rights),
        "copy": lambda: shutil.copyfile(source, target),
        "ffmpeg -c copy": lambda: subprocess.run(ffmpeg_copy_command(source, target), check=True),
    }
    warm(source)
    samples = {(name, durable): [] for name in jobs for durable in (False, True)}
    for number in range(rounds):
        order = list(jobs) if number % 2 == 0 else list(reversed(jobs))
        for durable in (False, True):
            for name in order:
                target.unlink(missing_ok=True)
                os.sync()
                wall = time.perf_counter()
                jobs[name]()
                if durable:
                    with open(target, "rb+") as written:
                        os.fsync(written.fileno())
                samples[(name, durable)].append(size_mb / (time.perf_counter() - wall))
                os.sync()
    _cpu, _wall, output = child_cpu(our_command("clean", source, target))
    peak = int(output.split()[-1]) / 1024
    return {key: statistics.median(runs) for key, runs in samples.items()}, peak


def ffmpeg_copy_command(source, destination):
    """The ffmpeg command nearest our cleaning: picture and sound copied, no tags, index first."""
    return [
        "ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", str(source),
        "-map", "0:v:0", "-map", "0:a", "-map_metadata", "-1", "-map_chapters", "-1",
        "-c", "copy", "-movflags", "+faststart", "-f", "mov", str(destination),
    ]  # fmt: skip


def warm(path):
    """Read the file once, in pieces, so every reader after finds it in the page cache."""
    with open(path, "rb") as file:
        while file.read(1 << 20):
            pass


def x264_version(path):
    """x264 writes its version and settings into the stream, near the start of the file."""
    with open(path, "rb") as file:
        found = re.search(rb"x264 - core (\d+)( r\d+)?", file.read(4 * 1024 * 1024))
    return found.group(0).decode() if found else "?"


def versions():
    import av

    ffmpeg = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True, check=True)
    return {
        "Python": platform.python_version(),
        "PyAV": av.__version__,
        "FFmpeg in PyAV": av.ffmpeg_version_info,
        "ffmpeg command": ffmpeg.stdout.split()[2],
    }


def print_results(source, facts, web, cleaning, folder):
    from media.video_files import probe

    ours, theirs = probe(folder / "ours.mp4"), probe(folder / "ffmpeg.mp4")
    print()
    print(f"source: {source.name}, {facts.label}, {source.stat().st_size / 1e6:.0f} MB")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print("versions: " + ", ".join(f"{key} {value}" for key, value in versions().items()))
    print(f"x264 ours: {x264_version(folder / 'ours.mp4')}")
    print(f"x264 ffmpeg command: {x264_version(folder / 'ffmpeg.mp4')}")
    print()
    print(f"{'web version':<22} {'CPU s':>8} {'wall s':>8} {'Mbit/s':>8} {'size':>12}")
    for name, facts_of in (("ours", ours), ("ffmpeg", theirs)):
        cpu, wall = web[0][name]
        print(
            f"{name:<22} {cpu:>8.1f} {wall:>8.1f} {facts_of.bit_rate / 1e6:>8.2f} "
            f"{f'{facts_of.width}×{facts_of.height}':>12}"
        )
    print(f"{'cleaned original, MB/s':<22} {'cache':>8} {'disk':>8}")
    for name in ("ours", "copy", "ffmpeg -c copy"):
        print(f"{name:<22} {cleaning[0][(name, False)]:>8.0f} {cleaning[0][(name, True)]:>8.0f}")
    print(
        f"peak memory: web version ours {web[1]['ours']:.0f} MB, ffmpeg {web[1]['ffmpeg']:.0f} "
        f"MB; cleaning ours {cleaning[1]:.0f} MB"
    )
    cpu_ratio = web[0]["ours"][0] / web[0]["ffmpeg"][0]
    throughput_ratio = cleaning[0][("ours", False)] / cleaning[0][("copy", False)]
    durable_ratio = cleaning[0][("ours", True)] / cleaning[0][("copy", True)]
    print()
    print(
        f"goal: web version CPU ÷ ffmpeg <= {GOAL_CPU_RATIO}: {cpu_ratio:.2f} "
        f"{'PASS' if cpu_ratio <= GOAL_CPU_RATIO else 'FAIL'}"
    )
    print(
        f"goal: cleaning ÷ copy >= {GOAL_THROUGHPUT_RATIO}: {throughput_ratio:.2f} "
        f"{'PASS' if throughput_ratio >= GOAL_THROUGHPUT_RATIO else 'FAIL'} "
        f"(to the disk: {durable_ratio:.2f})"
    )
    print(f"web rendition CPU ÷ ffmpeg: {cpu_ratio:.2f}, cleaning ÷ copy: {throughput_ratio:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 10 s clip and fewer rounds")
    args = parser.parse_args()
    need_ffmpeg()
    from django.conf import settings

    settings.configure(USE_I18N=False)
    from media.video_files import probe, web_size

    seconds, web_rounds, clean_rounds = (10, 1, 3) if args.quick else (60, 3, 7)
    source = camera_clip(seconds)
    facts = probe(source)
    with tempfile.TemporaryDirectory(prefix="newsroom-bench-video-") as folder:
        folder = Path(folder)
        print(f"timing the web version, {web_rounds} rounds ...", flush=True)
        web = time_web(source, folder, web_size(facts.width, facts.height), web_rounds)
        print(f"timing the cleaned original, {clean_rounds} rounds ...", flush=True)
        cleaning = time_cleaning(source, folder, clean_rounds)
        print_results(source, facts, web, cleaning, folder)


if __name__ == "__main__":
    main()
