"""Keep photo sets' public time in step with the releases that include them."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from media.models import Photo, PhotoSet
from press.models import PressRelease, sync_photo_set_release_times


@receiver(post_save, sender=PressRelease)
@receiver(post_delete, sender=PressRelease)
def release_changed(sender, instance, **kwargs):
    sync_photo_set_release_times(newsroom_id=instance.newsroom_id)


@receiver(m2m_changed, sender=PressRelease.photo_sets.through)
def release_photo_sets_changed(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        sync_photo_set_release_times(newsroom_id=instance.newsroom_id)


@receiver(post_save, sender=PhotoSet)
def photo_set_saved(sender, instance, **kwargs):
    sync_photo_set_release_times(pk=instance.pk)


@receiver(post_save, sender=Photo)
def photo_saved(sender, instance, created, **kwargs):
    # A hero photo moved to another set takes that set's visibility with it.
    if not created:
        sync_photo_set_release_times(newsroom__photo_sets=instance.photo_set_id)
