import contextlib
import hashlib
import mimetypes
import zlib
from datetime import timedelta
from functools import partial
from pathlib import PurePath

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from PIL import Image

from media import sizes
from media.imagegenerators import PhotoSpec, upright_size
from media.metadata import Rights, read_file_metadata
from media.sizes import SIZES
from media.video_files import VideoRights
from newsroom.ground.languages import newsroom_url
from newsroom.ground.models import License, Newsroom, license_label
from newsroom.ground.uploads import (
    RandomName,
    detect_document,
    format_of,
    validate_document,
    validate_image,
)


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    WITH_RELEASE = "release", _("With its release")
    PRIVATE = "private", _("Private")


class ReleasableQuerySet(models.QuerySet):
    def public(self):
        """What anyone may see: public items, and those whose release is out."""
        return self.filter(
            Q(visibility=Visibility.PUBLIC)
            | Q(visibility=Visibility.WITH_RELEASE, released_at__lte=timezone.now())
        )

    def for_pass_holders(self):
        """What a journalist with a preview pass may see: all that goes public with a release."""
        return self.exclude(visibility=Visibility.PRIVATE)

    def editable_by(self, user):
        return self.filter(newsroom__in=Newsroom.objects.editable_by(user))


class Releasable(models.Model):
    """What can follow a release: public, private, or public once a release that has it is.

    Photo sets and documents, and events (which are never private).
    """

    visibility = models.CharField(
        _("visibility"),
        max_length=10,
        choices=Visibility,
        default=Visibility.WITH_RELEASE,
        help_text=_(
            "Public: anyone can see and download it. With its release: hidden until a "
            "release that includes it is published and past its embargo. Private: only "
            "editors see it."
        ),
    )
    released_at = models.DateTimeField(
        _("public with a release from"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Kept up to date by the press releases that include it."),
    )

    class Meta:
        abstract = True

    def is_public(self):
        if self.visibility == Visibility.PUBLIC:
            return True
        return (
            self.visibility == Visibility.WITH_RELEASE
            and self.released_at is not None
            and self.released_at <= timezone.now()
        )

    def is_for_pass_holders(self):
        """Whether a journalist with a preview pass of a release that has it may see it."""
        return self.visibility != Visibility.PRIVATE

    def is_out(self):
        """Public, or due to be with a scheduled release: changing it is publishers' work."""
        if self.visibility == Visibility.PUBLIC:
            return True
        return self.visibility == Visibility.WITH_RELEASE and self.released_at is not None


class PhotoSetQuerySet(ReleasableQuerySet):
    def with_cover(self):
        """Sets as cards: `cover_photo_id` (the cover, else the first photo), `photo_count` and
        `has_videos`.

        The cover counts only while it is one of the set's own photos: moved to
        another set, it would show that set's photo (and credit) with this set's
        visibility. Call `attach_covers()` on the result to load the photos in one query.
        """
        own_cover = Photo.objects.filter(pk=OuterRef("cover_id"), photo_set=OuterRef("pk"))
        own_cover = own_cover.order_by()  # one row or none: the photos' order would join sets
        first_photo = (
            Photo.objects.filter(photo_set=OuterRef("pk"))
            .order_by("position", "pk")
            .values("pk")[:1]
        )
        # Counted per set, not by grouping every set's photos: a page of cards reads
        # its own sets only, in the order of an index.
        count = (
            Photo.objects.filter(photo_set=OuterRef("pk"))
            .order_by()
            .values("photo_set")
            .annotate(count=Count("pk"))
            .values("count")
        )
        has_videos = Exists(Video.objects.filter(photo_set=OuterRef("pk")))
        return self.select_related("newsroom").annotate(
            cover_photo_id=Coalesce(Subquery(own_cover.values("pk")), Subquery(first_photo)),
            photo_count=Coalesce(Subquery(count), 0),
            has_videos=has_videos,
        )


def attach_covers(photo_sets):
    """Set `cover_photo` on sets from `with_cover()`, with one query for all of them."""
    photo_sets = list(photo_sets)
    # No order (the photos' own would join their sets): they are picked by key.
    ids = [s.cover_photo_id for s in photo_sets if s.cover_photo_id]
    photos = Photo.objects.order_by().in_bulk(ids)
    for photo_set in photo_sets:
        photo_set.cover_photo = photos.get(photo_set.cover_photo_id)
    return photo_sets


class PhotoSet(Releasable):
    newsroom = models.ForeignKey(
        "newsroom.Newsroom",
        on_delete=models.CASCADE,
        related_name="photo_sets",
        verbose_name=_("newsroom"),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    cover = models.ForeignKey(
        "Photo",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cover photo"),
        help_text=_("Shown on lists. The first photo when left empty."),
    )
    is_featured = models.BooleanField(
        _("featured"), default=False, help_text=_("Shown on the newsroom's home page.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PhotoSetQuerySet.as_manager()

    class Meta:
        verbose_name = _("photo set")
        verbose_name_plural = _("photo sets")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["newsroom", "slug"],
                name="%(app_label)s_%(class)s_unique_slug",
                violation_error_message=_("This newsroom already has a photo set with this slug."),
            )
        ]
        indexes = [
            models.Index(
                fields=["newsroom", "visibility", "released_at"],
                name="media_photoset_public_idx",
            ),
            # The media kit's and the API's order, newest first, read page by page.
            models.Index(
                fields=["newsroom", "-created_at", "-id"], name="media_photoset_newest_idx"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return newsroom_url(
            self.newsroom, "media:photoset-detail", newsroom=self.newsroom.slug, slug=self.slug
        )

    def clean(self):
        if self.cover_id and self.pk and self.cover.photo_set_id != self.pk:
            raise ValidationError({"cover": _("The cover must be one of this set's photos.")})


def words(*fields):
    """The words of some text columns as one full-text vector (PostgreSQL only).

    Not stored: an expression index of exactly this expression serves the
    searches (media/migrations/0003_search_indexes.py), so the words are always
    those of the row as it is, whatever path changed it. Names and captions
    come in many languages: words are matched as written, without stemming.
    """
    return SearchVector(*fields, config="simple")


def words_query(text):
    """What a reader typed, in the web search syntax ("phrase", -without, or)."""
    return SearchQuery(text, search_type="websearch", config="simple")


class InSetQuerySet(models.QuerySet):
    """Photos and videos: what their set allows, and their words (the model's `WORDS`)."""

    def public(self):
        return self.filter(photo_set__in=PhotoSet.objects.public())

    def with_words_alias(self):
        """The rows with their title, caption, credit and copyright as `words`, to filter."""
        return self.alias(words=words(*self.model.WORDS))

    def with_words(self, text):
        """Rows whose title, caption, credit or copyright has the words of `text`."""
        return self.with_words_alias().filter(words=words_query(text))

    def editable_by(self, user):
        return self.filter(photo_set__newsroom__in=Newsroom.objects.editable_by(user))


def license_constraints():
    """The rules of a photo's or video's license, for its `Meta.constraints`."""
    return [
        models.CheckConstraint(
            condition=~Q(license=""),
            name="%(app_label)s_%(class)s_has_license",
            violation_error_message=_("Pick a license."),
        ),
        models.CheckConstraint(
            condition=~Q(license=License.CUSTOM) | ~Q(license_text=""),
            name="%(app_label)s_%(class)s_custom_license_has_text",
            violation_error_message=_("Write the custom terms, or pick a license from the list."),
        ),
    ]


class Rendered:
    """What photos and videos share about the files a task makes for each version.

    A model using it has `version`, `rendered_version`, `rendering_claim`,
    `rendering_started_at`, `rendering_failed_at` and `rendering_error`.
    """

    def claim_rendering(self, stale_after=timedelta(minutes=15)):
        """Let exactly one worker make this version's files; a stalled claim expires."""
        now = timezone.now()
        unclaimed = ~Q(rendering_claim=self.version) | Q(
            rendering_started_at__lt=now - stale_after
        )
        claimed = (
            type(self)
            .objects.filter(unclaimed, pk=self.pk, version=self.version)
            .exclude(rendered_version=self.version)
            .update(rendering_claim=self.version, rendering_started_at=now)
        )
        return claimed == 1

    def rendering_failure(self):
        """What the editor is told when this version's files could not be made, else ""."""
        if not self.rendering_failed_at or self.rendered_version == self.version:
            return ""
        return _("The files could not be made (%(when)s): %(error)s") % {
            "when": timezone.localtime(self.rendering_failed_at).strftime("%Y-%m-%d %H:%M"),
            "error": self.rendering_error,
        }

    def record_failure(self, error):
        """Keep why this version's files failed where its editors see it, and give up the
        claim so the files can be tried again."""
        type(self).objects.filter(pk=self.pk, version=self.version).update(
            rendering_claim="",
            rendering_failed_at=timezone.now(),
            rendering_error=(str(error) or type(error).__name__)[:1000],
        )


class Credited:
    """A photo's or video's credit line, from its `credit`, `license` and `license_text`."""

    @property
    def usage_terms(self):
        return license_label(self.license, self.license_text) if self.license else ""

    def credit_with(self, with_terms, alone):
        terms = str(self.usage_terms)
        if not self.credit:
            return terms
        if terms:
            return with_terms % {"credit": self.credit, "terms": terms}
        return alone % {"credit": self.credit}

    def apply_newsroom_defaults(self):
        newsroom = self.photo_set.newsroom
        self.credit = self.credit or newsroom.default_credit
        if not self.license:
            self.license = newsroom.default_license
            self.license_text = self.license_text or newsroom.default_license_text


class Photo(Rendered, Credited, models.Model):
    photo_set = models.ForeignKey(
        PhotoSet, on_delete=models.CASCADE, related_name="photos", verbose_name=_("photo set")
    )
    image = models.ImageField(
        _("image"),
        upload_to=RandomName("photos"),
        validators=[validate_image],
        help_text=_("JPEG, PNG, WebP, TIFF or HEIC (iPhone), as large as the camera made it."),
    )
    original_filename = models.CharField(_("uploaded as"), max_length=255, editable=False)
    image_format = models.CharField(_("format"), max_length=10, editable=False)
    title = models.CharField(_("title"), max_length=200, blank=True)
    caption = models.TextField(
        _("caption"), blank=True, help_text=_("Who and what is in the photo, where and when.")
    )
    alt_text = models.CharField(
        _("alt text"),
        max_length=300,
        blank=True,
        help_text=_("For readers who cannot see the photo. The caption is used when empty."),
    )
    credit = models.CharField(
        _("credit"),
        max_length=200,
        blank=True,
        help_text=_(
            "Printed as “Photo: …”. Taken from the file, else the newsroom's default credit."
        ),
    )
    copyright = models.CharField(
        _("copyright notice"),
        max_length=200,
        blank=True,
        help_text=_("e.g. “© 24H SERIES 2022”. Taken from the file when it has one."),
    )
    license = models.CharField(
        _("license"),
        max_length=30,
        choices=License,
        blank=True,
        help_text=_("The newsroom's default license when left empty."),
    )
    license_text = models.CharField(
        _("custom terms"),
        max_length=300,
        blank=True,
        help_text=_("Only for “Custom terms”: the usage terms in your own words."),
    )
    taken_at = models.DateTimeField(_("taken"), null=True, blank=True)
    focal_x = models.FloatField(
        _("focal point across"),
        default=0.5,
        help_text=_("0 is the left edge, 1 the right: crops keep this point in view."),
    )
    focal_y = models.FloatField(
        _("focal point down"), default=0.5, help_text=_("0 is the top edge, 1 the bottom.")
    )
    width = models.PositiveIntegerField(_("width"), default=0, editable=False)
    height = models.PositiveIntegerField(_("height"), default=0, editable=False)
    bytes = models.PositiveBigIntegerField(_("file size"), default=0, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False, db_index=True)
    version = models.CharField(
        _("version"),
        max_length=16,
        editable=False,
        help_text=_("Changes with the file, its rights and its focal point."),
    )
    rendered_version = models.CharField(max_length=16, blank=True, editable=False)
    rendering_claim = models.CharField(max_length=16, blank=True, editable=False)
    rendering_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    rendering_failed_at = models.DateTimeField(
        _("files failed"), null=True, blank=True, editable=False
    )
    rendering_error = models.TextField(
        _("why the files failed"),
        blank=True,
        editable=False,
        help_text=_("What went wrong the last time this version's files were made."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = InSetQuerySet.as_manager()

    # Searched by word (an index of their vector on PostgreSQL serves it).
    WORDS = ("title", "caption", "credit", "copyright")

    # Called with the photo's pk once a save that gave it a new version is committed:
    # MediaConfig.ready() puts the rendition task here (media.tasks imports this module).
    on_new_version = []

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["photo_set", "position", "pk"]
        constraints = [
            *license_constraints(),
            models.CheckConstraint(
                condition=Q(focal_x__gte=0, focal_x__lte=1, focal_y__gte=0, focal_y__lte=1),
                name="%(app_label)s_%(class)s_focal_point_inside",
                violation_error_message=_("The focal point must lie inside the photo (0 to 1)."),
            ),
            # Two uploads of one file can both pass the check in clean() at the
            # same moment; the database lets only one of them in.
            models.UniqueConstraint(
                fields=["photo_set", "sha256"],
                name="%(app_label)s_%(class)s_unique_file_per_set",
                violation_error_message=_("This file is already in the set."),
            ),
        ]
        indexes = [models.Index(fields=["photo_set", "position"], name="media_photo_order_idx")]

    def __str__(self):
        return self.title or self.original_filename or _("Photo %(pk)s") % {"pk": self.pk}

    def save(self, *args, **kwargs):
        new_file = bool(self.image) and not self.image._committed
        replaced = self.stored_image_name() if new_file and self.pk else None
        if new_file:
            self.read_file_facts()
        if self._state.adding:
            self.apply_newsroom_defaults()
        self.version = self.compute_version()
        if self.rendered_version != self.version:
            # Files are about to be made (again): the last failure is news no more.
            self.rendering_failed_at, self.rendering_error = None, ""
        super().save(*args, **kwargs)
        if replaced and replaced != self.image.name:
            transaction.on_commit(partial(self.image.storage.delete, replaced))
        if self.rendered_version != self.version:
            for call in self.on_new_version:
                transaction.on_commit(partial(call, self.pk))

    def get_absolute_url(self):
        photo_set = self.photo_set
        return newsroom_url(
            photo_set.newsroom,
            "media:photo-detail",
            newsroom=photo_set.newsroom.slug,
            slug=photo_set.slug,
            pk=self.pk,
        )

    def stored_image_name(self):
        return Photo.objects.filter(pk=self.pk).values_list("image", flat=True).first()

    def read_file_facts(self):
        """Fill name, format, size, checksum, upright dimensions and embedded rights.

        Reads the upload a chunk at a time and its metadata alone: an upload
        can be 100 MB, and none of this needs it in memory.
        """
        upload = self.image.file
        self.original_filename = safe_original_name(self.image.name)
        self.bytes = upload.size
        self.sha256 = file_sha256(upload)
        with Image.open(upload) as image:
            self.image_format = format_of(image)
            self.width, self.height = upright_size(image)
        upload.seek(0)
        self.prefill_from(read_file_metadata(upload, self.image_format))

    def prefill_from(self, embedded):
        """What the camera or the photo agency wrote into the file fills empty fields."""
        self.title = self.title or embedded.title[:200]
        self.caption = self.caption or embedded.caption
        self.credit = self.credit or embedded.credit[:200]
        self.copyright = self.copyright or embedded.copyright[:200]
        if self.taken_at is None and embedded.taken_at is not None:
            taken_at = embedded.taken_at
            if timezone.is_naive(taken_at):
                taken_at = timezone.make_aware(taken_at)
            self.taken_at = taken_at

    def compute_version(self):
        """A short hash of everything that goes into the served files."""
        translated = [
            f"{text.language}\x1e{text.title}\x1e{text.caption}" for text in self.stored_texts()
        ]
        parts = [
            self.sha256,
            self.title,
            self.caption,
            *translated,
            self.credit,
            self.copyright,
            self.license,
            self.license_text,
            f"{self.focal_x:.4f}",
            f"{self.focal_y:.4f}",
            str(PhotoSpec.revision),
        ]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12]

    def clean(self):
        # An empty license means "the newsroom's usual": fill it before the rules are checked.
        # Without a set there is nothing to fill from; the form reports the missing set.
        if self._state.adding:
            with contextlib.suppress(PhotoSet.DoesNotExist):
                newsroom = self.photo_set.newsroom
                if not self.license:
                    self.license = newsroom.default_license
                    self.license_text = self.license_text or newsroom.default_license_text
        if self.image and not self.image._committed and self.photo_set_id:
            self.refuse_duplicate()

    def refuse_duplicate(self):
        """The same file twice in one set is a mistake; say which photo it already is."""
        digest = file_sha256(self.image.file)
        same = Photo.objects.filter(photo_set_id=self.photo_set_id, sha256=digest)
        twin = same.exclude(pk=self.pk).first()
        if twin is not None:
            raise ValidationError(
                {"image": _("This file is already in the set as “%(photo)s”.") % {"photo": twin}}
            )

    def is_public(self):
        return self.photo_set.is_public()

    def is_for_pass_holders(self):
        return self.photo_set.is_for_pass_holders()

    def is_out(self):
        """Public, or due to be: a photo goes out with its set (a hero's set with its release)."""
        return self.photo_set.is_out()

    @property
    def credit_line(self):
        """“Photo: CREDIT (usage terms)”, as every channel prints it with the photo."""
        return self.credit_with(
            # Translators: the credit printed with a photo: "Photo: 24H SERIES (Free to use
            # with credit)".
            gettext("Photo: %(credit)s (%(terms)s)"),
            gettext("Photo: %(credit)s"),
        )

    @property
    def alt(self):
        return self.alt_text or self.caption or self.title

    @property
    def rights(self):
        return Rights(
            title=self.title,
            caption=self.caption,
            credit=self.credit,
            copyright=self.copyright,
            usage_terms=str(self.usage_terms),
            language=self.photo_set.newsroom.language,
            translations=tuple(
                (text.language, text.title, text.caption) for text in self.stored_texts()
            ),
        )

    def text_in(self, language):
        """The photo's texts written in `language`, if any (besides its own)."""
        if self.pk is None:
            return None
        prefetch_related_objects([self], "texts")  # read once, however often asked
        return next((text for text in self.texts.all() if text.language == language), None)

    def stored_texts(self):
        """The photo's texts in languages other than its newsroom's own, as saved."""
        if self.pk is None:
            return []
        return list(self.texts.order_by("language"))

    def new_texts(self):
        """After its texts in other languages changed: new files carry them."""
        version = self.compute_version()
        if version != self.version:
            self.save()

    @property
    def is_jpeg(self):
        return self.image_format == "JPEG"

    def rendition_size(self, size):
        """Pixel size of a rendition (a size's name), known without opening any file."""
        return SIZES[size].pixels(self.width, self.height)

    def stored_size(self, size):
        """The name of the rendition that holds `size` (a name): a size not made for this
        photo's format is served by its stand-in (a JPEG's print file is its original)."""
        entry = SIZES[size]
        return size if entry.made_for(self.image_format) else entry.stand_in

    def sizes_made(self):
        """The sizes that get a file of their own for this photo."""
        return sizes.sizes_for(self.image_format)

    def download_sizes(self):
        """The sizes offered for download: each stored file once (a JPEG has no print copy)."""
        return [size for size in sizes.download_sizes() if size.made_for(self.image_format)]

    @property
    def thumbnail_size(self):
        return self.rendition_size(sizes.THUMBNAIL)

    @property
    def medium_size(self):
        return self.rendition_size(sizes.MEDIUM)

    @property
    def web_size(self):
        return self.rendition_size(sizes.WEB)

    def file_url(self, size):
        return reverse(
            "media:photo-file",
            kwargs={"pk": self.pk, "version": self.version, "size": size},
        )

    @property
    def thumbnail_url(self):
        return self.file_url(sizes.THUMBNAIL)

    @property
    def web_url(self):
        return self.file_url(sizes.WEB)

    @property
    def social_url(self):
        return self.file_url(sizes.SOCIAL)

    @property
    def original_url(self):
        return self.file_url(sizes.ORIGINAL)

    @property
    def adding_claim(self):
        return f"+{self.version}"

    def claim_adding(self, stale_after=timedelta(minutes=15)):
        """Let exactly one worker add missing files to this version's made ones.

        Only once the version's files are made: until then `claim_rendering` is
        the claim, and it makes every file. Marked apart from it ("+version"),
        so neither claim is mistaken for the other; a stalled claim expires.
        """
        now = timezone.now()
        unclaimed = ~Q(rendering_claim=self.adding_claim) | Q(
            rendering_started_at__lt=now - stale_after
        )
        claimed = Photo.objects.filter(
            unclaimed, pk=self.pk, version=self.version, rendered_version=self.version
        ).update(rendering_claim=self.adding_claim, rendering_started_at=now)
        return claimed == 1

    def release_adding_claim(self):
        Photo.objects.filter(pk=self.pk, rendering_claim=self.adding_claim).update(
            rendering_claim=""
        )


def file_sha256(upload):
    """The SHA-256 of an upload or stored file, read a megabyte at a time."""
    return file_digests(upload)[0]


def file_digests(upload):
    """The SHA-256 (hex) and CRC-32 of an upload, in one read a megabyte at a time."""
    digest, crc = hashlib.sha256(), 0
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
        crc = zlib.crc32(chunk, crc)
    upload.seek(0)
    return digest.hexdigest(), crc


def kept_crc32(row):
    """The CRC-32 of a row's stored `file` (a ZIP entry needs it before its first byte), read
    once and kept in its `crc32` column."""
    if row.crc32 is None:
        crc = 0
        with row.file.storage.open(row.file.name, "rb") as handle:
            while chunk := handle.read(1024 * 1024):
                crc = zlib.crc32(chunk, crc)
        type(row).objects.filter(pk=row.pk).update(crc32=crc)
        row.crc32 = crc
    return row.crc32


def safe_original_name(name):
    """The uploader's file name as data: last path part, printable, at most 255 characters."""
    name = PurePath(str(name).replace("\\", "/")).name
    name = "".join(character for character in name if character.isprintable())
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        name = f"{stem[: 250 - len(extension)]}…{dot}{extension}" if dot else name[:255]
    return name or "photo"


class PhotoText(models.Model):
    """A photo's title, caption and alt text in another language than its newsroom's own.

    Every served file carries them all (XMP language alternatives), so a photo
    desk sees the caption in its own language whatever tool it reads them with.
    """

    photo = models.ForeignKey(
        Photo, on_delete=models.CASCADE, related_name="texts", verbose_name=_("photo")
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=200, blank=True)
    caption = models.TextField(_("caption"), blank=True)
    alt_text = models.CharField(_("alt text"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("text in another language")
        verbose_name_plural = _("texts in other languages")
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["photo", "language"],
                name="%(app_label)s_%(class)s_one_per_language",
                violation_error_message=_("The photo has texts in this language already."),
            )
        ]

    def __str__(self):
        return f"{self.get_language_display()}: {self.title or self.caption[:60]}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.photo.new_texts()

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        self.photo.new_texts()
        return deleted

    def clean(self):
        if self.photo_id and self.language == self.photo.photo_set.newsroom.language:
            raise ValidationError(
                {
                    "language": _(
                        "The photo's own title and caption are in this language: "
                        "change them there."
                    )
                }
            )

    @property
    def alt(self):
        return self.alt_text or self.caption or self.title


def texts_in(language):
    """A prefetch of photos' texts written in `language` (`written_texts`, a list of none or
    one): what `downloads.PhotoDownloads` shows on a page in that language. One query for
    any number of photos."""
    in_language = PhotoText.objects.filter(language=language)
    return Prefetch("texts", queryset=in_language, to_attr="written_texts")


class Rendition(models.Model):
    """One file we serve for a photo, made by the rendition task."""

    photo = models.ForeignKey(
        Photo, on_delete=models.CASCADE, related_name="renditions", verbose_name=_("photo")
    )
    size = models.CharField(_("size"), max_length=10, choices=sizes.choices)
    file = models.FileField(_("file"), max_length=255)
    version = models.CharField(_("version"), max_length=16)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    bytes = models.PositiveBigIntegerField(_("file size"))
    # Kept so a ZIP of a set can be laid out, and resumed at any byte, without
    # reading the files before that byte.
    crc32 = models.PositiveBigIntegerField(_("CRC-32"), null=True, editable=False)
    created_at = models.DateTimeField(_("made"), default=timezone.now)

    class Meta:
        verbose_name = _("rendition")
        verbose_name_plural = _("renditions")
        ordering = ["photo", "size"]
        constraints = [
            models.UniqueConstraint(
                fields=["photo", "size"],
                name="%(app_label)s_%(class)s_one_per_size",
                violation_error_message=_("A photo has one file per size."),
            )
        ]

    def __str__(self):
        return f"{self.photo} ({self.get_size_display()})"

    @property
    def content_type(self):
        return mimetypes.guess_type(self.file.name)[0] or "application/octet-stream"

    @property
    def etag(self):
        return f'"{self.version}-{self.size}"'

    def checksum(self):
        """The file's CRC-32; worked out once for files made before it was kept."""
        return kept_crc32(self)


class CounterQuerySet(models.QuerySet):
    def record(self, **key):
        """Add one to the counter for `key` (what and which size): a number, nothing about who."""
        counter, _created = self.get_or_create(**key)
        self.filter(pk=counter.pk).update(count=F("count") + 1)

    def record_each(self, field, pks, **key):
        """Add one to the counter for `key` of each row of `field` in `pks` (the photos of a
        ZIP in its size, say): two queries however many there are."""
        if not pks:
            return
        new = [self.model(**{f"{field}_id": pk}, **key) for pk in pks]
        self.bulk_create(new, ignore_conflicts=True)  # counters not there yet, at 0
        self.filter(**{f"{field}__in": pks}, **key).update(count=F("count") + 1)


class SizeCounter(models.Model):
    size = models.CharField(_("size"), max_length=10, choices=sizes.choices)
    count = models.PositiveIntegerField(_("downloads"), default=0)

    objects = CounterQuerySet.as_manager()

    class Meta:
        abstract = True


class DownloadCount(SizeCounter):
    """How often each size of a photo was downloaded."""

    photo = models.ForeignKey(
        Photo, on_delete=models.CASCADE, related_name="download_counts", verbose_name=_("photo")
    )

    class Meta:
        verbose_name = _("download count")
        verbose_name_plural = _("download counts")
        ordering = ["photo", "size"]
        constraints = [
            models.UniqueConstraint(
                fields=["photo", "size"],
                name="%(app_label)s_%(class)s_one_per_size",
                violation_error_message=_("A photo has one counter per size."),
            )
        ]

    def __str__(self):
        return f"{self.photo}: {self.count} × {self.get_size_display()}"


class ZipDownloadCount(SizeCounter):
    """How often a whole set was downloaded as one ZIP, per size."""

    photo_set = models.ForeignKey(
        PhotoSet,
        on_delete=models.CASCADE,
        related_name="zip_download_counts",
        verbose_name=_("photo set"),
    )

    class Meta:
        verbose_name = _("ZIP download count")
        verbose_name_plural = _("ZIP download counts")
        ordering = ["photo_set", "size"]
        constraints = [
            models.UniqueConstraint(
                fields=["photo_set", "size"],
                name="%(app_label)s_%(class)s_one_per_size",
                violation_error_message=_("A set has one ZIP counter per size."),
            )
        ]

    def __str__(self):
        return f"{self.photo_set}: {self.count} × {self.get_size_display()} ZIP"


class DocumentKind(models.TextChoices):
    FACT_SHEET = "fact-sheet", _("Fact sheet")
    LOGO = "logo", _("Logo")
    PRESS_KIT = "press-kit", _("Press kit")
    RESULTS = "results", _("Results sheet")
    OTHER = "other", _("Document")


class DocumentQuerySet(ReleasableQuerySet):
    def with_words_alias(self):
        """The documents with their title and description as `words`, to filter."""
        return self.alias(words=words(*Document.WORDS))

    def with_words(self, text):
        """Documents whose title or description has the words of `text`."""
        return self.with_words_alias().filter(words=words_query(text))


class Document(Releasable):
    """A fact sheet, logo or PDF for journalists: always a download, never shown inline."""

    newsroom = models.ForeignKey(
        "newsroom.Newsroom",
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("newsroom"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=DocumentKind, default=DocumentKind.OTHER
    )
    file = models.FileField(
        _("file"),
        upload_to=RandomName("documents"),
        validators=[validate_document],
        help_text=_("PDF, SVG, EPS, PNG, JPEG or WebP. Logos in vector form are welcome."),
    )
    original_filename = models.CharField(_("uploaded as"), max_length=255, editable=False)
    file_type = models.CharField(_("type"), max_length=10, editable=False)
    content_type = models.CharField(_("content type"), max_length=100, editable=False)
    bytes = models.PositiveBigIntegerField(_("file size"), default=0, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    # Taken at upload with the SHA-256; for files uploaded before, when first zipped.
    crc32 = models.PositiveBigIntegerField(_("CRC-32"), null=True, editable=False)
    download_count = models.PositiveIntegerField(_("downloads"), default=0, editable=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = DocumentQuerySet.as_manager()

    WORDS = ("title", "description")

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["newsroom", "position", "title"]
        indexes = [
            models.Index(
                fields=["newsroom", "visibility", "released_at"],
                name="media_document_public_idx",
            )
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        new_file = bool(self.file) and not self.file._committed
        replaced = (
            Document.objects.filter(pk=self.pk).values_list("file", flat=True).first()
            if new_file and self.pk
            else None
        )
        if new_file:
            self.read_file_facts()
        super().save(*args, **kwargs)
        if replaced and replaced != self.file.name:
            transaction.on_commit(partial(self.file.storage.delete, replaced))

    def get_absolute_url(self):
        return reverse("media:document-file", kwargs={"pk": self.pk, "version": self.sha256[:12]})

    def read_file_facts(self):
        upload = self.file.file
        self.file_type, self.content_type = detect_document(upload)
        self.original_filename = safe_original_name(self.file.name)
        self.sha256, self.crc32 = file_digests(upload)
        self.bytes = upload.size

    def checksum(self):
        return kept_crc32(self)

    @property
    def extension(self):
        return PurePath(self.file.name).suffix.lower()

    @property
    def etag(self):
        return f'"{self.sha256[:24]}"'


class Video(Rendered, Credited, models.Model):
    """A clip in a photo set: B-roll, an interview, an on-board lap.

    The upload is kept as it came and never served: every file a journalist
    gets (a web version, the original's streams in a cleaned copy, a poster)
    is made from it by the video task, without the place it was shot or the
    camera's serial number, and with its credit and license inside.
    """

    photo_set = models.ForeignKey(
        PhotoSet, on_delete=models.CASCADE, related_name="videos", verbose_name=_("photo set")
    )
    file = models.FileField(_("file"), upload_to=RandomName("videos"), editable=False)
    original_filename = models.CharField(_("uploaded as"), max_length=255, editable=False)
    container = models.CharField(_("format"), max_length=10, editable=False)
    video_codec = models.CharField(_("video codec"), max_length=20, editable=False)
    audio_codec = models.CharField(_("audio codec"), max_length=20, blank=True, editable=False)
    duration = models.FloatField(_("duration (seconds)"), default=0, editable=False)
    width = models.PositiveIntegerField(_("width"), default=0, editable=False)
    height = models.PositiveIntegerField(_("height"), default=0, editable=False)
    frame_rate = models.FloatField(_("frames per second"), default=0, editable=False)
    bytes = models.PositiveBigIntegerField(_("file size"), default=0, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False, db_index=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    caption = models.TextField(
        _("caption"), blank=True, help_text=_("Who and what is in the video, where and when.")
    )
    credit = models.CharField(
        _("credit"),
        max_length=200,
        blank=True,
        help_text=_("Printed as “Video: …”. The newsroom's default credit when left empty."),
    )
    copyright = models.CharField(_("copyright notice"), max_length=200, blank=True)
    license = models.CharField(
        _("license"),
        max_length=30,
        choices=License,
        blank=True,
        help_text=_("The newsroom's default license when left empty."),
    )
    license_text = models.CharField(
        _("custom terms"),
        max_length=300,
        blank=True,
        help_text=_("Only for “Custom terms”: the usage terms in your own words."),
    )
    poster_at = models.FloatField(
        _("poster moment (seconds)"),
        null=True,
        blank=True,
        help_text=_(
            "The moment shown before the video plays, in seconds from the start. "
            "A moment early in the clip when left empty."
        ),
    )
    version = models.CharField(_("version"), max_length=16, editable=False)
    rendered_version = models.CharField(max_length=16, blank=True, editable=False)
    rendering_claim = models.CharField(max_length=16, blank=True, editable=False)
    rendering_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    rendering_progress = models.PositiveSmallIntegerField(
        _("files made (%)"), default=0, editable=False
    )
    rendering_failed_at = models.DateTimeField(
        _("files failed"), null=True, blank=True, editable=False
    )
    rendering_error = models.TextField(_("why the files failed"), blank=True, editable=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = InSetQuerySet.as_manager()

    WORDS = ("title", "caption", "credit", "copyright")

    # Called with the video's pk once a save that gave it a new version is committed:
    # MediaConfig.ready() puts the video task here.
    on_new_version = []

    class Meta:
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        ordering = ["photo_set", "position", "pk"]
        constraints = [
            *license_constraints(),
            models.CheckConstraint(
                condition=Q(poster_at__isnull=True) | Q(poster_at__gte=0),
                name="%(app_label)s_%(class)s_poster_inside",
                violation_error_message=_("The poster moment is a number of seconds from 0."),
            ),
            models.UniqueConstraint(
                fields=["photo_set", "sha256"],
                name="%(app_label)s_%(class)s_unique_file_per_set",
                violation_error_message=_("This file is already in the set."),
            ),
        ]
        indexes = [models.Index(fields=["photo_set", "position"], name="media_video_order_idx")]

    def __str__(self):
        return self.title or self.original_filename or _("Video %(pk)s") % {"pk": self.pk}

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.apply_newsroom_defaults()
        self.version = self.compute_version()
        if self.rendered_version != self.version:
            self.rendering_failed_at, self.rendering_error = None, ""
        super().save(*args, **kwargs)
        if self.rendered_version != self.version:
            for call in self.on_new_version:
                transaction.on_commit(partial(call, self.pk))

    def get_absolute_url(self):
        photo_set = self.photo_set
        return newsroom_url(
            photo_set.newsroom,
            "media:video-detail",
            newsroom=photo_set.newsroom.slug,
            slug=photo_set.slug,
            pk=self.pk,
        )

    def clean(self):
        if self.poster_at is not None and self.duration and self.poster_at > self.duration:
            raise ValidationError(
                {
                    "poster_at": _("The video is %(seconds).1f seconds long.")
                    % {"seconds": self.duration}
                }
            )

    def compute_version(self):
        """A short hash of everything that goes into the served files."""
        parts = [
            self.sha256,
            self.title,
            self.caption,
            self.credit,
            self.copyright,
            self.license,
            self.license_text,
            "" if self.poster_at is None else f"{self.poster_at:.3f}",
        ]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12]

    def take_facts(self, facts):
        """What probing the upload found (a `media.video_files.VideoFacts`)."""
        self.container = facts.container
        self.video_codec = facts.video_codec
        self.audio_codec = facts.audio_codec
        self.duration = facts.duration
        self.width, self.height = facts.width, facts.height
        self.frame_rate = facts.frame_rate

    def is_public(self):
        return self.photo_set.is_public()

    def is_for_pass_holders(self):
        return self.photo_set.is_for_pass_holders()

    def is_out(self):
        return self.photo_set.is_out()

    @property
    def credit_line(self):
        """“Video: CREDIT (usage terms)”, as every channel prints it with the video."""
        return self.credit_with(
            # Translators: the credit printed with a video: "Video: 24H SERIES (Free to use
            # with credit)".
            gettext("Video: %(credit)s (%(terms)s)"),
            gettext("Video: %(credit)s"),
        )

    @property
    def rights(self):
        return VideoRights(
            title=self.title,
            caption=self.caption,
            credit=self.credit,
            copyright=self.copyright,
            usage_terms=str(self.usage_terms),
        )

    @property
    def alt(self):
        return self.caption or self.title

    @property
    def duration_label(self):
        """“0:42”, “1:02:05”: how long it plays."""
        seconds = round(self.duration)
        hours, rest = divmod(seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{hours}:{minutes:02}:{seconds:02}" if hours else f"{minutes}:{seconds:02}"

    @property
    def is_ready(self):
        return bool(self.rendered_version) and self.rendered_version == self.version

    def served_files(self):
        """This version's files by kind, read once however often asked."""
        if not hasattr(self, "_served_files"):
            prefetch_related_objects([self], "files")
            self._served_files = {
                kept.kind: kept for kept in self.files.all() if kept.version == self.version
            }
        return self._served_files

    def served_file(self, kind):
        return self.served_files().get(kind)

    def file_url(self, kind):
        return reverse(
            "media:video-file", kwargs={"pk": self.pk, "version": self.version, "kind": kind}
        )

    @property
    def poster_url(self):
        return self.file_url(sizes.POSTER)

    @property
    def web_url(self):
        return self.file_url(sizes.WEB_VIDEO)

    def downloads(self):
        """The files offered for download, made ones only, in the order offered."""
        made = self.served_files()
        return [(kind, made[kind.name]) for kind in sizes.video_downloads() if kind.name in made]


class VideoFile(models.Model):
    """One file we serve for a video: its poster, web version or cleaned original."""

    video = models.ForeignKey(
        Video, on_delete=models.CASCADE, related_name="files", verbose_name=_("video")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=sizes.video_file_choices)
    file = models.FileField(_("file"), max_length=255)
    version = models.CharField(_("version"), max_length=16)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    bytes = models.PositiveBigIntegerField(_("file size"))
    video_codec = models.CharField(_("video codec"), max_length=20, blank=True)
    audio_codec = models.CharField(_("audio codec"), max_length=20, blank=True)
    crc32 = models.PositiveBigIntegerField(_("CRC-32"), null=True, editable=False)
    created_at = models.DateTimeField(_("made"), default=timezone.now)

    CONTENT_TYPES = {
        ".mp4": "video/mp4",
        ".m4v": "video/mp4",
        ".mov": "video/quicktime",
        ".webm": "video/webm",
        ".jpg": "image/jpeg",
    }

    class Meta:
        verbose_name = _("video file")
        verbose_name_plural = _("video files")
        ordering = ["video", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["video", "kind"],
                name="%(app_label)s_%(class)s_one_per_kind",
                violation_error_message=_("A video has one file of each kind."),
            )
        ]

    def __str__(self):
        return f"{self.video} ({self.get_kind_display()})"

    @property
    def extension(self):
        return PurePath(self.file.name).suffix.lower()

    @property
    def content_type(self):
        return self.CONTENT_TYPES.get(self.extension, "application/octet-stream")

    @property
    def etag(self):
        return f'"{self.version}-v{self.kind}"'

    def checksum(self):
        return kept_crc32(self)


class Subtitle(models.Model):
    """A video's subtitles in one language, kept as a clean WebVTT file."""

    video = models.ForeignKey(
        Video, on_delete=models.CASCADE, related_name="subtitles", verbose_name=_("video")
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    file = models.FileField(_("file"), upload_to=RandomName("subtitles"), max_length=255)
    original_filename = models.CharField(_("uploaded as"), max_length=255, editable=False)
    cue_count = models.PositiveIntegerField(_("lines"), default=0, editable=False)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("subtitles")
        verbose_name_plural = _("subtitles")
        ordering = ["video", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["video", "language"],
                name="%(app_label)s_%(class)s_one_per_language",
                violation_error_message=_("The video has subtitles in this language already."),
            )
        ]

    def __str__(self):
        return f"{self.video}: {self.get_language_display()}"

    @property
    def version(self):
        return PurePath(self.file.name).stem[:12]

    def file_url(self, form):
        return reverse(
            "media:subtitle-file",
            kwargs={
                "pk": self.pk,
                "version": self.version,
                "language": self.language,
                "form": form,
            },
        )


class VideoDownloadCount(models.Model):
    """How often each file of a video was downloaded (played files are not counted)."""

    video = models.ForeignKey(
        Video, on_delete=models.CASCADE, related_name="download_counts", verbose_name=_("video")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=sizes.video_file_choices)
    count = models.PositiveIntegerField(_("downloads"), default=0)

    objects = CounterQuerySet.as_manager()

    class Meta:
        verbose_name = _("video download count")
        verbose_name_plural = _("video download counts")
        ordering = ["video", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["video", "kind"],
                name="%(app_label)s_%(class)s_one_per_kind",
                violation_error_message=_("A video has one counter per file."),
            )
        ]

    def __str__(self):
        return f"{self.video}: {self.count} × {self.get_kind_display()}"
