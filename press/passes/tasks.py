"""Work done after the request, by the task worker: a mail server that is slow or refuses
can hold up or fail the task, never an editor's save."""

from django.tasks import task
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from newsroom.ground.http import absolute_url
from press.mail import Email, mailbox, one_line, sender
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
    # In the release's language, as the page the link opens.
    with translation.override(release.language):
        message = pass_message(preview_pass, release)
    message.send()


def embargo_time(release):
    """“03 June 2030, 09:00 CEST”: when the embargo lifts, on the newsroom's clock."""
    local_time = timezone.localtime(release.publish_at, release.newsroom.zone)
    return date_format(local_time, "d F Y, H:i T")


def pass_message(preview_pass, release):
    words = {
        "name": preview_pass.name,
        "newsroom": release.newsroom,
        "title": release.title,
        "embargo": embargo_time(release),
    }
    body = "\n\n".join(
        [
            _("Hello %(name)s,") % words,
            _(
                "%(newsroom)s gives you an early look at “%(title)s”, with its photos and "
                "documents."
            )
            % words,
            _("EMBARGOED: not for publication until %(embargo)s.") % words,
            absolute_url(preview_pass.link_path()),
            _("The link is personal: please do not pass it on. Its use is logged.") + "\n",
        ]
    )
    return Email(
        subject=one_line(_("Embargoed: %(title)s") % words),
        body=body,
        from_email=sender(release.newsroom),
        to=[mailbox(preview_pass.name, preview_pass.email)],
        headers={"Auto-Submitted": "auto-generated"},
    )
