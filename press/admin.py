from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
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


PUBLISHER_STATUSES = {Status.PUBLISHED, Status.WITHDRAWN}


class PressReleaseForm(forms.ModelForm):
    """A release's form: publishing is for publishers; links stay inside the newsroom."""

    request = None  # set by the admin for each request

    def clean(self):
        cleaned_data = super().clean()
        newsroom = cleaned_data.get("newsroom")
        self.check_publishing_rights(newsroom, cleaned_data.get("status"))
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

    def check_publishing_rights(self, newsroom, status):
        """Publishing, scheduling, withdrawing and changing what is out are publishers' work."""
        touches_publishing = status in PUBLISHER_STATUSES or (
            self.instance.pk and self.instance.status in PUBLISHER_STATUSES
        )
        if touches_publishing and newsroom and not newsroom.is_publishable_by(self.request.user):
            self.add_error(
                "status",
                _(
                    "Only the newsroom's publishers can publish, schedule or withdraw a "
                    "release. Set it to “Ready for review” and a publisher will take it from "
                    "there."
                ),
            )


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
        return release.state.label

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request = request
        if "publish_at" in form.base_fields:
            zone = timezone.get_current_timezone_name()
            form.base_fields["publish_at"].help_text = _(
                "The embargo: nobody outside the newsroom sees the release before this time. "
                "Empty means as soon as it is published. Times are in %(zone)s, the "
                "newsroom's time zone."
            ) % {"zone": zone}
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Embargo times are entered and shown in the newsroom's own time zone.
        with timezone.override(self.zone_for(request, object_id)):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()
        return response

    def zone_for(self, request, object_id):
        newsrooms = Newsroom.objects.editable_by(request.user)
        newsroom = None
        if object_id:
            release = self.get_object(request, unquote(object_id))
            newsroom = release.newsroom if release else None
        elif str(request.POST.get("newsroom", "")).isdigit():
            newsroom = newsrooms.filter(pk=request.POST["newsroom"]).first()
        elif len(newsrooms[:2]) == 1:
            newsroom = newsrooms[0]
        return newsroom.zone if newsroom else timezone.get_default_timezone()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_touch(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_touch(request, obj)

    def may_touch(self, request, release):
        """Editors work on drafts; what is scheduled, live or withdrawn is the publishers'."""
        if release is None or release.status not in PUBLISHER_STATUSES:
            return True
        return release.newsroom.is_publishable_by(request.user)

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
