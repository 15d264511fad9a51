import copy
import functools
import zoneinfo
from importlib import import_module

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from imagekit.cachefiles.strategies import JustInTime
from imagekit.models import ImageSpecField
from imagekit.processors import ResizeToFill, ResizeToFit, Transpose

from newsroom.ground.languages import newsroom_url
from newsroom.ground.uploads import RandomName, validate_image

# Top-level paths a newsroom slug would hide.
RESERVED_SLUGS = [
    "admin",
    "api",
    "files",
    "static",
    "uploads",
    "media",
    "search",
    "feeds",
    "preview",
    "alerts",
    "selection",
    # The first part of every page's address is its language (newsroom.ground.languages).
    "en",
    "sv",
    "de",
    "fi",
    "fr",
]


class License(models.TextChoices):
    FREE = "free", _("Free to use with credit")
    EDITORIAL = "editorial", _("Free for editorial use with credit")
    CC_BY = "cc-by-4.0", _("CC BY 4.0")
    CC0 = "cc0", _("CC0 (no rights reserved)")
    ALL_RIGHTS_RESERVED = "all-rights-reserved", _("All rights reserved")
    CUSTOM = "custom", _("Custom terms")


def license_label(license, custom_text):
    """The usage terms a journalist reads: the custom text or the license's name."""
    if license == License.CUSTOM:
        return custom_text
    return License(license).label


def validate_time_zone(value):
    if value not in available_time_zones():
        raise ValidationError(
            _("“%(zone)s” is not a time zone name, e.g. “Europe/Stockholm”."),
            params={"zone": value},
        )


@functools.cache
def available_time_zones():
    return frozenset(zoneinfo.available_timezones())


class Subject(models.TextChoices):
    """Who a newsroom speaks for: search engines show a person and an organisation apart."""

    ORGANISATION = "organisation", _("An organisation: a team, club, company or agency")
    PERSON = "person", _("A person, e.g. a driver")


class NewsroomQuerySet(models.QuerySet):
    def publishable_by(self, user):
        """Newsrooms where this user may publish, schedule, withdraw and issue preview passes."""
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(memberships__user=user, memberships__role=Role.PUBLISHER)

    def editable_by(self, user):
        """Newsrooms whose unpublished work this user may see: their own, or all for superusers."""
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(memberships__user=user)


