from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsroomConfig(AppConfig):
    name = "newsroom"
    verbose_name = _("Newsrooms and people")

    def ready(self):
        from newsroom import checks, signals  # noqa: F401
