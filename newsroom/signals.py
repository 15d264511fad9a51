"""Keep a list of where each editor is logged in; renew cached pages when content changes."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from newsroom import pagecache
from newsroom.models import EditorSession, Newsroom


@receiver(user_logged_in)
def remember_session(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    request.session.save()  # a key of its own before we note it
    EditorSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "device": request.headers.get("User-Agent", "")[:300],
            "expires_at": request.session.get_expiry_date(),
        },
    )


@receiver(user_logged_out)
def forget_session(sender, request, user, **kwargs):
    if request is not None and getattr(request, "session", None) is not None:
        EditorSession.objects.filter(session_key=request.session.session_key).delete()


# Public pages kept on the server are renewed by any change to what they show.

# Rows that change no public page: counters, logs, sessions, mailing state.
NOT_SHOWN = {
    "media.downloadcount",
    "media.zipdownloadcount",
    "newsroom.editorsession",
    "newsroom.membership",
    "press.passevent",
    "press.previewpass",
    "press.revision",
    "press.follower",
    "press.alertdelivery",
}
SHOWN_APPS = {"newsroom", "media", "press"}


def newsroom_slug_of(instance):
    """The slug of the newsroom whose pages show the row, or None if it could be any."""
    from media.models import Photo, PhotoSet
    from press.models import PressRelease

    if isinstance(instance, Newsroom):
        return None  # its name and slug are on every page, and in the site's lists
    # A row's own newsroom, or the one of the set, release or photo it belongs to.
    parents = [
        ("newsroom_id", Newsroom, "slug"),
        ("photo_set_id", PhotoSet, "newsroom__slug"),
        ("release_id", PressRelease, "newsroom__slug"),
        ("photo_id", Photo, "photo_set__newsroom__slug"),
    ]
    for field, model, path in parents:
        pk = getattr(instance, field, None)
        if pk is not None:
            return model.objects.filter(pk=pk).values_list(path, flat=True).first()
    return None


def shown_publicly(sender):
    meta = sender._meta
    return meta.app_label in SHOWN_APPS and meta.label_lower not in NOT_SHOWN


@receiver(post_save)
@receiver(post_delete)
def renew_pages(sender, instance, raw=False, **kwargs):
    if raw or not shown_publicly(sender):
        return
    pagecache.changed(newsroom_slug_of(instance))


@receiver(m2m_changed)
def renew_pages_for_links(sender, instance, action, **kwargs):
    if action.startswith("post_") and shown_publicly(type(instance)):
        pagecache.changed(newsroom_slug_of(instance))
