"""Keep what is derived from releases in step: the public time of their photo sets,
documents and events, and (after commit) their search index.

Signals reach the ORM's saves and deletes; the paths they do not reach (the
bulk_create of a restore) call `search.refresh_later()` themselves.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from media.models import Document, Photo, PhotoSet
from newsroom.ground.models import Person
from press import search
from press.models import Event, PressRelease, Quote, Result, sync_release_times


@receiver(post_save, sender=PressRelease)
@receiver(post_delete, sender=PressRelease)
@receiver(post_save, sender=PhotoSet)
@receiver(post_save, sender=Document)
@receiver(post_save, sender=Event)
def release_or_media_saved(sender, instance, **kwargs):
    sync_release_times(instance.newsroom_id)


@receiver(m2m_changed, sender=PressRelease.photo_sets.through)
@receiver(m2m_changed, sender=PressRelease.documents.through)
@receiver(m2m_changed, sender=PressRelease.events.through)
def release_media_changed(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        sync_release_times(instance.newsroom_id)


@receiver(post_save, sender=Result)
@receiver(post_delete, sender=Result)
def result_saved(sender, instance, raw=False, **kwargs):
    # An event goes public with a release that gives its results.
    if not raw:
        sync_release_times(instance.event.newsroom_id)


@receiver(post_save, sender=Photo)
def photo_saved(sender, instance, created, **kwargs):
    # A hero photo moved to another set takes that set's visibility with it.
    if not created:
        sync_release_times(instance.photo_set.newsroom_id)


@receiver(post_save, sender=PressRelease)
def reindex_release(sender, instance, raw=False, **kwargs):
    if not raw:
        search.refresh_later(instance.pk)


@receiver(post_save, sender=Quote)
@receiver(post_delete, sender=Quote)
@receiver(post_save, sender=Result)
@receiver(post_delete, sender=Result)
def reindex_parent_release(sender, instance, raw=False, **kwargs):
    # Quotes and results are searched as part of their release.
    if not raw:
        search.refresh_later(instance.release_id)


# Names searched as part of releases: a person's with their quotes, an event's
# with its results. Renaming one refreshes those releases, and only then.
SEARCHED_NAMES = {Person: "quotes__speaker", Event: "results__event"}


@receiver(pre_save, sender=Person)
@receiver(pre_save, sender=Event)
def note_name_before(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._name_before = None
    if raw or instance.pk is None or (update_fields is not None and "name" not in update_fields):
        return
    stored = sender._base_manager.filter(pk=instance.pk).order_by().values_list("name", flat=True)
    instance._name_before = stored.first()


@receiver(post_save, sender=Person)
@receiver(post_save, sender=Event)
def reindex_releases_naming(sender, instance, created, raw=False, **kwargs):
    before = getattr(instance, "_name_before", None)
    if raw or created or before is None or before == instance.name:
        return
    naming = PressRelease.objects.filter(**{SEARCHED_NAMES[sender]: instance})
    for release_pk in naming.values_list("pk", flat=True).distinct():
        search.refresh_later(release_pk)
