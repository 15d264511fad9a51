from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from media import resumable, subtitles
from media.models import (
    Document,
    DownloadCount,
    Photo,
    PhotoSet,
    PhotoText,
    Rendition,
    Subtitle,
    Video,
    VideoDownloadCount,
    safe_original_name,
    words_query,
)
from media.uploads import accept_photos, accept_video
from newsroom.ground.admin import (
    NewsroomAdminForm,
    NewsroomScopedAdmin,
    PartOfItsParent,
    ScopedInline,
    thumbnail,
)
from newsroom.ground.models import License


def photo_preview(photo):
    if not photo.pk or not photo.image:
        return ""
    return thumbnail(photo.thumbnail_url, photo.alt)


def releases_using(item):
    """The releases that include a photo set or document, for its admin page."""
    releases = item.releases.all() if item.pk else []
    return ", ".join(str(release) for release in releases) or _("No release yet.")


class PhotoGridInline(ScopedInline, admin.StackedInline):
    """The set's photos as a grid of cards: drag to reorder, edit in place."""

    model = Photo
    template = "admin/media/photoset/photo_grid.html"
    extra = 0
    fields = [
        "title",
        "caption",
        "alt_text",
        "credit",
        "copyright",
        "license",
        "license_text",
        "focal_x",
        "focal_y",
        "position",
    ]
    formfield_overrides = NewsroomScopedAdmin.formfield_overrides

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("hero_of", to_attr="hero_releases"),
                Prefetch("download_counts", queryset=DownloadCount.objects.order_by("size")),
            )
        )

    def has_add_permission(self, request, obj=None):
        return False  # photos come in through the upload area above the grid


def video_status(video):
    """Where the video's files are: made, being made (how far), or why they failed."""
    if not video.pk:
        return ""
    failure = video.rendering_failure()
    if failure:
        return failure
    if video.is_ready:
        return _("Ready: poster, web version and broadcast file are made.")
    return _("Being made: %(percent)s %% done.") % {"percent": video.rendering_progress}


class VideoInline(ScopedInline, admin.TabularInline):
    """The set's videos: their order and titles here, the rest on each video's page."""

    model = Video
    extra = 0
    fields = ["title", "position", "length", "status"]
    readonly_fields = ["length", "status"]
    show_change_link = True

    @admin.display(description=_("length"))
    def length(self, video):
        return video.duration_label if video.pk else ""

    @admin.display(description=_("files"))
    def status(self, video):
        return video_status(video)

    def has_add_permission(self, request, obj=None):
        return False  # videos come in through the resumable upload page


