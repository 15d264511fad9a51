from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from media.models import Photo, PhotoSet
from newsroom.admin import NewsroomScopedAdmin, thumbnail


def photo_preview(photo):
    if not photo.pk or not photo.image:
        return ""
    return thumbnail(photo.thumbnail_url, photo.alt)


class PhotoInline(admin.TabularInline):
    model = Photo
    extra = 1
    fields = ["preview", "image", "title", "caption", "credit", "license", "position"]
    readonly_fields = ["preview"]
    formfield_overrides = NewsroomScopedAdmin.formfield_overrides
    show_change_link = True

    @admin.display(description=_("preview"))
    def preview(self, photo):
        return photo_preview(photo)


@admin.register(PhotoSet)
class PhotoSetAdmin(NewsroomScopedAdmin):
    list_display = ["title", "newsroom", "visibility", "is_featured", "photo_count", "created_at"]
    list_filter = ["newsroom", "visibility", "is_featured"]
    list_select_related = ["newsroom"]
    search_fields = ["title", "description", "photos__caption", "photos__credit"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["cover"]
    readonly_fields = ["released_at"]
    fields = [
        "newsroom",
        "title",
        "slug",
        "description",
        "visibility",
        "released_at",
        "is_featured",
        "cover",
    ]
    inlines = [PhotoInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_cover()

    @admin.display(description=_("photos"), ordering="photo_count")
    def photo_count(self, photo_set):
        return photo_set.photo_count


@admin.register(Photo)
class PhotoAdmin(NewsroomScopedAdmin):
    newsroom_path = "photo_set__newsroom"
    list_display = ["preview", "__str__", "photo_set", "credit", "license", "dimensions"]
    list_display_links = ["preview", "__str__"]
    list_filter = ["photo_set__newsroom", "license"]
    list_select_related = ["photo_set"]
    search_fields = ["title", "caption", "credit", "original_filename", "photo_set__title"]
    readonly_fields = [
        "preview",
        "original_filename",
        "dimensions",
        "bytes",
        "sha256",
        "created_at",
    ]
    autocomplete_fields = ["photo_set"]
    fieldsets = [
        (None, {"fields": ["photo_set", "preview", "image", "position"]}),
        (_("Description"), {"fields": ["title", "caption", "alt_text", "taken_at"]}),
        (_("Rights"), {"fields": ["credit", "license", "license_text"]}),
        (
            _("File"),
            {"fields": ["original_filename", "dimensions", "bytes", "sha256", "created_at"]},
        ),
    ]

    @admin.display(description=_("preview"))
    def preview(self, photo):
        return photo_preview(photo)

    @admin.display(description=_("pixels"))
    def dimensions(self, photo):
        return f"{photo.width} × {photo.height}"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "photo_set":
            kwargs["queryset"] = PhotoSet.objects.editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
