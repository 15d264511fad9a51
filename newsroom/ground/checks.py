"""Deployment checks of our own, run by `manage.py check --deploy`."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def site_url_is_https(app_configs, **kwargs):
    """Journalists follow our links from feeds, e-mails and other sites: give them HTTPS."""
    if not settings.SITE_URL.startswith("https://"):
        return [
            checks.Warning(
                "SITE_URL does not start with https://.",
                hint="Journalists follow links in e-mails: give them the HTTPS address.",
                id="newsroom.W002",
            )
        ]
    return []


@checks.register()
def pages_are_kept(app_configs, **kwargs):
    """Public pages are served from the cache, and kept, by one middleware."""
    middleware = "newsroom.ground.pagecache.serve_kept_pages"
    if middleware not in settings.MIDDLEWARE:
        return [
            checks.Warning(
                f"{middleware} is not in MIDDLEWARE: every public page is rendered per visit.",
                hint="List it after the language middleware, before CommonMiddleware.",
                id="newsroom.W003",
            )
        ]
    return []
