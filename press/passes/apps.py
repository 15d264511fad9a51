from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PassesConfig(AppConfig):
    name = "press.passes"
    label = "passes"
    verbose_name = _("Preview passes")

    def ready(self):
        from newsroom.ground import pagecache
        from press.passes.models import PassEvent, PreviewPass

        pagecache.not_shown(PreviewPass, PassEvent)  # the pages a pass opens are never kept