class BulkEditForm(forms.Form):
    """Rights and caption for many photos at once; empty fields are left as they are."""

    photos = forms.ModelMultipleChoiceField(queryset=Photo.objects.none())
    credit = forms.CharField(label=_("Credit"), max_length=200, required=False)
    copyright = forms.CharField(label=_("Copyright notice"), max_length=200, required=False)
    license = forms.ChoiceField(
        label=_("License"), choices=[("", _("(unchanged)")), *License.choices], required=False
    )
    license_text = forms.CharField(label=_("Custom terms"), max_length=300, required=False)
    caption = forms.CharField(
        label=_("Caption"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, photo_set, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].queryset = photo_set.photos.all()

    def clean(self):
        data = super().clean()
        if data.get("license") == License.CUSTOM and not data.get("license_text"):
            self.add_error("license_text", _("Write the custom terms for “Custom terms”."))
        if not any(data.get(name) for name in ("credit", "copyright", "license", "caption")):
            raise forms.ValidationError(_("Fill at least one field to change."))
        return data

    def apply(self):
        changes = {
            name: value for name, value in self.cleaned_data.items() if name != "photos" and value
        }
        photos = list(self.cleaned_data["photos"])
        for photo in photos:
            for name, value in changes.items():
                setattr(photo, name, value)
            if changes.get("license") and changes["license"] != License.CUSTOM:
                photo.license_text = ""
            photo.save()  # new rights: new files, stamped with them
        return len(photos)


@admin.register(PhotoSet)
class PhotoSetAdmin(NewsroomScopedAdmin):
    publishers_field = "visibility"
    publishers_only = (
        _(
            "This set is public, or goes public with a scheduled release: only the newsroom's "
            "publishers can change it, its photos or its visibility."
        ),
        _(
            "Only the newsroom's publishers can make a set public. Keep it “With its release” "
            "or “Private” and ask a publisher."
        ),
    )
    list_display = ["title", "newsroom", "visibility", "is_featured", "photo_count", "created_at"]
    list_filter = [("newsroom", admin.RelatedOnlyFieldListFilter), "visibility", "is_featured"]
    list_select_related = ["newsroom"]
    search_fields = ["title", "description", "photos__caption", "photos__credit"]
    substring_fields = ["title", "description"]  # PostgreSQL, and photos by their words
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["released_at", "used_in"]
    fields = [
        "newsroom",
        "title",
        "slug",
        "description",
        "visibility",
        "released_at",
        "is_featured",
        "cover",
        "used_in",
    ]
    inlines = [VideoInline, PhotoGridInline]

    def search_words(self, term):
        # Sets with the newest photos that have the words.
        photos = Photo.objects.with_words(term).order_by("-pk")[: self.search_limit]
        return Q(pk__in=set(photos.values_list("photo_set", flat=True)))

    def get_queryset(self, request):
        # A count per row, not a join of every photo grouped by set: the list's
        # own count then leaves it out.
        photos = Photo.objects.filter(photo_set=OuterRef("pk")).order_by().values("photo_set")
        count = photos.annotate(count=Count("pk")).values("count")
        return (
            super()
            .get_queryset(request)
            .select_related("newsroom")
            .annotate(photo_count=Coalesce(Subquery(count), 0))
        )

    @admin.display(description=_("photos"), ordering="photo_count")
    def photo_count(self, photo_set):
        return photo_set.photo_count

    @admin.display(description=_("used in"))
    def used_in(self, photo_set):
        return releases_using(photo_set)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "cover":
            photo_set_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Photo.objects.filter(photo_set_id=photo_set_id or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/upload/",
                self.admin_site.admin_view(self.upload_view),
                name="media_photoset_upload",
            ),
            path(
                "<path:object_id>/videos/",
                self.admin_site.admin_view(self.video_upload_view),
                name="media_photoset_videos",
            ),
            path(
                "<path:object_id>/videos/uploads/",
                self.admin_site.admin_view(self.video_uploads),
                name="media_photoset_video_uploads",
            ),
            path(
                "<path:object_id>/videos/uploads/<str:upload_id>/",
                self.admin_site.admin_view(self.video_uploads),
                name="media_photoset_video_upload",
            ),
            path(
                "<path:object_id>/bulk-edit/",
                self.admin_site.admin_view(self.bulk_edit_view),
                name="media_photoset_bulk_edit",
            ),
            *super().get_urls(),
        ]

    def editable_set(self, request, object_id, permission):
        """The set, if this user may change it and holds `permission`; else 404 or 403."""
        photo_set = self.get_object(request, object_id)
        if photo_set is None:
            raise Http404
        if not (
            self.has_change_permission(request, photo_set) and request.user.has_perm(permission)
        ):
            raise PermissionDenied
        return photo_set

    def upload_view(self, request, object_id):
        photo_set = self.editable_set(request, object_id, "media.add_photo")
        change_url = reverse("admin:media_photoset_change", args=[photo_set.pk])
        if request.method == "POST":
            results = accept_photos(photo_set, request.FILES.getlist("files"))
            if request.headers.get("Accept", "").startswith("application/json"):
                return JsonResponse({"results": [result.as_json() for result in results]})
            for result in results:
                level = messages.SUCCESS if result.saved else messages.ERROR
                self.message_user(request, result.message, level)
            if not results:
                self.message_user(
                    request, _("Choose one or more photos to upload."), messages.WARNING
                )
            return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "photo_set": photo_set,
            "title": _("Upload photos to “%(set)s”") % {"set": photo_set},
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/media/photoset/upload.html", context)

    def video_upload_view(self, request, object_id):
        """The page that sends videos in pieces, each resumable after a dropped connection."""
        photo_set = self.editable_set(request, object_id, "media.add_video")
        change_url = reverse("admin:media_photoset_change", args=[photo_set.pk])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "photo_set": photo_set,
            "title": _("Upload videos to “%(set)s”") % {"set": photo_set},
            "change_url": change_url,
            "endpoint": reverse("admin:media_photoset_video_uploads", args=[photo_set.pk]),
            "max_bytes": resumable.max_upload_bytes(),
        }
        return TemplateResponse(request, "admin/media/photoset/video_upload.html", context)

    def video_uploads(self, request, object_id, upload_id=None):
        """The resumable upload protocol (tus 1.0) for this set's videos."""
        photo_set = self.editable_set(request, object_id, "media.add_video")

        def location_for(new_id):
            return reverse("admin:media_photoset_video_upload", args=[photo_set.pk, new_id])

        staging = resumable.Staging()

        def on_complete(request, staged):
            # A video refused or kept is done with; one that failed otherwise (the
            # storage away) stays staged, and the uploader is told to try again.
            result = accept_video(photo_set, staged.path, staged.metadata.get("filename") or "")
            staging.discard(staged.id)
            return result.as_json()

        return resumable.tus_endpoint(
            request,
            upload_id,
            staging=staging,
            owner_id=request.user.pk,
            target=f"photoset:{photo_set.pk}",
            location_for=location_for,
            on_complete=on_complete,
        )

    def bulk_edit_view(self, request, object_id):
        photo_set = self.editable_set(request, object_id, "media.change_photo")
        if request.method != "POST":
            return redirect("admin:media_photoset_change", photo_set.pk)
        form = BulkEditForm(request.POST, photo_set=photo_set)
        if form.is_valid():
            count = form.apply()
            self.message_user(
                request,
                ngettext("%(count)d photo was changed.", "%(count)d photos were changed.", count)
                % {"count": count},
                messages.SUCCESS,
            )
        else:
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for error in errors:
                    self.message_user(
                        request, f"{label}: {error}" if label else error, messages.ERROR
                    )
        return redirect("admin:media_photoset_change", photo_set.pk)

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None:
            context["bulk_form"] = BulkEditForm(photo_set=obj)
            context["upload_url"] = reverse("admin:media_photoset_upload", args=[obj.pk])
            context["video_upload_url"] = reverse("admin:media_photoset_videos", args=[obj.pk])
            context["bulk_edit_url"] = reverse("admin:media_photoset_bulk_edit", args=[obj.pk])
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)


