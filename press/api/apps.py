from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The JSON API: releases, photo sets and events as IPTC ninjs. It keeps no rows."""

    name = "press.api"
    label = "api"
    verbose_name = _("API")
