from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    name = "media"
    verbose_name = _("Photos and videos")

    def ready(self):
        from media import signals  # noqa: F401
        from media.models import (
            Document,
            DownloadCount,
            Photo,
            PhotoSet,
            PhotoText,
            Rendition,
            Subtitle,
            Video,
            VideoDownloadCount,
            VideoFile,
            ZipDownloadCount,
        )
        from media.tasks import generate_renditions, generate_video_files
        from newsroom.ground import pagecache

        pagecache.watch(PhotoSet)
        pagecache.watch(Document)
        pagecache.watch(Photo, newsroom="photo_set__newsroom")
        pagecache.watch(Rendition, newsroom="photo__photo_set__newsroom")
        pagecache.watch(PhotoText, newsroom="photo__photo_set__newsroom")
        pagecache.watch(Video, newsroom="photo_set__newsroom")
        pagecache.watch(VideoFile, newsroom="video__photo_set__newsroom")
        pagecache.watch(Subtitle, newsroom="video__photo_set__newsroom")
        # Counters are on no page.
        pagecache.not_shown(DownloadCount, ZipDownloadCount, VideoDownloadCount)

        # The model is below its task: the task learns of new versions by registration.
        Photo.on_new_version.append(generate_renditions.enqueue)
        Video.on_new_version.append(generate_video_files.enqueue)
