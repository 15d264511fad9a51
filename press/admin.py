from django import forms
from django.contrib import admin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from media.admin import photo_preview
from media.models import Photo
from newsroom.admin import NewsroomScopedAdmin
from newsroom.models import Newsroom
from press.models import Event, PressRelease, Quote, Result, Status, Tag


class QuoteInline(admin.StackedInline):
    model = Quote
    extra = 0
    fields = [("speaker", "position"), "text"]
    formfield_overrides = {
        # Quotes are a paragraph or two: a small box keeps the form short.
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 80})}
    }
    autocomplete_fields = ["speaker"]


class ResultInline(admin.TabularInline):
    model = Result
    extra = 0
    fields = ["event", "session", "category", "entry", "outcome", "position", "note", "order"]
    autocomplete_fields = ["event"]


class PressReleaseForm(forms.ModelForm):
    """Everything a release links to must be of the release's own newsroom."""

    def clean(self):
        cleaned_data = super().clean()
        newsroom = cleaned_data.get("newsroom")
        for name in ("photo_sets", "documents", "events", "contacts", "tags"):
            strangers = [
                item
                for item in cleaned_data.get(name) or []
                if newsroom and item.newsroom_id != newsroom.pk
            ]
            if strangers:
                message = ngettext(
                    "%(items)s belongs to another newsroom.",
                    "%(items)s belong to another newsroom.",
                    len(strangers),
                )
                items = ", ".join(f"“{item}”" for item in strangers)
                self.add_error(name, message % {"items": items})
        return cleaned_data


@admin.register(PressRelease)
class PressReleaseAdmin(NewsroomScopedAdmin):
    form = PressReleaseForm
    list_display = ["title", "newsroom", "kind", "state", "publish_at", "hero_preview"]
    list_filter = ["newsroom", "status", "kind", "language", "publish_at"]
    list_select_related = ["newsroom", "hero_photo"]
    date_hierarchy = "publish_at"
    search_fields = ["title", "lead", "body", "quotes__text"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["hero_photo", "photo_sets", "documents", "events", "contacts", "tags"]
    readonly_fields = ["first_published_at", "created_at", "updated_at", "author"]
    inlines = [QuoteInline, ResultInline]
    fieldsets = [
        (None, {"fields": ["newsroom", "kind", "language", "title", "slug", "lead", "body"]}),
        (
            _("Photos and documents"),
            {"fields": ["hero_photo", "hero_caption", "photo_sets", "documents"]},
        ),
        (_("Context"), {"fields": ["events", "contacts", "tags"]}),
        (_("Publishing"), {"fields": ["status", "publish_at", "first_published_at"]}),
        (
            _("History"),
            {"fields": ["author", "created_at", "updated_at"], "classes": ["collapse"]},
        ),
    ]

    @admin.display(description=_("state"), ordering="status")
    def state(self, release):
        if release.status == Status.DRAFT:
            return _("Draft")
        if release.publish_at > timezone.now():
            return _("Scheduled")
        return _("Live")

    @admin.display(description=_("hero photo"))
    def hero_preview(self, release):
        return photo_preview(release.hero_photo) if release.hero_photo else ""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "hero_photo":
            kwargs["queryset"] = Photo.objects.editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        newsrooms = Newsroom.objects.editable_by(request.user)
        if "newsroom" not in initial and len(newsrooms[:2]) == 1:
            initial["newsroom"] = newsrooms[0].pk
            initial["language"] = newsrooms[0].language
        return initial

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)


@admin.register(Event)
class EventAdmin(NewsroomScopedAdmin):
    list_display = ["name", "series", "starts_on", "ends_on", "place", "newsroom"]
    list_filter = ["newsroom", "series"]
    list_select_related = ["newsroom"]
    date_hierarchy = "starts_on"
    search_fields = ["name", "series", "venue", "city", "country"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(NewsroomScopedAdmin):
    list_display = ["name", "slug", "newsroom"]
    list_filter = ["newsroom"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
