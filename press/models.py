import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Least
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField

from media.models import Document, PhotoSet, Releasable, ReleasableQuerySet, Visibility
from newsroom.ground.languages import newsroom_url, reverse_in
from newsroom.ground.models import Newsroom
from press.embeds import embed_for, validate_video_link

BODY_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Heading": {"levels": [2, 3]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False},
    "History": True,
}


class Kind(models.TextChoices):
    PRESS_RELEASE = "release", _("Press release")
    NEWS = "news", _("News")
    RESULTS = "results", _("Results")
    MEDIA_ADVISORY = "advisory", _("Media advisory")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("Ready for review")
    # Published is "scheduled" until its public time, then "live".
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Statuses only publishers give, and releases in them only publishers change.
PUBLISHER_STATUSES = {Status.PUBLISHED, Status.WITHDRAWN}


class State(models.TextChoices):
    """Where a release is, as editors think of it: the status read together with the clock.

    Derived from `Status`, never stored: published is two states (scheduled until
    its public time, then live), and every other status is a state of the same
    value and label.
    """

    DRAFT = Status.DRAFT.value, Status.DRAFT.label
    REVIEW = Status.REVIEW.value, Status.REVIEW.label
    SCHEDULED = "scheduled", _("Scheduled")
    LIVE = "live", _("Live")
    WITHDRAWN = Status.WITHDRAWN.value, Status.WITHDRAWN.label


class TagQuerySet(models.QuerySet):
    def used_by(self, releases):
        """Tags at least one of these releases has.

        One probe per tag (its first release that qualifies, over the tag's
        index), never a scan of the releases: a newsroom's tag choices cost the
        same with a thousand releases as with a hundred thousand.
        """
        first = releases.filter(tags=OuterRef("pk")).order_by().values("pk")[:1]
        return self.alias(first_release=Subquery(first)).filter(first_release__isnull=False)


class Tag(models.Model):
    newsroom = models.ForeignKey(
        "newsroom.Newsroom",
        on_delete=models.CASCADE,
        related_name="tags",
        verbose_name=_("newsroom"),
    )
    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("slug"), max_length=60)

    objects = TagQuerySet.as_manager()

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["newsroom", "slug"],
                name="%(app_label)s_%(class)s_unique_slug",
                violation_error_message=_("This newsroom already has a tag with this slug."),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        releases = newsroom_url(self.newsroom, "press:release-list", newsroom=self.newsroom.slug)
        return f"{releases}?tag={self.slug}"

    def is_out(self):
        """Used by a release that is out or due to be: its name is (or will be) public."""
        return self.releases.filter(status=Status.PUBLISHED).exists()


class EventQuerySet(ReleasableQuerySet):
    def upcoming(self, today=None):
        """Events not over yet, soonest first."""
        today = today or timezone.localdate()
        return self.filter(ends_on__gte=today).order_by("starts_on", "name")


