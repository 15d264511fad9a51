"""Time our photo renditions against imagekit's plain path and libvips, in one process.

    .venv/bin/python bench/renditions.py [--quick]

Needs libvips for pyvips (Debian: `apt-get install libvips42`). The script
makes one realistic 24-megapixel camera JPEG (6000×4000, grain and texture,
from the demo photo generator) and renders it at two sizes, web (fit
2048×2048, quality 85) and thumbnail (fit 400×400, quality 80), three ways:

- ours:    the project's specs, `media.imagegenerators.Web` / `Thumbnail`
           (JPEG draft decoding, upright, sRGB, LANCZOS ResizeToFit);
- plain:   imagekit's documented path, `Transpose()` + `ResizeToFit()` on the
           fully decoded original, same output format and options as ours;
- libvips: `pyvips.Image.thumbnail()` + `write_to_buffer(".jpg[Q=..,interlace]")`.

Figures per variant and size:

- CPU ms:  median `time.process_time()` per rendition; it counts every thread
           of the process, so libvips's worker threads are included;
- wall ms: median `time.perf_counter()` per rendition;
- peak MB: how far one rendition raises the peak resident memory
           (`ru_maxrss`) of a fresh child process that already imported
           everything and rendered a small warm-up photo the same way;
- PSNR px: the rendition's pixels before JPEG encoding against a reference
           made by decoding the full original with Pillow and resizing it
           with LANCZOS to the same size, in RGB: what reduced decoding and
           the resize cost in quality (the goal is measured here);
- PSNR jpg: the same for the finished JPEG file, so the encoder's loss
           (about 39 dB at quality 85 for a grainy photo, for every variant
           alike) is included;
- KB:      size of the JPEG produced.

Then the ratios, the project's goals marked PASS or FAIL (the script never
fails on them), and photos per second for every file the rendition task
makes of a photo (thumbnail, web, social, cleaned and stamped original,
through `media.renditions.file_makers`) with one worker process per core. The last
line is the headline: our web rendition's CPU time over libvips's.
`--quick` does fewer runs, for a smoke test.
"""

import argparse
import io
import logging
import math
import multiprocessing
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from PIL import Image, ImageChops, ImageOps

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PHOTO_SIZE = (6000, 4000)
PHOTO_TITLE = "Car #120 in the first stint"
WARMUP_SIZE = (64, 48)
VARIANTS = ("ours", "plain", "libvips")
ROUNDS = 3
WARMUPS = 3
ALL_SIZES = ("thumbnail", "web", "social", "original")
SIZES = ("web", "thumbnail")
GOAL_RATIO_LIBVIPS = 1.0
GOAL_PSNR_DB = 40.0
GOAL_PEAK_MB = 100.0
GOAL_LESS_CPU_THAN_PLAIN = 2.5


# Django, imagekit, the project and pyvips are imported once configure() has
# set up Django and checked that libvips loads, in every process.
def configure(var_dir):
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "SECRET_KEY": "bench",
            "DEBUG": "0",
            "SITE_URL": "http://127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "VAR_DIR": var_dir,
        }
    )
    import django

    django.setup()
    try:
        import pyvips
    except OSError as error:  # pyvips is installed, the C library it loads is not
        sys.exit(f"{error}\nInstall libvips, on Debian: apt-get install libvips42")

    # The site logs INFO to the console, and pyvips passes libvips's progress
    # notes ("VIPS: thumbnailing ...") on to Python logging at that level.
    logging.getLogger("pyvips").setLevel(logging.WARNING)

    # libvips caches operations by their arguments; rendering the same file
    # again must do the whole job again, as every new upload does.
    pyvips.cache_set_max(0)


def our_specs():
    from media.imagegenerators import Thumbnail, Web

    return {"web": Web, "thumbnail": Thumbnail}


def plain_spec(ours):
    """imagekit's documented path: upright, then LANCZOS ResizeToFit on the full decode."""
    from imagekit import ImageSpec
    from imagekit.processors import ResizeToFit, Transpose

    class Plain(ImageSpec):
        format = ours.format
        options = ours.options
        processors = [Transpose(), ResizeToFit(*ours.box, upscale=False)]

    return Plain


