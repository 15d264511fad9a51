import logging

from django.tasks import task

from media.models import Photo
from media.renditions import render_photo

logger = logging.getLogger(__name__)


@task()
def generate_renditions(photo_pk):
    """Make the photo's files for its current version, unless done or under way elsewhere."""
    photo = Photo.objects.select_related("photo_set__newsroom").filter(pk=photo_pk).first()
    if photo is None or not photo.image or photo.rendered_version == photo.version:
        return
    if not photo.claim_rendering():
        return
    try:
        render_photo(photo)
    except Exception:
        # Let the next run try again instead of waiting for the claim to expire.
        Photo.objects.filter(pk=photo.pk, rendering_claim=photo.version).update(rendering_claim="")
        logger.exception("Could not make the files of photo %s", photo.pk)
        raise
