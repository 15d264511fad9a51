import logging

from django.tasks import task
from django.utils import timezone

from media.models import Photo
from media.renditions import render_photo

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
        Photo.objects.filter(pk=photo.pk, version=photo.version).update(
            rendering_claim="",
            rendering_failed_at=timezone.now(),
            rendering_error=(str(error) or type(error).__name__)[:1000],
        )
        return False
    return True
