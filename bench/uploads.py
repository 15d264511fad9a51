"""Peak memory of accepting and processing one upload, at the limits, against plain Pillow.

    .venv/bin/python bench/uploads.py [--only jpeg,png,...] [--keep DIR]

For each worst-case file (the largest JPEG, progressive JPEG, PNG, TIFF,
WebP and HEIC, tiled and in one piece, we accept) a fresh process sets Django up on an empty SQLite
database, measures its idle size, then runs the real code paths: the upload
view's `accept_photo` with a Django `TemporaryUploadedFile` (what a large
upload is), then the rendition task, which makes every size and the cleaned
original. Peak RSS above idle is VmHWM (reset through /proc/self/clear_refs
once idle) less VmRSS at that moment. The reference, in another fresh
process, is Pillow's plain `Image.open(path).load()` of the same file.
The files are made once and kept (in --keep, default a folder in /tmp).
The last line is the headline: the worst peak above idle, and its ratio to
the 150 MB goal.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_MB = 150


def status(field):
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise KeyError(field)


def reset_peak():
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


# The files


def grain(size, seed, strength):
    from PIL import Image

    rng = random.Random(seed)
    width, height = size
    light = Image.linear_gradient("L").resize(size)
    channels = [
        Image.blend(light, Image.frombytes("L", size, rng.randbytes(width * height)), strength)
        for _ in range(3)
    ]
    return Image.merge("RGB", channels)


def camera_exif():
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "EOS R5"
    exif[0x013B] = "Andreas Backman"
    exif[0x8769] = {0x9003: "2022:05:15 14:03:00", 0xA431: "032021001234"}
    exif[0x8825] = {1: "N", 2: (49.0, 19.0, 40.0), 3: "E", 4: (8.0, 33.0, 58.0)}
    return exif.tobytes()


def by_pixels(pixels, ratio=1.5):
    width = int((pixels * ratio) ** 0.5)
    return width, pixels // width


# name → (file name, what it is, how to make it)
FILES = {
    "jpeg": (
        "limit.jpg",
        "JPEG, 100 MP baseline, 4:4:4 q95, grain",
        lambda: grain(by_pixels(99_900_000), 1, 0.12),
        {"format": "JPEG", "quality": 95, "subsampling": 0},
    ),
    "progressive": (
        "progressive.jpg",
        "JPEG, progressive 4:2:0 at its limit (36 MP)",
        lambda: grain(by_pixels(36_000_000), 2, 0.12),
        {"format": "JPEG", "quality": 90, "progressive": True},
    ),
    "png": (
        "limit.png",
        "PNG, 20 MP RGBA, grain",
        lambda: grain(by_pixels(19_900_000), 3, 0.05).convert("RGBA"),
        {"format": "PNG", "compress_level": 6},
    ),
    "tiff": (
        "limit.tif",
        "TIFF, 20 MP RGB, LZW",
        lambda: grain(by_pixels(19_900_000), 4, 0.03),
        {"format": "TIFF", "compression": "tiff_lzw"},
    ),
    "webp": (
        "limit.webp",
        "WebP, 8 MP q90",
        lambda: grain(by_pixels(7_990_000), 5, 0.12),
        {"format": "WEBP", "quality": 90},
    ),
    "heic": (
        "iphone-24mp.heic",
        "HEIC, 24.5 MP q80, 512 px tiles (an iPhone's 5712 × 4284)",
        lambda: grain((5712, 4284), 6, 0.02),
        {"format": "HEIF", "quality": 80, "tiles": 512},
    ),
    "heic-tiled-limit": (
        "tiled-limit.heic",
        "HEIC at its limit, 48.8 MP q80 in 512 px tiles (an iPhone's HEIF Max, 8064 × 6048)",
        lambda: grain((8064, 6048), 7, 0.02),
        {"format": "HEIF", "quality": 80, "tiles": 512},
    ),
    "heic-one-piece": (
        "one-piece.heic",
        "HEIC in one piece at its limit (16 MP) q80",
        lambda: grain(by_pixels(15_990_000), 8, 0.02),
        {"format": "HEIF", "quality": 80, "tiles": 0},
    ),
}


def make_file(name, folder):
    from newsroom.ground.uploads import register_heif

    register_heif()
    file_name, _what, draw, options = FILES[name]
    path = Path(folder) / file_name
    if path.exists():
        return path
    options = dict(options)
    image_format = options.pop("format")
    extra = {"exif": camera_exif()} if image_format in ("JPEG", "WEBP", "HEIF", "PNG") else {}
    partial = path.with_name("partial-" + path.name)  # an interrupted run leaves no file
    if image_format == "HEIF":
        # iPhones write a grid of 512-pixel tiles; 0 is one HEVC picture.
        import pillow_heif

        pillow_heif.options.GRID_TILE_SIZE = options.pop("tiles")
    draw().save(partial, image_format, **options, **extra)
    partial.rename(path)
    return path


# The measurements, each in a fresh process


def configure(var_dir):
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "VAR_DIR": var_dir,
            "SECRET_KEY": "benchmark-only",
            "DATABASE_URL": f"sqlite:///{var_dir}/bench.sqlite3",
            # Queued, not run: accepting and rendering are measured one after the other.
            "TASKS_BACKEND": "django.tasks.backends.dummy.DummyBackend",
            "SITE_URL": "http://127.0.0.1:8000",
        }
    )
    import django

    django.setup()


def measure_ours(path):
    with tempfile.TemporaryDirectory() as var_dir:
        configure(var_dir)
        from django.core.files.uploadedfile import TemporaryUploadedFile
        from django.core.management import call_command

        from media.models import Photo, PhotoSet, Rendition
        from media.tasks import generate_renditions
        from media.uploads import accept_photo
        from newsroom.ground.models import Newsroom

        call_command("migrate", verbosity=0)
        newsroom = Newsroom.objects.create(name="Bench", slug="bench")
        photo_set = PhotoSet.objects.create(newsroom=newsroom, title="Bench", slug="bench")
        # Django writes a large upload to a temporary file as it arrives: the same here.
        upload = TemporaryUploadedFile(path.name, "application/octet-stream", 0, None)
        with open(path, "rb") as source:
            while chunk := source.read(1024 * 1024):
                upload.write(chunk)
        upload.size = upload.tell()
        upload.seek(0)
        idle = status("VmRSS")
        reset_peak()
        started = time.perf_counter()
        result = accept_photo(photo_set, upload)
        accepted = status("VmHWM") - idle
        if not result.saved:
            return {"error": result.message}
        generate_renditions.call(result.photo.pk)
        seconds = time.perf_counter() - started
        photo = Photo.objects.get(pk=result.photo.pk)
        sizes = sorted(Rendition.objects.filter(photo=photo).values_list("size", flat=True))
        return {
            "idle": idle,
            "accept": accepted,
            "peak": status("VmHWM") - idle,
            "seconds": seconds,
            "sizes": sizes,
            "error": photo.rendering_error,
        }


def measure_pillow(path):
    from PIL import Image

    from newsroom.ground.uploads import register_heif

    register_heif()
    Image.MAX_IMAGE_PIXELS = None
    idle = status("VmRSS")
    reset_peak()
    with Image.open(path) as image:
        image.load()
    return {"peak": status("VmHWM") - idle}


def child(kind, path):
    result = subprocess.run(
        [sys.executable, __file__, f"--{kind}", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        return {"error": result.stderr.strip().splitlines()[-1:]}
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(FILES))
    parser.add_argument("--keep", default=os.path.join(tempfile.gettempdir(), "bench-uploads"))
    parser.add_argument("--ours", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--pillow", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--make", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ours:
        print(json.dumps(measure_ours(args.ours)))
        return
    if args.pillow:
        print(json.dumps(measure_pillow(args.pillow)))
        return
    if args.make:
        print(json.dumps({"path": str(make_file(args.make, args.keep))}))
        return
    os.makedirs(args.keep, exist_ok=True)
    rows = []
    print(
        "| file | MB | accept, MB above idle | accept + renditions, MB | Pillow open+load, MB "
        "| ours / Pillow | s |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name in args.only.split(","):
        made = subprocess.run(
            [sys.executable, __file__, "--make", name, "--keep", args.keep],
            capture_output=True,
            text=True,
            check=True,
        )
        path = Path(json.loads(made.stdout.strip().splitlines()[-1])["path"])
        ours, pillow = child("ours", path), child("pillow", path)
        what = FILES[name][1]
        if ours.get("error") and "peak" not in ours:
            print(
                f"| {what} | {path.stat().st_size / 2**20:.1f} | refused or failed: "
                f"{ours['error']} | | | | |"
            )
            continue
        rows.append((what, ours["peak"]))
        print(
            f"| {what} | {path.stat().st_size / 2**20:.1f} | {ours['accept']:.1f} "
            f"| {ours['peak']:.1f} | {pillow['peak']:.1f} | {ours['peak'] / pillow['peak']:.2f} "
            f"| {ours['seconds']:.1f} |" + (f" failed: {ours['error']}" if ours["error"] else ""),
            flush=True,
        )
    worst_what, worst = max(rows, key=lambda row: row[1])
    print(
        f"\nworst peak above idle: {worst:.1f} MB ({worst_what}), "
        f"{worst / GOAL_MB:.2f} of the {GOAL_MB} MB goal"
    )


if __name__ == "__main__":
    main()
