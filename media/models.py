import contextlib
import hashlib
from functools import partial
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from imagekit.models import ImageSpecField
from PIL import Image

from media.imagegenerators import Thumbnail, Web, fit_size, upright_swapped
from newsroom.models import License, Newsroom, license_label
from newsroom.uploads import RandomName, validate_image


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    WITH_RELEASE = "release", _("With its release")
    PRIVATE = "private", _("Private")


class PhotoSetQuerySet(models.QuerySet):
    def public(self):
        """Sets anyone may see: public ones, and those whose release is out."""
        return self.filter(
            Q(visibility=Visibility.PUBLIC)
            | Q(visibility=Visibility.WITH_RELEASE, released_at__lte=timezone.now())
        )

    def editable_by(self, user):
        return self.filter(newsroom__in=Newsroom.objects.editable_by(user))

    def with_cover(self):
        """Sets as cards: `cover_photo_id` (the cover, else the first photo) and `photo_count`.

        Call `attach_covers()` on the result to load the photos in one query.
        """
        first_photo = (
            Photo.objects.filter(photo_set=OuterRef("pk"))
            .order_by("position", "pk")
            .values("pk")[:1]
        )
        return self.select_related("newsroom").annotate(
            cover_photo_id=Coalesce("cover_id", Subquery(first_photo)),
            photo_count=Count("photos", distinct=True),
        )


def attach_covers(photo_sets):
    """Set `cover_photo` on sets from `with_cover()`, with one query for all of them."""
    photo_sets = list(photo_sets)
    photos = Photo.objects.in_bulk([s.cover_photo_id for s in photo_sets if s.cover_photo_id])
    for photo_set in photo_sets:
        photo_set.cover_photo = photos.get(photo_set.cover_photo_id)
    return photo_sets


class PhotoSet(models.Model):
    newsroom = models.ForeignKey(
        "newsroom.Newsroom",
        on_delete=models.CASCADE,
        related_name="photo_sets",
        verbose_name=_("newsroom"),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200)
    description = models.TextField(_("description"), blank=True)
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
        help_text=_("Kept up to date by the press releases that include the set."),
    )
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
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(
            "media:photoset-detail", kwargs={"newsroom": self.newsroom.slug, "slug": self.slug}
        )

    def is_public(self):
        if self.visibility == Visibility.PUBLIC:
            return True
        return (
            self.visibility == Visibility.WITH_RELEASE
            and self.released_at is not None
            and self.released_at <= timezone.now()
        )

    def clean(self):
        if self.cover_id and self.pk and self.cover.photo_set_id != self.pk:
            raise ValidationError({"cover": _("The cover must be one of this set's photos.")})


class PhotoQuerySet(models.QuerySet):
    def public(self):
        return self.filter(photo_set__in=PhotoSet.objects.public())

    def editable_by(self, user):
        return self.filter(photo_set__newsroom__in=Newsroom.objects.editable_by(user))


class Photo(models.Model):
    photo_set = models.ForeignKey(
        PhotoSet, on_delete=models.CASCADE, related_name="photos", verbose_name=_("photo set")
    )
    image = models.ImageField(
        _("image"),
        upload_to=RandomName("photos"),
        validators=[validate_image],
        help_text=_("JPEG, PNG, WebP or TIFF, as large as the camera made it."),
    )
    original_filename = models.CharField(_("uploaded as"), max_length=255, editable=False)
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
        help_text=_("Printed as “Photo: …”. The newsroom's default credit when empty."),
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
    width = models.PositiveIntegerField(_("width"), default=0, editable=False)
    height = models.PositiveIntegerField(_("height"), default=0, editable=False)
    bytes = models.PositiveBigIntegerField(_("file size"), default=0, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False, db_index=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    thumbnail = ImageSpecField(source="image", id="media:photo:thumbnail")
    web = ImageSpecField(source="image", id="media:photo:web")

    objects = PhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["photo_set", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(license=""),
                name="%(app_label)s_%(class)s_has_license",
                violation_error_message=_("Pick a license."),
            ),
            models.CheckConstraint(
                condition=~Q(license=License.CUSTOM) | ~Q(license_text=""),
                name="%(app_label)s_%(class)s_custom_license_has_text",
                violation_error_message=_(
                    "Write the custom terms, or pick a license from the list."
                ),
            ),
        ]
        indexes = [models.Index(fields=["photo_set", "position"], name="media_photo_order_idx")]

    def __str__(self):
        return self.title or self.original_filename or _("Photo %(pk)s") % {"pk": self.pk}

    def save(self, *args, **kwargs):
        new_file = bool(self.image) and not self.image._committed
        if new_file:
            self.read_file_facts()
        if self._state.adding:
            self.apply_newsroom_defaults()
        super().save(*args, **kwargs)
        if new_file:
            transaction.on_commit(partial(schedule_renditions, self.pk))

    def get_absolute_url(self):
        return f"{self.photo_set.get_absolute_url()}#photo-{self.pk}"

    def read_file_facts(self):
        """Fill name, size, checksum and upright dimensions from a new upload."""
        upload = self.image.file
        self.original_filename = PurePath(self.image.name).name[:255]
        self.bytes = upload.size
        digest = hashlib.sha256()
        upload.seek(0)
        for chunk in iter(lambda: upload.read(1024 * 1024), b""):
            digest.update(chunk)
        self.sha256 = digest.hexdigest()
        upload.seek(0)
        with Image.open(upload) as image:
            width, height = image.size
            self.width, self.height = (
                (height, width) if upright_swapped(image) else (width, height)
            )
        upload.seek(0)

    def apply_newsroom_defaults(self):
        newsroom = self.photo_set.newsroom
        self.credit = self.credit or newsroom.default_credit
        if not self.license:
            self.license = newsroom.default_license
            self.license_text = self.license_text or newsroom.default_license_text

    def clean(self):
        # An empty license means "the newsroom's usual": fill it before the rules are checked.
        # Without a set there is nothing to fill from; the form reports the missing set.
        if self._state.adding:
            with contextlib.suppress(PhotoSet.DoesNotExist):
                self.apply_newsroom_defaults()

    def is_public(self):
        return self.photo_set.is_public()

    @property
    def usage_terms(self):
        return license_label(self.license, self.license_text)

    @property
    def alt(self):
        return self.alt_text or self.caption or self.title

    def rendition_size(self, size):
        box = {"thumbnail": Thumbnail.box, "web": Web.box}.get(size)
        if box is None:
            return self.width, self.height
        return fit_size(self.width, self.height, box)

    @property
    def thumbnail_size(self):
        return self.rendition_size("thumbnail")

    @property
    def web_size(self):
        return self.rendition_size("web")

    def file_url(self, size):
        return reverse(
            "media:photo-file",
            kwargs={"pk": self.pk, "version": self.sha256[:12], "size": size},
        )

    @property
    def thumbnail_url(self):
        return self.file_url("thumbnail")

    @property
    def web_url(self):
        return self.file_url("web")

    @property
    def original_url(self):
        return self.file_url("original")


def schedule_renditions(photo_pk):
    from media.tasks import generate_renditions

    generate_renditions.enqueue(photo_pk)
