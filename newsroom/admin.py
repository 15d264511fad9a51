from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget
from django.db import models
from django.http import Http404
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from newsroom.models import EditorSession, Membership, Newsroom, Person

admin.site.site_header = _("Newsroom admin")
admin.site.site_title = _("Newsroom admin")
admin.site.index_title = _("Write, upload, publish")


class StoredFileWidget(AdminFileWidget):
    """File input that does not link to the stored file.

    Uploads are not served from a public folder, so the usual link would be
    a dead end; previews come from the serving views instead.
    """

    template_name = "newsroom/widgets/stored_file_input.html"


class NewsroomScopedAdmin(admin.ModelAdmin):
    """An admin whose rows belong to a newsroom: members see and pick only their newsrooms'."""

    newsroom_path = "newsroom"
    formfield_overrides = {
        models.ImageField: {"widget": StoredFileWidget},
        models.FileField: {"widget": StoredFileWidget},
    }

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(
            **{f"{self.newsroom_path}__in": Newsroom.objects.editable_by(request.user)}
        ).distinct()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        scope_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Another newsroom's row looks exactly like no row at all: a plain 404.
        raise Http404


def scope_choices(db_field, request, kwargs):
    """Offer, and accept, only rows of newsrooms the user works in."""
    model = db_field.related_model
    editable = Newsroom.objects.editable_by(request.user)
    if model is Newsroom:
        kwargs.setdefault("queryset", editable)
    elif any(field.name == "newsroom" for field in model._meta.fields):
        kwargs.setdefault("queryset", model._default_manager.filter(newsroom__in=editable))


def thumbnail(url, alt=""):
    return format_html(
        '<img src="{}" alt="{}" class="admin-thumbnail" width="96" loading="lazy">', url, alt
    )


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Newsroom)
class NewsroomAdmin(NewsroomScopedAdmin):
    newsroom_path = "pk"
    list_display = ["name", "slug", "language", "default_credit", "position"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "subject",
                    "tagline",
                    "logo",
                    "website",
                    "language",
                    "position",
                ]
            },
        ),
        (_("About"), {"fields": ["about"]}),
        (
            _("Photo defaults"),
            {"fields": ["default_credit", "default_license", "default_license_text"]},
        ),
    ]

    def has_add_permission(self, request):
        # New newsrooms, and who belongs to them, are the site owner's decision.
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        # A newsroom's settings (about text, defaults, time zone) are its publishers'.
        return super().has_change_permission(request, obj) and (
            obj is None or obj.is_publishable_by(request.user)
        )

    def get_inlines(self, request, obj):
        return self.inlines if request.user.is_superuser else []


@admin.register(Person)
class PersonAdmin(NewsroomScopedAdmin):
    list_display = [
        "name",
        "title",
        "organisation",
        "newsroom",
        "is_press_contact",
        "portrait_preview",
    ]
    list_filter = [("newsroom", admin.RelatedOnlyFieldListFilter), "is_press_contact"]
    list_select_related = ["newsroom"]
    search_fields = ["name", "title", "organisation", "email"]
    fields = [
        "newsroom",
        "name",
        "title",
        "organisation",
        "is_press_contact",
        "email",
        "phone",
        "portrait",
        "position",
    ]

    @admin.display(description=_("portrait"))
    def portrait_preview(self, person):
        if not person.portrait:
            return ""
        return thumbnail(reverse("newsroom:portrait", args=[person.pk]), person.name)


@admin.register(EditorSession)
class EditorSessionAdmin(admin.ModelAdmin):
    """Everyone sees where they are logged in and can end it; superusers see everyone's."""

    list_display = ["user", "device", "created_at", "expires_at"]
    list_select_related = ["user"]
    actions = ["end_sessions"]

    def get_queryset(self, request):
        sessions = super().get_queryset(request).active()
        return sessions if request.user.is_superuser else sessions.filter(user=request.user)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # "Log out" below ends the session itself, not just this record

    @admin.action(description=_("Log out the selected sessions"))
    def end_sessions(self, request, queryset):
        # The queryset is this admin's: one's own sessions, all of them for superusers.
        count = 0
        for session in queryset:
            session.end()
            count += 1
        self.message_user(request, _("%(count)d session(s) ended.") % {"count": count})