def render_spec(spec_class, path):
    from django.core.files import File

    with open(path, "rb") as source:
        return spec_class(source=File(source, name=str(path))).generate().read()


def render_libvips(path, box, quality):
    import pyvips

    image = pyvips.Image.thumbnail(str(path), box[0], height=box[1], size="down")
    return image.write_to_buffer(f".jpg[Q={quality},interlace]")


def renderer(variant, size):
    """A function of the photo's path returning the rendition's JPEG bytes."""
    ours = our_specs()[size]
    if variant == "ours":
        return lambda path: render_spec(ours, path)
    if variant == "plain":
        plain = plain_spec(ours)
        return lambda path: render_spec(plain, path)
    return lambda path: render_libvips(path, ours.box, ours.options["quality"])


def write_photo(directory, size):
    from newsroom.site.demo.files import make_photo

    path = Path(directory) / f"photo-{size[0]}x{size[1]}.jpg"
    path.write_bytes(make_photo(PHOTO_TITLE, size))
    return path


def draft_size(path, size):
    """The size our Draft processor makes the JPEG decoder produce."""
    from media.imagegenerators import Draft

    spec = our_specs()[size]
    with Image.open(path) as image:
        return Draft(*spec.box).process(image).size


# Timing ------------------------------------------------------------------


def timed(render, path):
    cpu, wall = time.process_time(), time.perf_counter()
    data = render(path)
    return time.process_time() - cpu, time.perf_counter() - wall, data


def time_all(keys, path, runs, rounds=ROUNDS):
    """Median CPU and wall seconds per rendition, and the last output of each.

    All in this one process. Each variant renders in a block: a few warm-up
    renditions (lazy imports, decoder and libvips start-up, the allocator
    settling on the buffer sizes it asks for, as in a worker that has made a
    few photos already), then timed ones. The blocks take turns, `rounds`
    times, so a noisy neighbour on a shared machine slows every variant alike.
    """
    renderers = {key: renderer(*key) for key in keys}
    samples = {key: ([], []) for key in keys}
    outputs = {}
    per_round = max(1, math.ceil(runs / rounds))
    for _ in range(rounds):
        for key, render in renderers.items():
            for _ in range(WARMUPS):
                render(path)
            for _ in range(per_round):
                cpu, wall, outputs[key] = timed(render, path)
                samples[key][0].append(cpu)
                samples[key][1].append(wall)
    medians = {
        key: (statistics.median(cpu), statistics.median(wall))
        for key, (cpu, wall) in samples.items()
    }
    return medians, outputs


# Quality -----------------------------------------------------------------


def reference_original(path):
    """The whole original, decoded at full resolution by Pillow and upright."""
    with Image.open(path) as image:
        return ImageOps.exif_transpose(image).convert("RGB")


def decoded(data):
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB")


def psnr(image, reference):
    """Peak signal-to-noise ratio over the RGB channels, from a difference histogram."""
    histogram = ImageChops.difference(image, reference).histogram()
    # histogram() holds 256 bins per band; bin index % 256 is the difference.
    squared_error = sum(count * (index % 256) ** 2 for index, count in enumerate(histogram))
    mse = squared_error / (image.width * image.height * len(image.getbands()))
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


def pixels(variant, size, path):
    """The rendition's pixels before JPEG encoding: what the resize path alone produced."""
    ours = our_specs()[size]
    if variant == "libvips":
        import pyvips

        image = pyvips.Image.thumbnail(str(path), ours.box[0], height=ours.box[1], size="down")
        return Image.frombytes("RGB", (image.width, image.height), image.write_to_memory())
    from imagekit.utils import open_image
    from pilkit.processors import ProcessorPipeline

    spec = ours if variant == "ours" else plain_spec(ours)
    with open(path, "rb") as source:
        image = open_image(source)
        return ProcessorPipeline(spec(source=None).processors).process(image).convert("RGB")