class Event(Releasable):
    newsroom = models.ForeignKey(
        "newsroom.Newsroom",
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("newsroom"),
    )
    name = models.CharField(
        _("name"), max_length=200, help_text=_("e.g. “Hankook 12h Hockenheimring”.")
    )
    slug = models.SlugField(_("slug"), max_length=200)
    series = models.CharField(
        _("series"), max_length=120, blank=True, help_text=_("e.g. “24H Series”.")
    )
    venue = models.CharField(
        _("venue"), max_length=120, blank=True, help_text=_("e.g. “Hockenheimring”.")
    )
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=120, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(
        _("ends on"), help_text=_("The same day as the start for one-day events.")
    )
    website = models.URLField(_("website"), blank=True)
    # An event is never private: its results go out with releases.
    visibility = models.CharField(
        _("visibility"),
        max_length=10,
        choices=[
            (Visibility.PUBLIC, Visibility.PUBLIC.label),
            (Visibility.WITH_RELEASE, Visibility.WITH_RELEASE.label),
        ],
        default=Visibility.WITH_RELEASE,
        help_text=_(
            "Public: on the events page and in the calendar from now on. With its release: "
            "hidden until a release that names it, or gives its results, is published and past "
            "its embargo. Use that for anything not announced yet."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["newsroom", "slug"],
                name="%(app_label)s_%(class)s_unique_slug",
                violation_error_message=_("This newsroom already has an event with this slug."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message=_("An event cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=[Visibility.PUBLIC, Visibility.WITH_RELEASE]),
                name="%(app_label)s_%(class)s_never_private",
                violation_error_message=_("An event is public, or public with its release."),
            ),
        ]
        indexes = [models.Index(fields=["newsroom", "ends_on"], name="press_event_upcoming_idx")]

    def __str__(self):
        return f"{self.name} ({self.starts_on:%Y})"

    def get_absolute_url(self):
        return newsroom_url(
            self.newsroom, "press:event-detail", newsroom=self.newsroom.slug, slug=self.slug
        )

    @property
    def place(self):
        return ", ".join(part for part in (self.venue, self.city, self.country) if part)

    @property
    def date_range(self):
        """“13–15 May 2022”, “30 May–1 June 2022”, “13 May 2022”: the event's days, compactly."""
        start, end = self.starts_on, self.ends_on
        # The active language's date ("j F Y", German "j. F Y"), and its day and day-month parts.
        full = get_format("DATE_FORMAT")
        day, day_month = full.partition(" F")[0], full.rpartition(" Y")[0]
        if start == end:
            return format_date(start, full)
        if (start.year, start.month) == (end.year, end.month):
            return f"{format_date(start, day)}–{format_date(end, full)}"
        if start.year == end.year:
            return f"{format_date(start, day_month)}–{format_date(end, full)}"
        return f"{format_date(start, full)}–{format_date(end, full)}"

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("An event cannot end before it starts.")})


# Columns a list of releases never shows: the body (kilobytes of HTML) and what
# search keeps of it. A list, feed or API page defers them (`listed()`).
WIDE_FIELDS = ("body", "search_text", "search_vector")


class PressReleaseQuerySet(models.QuerySet):
    def listed(self, *shown):
        """Rows for a list: without the wide columns, except those named in `shown`.

        A card shows the headline, lead and hero; a feed item may show the body's
        first words (`listed("body")`). Read a deferred column on such a row and
        it costs a query per row, so name it here instead.
        """
        return self.defer(*(name for name in WIDE_FIELDS if name not in shown))

    def years(self):
        """The years these releases were published in, newest first (in the current time zone).

        Two queries whatever the number of rows: the first and the last time,
        each the first row of an ordered index scan (an aggregate would read
        every row, as the join `live()` makes keeps the planner from reading
        only the ends), then one EXISTS per year between them, each stopping
        at its first row.
        """
        times = self.order_by().values("publish_at")
        ends = PressRelease.objects.order_by().annotate(
            first=Subquery(times.order_by("publish_at")[:1]),
            last=Subquery(times.order_by("-publish_at")[:1]),
        )
        span = next(iter(ends.values("first", "last")[:1]), None)
        if not span or span["first"] is None:
            return []
        first, last = (timezone.localtime(span[end]).year for end in ("first", "last"))
        probes = {
            f"in_{year}": Exists(self.filter(publish_at__year=year))
            for year in range(last, first - 1, -1)
        }
        # Any one row carries the answers: the table is not empty, the span says so.
        found = PressRelease.objects.order_by().annotate(**probes).values(*probes)[:1].get()
        return [int(name.removeprefix("in_")) for name, exists in found.items() if exists]

    def live(self):
        """Published and past its embargo: the only releases the public ever sees.

        A translation is live only while its original is: it never goes public
        earlier (its time is never before the original's), and a withdrawn
        original takes its translations with it.
        """
        now = timezone.now()
        return self.filter(status=Status.PUBLISHED, publish_at__lte=now).filter(
            Q(original__isnull=True)
            | Q(original__status=Status.PUBLISHED, original__publish_at__lte=now)
        )

    def about(self, event):
        """Releases that name this event or give results at it, each once.

        The ids come from the event's two indexes (its links, its results) as
        one UNION, so the releases are read by key: a DISTINCT over both joins,
        or an OR of the two, made PostgreSQL read every live release.
        """
        linked = PressRelease.events.through.objects.filter(event=event).values("pressrelease_id")
        results = Result.objects.filter(event=event).values("release_id")
        return self.filter(pk__in=linked.union(results))

    def originals(self):
        """One row per story: the versions every translation is made from."""
        return self.filter(original__isnull=True)

    def scheduled(self):
        """Published, still under embargo: the twin of `live()`, with the same clock."""
        return self.filter(status=Status.PUBLISHED, publish_at__gt=timezone.now())

    def editable_by(self, user):
        """Everything an editor may work on or preview, drafts included."""
        return self.filter(newsroom__in=Newsroom.objects.editable_by(user))


