"""Keep a list of where each editor is logged in, so sessions can be ended from the admin."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from newsroom.models import EditorSession


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
