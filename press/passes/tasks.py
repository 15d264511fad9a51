"""Work done after the request, by the task worker: a mail server that is slow or refuses
can hold up or fail the task, never an editor's save."""

from django.core.mail import EmailMessage
from django.tasks import task
from django.utils import timezone

from newsroom.ground.http import absolute_url
from press.mail import mailbox, one_line, sender
from press.passes.models import PreviewPass


@task()
def send_pass(preview_pass_pk):
    """E-mail a journalist the personal link of their preview pass."""
    preview_pass = (
        PreviewPass.objects.select_related("release__newsroom").filter(pk=preview_pass_pk).first()
    )
    if preview_pass is None:
        return
    release = preview_pass.release
    local_time = timezone.localtime(release.publish_at, release.newsroom.zone)
    embargo = f"{local_time:%d %B %Y, %H:%M} {local_time.tzname()}"
    message = EmailMessage(
        subject=one_line(f"Embargoed: {release.title}"),
        body=(
            f"Hello {preview_pass.name},\n\n"
            f"{release.newsroom} gives you an early look at “{release.title}”, with its "
            f"photos and documents.\n\n"
            f"EMBARGOED: not for publication until {embargo}.\n\n"
            f"{absolute_url(preview_pass.link_path())}\n\n"
            "The link is personal: please do not pass it on. Its use is logged.\n"
        ),
        from_email=sender(release.newsroom),
        to=[mailbox(preview_pass.name, preview_pass.email)],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.send()