class InSetAdmin(NewsroomScopedAdmin):
    """Photos and videos: found by their words or their set's title, moved only to sets the
    user may edit."""

    newsroom_path = "photo_set__newsroom"
    publishers_field = "photo_set"

    def searchable(self, rows):
        return rows.with_words_alias()

    def search_words(self, term):
        named = PhotoSet.objects.filter(title__icontains=term).order_by("-pk")
        sets = list(named.values_list("pk", flat=True)[: self.search_limit])
        return Q(words=words_query(term)) | Q(photo_set__in=sets)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "photo_set":
            kwargs["queryset"] = PhotoSet.objects.editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PhotoTextInline(PartOfItsParent, ScopedInline, admin.TabularInline):
    model = PhotoText
    extra = 0
    fields = ["language", "title", "caption", "alt_text"]


@admin.register(Photo)
class PhotoAdmin(InSetAdmin):
    publishers_only = (
        _(
            "This photo's set is public, or goes public with a scheduled release: only the "
            "newsroom's publishers can change the photo."
        ),
        _(
            "That set is public, or goes public with a scheduled release: only the newsroom's "
            "publishers can add photos to it."
        ),
    )
    list_display = ["preview", "__str__", "photo_set", "credit", "license", "dimensions"]
    list_display_links = ["preview", "__str__"]
    list_filter = [("photo_set__newsroom", admin.RelatedOnlyFieldListFilter), "license"]
    list_select_related = ["photo_set"]
    search_fields = ["title", "caption", "credit", "original_filename", "photo_set__title"]
    show_full_result_count = False  # a second count of every photo on every page
    substring_fields = ["title", "credit", "original_filename"]  # PostgreSQL, with search_words
    readonly_fields = [
        "preview",
        "original_filename",
        "dimensions",
        "bytes",
        "sha256",
        "created_at",
        "files",
    ]
    autocomplete_fields = ["photo_set"]
    inlines = [PhotoTextInline]
    fieldsets = [
        (None, {"fields": ["photo_set", "preview", "image", "position"]}),
        (_("Description"), {"fields": ["title", "caption", "alt_text", "taken_at"]}),
        (_("Rights"), {"fields": ["credit", "copyright", "license", "license_text"]}),
        (_("Crops"), {"fields": ["focal_x", "focal_y"]}),
        (
            _("File"),
            {
                "fields": [
                    "original_filename",
                    "dimensions",
                    "bytes",
                    "sha256",
                    "created_at",
                    "files",
                ]
            },
        ),
    ]

    @admin.display(description=_("preview"))
    def preview(self, photo):
        return photo_preview(photo)

    @admin.display(description=_("pixels"))
    def dimensions(self, photo):
        return f"{photo.width} × {photo.height}"

    @admin.display(description=_("files served"))
    def files(self, photo):
        renditions = Rendition.objects.filter(photo=photo).order_by("size")
        lines = [
            f"{rendition.get_size_display()}: {rendition.width} × {rendition.height}, "
            f"{rendition.bytes:,} bytes"
            for rendition in renditions
        ]
        failure = photo.rendering_failure()
        if failure:
            return " ".join([failure, *[_("Still served from before:")] * bool(lines), *lines])
        return "; ".join(lines) or _("Being prepared.")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A cover moved to another set no longer covers the one it left.
        PhotoSet.objects.filter(cover=obj).exclude(pk=obj.photo_set_id).update(cover=None)