def quality_all(outputs, original, path):
    """(size, PSNR of the pixels before encoding, PSNR of the JPEG file) per variant."""
    references = {}
    results = {}
    for key, data in outputs.items():
        image = decoded(data)
        if image.size not in references:
            references[image.size] = original.resize(image.size, Image.Resampling.LANCZOS)
        reference = references[image.size]
        resized = pixels(*key, path)
        results[key] = (image.size, psnr(resized, reference), psnr(image, reference))
    return results


# Peak memory -------------------------------------------------------------


def max_rss_mb():
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_child(var_dir, path, warmup_path, key, results):
    configure(var_dir)
    render = renderer(*key)
    # Render a tiny photo first, so library start-up (decoder, libvips thread
    # pool) is in the baseline. It must stay tiny: ru_maxrss is a high-water
    # mark, and a bigger warm-up's own buffers would hide the photo's.
    render(warmup_path)
    baseline = max_rss_mb()
    render(path)
    results.put(max_rss_mb() - baseline)


def peak_memory(var_dir, path, warmup_path, key):
    """Peak resident memory one rendition adds, measured in a fresh child process."""
    # forkserver: children are forked from a small server process. With fork,
    # or spawn (fork + exec, and Linux carries the pre-exec peak over into
    # ru_maxrss), a child's ru_maxrss would start at this process's size.
    context = multiprocessing.get_context("forkserver")
    results = context.Queue()
    child = context.Process(target=memory_child, args=(var_dir, path, warmup_path, key, results))
    child.start()
    peak = results.get()
    child.join()
    return peak


# Throughput --------------------------------------------------------------


def all_files(original):
    """Every file the rendition task makes of a JPEG, through its own code.

    Thumbnail, web and social sizes plus the cleaned original, each with
    metadata stripped and rights stamped; only the storage writes are left out.
    """
    from media.metadata import Rights
    from media.renditions import file_makers
    from media.sizes import SIZES

    photo = SimpleNamespace(
        rights=Rights("Podium", "Third place.", "24H SERIES", "© 24H SERIES", "Free to use"),
        image=SimpleNamespace(name="photo.jpg"),
        image_format="JPEG",
        is_jpeg=True,
        focal_x=0.5,
        focal_y=0.5,
    )
    files = []
    for _size, make in file_makers(photo, io.BytesIO(original), [SIZES[s] for s in ALL_SIZES]):
        made = io.BytesIO()
        make(made)
        files.append(made.getvalue())
    return files


def throughput_worker(var_dir, path, index, photos, ready, done):
    configure(var_dir)
    original = Path(path).read_bytes()
    all_files(original)  # warm-up, outside the timed window
    ready.wait()
    for _ in range(photos):
        all_files(original)
    done.put(index)


def photos_per_second(var_dir, path, workers, photos_each):
    """Every file of a photo, as the rendition task makes them, one worker process per core."""
    context = multiprocessing.get_context("forkserver")
    ready = context.Barrier(workers + 1)
    done = context.Queue()
    processes = [
        context.Process(
            target=throughput_worker, args=(var_dir, path, index, photos_each, ready, done)
        )
        for index in range(workers)
    ]
    for process in processes:
        process.start()
    # Start the clock once every worker has started up and warmed up.
    ready.wait()
    start = time.perf_counter()
    for _ in processes:
        done.get()
    elapsed = time.perf_counter() - start
    for process in processes:
        process.join()
    return workers * photos_each / elapsed


# Report ------------------------------------------------------------------


def verdict(passed):
    return "PASS" if passed else "FAIL"


def print_header(path, runs):
    import PIL
    import pyvips

    print(
        f"Python {platform.python_version()}, Pillow {PIL.__version__}, "
        f"libvips {pyvips.version(0)}.{pyvips.version(1)}.{pyvips.version(2)} "
        f"(pyvips {pyvips.__version__}), {os.cpu_count()} CPUs"
    )
    drafts = ", ".join(
        f"{size} {width}×{height}" for size in SIZES for width, height in [draft_size(path, size)]
    )
    print(
        f"photo: {PHOTO_SIZE[0]}×{PHOTO_SIZE[1]} JPEG, {path.stat().st_size / 1e6:.1f} MB; "
        f"ours decodes it at: {drafts}"
    )
    print(
        f"in this process, medians of {runs} runs in {ROUNDS} rounds, each variant's "
        f"block after {WARMUPS} warm-up renditions; "
        "peak MB = ru_maxrss delta in a fresh forkserver child"
    )
    print()


