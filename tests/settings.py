"""Settings for the test suite: the real settings, with test-only keys and fast hashing."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("SITE_URL", "http://testserver")

from newsroom.settings import *  # noqa: F403
from newsroom.settings import DATABASES, STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="newsroom-tests-")
NEWSROOM_UPLOAD_STAGING_DIR = os.path.join(MEDIA_ROOT, "staging")
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
# Static files come from the apps; nothing is collected for tests.
WHITENOISE_AUTOREFRESH = True
# One process: memory is shared enough, and cache hits then run no queries.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: the live server's threads then get connections of
    # their own, as in production, instead of sharing the test's one.
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(MEDIA_ROOT, "test.sqlite3")}