class SubtitleForm(NewsroomAdminForm):
    """Subtitles come as a file, are checked cue by cue, and are kept as clean WebVTT."""

    upload = forms.FileField(
        label=_("WebVTT or SRT file"),
        required=False,
        help_text=_("UTF-8 text. A new file replaces the subtitles in this language."),
    )

    class Meta:
        model = Subtitle
        fields = ["language"]

    def clean(self):
        data = super().clean()
        upload = data.get("upload")
        self.cues = None
        if upload is None:
            if not self.instance.pk:
                self.add_error("upload", _("Choose a WebVTT or SRT file."))
            return data
        try:
            # One byte past the limit is enough for the parser to say it is too large.
            data = upload.read(subtitles.max_bytes() + 1)
            cues = subtitles.parse_subtitles(data, upload.name)
            video = self.instance.video if self.instance.video_id else None
            if video is not None:
                subtitles.check_fits(cues, video.duration)
        except ValidationError as error:
            self.add_error("upload", error)
            return data
        self.cues, self.upload_name = cues, upload.name
        return data

    def save(self, commit=True):
        subtitle = super().save(commit=False)
        if self.cues is not None:
            text = subtitles.to_webvtt(self.cues)
            subtitle.file = ContentFile(text.encode("utf-8"), name="subtitles.vtt")
            subtitle.original_filename = safe_original_name(self.upload_name)
            subtitle.cue_count = len(self.cues)
        if commit:
            subtitle.save()
        return subtitle


class SubtitleInline(PartOfItsParent, ScopedInline, admin.TabularInline):
    model = Subtitle
    form = SubtitleForm
    extra = 0
    fields = ["language", "upload", "original_filename", "cue_count"]
    readonly_fields = ["original_filename", "cue_count"]


