"""The scale benchmark (bench/scale.py) loads and measures, at a tiny size, so it cannot rot."""

import importlib.util
from pathlib import Path

import pytest
from django.db import connection

from media.models import PhotoSet
from press.models import PressRelease, Quote, Result

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "scale.py"


def bench_module():
    spec = importlib.util.spec_from_file_location("scale_bench", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db(transaction=True)
def test_the_scale_benchmark_loads_grows_and_measures_every_operation(settings):
    if connection.vendor != "postgresql":
        pytest.skip("bench/scale.py measures PostgreSQL only (COPY, full-text vectors)")
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0  # as the script runs: every page is rendered
    scale = bench_module()
    lines = []

    figures = scale.run([20, 40], repeat=1, log=lines.append)

    # Growing: the second size adds to the first, its partly filled set included.
    assert PressRelease.objects.count() == 40
    assert PressRelease.objects.live().count() == 36  # two drafts, two scheduled
    assert Quote.objects.count() == 80
    assert Result.objects.count() == 120
    assert PhotoSet.objects.filter(slug__startswith="weekend-").count() == 2
    assert any("checked against the project's code" in line for line in lines)
    names = set(figures[20])
    assert {"release page", "search, rare word", "admin release save"} <= names
    assert names == set(figures[40])
    assert all(seconds > 0 for size in figures.values() for seconds in size.values())
    table = scale.table([20, 40], figures)
    assert len(table.splitlines()) == len(names) + 2
    assert scale.headline([20, 40], figures).startswith("worst growth 20 → 40: ")
