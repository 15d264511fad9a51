"""Settings for the newsroom, read from the environment.

Development defaults apply only where they are safe: with DEBUG off (the
default) the site refuses to start without a SECRET_KEY, and cookies and
redirects assume HTTPS.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment, or set DEBUG=1 "
            "for local development."
        )
    SECRET_KEY = "development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
# The site's address as journalists reach it, e.g. "https://news.example.com".
# Every absolute link (canonical addresses, feeds, the sitemap, the API,
# e-mails) is written with it, never with the Host a client sent: a page
# kept in the cache must be right for every visitor.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
if not SITE_URL:
    raise ImproperlyConfigured(
        "SITE_URL is not set. Set it to the public address, e.g. https://news.example.com, "
        "or set DEBUG=1 for local development."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # The layers, top first: the site, the press apps, media, the ground.
    "newsroom.site",
    "press.passes",
    "press.alerts",
    "press.api",
    "press",
    "media",
    "newsroom.ground",
    # Django's admin, with its site-wide views held to each model admin's rules.
    "newsroom.ground.apps.NewsroomAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Full-text search on PostgreSQL (the search falls back to plain matching on SQLite).
    "django.contrib.postgres",
    "django.forms",
    "imagekit",
    "django_prose_editor",
    "django_tasks_db",
    "axes",
]

MIDDLEWARE = [
    "newsroom.ground.http.no_length_without_content",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads a request's body: refuses uploads too big to accept.
    "newsroom.ground.uploads.RequestSizeLimit",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language a page speaks is the first part of its address ("/sv/…").
    "newsroom.ground.languages.speak_the_address_language",
    "newsroom.ground.language_redirects.find_the_language",
    # Kept public pages are answered here, in the language their address names, before
    # anything reads the request for a view.
    "newsroom.ground.pagecache.serve_kept_pages",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Before any view, session or login code reads the request: NUL bytes are a 400.
    "newsroom.ground.middleware.refuse_impossible_input",
    # Last, as its documentation asks: turns too many failed logins into a lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
# Widget templates come from the project's template tree too.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: one file, safe for the demo's concurrent requests.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A pool per process instead of persistent connections: under ASGI every request
    # runs in its own context, so persistent connections pile up until PostgreSQL
    # refuses more, and downloads give theirs back before streaming (Django's pool
    # needs CONN_MAX_AGE = 0).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DATABASE_POOL_MIN_SIZE", 2)),
        "max_size": int(os.environ.get("DATABASE_POOL_MAX_SIZE", 10)),
        "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", 10)),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared by every process and app server (rendered public pages, their
# generations): the database by default, Redis or memcached when set.
# The database's cache table is made by `migrate`.
CACHE_BACKEND = os.environ.get("CACHE_BACKEND", "django.core.cache.backends.db.DatabaseCache")
CACHES = {
    "default": {
        "BACKEND": CACHE_BACKEND,
        "LOCATION": os.environ.get(
            "CACHE_LOCATION", "newsroom_cache" if CACHE_BACKEND.endswith("DatabaseCache") else ""
        ),
        "OPTIONS": {"MAX_ENTRIES": 20000} if CACHE_BACKEND.endswith("DatabaseCache") else {},
    }
}

# Passwords are hashed with Argon2 (older hashes are upgraded at the next login).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    # Refuses logins for a username and address after too many failures.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Spraying one password over many names is caught by a second, larger limit per
# address across names (newsroom.ground.logins.LockoutHandler).
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", 20))
AXES_HANDLER = "newsroom.ground.logins.LockoutHandler"
# Behind a proxy every request comes from the proxy's address: axes, like the
# sign-up limits, asks newsroom.ground.http.client_ip() who the client is.
AXES_CLIENT_IP_CALLABLE = "newsroom.ground.http.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_VERBOSE = False
# Sessions last a working week at most and end with the browser; editors can
# see and end their sessions in the admin.
SESSION_COOKIE_AGE = 60 * 60 * 24 * 7
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
# Languages a release can be written in; ordinals ("1st place") follow them.
# Every language offered here has a complete catalog in locale/ (tests check it).
LANGUAGES = [
    ("en", _("English")),
    ("sv", _("Swedish")),
    ("de", _("German")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["newsroom.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Stockholm")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Uploads are never served from a public folder: views check visibility first.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "uploads"))
MEDIA_URL = "/uploads/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# In development static files come straight from the apps, no collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
if os.environ.get("S3_BUCKET"):
    # Uploads and renditions in S3-compatible object storage; keep the bucket
    # private: every file still goes out through the views that check visibility.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "default_acl": None,
            "file_overwrite": False,
        },
    }
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_NUMBER_FILES = 200

TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# Small logo and portrait sizes, made by imagekit on first request.
IMAGEKIT_CACHEFILE_DIR = "cache"

# Upload limits: big enough for any camera, small enough to refuse bombs.
NEWSROOM_MAX_UPLOAD_BYTES = int(os.environ.get("NEWSROOM_MAX_UPLOAD_BYTES", 100 * 1024 * 1024))
NEWSROOM_MAX_IMAGE_PIXELS = int(os.environ.get("NEWSROOM_MAX_IMAGE_PIXELS", 100_000_000))
NEWSROOM_MAX_DOCUMENT_BYTES = int(os.environ.get("NEWSROOM_MAX_DOCUMENT_BYTES", 50 * 1024 * 1024))

# Videos come in pieces, resumable (the tus protocol), staged here until the last byte:
# with several app servers, a volume they all share. A staged upload nobody finished is
# removed after a day (manage.py clean_staged_uploads).
NEWSROOM_UPLOAD_STAGING_DIR = Path(
    os.environ.get("NEWSROOM_UPLOAD_STAGING_DIR", VAR_DIR / "staging")
)
NEWSROOM_UPLOAD_MAX_BYTES = int(
    os.environ.get("NEWSROOM_UPLOAD_MAX_BYTES", 20 * 1024 * 1024 * 1024)
)
# A video's frame at most this many pixels a side, and at most this long.
NEWSROOM_VIDEO_MAX_SIDE = int(os.environ.get("NEWSROOM_VIDEO_MAX_SIDE", 8192))
NEWSROOM_VIDEO_MAX_SECONDS = int(os.environ.get("NEWSROOM_VIDEO_MAX_SECONDS", 4 * 3600))
# A finished video upload is probed in a process of its own, refused if it takes longer.
NEWSROOM_VIDEO_PROBE_SECONDS = int(os.environ.get("NEWSROOM_VIDEO_PROBE_SECONDS", 120))

# A journalist's selection (the lightbox): at most this many items, and a ZIP of it at
# most this many bytes in the chosen size.
NEWSROOM_SELECTION_MAX_ITEMS = int(os.environ.get("NEWSROOM_SELECTION_MAX_ITEMS", 200))
NEWSROOM_SELECTION_MAX_BYTES = int(
    os.environ.get("NEWSROOM_SELECTION_MAX_BYTES", 4 * 1024 * 1024 * 1024)
)

# Public media files: URLs change when the file changes, but visibility can
# change too (a release withdrawn, a set made private): caches keep a file five
# minutes, then ask again (ETag, so usually a 304). 0 makes them ask every time.
NEWSROOM_MEDIA_MAX_AGE = int(os.environ.get("NEWSROOM_MEDIA_MAX_AGE", 300))
# Public pages and feeds: how long browsers and CDNs may keep them. Never
# longer than until the next scheduled release goes live.
NEWSROOM_PAGE_MAX_AGE = int(os.environ.get("NEWSROOM_PAGE_MAX_AGE", 60))
# How long the server keeps a rendered public page. Any change in its
# newsroom replaces it at once, and it never outlives the next go-live.
NEWSROOM_PAGE_CACHE_SECONDS = int(os.environ.get("NEWSROOM_PAGE_CACHE_SECONDS", 600))
# Each process also keeps copies of the pages it served lately, up to this many bytes,
# so a visit reads only the newsroom's generation from the shared cache, not the page.
NEWSROOM_PAGE_MEMORY_BYTES = int(os.environ.get("NEWSROOM_PAGE_MEMORY_BYTES", 16 * 1024 * 1024))
# With object storage: public downloads are answered with a redirect to the bucket, an
# address signed for this many seconds, after the visibility check; previews, pass-holders'
# files and ZIPs still stream through the app.
NEWSROOM_BUCKET_DOWNLOADS = env_bool(
    "NEWSROOM_BUCKET_DOWNLOADS", default=bool(os.environ.get("S3_BUCKET"))
)
NEWSROOM_BUCKET_URL_SECONDS = int(os.environ.get("NEWSROOM_BUCKET_URL_SECONDS", 60))
# Behind nginx: after the view has checked visibility, nginx sends the file
# from this internal location (X-Accel-Redirect), e.g. "/protected-uploads/".
NEWSROOM_ACCEL_REDIRECT_PREFIX = os.environ.get("NEWSROOM_ACCEL_REDIRECT_PREFIX", "")

LOGIN_URL = "admin:login"

# E-mail: printed to the console in development, SMTP in production.
MAIL_BACKEND = os.environ.get(
    "MAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {"default": {"BACKEND": MAIL_BACKEND}}
if MAIL_BACKEND.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("SMTP_HOST", "localhost"),
        "port": int(os.environ.get("SMTP_PORT", 587)),
        "username": os.environ.get("SMTP_USER", ""),
        "password": os.environ.get("SMTP_PASSWORD", ""),
        "use_tls": env_bool("SMTP_TLS", default=True),
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "newsroom@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Admin", address) for address in env_list("ADMINS")]

# Security headers. Everything we serve comes from our own origin: no CDN.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    # The nonce lets the admin's editor load its import map; nothing else inline runs.
    "script-src": [CSP.SELF, CSP.NONCE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    # A release's YouTube or Vimeo video, put in the page when the reader presses play.
    "frame-src": ["https://www.youtube-nocookie.com", "https://player.vimeo.com"],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env_bool("BEHIND_TLS_PROXY"):
    # The proxy terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front append to X-Forwarded-For; the client is the address
# that many places from its right. 0: nobody's X-Forwarded-For is believed.
TRUSTED_PROXY_COUNT = int(
    os.environ.get("TRUSTED_PROXY_COUNT", 1 if env_bool("BEHIND_TLS_PROXY") else 0)
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # One line per task run is noise; failures are still logged.
        "django.tasks": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # Lockouts are warnings; every failed attempt is not.
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