@admin.register(Video)
class VideoAdmin(InSetAdmin):
    publishers_only = (
        _(
            "This video's set is public, or goes public with a scheduled release: only the "
            "newsroom's publishers can change the video."
        ),
        _(
            "That set is public, or goes public with a scheduled release: only the newsroom's "
            "publishers can add videos to it."
        ),
    )
    list_display = ["preview", "__str__", "photo_set", "length", "status"]
    list_display_links = ["preview", "__str__"]
    list_filter = [("photo_set__newsroom", admin.RelatedOnlyFieldListFilter), "license"]
    list_select_related = ["photo_set"]
    search_fields = ["title", "caption", "credit", "original_filename", "photo_set__title"]
    show_full_result_count = False
    substring_fields = ["title", "credit", "original_filename"]  # PostgreSQL, with search_words
    readonly_fields = [
        "preview",
        "original_filename",
        "facts",
        "bytes",
        "sha256",
        "created_at",
        "status",
        "downloads",
    ]
    autocomplete_fields = ["photo_set"]
    inlines = [SubtitleInline]
    fieldsets = [
        (None, {"fields": ["photo_set", "preview", "status", "position"]}),
        (_("Description"), {"fields": ["title", "caption", "poster_at"]}),
        (_("Rights"), {"fields": ["credit", "copyright", "license", "license_text"]}),
        (
            _("File"),
            {
                "fields": [
                    "original_filename",
                    "facts",
                    "bytes",
                    "sha256",
                    "created_at",
                    "downloads",
                ]
            },
        ),
    ]

    def has_add_permission(self, request):
        return False  # videos come in through the resumable upload page of their set

    @admin.display(description=_("poster"))
    def preview(self, video):
        if not video.pk or not video.is_ready:
            return ""
        return thumbnail(video.poster_url, video.alt)

    @admin.display(description=_("length"))
    def length(self, video):
        return video.duration_label

    @admin.display(description=_("files"))
    def status(self, video):
        return video_status(video)

    @admin.display(description=_("as uploaded"))
    def facts(self, video):
        audio = video.audio_codec or _("no sound")
        return (
            f"{video.container.upper()}, {video.video_codec} / {audio}, "
            f"{video.width} × {video.height}, {video.frame_rate:.2f} fps, {video.duration_label}"
        )

    @admin.display(description=_("downloads"))
    def downloads(self, video):
        counts = VideoDownloadCount.objects.filter(video=video).order_by("kind")
        return "; ".join(f"{c.get_kind_display()}: {c.count}" for c in counts) or "0"


@admin.register(Document)
class DocumentAdmin(NewsroomScopedAdmin):
    publishers_field = "visibility"
    publishers_only = (
        _(
            "This document is public, or goes public with a scheduled release: only the "
            "newsroom's publishers can change it."
        ),
        _("Only the newsroom's publishers can make a document public. Ask a publisher."),
    )
    list_display = [
        "title",
        "kind",
        "file_type",
        "size",
        "visibility",
        "download_count",
        "newsroom",
    ]
    list_filter = [("newsroom", admin.RelatedOnlyFieldListFilter), "kind", "visibility"]
    list_select_related = ["newsroom"]
    search_fields = ["title", "description", "original_filename"]
    substring_fields = ["title", "original_filename"]  # PostgreSQL, descriptions by word

    readonly_fields = [
        "original_filename",
        "file_type",
        "size",
        "released_at",
        "download_count",
        "used_in",
    ]
    fields = [
        "newsroom",
        "title",
        "kind",
        "description",
        "file",
        "visibility",
        "position",
        "original_filename",
        "file_type",
        "size",
        "released_at",
        "download_count",
        "used_in",
    ]

    def searchable(self, rows):
        return rows.with_words_alias()

    def search_words(self, term):
        return Q(words=words_query(term))

    @admin.display(description=_("size"), ordering="bytes")
    def size(self, document):
        return filesizeformat(document.bytes)

    @admin.display(description=_("used in"))
    def used_in(self, document):
        return releases_using(document)
