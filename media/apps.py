from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    name = "media"
    verbose_name = _("Photos")

    def ready(self):
        from media import signals  # noqa: F401
        from media.models import (
            Document,
            DownloadCount,
            Photo,
            PhotoSet,
            PhotoText,
            Rendition,
            ZipDownloadCount,
        )
        from media.tasks import generate_renditions
        from newsroom.ground import pagecache

        pagecache.watch(PhotoSet)
        pagecache.watch(Document)
        pagecache.watch(Photo, newsroom="photo_set__newsroom")
        pagecache.watch(Rendition, newsroom="photo__photo_set__newsroom")
        pagecache.watch(PhotoText, newsroom="photo__photo_set__newsroom")
        pagecache.not_shown(DownloadCount, ZipDownloadCount)  # counters are on no page

        # The model is below its task: the task learns of new versions by registration.
        Photo.on_new_version.append(generate_renditions.enqueue)
