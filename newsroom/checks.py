"""Deployment checks of our own, run by `manage.py check --deploy`."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def site_url_is_set(app_configs, **kwargs):
    """E-mails (alerts, confirmations, passes) are written far from a request: they need it."""
    if not settings.SITE_URL:
        return [
            checks.Warning(
                "SITE_URL is not set, so links in e-mails cannot be written.",
                hint="Set SITE_URL to the public address, e.g. https://news.example.com.",
                id="newsroom.W001",
            )
        ]
    if not settings.SITE_URL.startswith("https://"):
        return [
            checks.Warning(
                "SITE_URL does not start with https://.",
                hint="Journalists follow links in e-mails: give them the HTTPS address.",
                id="newsroom.W002",
            )
        ]
    return []