class Newsroom(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(
        _("slug"),
        max_length=60,
        unique=True,
        help_text=_("The newsroom's address: /<slug>/. Short and lowercase."),
    )
    tagline = models.CharField(
        _("tagline"),
        max_length=200,
        blank=True,
        help_text=_("One line under the name, e.g. “Touring car driver, STCC”."),
    )
    about = models.TextField(
        _("about"),
        blank=True,
        help_text=_(
            "The boilerplate shown under every release: who you are, in a few sentences. "
            "Blank lines start new paragraphs."
        ),
    )
    subject = models.CharField(
        _("who this is"),
        max_length=20,
        choices=Subject,
        default=Subject.ORGANISATION,
        help_text=_(
            "Search engines name the author and publisher of every release by this: "
            "a driver's own newsroom is a person, a team's an organisation."
        ),
    )
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(
        _("logo"),
        upload_to=RandomName("logos"),
        blank=True,
        validators=[validate_image],
        width_field="logo_width",
        height_field="logo_height",
        help_text=_("PNG, JPEG or WebP. Shown in the page header."),
    )
    logo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    logo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_(
            "The newsroom's first language: its pages speak it unless a reader picks "
            "another of its languages, and new releases are written in it."
        ),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=settings.TIME_ZONE,
        validators=[validate_time_zone],
        help_text=_(
            "Embargo times are entered and shown in this zone, with its name, e.g. "
            "“Europe/Stockholm”."
        ),
    )
    default_credit = models.CharField(
        _("default photo credit"),
        max_length=200,
        blank=True,
        help_text=_("Used for new photos when the uploader gives none, e.g. “Lestrup Racing”."),
    )
    default_license = models.CharField(
        _("default photo license"), max_length=30, choices=License, default=License.FREE
    )
    default_license_text = models.CharField(
        _("default custom terms"),
        max_length=300,
        blank=True,
        help_text=_("Only for “Custom terms”: the usage terms in your own words."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Order on the list of newsrooms.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="newsrooms",
        verbose_name=_("members"),
        blank=True,
    )

    logo_small = ImageSpecField(
        source="logo",
        processors=[Transpose(), ResizeToFit(600, 160, upscale=False)],
        format="PNG",
        cachefile_strategy=JustInTime,
    )

    objects = NewsroomQuerySet.as_manager()

    class Meta:
        verbose_name = _("newsroom")
        verbose_name_plural = _("newsrooms")
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(slug__in=RESERVED_SLUGS),
                name="%(app_label)s_%(class)s_slug_not_reserved",
                violation_error_message=_(
                    "This address is used by the site itself; pick another slug."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(default_license=License.CUSTOM) | ~Q(default_license_text=""),
                name="%(app_label)s_%(class)s_custom_license_has_text",
                violation_error_message=_(
                    "Write the custom terms, or pick a license from the list."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return newsroom_url(self, "newsroom:home", newsroom=self.slug)

    @property
    def default_usage_terms(self):
        return license_label(self.default_license, self.default_license_text)

    def is_editable_by(self, user):
        return Newsroom.objects.editable_by(user).filter(pk=self.pk).exists()

    def is_publishable_by(self, user):
        return Newsroom.objects.publishable_by(user).filter(pk=self.pk).exists()

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def schema_org_type(self):
        """The schema.org type of who the newsroom speaks for, for article data."""
        return "Person" if self.subject == Subject.PERSON else "Organization"

    def about_paragraphs(self):
        return [part.strip() for part in self.about.split("\n\n") if part.strip()]

    @functools.cached_property
    def written_languages(self):
        """Its other languages with their texts: read once per newsroom row (one query)."""
        return list(self.other_languages.all())

    @property
    def languages(self):
        """The languages the newsroom publishes in, its first language first."""
        return [self.language, *(other.language for other in self.written_languages)]

    def in_language(self, language):
        """The newsroom's texts (tagline, about, photo defaults) as written in `language`,
        falling back to its first language's for those not written there."""
        if language == self.language:
            return self
        written = next((o for o in self.written_languages if o.language == language), None)
        return written.over(self) if written else self


class NewsroomLanguage(models.Model):
    """Another language a newsroom publishes in, with its own texts in that language."""

    newsroom = models.ForeignKey(
        Newsroom,
        on_delete=models.CASCADE,
        related_name="other_languages",
        verbose_name=_("newsroom"),
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    about = models.TextField(
        _("about"), blank=True, help_text=_("The boilerplate under releases in this language.")
    )
    default_credit = models.CharField(_("default photo credit"), max_length=200, blank=True)
    default_license_text = models.CharField(_("custom terms"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("other language")
        verbose_name_plural = _("other languages")
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["newsroom", "language"],
                name="%(app_label)s_%(class)s_once",
                violation_error_message=_("The newsroom has this language already."),
            )
        ]

    def __str__(self):
        return self.get_language_display()

    def clean(self):
        if self.newsroom_id and self.language == self.newsroom.language:
            raise ValidationError(
                {"language": _("This is the newsroom's first language already.")}
            )

    def over(self, newsroom):
        """The newsroom as readers of this language see it: its texts here where written.

        A copy for showing, never for saving."""
        seen = copy.copy(newsroom)
        for name in ("tagline", "about", "default_credit", "default_license_text"):
            setattr(seen, name, getattr(self, name) or getattr(newsroom, name))
        return seen


class Role(models.TextChoices):
    EDITOR = "editor", _("Editor")
    PUBLISHER = "publisher", _("Publisher")


class Membership(models.Model):
    newsroom = models.ForeignKey(
        Newsroom, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("newsroom")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(
        _("role"),
        max_length=20,
        choices=Role,
        default=Role.EDITOR,
        help_text=_("Editors write and upload; publishers also publish and schedule."),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["newsroom", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["newsroom", "user"],
                name="%(app_label)s_%(class)s_unique_member",
                violation_error_message=_("This person is already a member of the newsroom."),
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.newsroom} ({self.get_role_display()})"


class PersonQuerySet(models.QuerySet):
    def press_contacts(self):
        return self.filter(is_press_contact=True)


class Person(models.Model):
    newsroom = models.ForeignKey(
        Newsroom, on_delete=models.CASCADE, related_name="people", verbose_name=_("newsroom")
    )
    name = models.CharField(_("name"), max_length=120)
    title = models.CharField(
        _("role or title"),
        max_length=120,
        blank=True,
        help_text=_("As it should follow the name in a quote, e.g. “co-founder”."),
    )
    organisation = models.CharField(
        _("organisation"), max_length=120, blank=True, help_text=_("e.g. “Lestrup Racing Team”.")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(
        _("phone"),
        max_length=40,
        blank=True,
        help_text=_("With the country code, e.g. +46 70 123 45 67."),
    )
    portrait = models.ImageField(
        _("portrait"),
        upload_to=RandomName("portraits"),
        blank=True,
        validators=[validate_image],
        help_text=_("A head-and-shoulders photo. JPEG, PNG or WebP."),
    )
    is_press_contact = models.BooleanField(
        _("press contact"),
        default=False,
        help_text=_("Listed on the contacts page and under releases for journalists to call."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    portrait_small = ImageSpecField(
        source="portrait",
        processors=[Transpose(), ResizeToFill(320, 400)],
        format="JPEG",
        options={"quality": 85, "progressive": True},
        cachefile_strategy=JustInTime,
    )

    objects = PersonQuerySet.as_manager()

    # Apps that publish people add a test here in their AppConfig.ready(), a
    # function person → bool: does something of theirs that is out name them?
    shown_by = []
    # And the same for what is public now (a release out of its embargo):
    # person → bool, does something of theirs that is public name them?
    public_by = []

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["newsroom", "position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_press_contact=False) | ~Q(email="") | ~Q(phone=""),
                name="%(app_label)s_%(class)s_press_contact_reachable",
                violation_error_message=_(
                    "A press contact needs an e-mail address or a phone number."
                ),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        contacts = newsroom_url(self.newsroom, "newsroom:contacts", newsroom=self.newsroom.slug)
        return f"{contacts}#person-{self.pk}"

    def is_out(self):
        """Public, or due to be: changing a press contact or a quoted person is for publishers."""
        return self.is_press_contact or any(shows(self) for shows in self.shown_by)

    def is_public(self):
        """A press contact, or named by something public: a portrait could otherwise give
        away an embargoed story (a new signing)."""
        return self.is_press_contact or any(shows(self) for shows in self.public_by)

    @property
    def role_line(self):
        """“co-founder, Lestrup Racing Team”: what follows the name in print."""
        return ", ".join(part for part in (self.title, self.organisation) if part)


class EditorSessionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(expires_at__gt=timezone.now())


class EditorSession(models.Model):
    """One place an editor is logged in, so it can be seen and ended from the admin."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="editor_sessions",
        verbose_name=_("user"),
    )
    session_key = models.CharField(max_length=40, unique=True, editable=False)
    device = models.CharField(_("browser"), max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(_("logged in"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), editable=False)

    objects = EditorSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("login session")
        verbose_name_plural = _("login sessions")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M}"

    def end(self):
        """Log this session out wherever it is, now."""
        store = import_module(settings.SESSION_ENGINE).SessionStore
        store(session_key=self.session_key).delete()
        self.delete()