def print_table(times, quality, memory, outputs):
    print(
        f"{'variant':<8} {'size':<10} {'output':>10} {'CPU ms':>8} {'wall ms':>8} "
        f"{'peak MB':>8} {'PSNR px':>8} {'PSNR jpg':>8} {'KB':>6}"
    )
    for size in SIZES:
        for variant in VARIANTS:
            key = (variant, size)
            cpu, wall = times[key]
            (width, height), db, file_db = quality[key]
            print(
                f"{variant:<8} {size:<10} {f'{width}×{height}':>10} {cpu * 1000:>8.1f} "
                f"{wall * 1000:>8.1f} {memory[key]:>8.1f} {db:>8.2f} {file_db:>8.2f} "
                f"{len(outputs[key]) / 1024:>6.0f}"
            )
    print()


def cpu_ratio(times, variant, other, size):
    return times[(variant, size)][0] / times[(other, size)][0]


def print_ratios(times):
    for size in SIZES:
        plain = cpu_ratio(times, "ours", "plain", size)
        libvips = cpu_ratio(times, "ours", "libvips", size)
        print(
            f"{size}: CPU ours / plain ResizeToFit {plain:.2f} ({1 / plain:.2f}× less), "
            f"ours / libvips {libvips:.2f}"
        )
    print()


def print_goals(times, quality, memory):
    ratio = cpu_ratio(times, "ours", "libvips", "web")
    print(
        f"goal: web CPU ours / libvips <= {GOAL_RATIO_LIBVIPS}: {ratio:.2f} "
        f"{verdict(ratio <= GOAL_RATIO_LIBVIPS)}"
    )
    for size in SIZES:
        db = quality[("ours", size)][1]
        print(
            f"goal: PSNR of the resized pixels >= {GOAL_PSNR_DB:.0f} dB, ours {size}: {db:.2f} "
            f"{verdict(db >= GOAL_PSNR_DB)}"
        )
    # A photo's renditions are made one after another, so its peak is the larger one.
    peak = max(memory[("ours", size)] for size in SIZES)
    print(
        f"goal: peak memory for one photo <= {GOAL_PEAK_MB:.0f} MB, ours: {peak:.1f} "
        f"{verdict(peak <= GOAL_PEAK_MB)}"
    )
    for size in SIZES:
        less = 1 / cpu_ratio(times, "ours", "plain", size)
        print(
            f"goal: ours >= {GOAL_LESS_CPU_THAN_PLAIN}× less CPU than plain ResizeToFit, "
            f"{size}: {less:.2f}× {verdict(less >= GOAL_LESS_CPU_THAN_PLAIN)}"
        )
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, for a smoke test")
    args = parser.parse_args()
    runs, photos_each = (3, 1) if args.quick else (9, 8)
    with tempfile.TemporaryDirectory() as var_dir:
        configure(var_dir)
        path = write_photo(var_dir, PHOTO_SIZE)
        warmup_path = write_photo(var_dir, WARMUP_SIZE)
        print_header(path, runs)
        keys = [(variant, size) for size in SIZES for variant in VARIANTS]
        times, outputs = time_all(keys, path, runs)
        quality = quality_all(outputs, reference_original(path), path)
        memory = {key: peak_memory(var_dir, path, warmup_path, key) for key in keys}
        print_table(times, quality, memory, outputs)
        print_ratios(times)
        print_goals(times, quality, memory)
        workers = os.cpu_count()
        rate = photos_per_second(var_dir, path, workers, photos_each)
        print(
            f"all files of a photo (thumbnail, web, social, cleaned original), {workers} workers "
            f"× {photos_each} photos: {rate:.2f} photos/s"
        )
        print(f"web CPU ours / libvips: {cpu_ratio(times, 'ours', 'libvips', 'web'):.2f}")


if __name__ == "__main__":
    main()
