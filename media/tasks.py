import logging

from django.tasks import task

from media.models import Photo, Video
from media.renditions import render_photo
from media.video_renditions import render_video

logger = logging.getLogger(__name__)


@task()
def generate_renditions(photo_pk):
    """Make the photo's files for its current version, unless done or under way elsewhere.

    A failure is kept on the photo (when and what), where its editors see it,
    and the claim is given up so `render_photos --failed` can try again.
    Never re-raised: the upload that queued this has already been saved.
    """
    photo = Photo.objects.select_related("photo_set__newsroom").filter(pk=photo_pk).first()
    if photo is None or not photo.image or photo.rendered_version == photo.version:
        return False
    if not photo.claim_rendering():
        return False
    try:
        render_photo(photo)
    except Exception as error:
        logger.exception("Could not make the files of photo %s", photo.pk)
        photo.record_failure(error)
        return False
    return True


@task()
def generate_video_files(video_pk):
    """Make the video's files for its current version, unless done or under way elsewhere.

    A failure is kept on the video, where its editors see it.
    """
    video = Video.objects.select_related("photo_set__newsroom").filter(pk=video_pk).first()
    if video is None or not video.file or video.rendered_version == video.version:
        return False
    if not video.claim_rendering():
        return False
    try:
        render_video(video)
    except Exception as error:
        logger.exception("Could not make the files of video %s", video.pk)
        video.record_failure(error)
        return False
    return True
