from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PressConfig(AppConfig):
    name = "press"
    verbose_name = _("Press releases")

    def ready(self):
        from newsroom.models import Person
        from press import signals  # noqa: F401
        from press.models import names_in_published_release

        Person.shown_by.append(names_in_published_release)
