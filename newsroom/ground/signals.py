"""Keep a list of where each editor is logged in; renew cached pages when content changes."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from newsroom.ground import pagecache
from newsroom.ground.models import EditorSession, Membership, Newsroom, NewsroomLanguage, Person


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
# Each app registers its models with the page cache in its AppConfig.ready().

pagecache.watch(Newsroom, newsroom="")
pagecache.watch(Person)
pagecache.watch(NewsroomLanguage)
pagecache.not_shown(EditorSession, Membership)


@receiver(post_save)
@receiver(post_delete)
def renew_pages(sender, instance, raw=False, **kwargs):
    if not raw and sender in pagecache.WATCHED:
        pagecache.changed(pagecache.newsroom_slug_of(instance))


@receiver(m2m_changed)
def renew_pages_for_links(sender, instance, action, **kwargs):
    if action.startswith("post_") and type(instance) in pagecache.WATCHED:
        pagecache.changed(pagecache.newsroom_slug_of(instance))
