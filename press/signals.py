"""Keep what is derived from releases in step: the public time of their photo sets,
documents and events, and (after commit) their search index and the sitemap's
count of releases per month.

Signals reach the ORM's saves and deletes; the paths they do not reach (the
bulk_create of a restore) call `search.refresh_later()` themselves.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from media.models import Document, Photo, PhotoSet
from newsroom.ground.models import Person
from press import search, sitemap_months
from press.models import (
    Decided,
    Event,
    PressRelease,
    Quote,
    Result,
    decided_by,
    sync_release_times,
)

# The public time of sets, documents and events follows their releases. Each
# change recomputes the rows it links or unlinks, and only those.


def stored(instance, path, update_fields):
    """A value of the row as it is stored now, before a save that may change it (None for a
    new row, or a save of other fields only)."""
    return stored_values(instance, [path], update_fields).get(path)


def stored_values(instance, paths, update_fields):
    """{path: value} of the row as it is stored now, for those of `paths` the save may change
    (none for a new row), in one query."""
    if update_fields is not None:
        paths = [path for path in paths if path.split("__")[0] in update_fields]
    if instance.pk is None or not paths:
        return {}
    rows = type(instance)._base_manager.filter(pk=instance.pk).order_by()
    return rows.values(*paths).first() or {}


# What places a release in the sitemap's months: when it went public, whether it is live
# (its status, its original's), and its last public change.
IN_THE_SITEMAP = ["publish_at", "status", "original", "corrected_at", "first_published_at"]


@receiver(pre_save, sender=PressRelease)
def note_release_before(sender, instance, update_fields=None, **kwargs):
    # A hero that moves to another photo takes its old set out of the release; a release
    # that changes what places it in the sitemap changes the count of its months.
    before = stored_values(instance, ["hero_photo__photo_set", *IN_THE_SITEMAP], update_fields)
    instance._hero_set_before = before.get("hero_photo__photo_set")
    instance._sitemap_before = {
        field: before[field] for field in IN_THE_SITEMAP if field in before
    }


@receiver(post_save, sender=PressRelease)
def release_saved(sender, instance, raw=False, created=False, **kwargs):
    if raw:
        return
    before = Decided.rows(PhotoSet, [getattr(instance, "_hero_set_before", None)])
    sync_release_times(decided_by([instance.pk]) | before)
    was = getattr(instance, "_sitemap_before", {})
    now = {field: getattr(instance, sender._meta.get_field(field).attname) for field in was}
    if created or was != now:
        count_months_again(instance, [was.get("publish_at")])


@receiver(pre_delete, sender=PressRelease)
def note_what_a_release_decides(sender, instance, **kwargs):
    instance._decided = decided_by([instance.pk])


@receiver(post_delete, sender=PressRelease)
def release_deleted(sender, instance, **kwargs):
    sync_release_times(getattr(instance, "_decided", Decided()))
    sitemap_months.refresh_later(instance.newsroom_id, [instance.publish_at])


def count_months_again(release, earlier_times):
    """The sitemap's months of the release before and after a change, and of the versions
    that are live with it (an original's translations follow it)."""
    times = [release.publish_at, *earlier_times]
    if release.original_id is None:
        times += release.translations.values_list("publish_at", flat=True)
    sitemap_months.refresh_later(release.newsroom_id, times)


@receiver(post_save, sender=PhotoSet)
@receiver(post_save, sender=Document)
@receiver(post_save, sender=Event)
def media_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        sync_release_times(Decided.rows(sender, [instance.pk]))


@receiver(m2m_changed, sender=PressRelease.photo_sets.through)
@receiver(m2m_changed, sender=PressRelease.documents.through)
@receiver(m2m_changed, sender=PressRelease.events.through)
def release_media_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if reverse:  # from the set, document or event's side: that row's releases changed
        if action.startswith("post_"):
            sync_release_times(Decided.rows(type(instance), [instance.pk]))
        return
    if action == "pre_clear":
        linked = sender.objects.filter(pressrelease=instance)
        column = f"{model._meta.model_name}_id"
        instance._cleared = Decided.rows(model, linked.values_list(column, flat=True))
    elif action in {"post_add", "post_remove"}:
        sync_release_times(Decided.rows(model, pk_set))
    elif action == "post_clear":
        sync_release_times(getattr(instance, "_cleared", Decided()))


@receiver(pre_save, sender=Result)
def note_result_event_before(sender, instance, update_fields=None, **kwargs):
    instance._event_before = stored(instance, "event", update_fields)


@receiver(post_save, sender=Result)
@receiver(post_delete, sender=Result)
def result_saved(sender, instance, raw=False, **kwargs):
    # An event goes public with a release that gives its results.
    if not raw:
        events = [instance.event_id, getattr(instance, "_event_before", None)]
        sync_release_times(Decided.rows(Event, events))


@receiver(pre_save, sender=Photo)
def note_photo_set_before(sender, instance, update_fields=None, **kwargs):
    instance._set_before = stored(instance, "photo_set", update_fields)


@receiver(post_save, sender=Photo)
def photo_saved(sender, instance, created, raw=False, **kwargs):
    # A hero photo moved to another set takes that set's visibility with it.
    before = getattr(instance, "_set_before", None)
    if not (created or raw) and before is not None and before != instance.photo_set_id:
        sync_release_times(Decided.rows(PhotoSet, [before, instance.photo_set_id]))


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
