"""Preview passes: a journalist's personal link to an embargoed release."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from press.models import PressRelease


def new_pass_key():
    return secrets.token_urlsafe(32)


class PreviewPassQuerySet(models.QuerySet):
    def valid(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class PreviewPass(models.Model):
    """A personal link for one journalist to read an embargoed release and its media early."""

    release = models.ForeignKey(
        PressRelease, on_delete=models.CASCADE, related_name="passes", verbose_name=_("release")
    )
    name = models.CharField(_("journalist"), max_length=120)
    outlet = models.CharField(_("outlet"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), help_text=_("The link is sent to this address."))
    key = models.CharField(max_length=64, unique=True, default=new_pass_key, editable=False)
    expires_at = models.DateTimeField(
        _("expires"),
        blank=True,
        help_text=_("The link stops working then. A day after the embargo lifts when empty."),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)

    objects = PreviewPassQuerySet.as_manager()

    class Meta:
        verbose_name = _("preview pass")
        verbose_name_plural = _("preview passes")
        ordering = ["-created_at"]

    def __str__(self):
        outlet = f" ({self.outlet})" if self.outlet else ""
        return f"{self.name}{outlet}: {self.release}"

    def save(self, *args, **kwargs):
        if self.expires_at is None and self.release.publish_at:
            self.expires_at = self.release.publish_at + timedelta(days=1)
        super().save(*args, **kwargs)

    def link_path(self):
        """The journalist's personal link. A secret, so deliberately not get_absolute_url():
        the admin's "view on site" shortcut and templates hand that to anyone."""
        return reverse("passes:pass", kwargs={"token": self.token})

    @property
    def token(self):
        """The key, signed: forging a link takes the key and the site's secret."""
        return signing.Signer(salt=PASS_SALT).sign(self.key)

    def is_valid(self):
        return self.revoked_at is None and self.expires_at > timezone.now()

    def clean(self):
        if self.release_id and not self.release.is_scheduled():
            raise ValidationError(
                {"release": _("Passes are for scheduled releases: published, under embargo.")}
            )
        if self.expires_at and self.expires_at <= timezone.now():
            raise ValidationError({"expires_at": _("Pick a time in the future.")})


PASS_SALT = "press.preview-pass"  # noqa: S105 (a signing salt, not a secret)


def pass_key_from_token(token):
    """The pass key in a link, or None if the link was not made by this site."""
    try:
        return signing.Signer(salt=PASS_SALT).unsign(token)
    except signing.BadSignature:
        return None


class PassEvent(models.Model):
    """What a pass holder did, when: for the publisher who issued it."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened the release")
        DOWNLOADED = "downloaded", _("Downloaded")
        CALENDAR = "calendar", _("Added the embargo to a calendar")

    preview_pass = models.ForeignKey(
        PreviewPass, on_delete=models.CASCADE, related_name="events", verbose_name=_("pass")
    )
    kind = models.CharField(_("what"), max_length=12, choices=Kind)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("pass event")
        verbose_name_plural = _("pass events")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.detail}".strip()
