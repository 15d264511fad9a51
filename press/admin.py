import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from media.admin import photo_preview
from media.models import Photo
from newsroom.ground.admin import NewsroomAdminForm, NewsroomScopedAdmin, ScopedInline
from newsroom.ground.models import Newsroom
from press import history, search, versions
from press.models import Correction, Event, PressRelease, Quote, Result, Tag


class QuoteInline(ScopedInline, admin.StackedInline):
    model = Quote
    extra = 0
    fields = [("speaker", "position"), "text"]
    formfield_overrides = {
        # Quotes are a paragraph or two: a small box keeps the form short.
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 80})}
    }
    autocomplete_fields = ["speaker"]


class ResultInline(ScopedInline, admin.TabularInline):
    model = Result
    extra = 0
    fields = ["event", "session", "category", "entry", "outcome", "position", "note", "order"]
    autocomplete_fields = ["event"]


class LocalDateTimeField(forms.SplitDateTimeField):
    """A date and time on the newsroom's clock, refusing the hour that daylight saving skips
    or repeats, in words an editor understands."""

    def compress(self, data_list):
        if not data_list or data_list[0] in self.empty_values or data_list[1] in self.empty_values:
            return super().compress(data_list)
        naive = datetime.datetime.combine(*data_list)
        zone = timezone.get_current_timezone()
        first, second = naive.replace(tzinfo=zone), naive.replace(tzinfo=zone, fold=1)
        if first.utcoffset() == second.utcoffset():
            return first
        params = {
            "day": f"{naive.day} {naive:%B %Y}",
            "time": f"{naive:%H:%M}",
            "zone": zone,
        }
        if first.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None) != naive:
            message = _(
                "On %(day)s the clocks in %(zone)s jump forward: %(time)s does not exist "
                "that day. Pick a time an hour later."
            )
        else:
            message = _(
                "On %(day)s %(time)s happens twice in %(zone)s, once in summer time and once "
                "in winter time. Pick a time outside that hour to be clear."
            )
        raise forms.ValidationError(message, code="local_time", params=params)


class PressReleaseForm(NewsroomAdminForm):
    """A release's form: publishing is for publishers; links stay inside the newsroom."""

    publish_at = LocalDateTimeField(
        label=PressRelease._meta.get_field("publish_at").verbose_name.capitalize(),
        required=False,
        widget=AdminSplitDateTime,
    )
    correction = forms.CharField(
        label=_("Public correction"),
        max_length=500,
        required=False,
        help_text=_(
            "For a change to a live release that readers should know about, e.g. “Race 1 "
            "result amended from 4th to 3rd after scrutineering.” Shown under the release "
            "with the time, which also becomes its “Updated” time."
        ),
    )

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


