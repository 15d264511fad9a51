from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    name = "media"
    verbose_name = _("Photos")

    def ready(self):
        from media import signals  # noqa: F401
        from media.models import Photo
        from media.tasks import generate_renditions

        # The model is below its task: the task learns of new versions by registration.
        Photo.on_new_version.append(generate_renditions.enqueue)
