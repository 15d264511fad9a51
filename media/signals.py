"""Files leave the storage with the rows that own them, once the deletion is committed."""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from media.models import Document, Photo, Rendition, Subtitle, Video, VideoFile


@receiver(post_delete, sender=Photo)
@receiver(post_delete, sender=Rendition)
@receiver(post_delete, sender=Document)
@receiver(post_delete, sender=Video)
@receiver(post_delete, sender=VideoFile)
@receiver(post_delete, sender=Subtitle)
def delete_file(sender, instance, **kwargs):
    file = instance.image if sender is Photo else instance.file
    if file:
        transaction.on_commit(partial(file.storage.delete, file.name))