class TranslationStatusFilter(admin.SimpleListFilter):
    title = _("translation")
    parameter_name = "translation"

    def lookups(self, request, model_admin):
        return [
            ("original", _("Originals")),
            ("translation", _("Translations")),
            ("out-of-date", _("Translations out of date")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "original":
            return queryset.filter(original__isnull=True)
        if self.value() == "translation":
            return queryset.filter(original__isnull=False)
        if self.value() == "out-of-date":
            return queryset.filter(original__text_revision__gt=models.F("translated_from"))
        return queryset


class TranslateForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the translation"))

    def __init__(self, *args, original, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = versions.languages_to_add(original)


# What a translation shares with its original, and so does not show in its form.
SHARED_WITH_ORIGINAL = {
    "newsroom",
    "kind",
    "hero_photo",
    "video_link",
    "photo_sets",
    "documents",
    "events",
    "contacts",
    "tags",
}


# What the changelist never shows of a release (or of the original beside a translation).
LIST_DEFER = ["lead", "body", "hero_caption", "search_text", "search_vector"]


def own_fields(fields):
    return [name for name in fields if name not in SHARED_WITH_ORIGINAL]


@admin.register(PressRelease)
class PressReleaseAdmin(NewsroomScopedAdmin):
    form = PressReleaseForm
    publishers_field = "status"
    publishers_only = (
        _(
            "This release is scheduled, live or withdrawn: only the newsroom's publishers can "
            "change it."
        ),
        _(
            "Only the newsroom's publishers can publish, schedule or withdraw a release. Set it "
            "to “Ready for review” and a publisher will take it from there."
        ),
    )
    list_display = [
        "title",
        "newsroom",
        "kind",
        "language",
        "state",
        "translation_status",
        "publish_at",
        "hero_preview",
    ]
    list_filter = [
        ("newsroom", admin.RelatedOnlyFieldListFilter),
        "status",
        "kind",
        "language",
        TranslationStatusFilter,
        "publish_at",
    ]
    # The original: the translation column compares its text revision, in the same query.
    list_select_related = ["newsroom", "hero_photo", "original"]
    # No date_hierarchy: its year links take a pass over every release on each
    # page. The "public from" filter narrows by date, the search by anything else.
    search_fields = ["title", "lead", "body", "quotes__text"]
    # PostgreSQL: headlines by substring, the rest (quotes included) by its vector's words.
    substring_fields = ["title"]
    list_defer = [*LIST_DEFER, *(f"original__{name}" for name in LIST_DEFER)]
    show_full_result_count = False  # a second count of the whole archive on every page
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["hero_photo", "photo_sets", "documents", "events", "contacts", "tags"]
    readonly_fields = [
        "first_published_at",
        "created_at",
        "updated_at",
        "author",
        "revision_history",
        "language_versions",
        "original_text",
        "original_changes",
    ]
    inlines = [QuoteInline, ResultInline]
    fieldsets = [
        (None, {"fields": ["newsroom", "kind", "language", "title", "slug", "lead", "body"]}),
        (
            _("Photos and documents"),
            {"fields": ["hero_photo", "hero_caption", "video_link", "photo_sets", "documents"]},
        ),
        (_("Context"), {"fields": ["events", "contacts", "tags"]}),
        (_("Publishing"), {"fields": ["status", "publish_at", "first_published_at"]}),
        (_("History"), {"fields": ["revision_history", "author", "created_at", "updated_at"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.is_translation():
            fieldsets = self.translation_fieldsets(fieldsets)
        elif obj is not None:
            fieldsets = [
                *fieldsets[:1],
                (_("Languages"), {"fields": ["language_versions"]}),
                *fieldsets[1:],
            ]
        if obj is not None and obj.is_live():
            # A correction note is for what is out already.
            fieldsets = [
                (name, {**options, "fields": [*options["fields"], "correction"]})
                if name == _("Publishing")
                else (name, options)
                for name, options in fieldsets
            ]
        return fieldsets

    def translation_fieldsets(self, fieldsets):
        """A translation's form: its own text beside the original's; nothing it shares."""
        kept = [
            (name, {**options, "fields": own_fields(options["fields"])})
            for name, options in fieldsets
        ]
        original = (
            _("The original"),
            {
                "fields": ["original_text", "original_changes"],
                "description": _(
                    "Photos, documents, events, results, contacts and tags are the original's: "
                    "change them there."
                ),
            },
        )
        return [original, *[(name, options) for name, options in kept if options["fields"]]]

    def get_inlines(self, request, obj):
        if obj is not None and obj.is_translation():
            return [QuoteInline]  # results belong to the story, once: the original's
        return super().get_inlines(request, obj)

    @admin.display(description=_("translation"))
    def translation_status(self, release):
        if not release.is_translation():
            return ""
        if release.is_out_of_date():
            return _("Out of date")
        return _("Up to date")

    @admin.display(description=_("language versions"))
    def language_versions(self, release):
        rows = [
            (
                reverse("admin:press_pressrelease_change", args=[version.pk]),
                version.get_language_display(),
                version.state.label,
                _(" · out of date") if version.is_out_of_date() else "",
            )
            for version in release.translations.select_related("original")
        ]
        listed = format_html_join("", '<p><a href="{}">{}</a> · {}{}</p>', rows)
        add = ""
        if versions.languages_to_add(release):
            add = format_html(
                '<p><a class="button" href="{}">{}</a></p>',
                reverse("admin:press_pressrelease_translate", args=[release.pk]),
                _("Add a translation"),
            )
        return format_html("{}{}", listed, add) if rows or add else _("No translations.")

    @admin.display(description=_("original"))
    def original_text(self, release):
        original = release.original
        quotes = format_html_join(
            "",
            "<blockquote>{} <cite>{}</cite></blockquote>",
            ((quote.text, quote.attribution) for quote in original.quotes.all()),
        )
        return format_html(
            '<div class="original-text" lang="{}"><p><a href="{}">{}</a> ({})</p>'
            "<h2>{}</h2><p><strong>{}</strong></p>{}{}</div>",
            original.language,
            reverse("admin:press_pressrelease_change", args=[original.pk]),
            original.get_language_display(),
            original.state.label,
            original.title,
            original.lead,
            mark_safe(original.body),  # noqa: S308 (sanitised when saved)
            quotes,
        )

    @admin.display(description=_("changed in the original since"))
    def original_changes(self, release):
        rows = history.original_changes(release)
        if not rows:
            return _("Nothing: this translation is up to date.")
        return format_html_join("", "<h3>{}</h3>{}", rows)

    def translate_view(self, request, object_id):
        """Add a translation: a linked draft in the chosen language, made from the original."""
        release = self.get_object(request, unquote(object_id))
        if release is None or not self.has_view_permission(request, release):
            raise Http404
        if not request.user.has_perm("press.add_pressrelease"):
            raise PermissionDenied
        original = release.story
        form = TranslateForm(request.POST or None, original=original)
        if request.method == "POST" and form.is_valid():
            translation = versions.translate(original, form.cleaned_data["language"], request.user)
            self.message_user(
                request,
                _("A draft in %(language)s is ready to translate.")
                % {"language": translation.get_language_display()},
                messages.SUCCESS,
            )
            return redirect("admin:press_pressrelease_change", translation.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": original,
            "form": form,
            "title": _("Translate “%(release)s”") % {"release": original},
        }
        return TemplateResponse(request, "admin/press/pressrelease/translate.html", context)

    def search_words(self, term):
        return Q(search_vector=search.websearch(term))

    @admin.display(description=_("revisions"))
    def revision_history(self, release):
        revisions = release.revisions.select_related("author")[:20] if release.pk else []
        if not revisions:
            return _("Every save is kept here.")
        return format_html_join(
            "",
            '<p><a href="{}">{}</a> · {} · {} · {}</p>',
            (
                (
                    revision.get_absolute_url(),
                    _("Revision %(number)s") % {"number": revision.number},
                    date_format(timezone.localtime(revision.created_at), "DATETIME_FORMAT"),
                    revision.author or _("nobody"),
                    revision.note or ", ".join(str(history.label(n)) for n in revision.changed),
                )
                for revision in revisions
            ),
        )

    @admin.display(description=_("state"), ordering="status")
    def state(self, release):
        return release.state.label

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
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
        correction = form.cleaned_data.get("correction")
        if correction and change:
            obj.corrected_at = timezone.now()
        super().save_model(request, obj, form, change)
        if correction and change:
            Correction.objects.create(
                release=obj, note=correction, created_at=obj.corrected_at, author=request.user
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After quotes, results and links are saved: the revision holds them all.
        correction = form.cleaned_data.get("correction") or ""
        history.record(form.instance, request.user, note=correction)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/translate/",
                self.admin_site.admin_view(self.translate_view),
                name="press_pressrelease_translate",
            ),
            path(
                "<path:object_id>/history/<int:revision_id>/",
                self.admin_site.admin_view(self.revision_view),
                name="press_pressrelease_revision",
            ),
            *super().get_urls(),
        ]

    def revision_view(self, request, object_id, revision_id):
        """One revision against the one before it; publishers and editors may go back to it."""
        release = self.get_object(request, unquote(object_id))
        if release is None or not self.has_view_permission(request, release):
            raise Http404
        revision = get_object_or_404(release.revisions, pk=revision_id)
        previous = release.revisions.filter(number__lt=revision.number).order_by("-number").first()
        may_restore = self.has_change_permission(request, release)
        if request.method == "POST":
            if not may_restore:
                raise PermissionDenied
            try:
                restored = history.restore(revision, request.user)
            except ValidationError as error:
                for message in error.messages:
                    self.message_user(request, message, messages.ERROR)
                return redirect(request.path)
            self.message_user(
                request,
                _("Revision %(old)s is back, kept as revision %(new)s.")
                % {"old": revision.number, "new": restored.number},
                messages.SUCCESS,
            )
            return redirect("admin:press_pressrelease_change", release.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": release,
            "revision": revision,
            "previous": previous,
            "rows": history.differences(previous.snapshot if previous else {}, revision.snapshot),
            "may_restore": may_restore
            and revision != release.revisions.order_by("-number").first(),
            "title": str(revision),
        }
        return TemplateResponse(request, "admin/press/pressrelease/revision.html", context)


@admin.register(Event)
class EventAdmin(NewsroomScopedAdmin):
    publishers_field = "visibility"
    publishers_only = (
        _(
            "This event is public, or goes public with a scheduled release: only the newsroom's "
            "publishers can change it."
        ),
        _(
            "Only the newsroom's publishers can make an event public. Keep it “With its "
            "release” and ask a publisher."
        ),
    )
    list_display = ["name", "series", "starts_on", "ends_on", "place", "newsroom"]
    list_filter = [("newsroom", admin.RelatedOnlyFieldListFilter), "series"]
    list_select_related = ["newsroom"]
    date_hierarchy = "starts_on"
    search_fields = ["name", "series", "venue", "city", "country"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(NewsroomScopedAdmin):
    publishers_only = (
        _(
            "A release that is out, or due to be, uses this tag: only the newsroom's publishers "
            "can change it."
        ),
        "",
    )
    list_display = ["name", "slug", "newsroom"]
    list_filter = [("newsroom", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
