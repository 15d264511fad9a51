from django.tasks import task

from media.models import Photo


@task()
def generate_renditions(photo_pk):
    """Make every rendition of a photo that does not exist yet."""
    photo = Photo.objects.filter(pk=photo_pk).first()
    if photo is None or not photo.image:
        return
    for rendition in (photo.thumbnail, photo.web):
        rendition.generate()
