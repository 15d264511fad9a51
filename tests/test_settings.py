"""The settings as production reads them, checked in a fresh process."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from newsroom.ground.checks import pages_are_kept

ROOT = Path(__file__).resolve().parent.parent
# Set by the test settings or the browser tests, never by a deployment.
TEST_ONLY_VARIABLES = {
    "SECRET_KEY",
    "DEBUG",
    "DJANGO_SETTINGS_MODULE",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SITE_URL",
}


def manage(*args, **env):
    clean = {name: value for name, value in os.environ.items() if name not in TEST_ONLY_VARIABLES}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", SITE_URL="https://news.example.com")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_development_runs_without_a_secret_key():
    assert manage("check", DEBUG="1").returncode == 0


def test_deploy_checks_pass_with_production_settings(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="news.example.com",
        SITE_URL="https://news.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_the_site_address(tmp_path):
    result = manage(
        "check",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )

    assert result.returncode != 0
    assert "SITE_URL is not set" in result.stderr


def test_deploy_checks_ask_for_an_https_site_address(tmp_path):
    plain = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="news.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SITE_URL="http://news.example.com",
    )

    assert plain.returncode != 0 and "newsroom.W002" in plain.stderr + plain.stdout


def test_object_storage_is_chosen_by_the_environment(tmp_path):
    script = (
        "from django.core.files.storage import storages; print(type(storages['default']).__name__)"
    )
    result = manage(
        "shell",
        "-c",
        script,
        DEBUG="1",
        S3_BUCKET="newsroom",
        S3_ENDPOINT_URL="http://127.0.0.1:9",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )

    assert result.stdout.strip().splitlines()[-1] == "S3Storage", result.stderr


def test_processes_share_one_cache_by_default(tmp_path):
    """Several app servers and the worker must see the same cached pages and generations."""
    production = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "news.example.com",
        "SITE_URL": "https://news.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    assert manage("migrate", "-v0", **production).returncode == 0

    write = "from django.core.cache import cache; cache.set('shared', 'yes', 60)"
    read = "from django.core.cache import cache; print(cache.get('shared'))"
    assert manage("shell", "-c", write, **production).returncode == 0
    result = manage("shell", "-c", read, **production)

    assert result.stdout.splitlines()[-1] == "yes", result.stderr


def test_behind_the_tls_proxy_one_proxy_is_trusted_unless_told_otherwise():
    def trusted(**env):
        show = "from django.conf import settings; print(settings.TRUSTED_PROXY_COUNT)"
        result = manage("shell", "-c", show, DEBUG="1", **env)
        assert result.returncode == 0, result.stderr
        return int(result.stdout.split()[-1])

    assert trusted() == 0
    assert trusted(BEHIND_TLS_PROXY="1") == 1
    assert trusted(BEHIND_TLS_PROXY="1", TRUSTED_PROXY_COUNT="2") == 2


def test_postgresql_connections_come_from_a_pool_per_process(tmp_path):
    script = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['OPTIONS']['pool']['max_size'], "
        "settings.NEWSROOM_BUCKET_DOWNLOADS)"
    )
    result = manage(
        "shell",
        "-c",
        script,
        DEBUG="1",
        DATABASE_URL="postgres://newsroom:newsroom@127.0.0.1:9/newsroom",
        DATABASE_POOL_MAX_SIZE="7",
        S3_BUCKET="newsroom",
    )

    # Persistent connections are off (they pile up under ASGI); a pool of 7 instead, and
    # with a bucket, public downloads are handed to it.
    assert result.stdout.strip().splitlines()[-1] == "0 7 True", result.stderr


def test_a_site_without_the_page_cache_middleware_is_warned(settings):
    assert pages_are_kept(None) == []
    settings.MIDDLEWARE = [
        name
        for name in settings.MIDDLEWARE
        if name != "newsroom.ground.pagecache.serve_kept_pages"
    ]
    assert [warning.id for warning in pages_are_kept(None)] == ["newsroom.W003"]