class PressRelease(models.Model):
    uid = models.UUIDField(
        _("identifier"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_("Never changes, whatever happens to the slug: feeds and the API use it."),
    )
    newsroom = models.ForeignKey(
        "newsroom.Newsroom",
        on_delete=models.PROTECT,
        related_name="releases",
        verbose_name=_("newsroom"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.PRESS_RELEASE)
    # A story is an original and its translations. Photos, documents, events,
    # results, contacts and tags belong to the story: they are the original's.
    original = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="translations",
        verbose_name=_("translation of"),
        editable=False,
    )
    # Explicit derived state, kept by press.history.record(): the revision that
    # last changed this release's text (or corrected it), and for a translation
    # the original's text revision it was last saved against.
    text_revision = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    translated_from = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    title = models.CharField(_("headline"), max_length=200)
    slug = models.SlugField(
        _("slug"), max_length=200, help_text=_("The release's address; keep it once published.")
    )
    lead = models.TextField(
        _("lead"),
        blank=True,
        help_text=_("One or two sentences that tell the whole story. Shown in lists and feeds."),
    )
    body = ProseEditorField(_("body"), extensions=BODY_EXTENSIONS, sanitize=True, blank=True)
    hero_photo = models.ForeignKey(
        "media.Photo",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hero_of",
        verbose_name=_("hero photo"),
        help_text=_("The big photo at the top. Its set becomes public with the release."),
    )
    hero_caption = models.TextField(
        _("hero caption"),
        blank=True,
        help_text=_("Overrides the photo's own caption on this release."),
    )
    video_link = models.URLField(
        _("YouTube or Vimeo video"),
        blank=True,
        validators=[validate_video_link],
        help_text=_(
            "Shown in the release behind a “Play” button: nothing loads from YouTube or Vimeo "
            "before the reader presses it. Your own videos go in a photo set instead."
        ),
    )
    photo_sets = models.ManyToManyField(
        "media.PhotoSet",
        blank=True,
        related_name="releases",
        verbose_name=_("photo sets"),
        help_text=_("Sets set to “With its release” become public when this release does."),
    )
    documents = models.ManyToManyField(
        "media.Document",
        blank=True,
        related_name="releases",
        verbose_name=_("documents"),
        help_text=_(
            "Fact sheets, logos, PDFs. Those set to “With its release” go public with it."
        ),
    )
    events = models.ManyToManyField(
        Event, blank=True, related_name="releases", verbose_name=_("events")
    )
    contacts = models.ManyToManyField(
        "newsroom.Person",
        blank=True,
        related_name="contact_for",
        verbose_name=_("press contacts"),
        help_text=_("The newsroom's press contacts are shown when empty."),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="releases", verbose_name=_("tags"))
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        _("public from"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_(
            "The embargo: nobody outside the newsroom sees the release before this time. "
            "Empty means as soon as it is published."
        ),
    )
    first_published_at = models.DateTimeField(
        _("first published"), null=True, blank=True, editable=False
    )
    search_text = models.TextField(
        _("searchable text"),
        blank=True,
        editable=False,
        help_text=_("Headline, lead, body, quotes and results as plain text, for search."),
    )
    search_vector = SearchVectorField(null=True, editable=False)
    corrected_at = models.DateTimeField(
        _("last corrected"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Shown publicly as “Updated”, with the corrections."),
    )
    announced_at = models.DateTimeField(
        _("went live"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the going-live work (cache refresh, alerts) was done, once."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="press_releases",
        verbose_name=_("author"),
    )

    objects = PressReleaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("press release")
        verbose_name_plural = _("press releases")
        ordering = ["-publish_at", "-pk"]
        get_latest_by = "publish_at"
        constraints = [
            models.UniqueConstraint(
                fields=["newsroom", "slug"],
                name="%(app_label)s_%(class)s_unique_slug",
                violation_error_message=_("This newsroom already has a release with this slug."),
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.PUBLISHED) | Q(publish_at__isnull=False),
                name="%(app_label)s_%(class)s_published_has_time",
                violation_error_message=_("A published release needs a “public from” time."),
            ),
            models.UniqueConstraint(
                fields=["original", "language"],
                name="%(app_label)s_%(class)s_one_translation_per_language",
                violation_error_message=_("This release has a translation in this language."),
            ),
            models.CheckConstraint(
                condition=Q(first_published_at__isnull=True) | Q(publish_at__isnull=False),
                name="%(app_label)s_%(class)s_first_published_has_time",
                violation_error_message=_(
                    "A release that has been published keeps a “public from” time."
                ),
            ),
        ]
        # Lists run newest first with the pk as tie-break: the API's cursor pages
        # and the release list read them in index order, however deep.
        indexes = [
            models.Index(
                fields=["newsroom", "status", "-publish_at", "-id"],
                name="press_release_list_keyset_idx",
            ),
            models.Index(
                fields=["status", "-publish_at", "-id"], name="press_release_live_keyset_idx"
            ),
            # The admin's order, drafts (no time yet) first: without the key in the
            # index, every draft is read and sorted for the first page.
            models.Index(fields=["-publish_at", "-id"], name="press_release_newest_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Sanitise here as well as in the form, so no path stores unsafe HTML.
        self.body = self._meta.get_field("body").sanitize(self.body or "")
        if self.status == Status.PUBLISHED:
            now = timezone.now()
            if self.publish_at is None:
                self.publish_at = self.earliest_public_time() or now
            # Until it has been public, the first publication follows the embargo.
            if self.first_published_at is None or self.first_published_at > now:
                self.first_published_at = self.publish_at
        super().save(*args, **kwargs)
        if self.publish_at is not None and self.original_id is None:
            self.keep_translations_after()

    def get_absolute_url(self):
        # A version's page speaks its language, from wherever it is linked.
        return reverse_in(
            self.language, "press:release-detail", newsroom=self.newsroom.slug, slug=self.slug
        )

    @property
    def urn(self):
        """The release's one stable identifier: ninjs `uri`, RSS guid and Atom id."""
        return f"urn:uuid:{self.uid}"

    def clean(self):
        if self.status == Status.PUBLISHED and self.publish_at is None:
            # "Empty" means now, or with the original.
            self.publish_at = self.earliest_public_time() or timezone.now()
        errors = {}
        if self.original_id:
            errors |= self.translation_errors()
        if self.hero_photo_id and self.newsroom_id:
            photo_set = self.hero_photo.photo_set
            if photo_set.newsroom_id != self.newsroom_id:
                errors["hero_photo"] = _("Pick a photo from this newsroom.")
            elif photo_set.visibility == Visibility.PRIVATE:
                errors["hero_photo"] = _(
                    "This photo is in a private set, so the public could not see it. Make the "
                    "set public or “With its release”, or pick another photo."
                )
        if errors:
            raise ValidationError(errors)

    def keep_translations_after(self):
        """An original moved later takes the translations that would now go first along."""
        not_out_yet = Q(first_published_at__gt=timezone.now())
        self.translations.filter(publish_at__lt=self.publish_at).update(
            publish_at=self.publish_at,
            first_published_at=Case(
                When(not_out_yet, then=Value(self.publish_at)), default=F("first_published_at")
            ),
        )

    @property
    def story(self):
        """The original: where the story's photos, documents, events and results are."""
        return self.original if self.original_id else self

    def is_translation(self):
        return self.original_id is not None

    def earliest_public_time(self):
        """A translation goes public with its original at the earliest."""
        if self.original_id and self.original.status == Status.PUBLISHED:
            return self.original.publish_at
        return None

    def is_out_of_date(self):
        """A translation whose original's text changed after it was last saved."""
        return self.original_id is not None and (
            self.original.text_revision > self.translated_from
        )

    def translation_errors(self):
        original = self.original
        errors = {}
        if self.language == original.language:
            errors["language"] = _("The original is in this language: pick another one.")
        if self.status != Status.PUBLISHED:
            return errors
        if original.status != Status.PUBLISHED:
            errors["status"] = _(
                "Publish or schedule the original first: a translation goes public with its "
                "original, or after it."
            )
        elif self.publish_at < original.publish_at:
            zone = timezone.get_current_timezone()
            errors["publish_at"] = _(
                "A translation cannot go public before its original, which is public from "
                "%(time)s. Leave the time empty to go public with it, or pick a later time."
            ) % {"time": timezone.localtime(original.publish_at, zone).strftime("%Y-%m-%d %H:%M")}
        return errors

    def is_out(self):
        """Published (scheduled or live) or withdrawn: only publishers change it."""
        return self.status in PUBLISHER_STATUSES

    def is_live(self):
        return (
            self.status == Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= timezone.now()
        )

    @property
    def state(self):
        if self.status == Status.PUBLISHED:
            return State.LIVE if self.is_live() else State.SCHEDULED
        return State(self.status)

    def is_scheduled(self):
        return self.state == State.SCHEDULED

    @property
    def embedded_video(self):
        """The story's YouTube or Vimeo video (an `Embed`), or None."""
        return embed_for(self.story.video_link)

    def public_hero(self):
        """The story's hero photo if the public may see it (its set could have been made
        private)."""
        hero = self.story.hero_photo
        if hero and hero.is_public():
            return hero
        return None

    @property
    def caption(self):
        if self.hero_caption:
            return self.hero_caption
        hero = self.story.hero_photo
        return hero.caption if hero else ""


def next_go_live(newsroom_slug=None):
    """When the next scheduled release goes public (in a newsroom, or anywhere)."""
    scheduled = PressRelease.objects.scheduled()
    if newsroom_slug:
        scheduled = scheduled.filter(newsroom__slug=newsroom_slug)
    return scheduled.order_by("publish_at").values_list("publish_at", flat=True).first()


def names_in_live_release(person):
    """Whether a release that is public now quotes the person or gives them as contact."""
    live = PressRelease.objects.live()
    return live.filter(Q(quotes__speaker=person) | Q(contacts=person)).exists()


def names_in_published_release(person):
    """Whether a release that is out, or due to be, quotes the person or gives them as contact."""
    published = PressRelease.objects.filter(status=Status.PUBLISHED)
    return published.filter(Q(quotes__speaker=person) | Q(contacts=person)).exists()


class Quote(models.Model):
    release = models.ForeignKey(
        PressRelease, on_delete=models.CASCADE, related_name="quotes", verbose_name=_("release")
    )
    speaker = models.ForeignKey(
        "newsroom.Person",
        on_delete=models.PROTECT,
        related_name="quotes",
        verbose_name=_("speaker"),
    )
    text = models.TextField(_("quote"), help_text=_("The words only, without quotation marks."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["release", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(text=""),
                name="%(app_label)s_%(class)s_has_text",
                violation_error_message=_("A quote needs its words."),
            )
        ]

    def __str__(self):
        return f"{self.speaker.name}: {self.text[:60]}"

    def get_absolute_url(self):
        return f"{self.release.get_absolute_url()}#{self.anchor}"

    @property
    def attribution(self):
        """“Name, role”, as every channel signs the quote."""
        return ", ".join(part for part in (self.speaker.name, self.speaker.role_line) if part)

    @property
    def anchor(self):
        return f"quote-{self.pk}"

    def clean(self):
        newsroom_id = release_newsroom_id(self)
        if self.speaker_id and newsroom_id and self.speaker.newsroom_id != newsroom_id:
            raise ValidationError({"speaker": _("Pick a speaker from this newsroom.")})


def release_newsroom_id(part):
    """The newsroom of a quote's or result's release, also while the release is being added."""
    try:
        return part.release.newsroom_id
    except PressRelease.DoesNotExist:
        return None


class Outcome(models.TextChoices):
    CLASSIFIED = "classified", _("Classified")
    DNF = "dnf", _("DNF – did not finish")
    DNS = "dns", _("DNS – did not start")
    DSQ = "dsq", _("DSQ – disqualified")
    NC = "nc", _("NC – not classified")


class ResultQuerySet(models.QuerySet):
    def public(self):
        """Results of live releases only, in the order they were published: a draft's or an
        embargoed release's results stay unseen."""
        return (
            self.filter(release__in=PressRelease.objects.live())
            .select_related("release__newsroom")
            # A result names its release, never shows its text.
            .defer(*(f"release__{name}" for name in WIDE_FIELDS))
            .order_by("release__publish_at", "order", "pk")
        )


class Result(models.Model):
    release = models.ForeignKey(
        PressRelease, on_delete=models.CASCADE, related_name="results", verbose_name=_("release")
    )
    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="results", verbose_name=_("event")
    )
    session = models.CharField(
        _("session"), max_length=120, help_text=_("e.g. “Qualifying” or “Race 1 (12 hours)”.")
    )
    category = models.CharField(_("class"), max_length=60, blank=True, help_text=_("e.g. “TCR”."))
    entry = models.CharField(
        _("entry"),
        max_length=120,
        blank=True,
        help_text=_("Car, crew or competitor when it is not obvious, e.g. “#120”."),
    )
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome, default=Outcome.CLASSIFIED
    )
    position = models.PositiveSmallIntegerField(
        _("position"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("1 for a win. Empty for DNF, DNS, DSQ, NC."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["release", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(outcome=Outcome.CLASSIFIED, position__isnull=False, position__gte=1)
                    | (~Q(outcome=Outcome.CLASSIFIED) & Q(position__isnull=True))
                ),
                name="%(app_label)s_%(class)s_position_matches_outcome",
                violation_error_message=_(
                    "A classified result needs a position of 1 or more; DNF, DNS, DSQ and NC "
                    "have none."
                ),
            ),
        ]

    def __str__(self):
        if self.position is None:
            return f"{self.session}: {self.get_outcome_display()}"
        return f"{self.session}: {self.position}"

    def clean(self):
        errors = {}
        if self.outcome == Outcome.CLASSIFIED and self.position is None:
            errors["position"] = _(
                "Give the position (1 for a win), or choose DNF, DNS, DSQ or NC."
            )
        if self.outcome != Outcome.CLASSIFIED and self.position is not None:
            errors["position"] = _("Leave the position empty for %(outcome)s.") % {
                "outcome": self.outcome.upper()
            }
        newsroom_id = release_newsroom_id(self)
        if self.event_id and newsroom_id and self.event.newsroom_id != newsroom_id:
            errors["event"] = _("Pick an event from this newsroom.")
        if errors:
            raise ValidationError(errors)


@dataclass
class Decided:
    """Photo sets, documents and events (by pk) whose public time some releases decide."""

    photo_sets: set = field(default_factory=set)
    documents: set = field(default_factory=set)
    events: set = field(default_factory=set)

    def __or__(self, other):
        return Decided(
            self.photo_sets | other.photo_sets,
            self.documents | other.documents,
            self.events | other.events,
        )

    @classmethod
    def rows(cls, model, pks):
        """Some rows of one kind: PhotoSet, Document or Event."""
        return cls(**{DECIDED_FIELDS[model]: {pk for pk in pks if pk is not None}})


DECIDED_FIELDS = {PhotoSet: "photo_sets", Document: "documents", Event: "events"}


def decided_by(release_pks):
    """What the releases decide the public time of: their sets (the hero's included), their
    documents, and their events (the results' included).

    Each link is read on its own, from its own index, and the two kinds of a
    set's (or an event's) link are put together with a UNION: an OR across two
    joins would make the database join every set to every release first.
    """
    pks = list(release_pks)
    releases = PressRelease.objects.filter(pk__in=pks).order_by()
    linked_sets = PressRelease.photo_sets.through.objects.filter(pressrelease__in=pks)
    hero_sets = releases.filter(hero_photo__isnull=False).values_list("hero_photo__photo_set")
    linked_events = PressRelease.events.through.objects.filter(pressrelease__in=pks)
    result_events = Result.objects.filter(release__in=pks).order_by().values_list("event")
    documents = PressRelease.documents.through.objects.filter(pressrelease__in=pks)
    return Decided(
        photo_sets=set(linked_sets.values_list("photoset", flat=True).union(hero_sets)),
        documents=set(documents.values_list("document", flat=True)),
        events=set(linked_events.values_list("event", flat=True).union(result_events)),
    )


def first_publication(*links):
    """The earliest publish_at of the published releases that each link (a lookup to
    OuterRef("pk")) names: the earliest of one indexed subquery per link."""
    published = PressRelease.objects.filter(status=Status.PUBLISHED).order_by("publish_at")
    firsts = [
        Subquery(published.filter(**{link: OuterRef("pk")}).values("publish_at")[:1])
        for link in links
    ]
    if len(firsts) == 1:
        return firsts[0]
    # LEAST skips NULLs on PostgreSQL only (SQLite's returns NULL): fill each in first.
    return Least(
        *[Coalesce(first, *[other for other in firsts if other is not first]) for first in firsts]
    )


def sync_release_times(decided):
    """Store on these sets, documents and events when their first release goes public.

    What is shown “With its release” is public from that time on: media's own
    `public()` querysets then need no knowledge of releases. A set belongs to a
    release through the release's photo sets or its hero photo; an event
    through the release's events or the results it gives. Only the rows named
    are written: a save of one release touches what it links to, nothing else.
    """
    if decided.photo_sets:
        PhotoSet.objects.filter(pk__in=decided.photo_sets).update(
            released_at=first_publication("photo_sets", "hero_photo__photo_set")
        )
    if decided.documents:
        Document.objects.filter(pk__in=decided.documents).update(
            released_at=first_publication("documents")
        )
    if decided.events:
        Event.objects.filter(pk__in=decided.events).update(
            released_at=first_publication("events", "results__event")
        )


class Revision(models.Model):
    """A release as it was after one save: its text, links, quotes and results."""

    release = models.ForeignKey(
        PressRelease, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("release")
    )
    number = models.PositiveIntegerField(_("number"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saved by"),
    )
    created_at = models.DateTimeField(_("saved"), default=timezone.now)
    snapshot = models.JSONField(_("content"))
    changed = models.JSONField(_("changed"), default=list, help_text=_("Names of what changed."))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["release", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message=_("A release numbers its revisions once each."),
            )
        ]

    def __str__(self):
        return _("Revision %(number)s of “%(release)s”") % {
            "number": self.number,
            "release": self.release,
        }

    def get_absolute_url(self):
        return reverse("admin:press_pressrelease_revision", args=[self.release_id, self.pk])


class Correction(models.Model):
    """A public note on what changed in a release after it was published."""

    release = models.ForeignKey(
        PressRelease,
        on_delete=models.CASCADE,
        related_name="corrections",
        verbose_name=_("release"),
    )
    note = models.CharField(
        _("correction"),
        max_length=500,
        help_text=_("e.g. “Race 1 result amended from 4th to 3rd after scrutineering.”"),
    )
    created_at = models.DateTimeField(_("made"), default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made by"),
    )

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["release", "created_at"]

    def __str__(self):
        return self.note


class SitemapMonth(models.Model):
    """How many live releases a newsroom has in a month that is over, and when the latest of
    them last changed: derived state the sitemap index reads instead of every release.

    Written by `press.sitemaps` alone, for every month from a newsroom's first live release
    to the last month that is over (0 for a month without one), and again, after commit, for
    the months of a release that is saved or deleted and of its story's versions. The
    releases of a month that is over are past their public time, so only such a save or
    delete can change which of them are live.
    """

    newsroom = models.ForeignKey(Newsroom, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # its first day, in UTC
    count = models.PositiveIntegerField()
    lastmod = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["newsroom", "month"],
                name="press_sitemapmonth_once",
                violation_error_message=_("A newsroom's month is counted once."),
            )
        ]

    def __str__(self):
        return f"{self.newsroom_id} {self.month:%Y-%m}: {self.count}"
