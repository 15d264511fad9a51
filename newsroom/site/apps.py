from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The site on top: its home pages, site-wide views and the demo. It may use every app."""

    name = "newsroom.site"
    label = "site"
    verbose_name = _("Site")
