"""Followers of a newsroom or a tag, and the alert e-mails they get."""

import secrets

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from newsroom.ground.models import Newsroom
from press.models import PressRelease, Tag


def new_follower_key():
    return secrets.token_urlsafe(24)


class FollowerQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False, suspended_at__isnull=True)

    def pending(self):
        """Asked for and not confirmed yet, or suspended until the address confirms again."""
        return self.filter(Q(confirmed_at__isnull=True) | Q(suspended_at__isnull=False))

    def for_release(self, release):
        """Confirmed followers of the release's newsroom, or of one of its tags."""
        return self.confirmed().filter(
            Q(tag__isnull=True) | Q(tag__in=release.tags.all()), newsroom=release.newsroom_id
        )

    def editable_by(self, user):
        return self.filter(newsroom__in=Newsroom.objects.editable_by(user))


class Follower(models.Model):
    """A journalist's e-mail address that gets new releases of a newsroom, or of one tag."""

    newsroom = models.ForeignKey(
        Newsroom, on_delete=models.CASCADE, related_name="followers", verbose_name=_("newsroom")
    )
    tag = models.ForeignKey(
        Tag,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followers",
        verbose_name=_("tag"),
        help_text=_("Empty: every release of the newsroom."),
    )
    email = models.EmailField(_("e-mail address"))
    languages = models.CharField(
        _("languages"),
        max_length=60,
        blank=True,
        help_text=_(
            "The languages the address reads, first choice first (codes, comma-separated). "
            "Each release comes in the first of them it is published in, else in its original."
        ),
    )
    later_versions = models.BooleanField(
        _("later versions too"),
        default=False,
        help_text=_("Also send a version in one of these languages that comes out later."),
    )
    key = models.CharField(
        _("key"), max_length=40, unique=True, default=new_follower_key, editable=False
    )
    requested_at = models.DateTimeField(_("asked"), default=timezone.now)
    confirmation_sent_at = models.DateTimeField(_("confirmation sent"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    failures = models.PositiveSmallIntegerField(
        _("failed deliveries"), default=0, help_text=_("In a row; reset by a delivered alert.")
    )
    suspended_at = models.DateTimeField(
        _("suspended"),
        null=True,
        blank=True,
        help_text=_("Alerts stop after repeated failed deliveries to the address."),
    )

    objects = FollowerQuerySet.as_manager()

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        ordering = ["newsroom", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["newsroom", "email"],
                condition=Q(tag__isnull=True),
                name="%(app_label)s_%(class)s_unique_newsroom",
                violation_error_message=_("This address follows the newsroom already."),
            ),
            models.UniqueConstraint(
                fields=["newsroom", "tag", "email"],
                condition=Q(tag__isnull=False),
                name="%(app_label)s_%(class)s_unique_tag",
                violation_error_message=_("This address follows the tag already."),
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.topic}"

    @property
    def topic(self):
        """What is followed, as the reader says it."""
        return f"{self.newsroom} · {self.tag.name}" if self.tag_id else str(self.newsroom)

    @property
    def language_list(self):
        return [code for code in self.languages.split(",") if code]

    def get_confirm_url(self):
        return reverse("alerts:confirm", kwargs={"key": self.key})

    def get_unsubscribe_url(self):
        return reverse("alerts:unsubscribe", kwargs={"key": self.key})


class AlertDelivery(models.Model):
    """One alert e-mail: the row is claimed before sending, so it goes out once."""

    class State(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        RETRY = "retry", _("Waiting to try again")
        FAILED = "failed", _("Failed")

    # The story (an original release and its translations) the e-mail announces, and
    # the version it sent: each address gets one e-mail per story, and a second one
    # only when it asked for a version in its language that came out later.
    story = models.ForeignKey(
        PressRelease,
        on_delete=models.CASCADE,
        related_name="story_alerts",
        verbose_name=_("story"),
    )
    release = models.ForeignKey(
        PressRelease,
        on_delete=models.CASCADE,
        related_name="alerts",
        verbose_name=_("version sent"),
    )
    follow_up = models.BooleanField(
        _("later version"),
        default=False,
        help_text=_("A version in the reader's language that came out after the first e-mail."),
    )
    email = models.EmailField(_("e-mail address"))
    follower = models.ForeignKey(
        Follower,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("follower"),
    )
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.SENDING)
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("claimed"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert e-mail")
        verbose_name_plural = _("alert e-mails")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["story", "email", "follow_up"],
                name="%(app_label)s_%(class)s_once_per_story_and_address",
                violation_error_message=_("Each address gets each story once."),
            )
        ]
        # The go-live timer looks for e-mails to try again every minute.
        indexes = [models.Index(fields=["state", "created_at"], name="alerts_retry_idx")]

    def __str__(self):
        return f"{self.release} → {self.email}"
