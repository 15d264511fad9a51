from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import (
    AdminFileWidget,
    AutocompleteSelect,
    AutocompleteSelectMultiple,
)
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _

from newsroom.ground.models import EditorSession, Membership, Newsroom, NewsroomLanguage, Person


class StoredFileWidget(AdminFileWidget):
    """File input that does not link to the stored file.

    Uploads are not served from a public folder, so the usual link would be
    a dead end; previews come from the serving views instead.
    """

    template_name = "newsroom/widgets/stored_file_input.html"


# Choices ----------------------------------------------------------------------------

# The widest integer a database key can hold: larger "ids" in a crafted post
# are simply not rows (SQLite would raise instead of finding nothing).
LARGEST_KEY = 2**63 - 1


def valid_keys(model, values):
    """The values that could be keys of `model`; junk and overflowing numbers are dropped."""
    field = model._meta.pk
    keys = []
    for value in values:
        try:
            key = field.to_python(value)
        except ValidationError:
            continue
        if isinstance(key, int) and not 0 < key <= LARGEST_KEY:
            continue
        keys.append(value)
    return keys


class SafeAutocompleteSelect(AutocompleteSelect):
    """Renders the chosen rows again after an error, without trusting what was posted."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, valid_keys(self.field.related_model, value), attr)


class SafeAutocompleteSelectMultiple(AutocompleteSelectMultiple):
    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, valid_keys(self.field.related_model, value), attr)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses keys that cannot be rows (text, overflowing numbers) as invalid choices."""

    def _check_values(self, value):
        keys = [str(item) for item in value]
        valid = valid_keys(self.queryset.model, keys)
        if len(valid) != len(keys):
            junk = next(key for key in keys if key not in valid)
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": junk},
            )
        return super()._check_values(value)


def scope_choices(db_field, request, kwargs):
    """Offer, and accept, only rows of newsrooms the user works in."""
    model = db_field.related_model
    editable = Newsroom.objects.editable_by(request.user)
    if model is Newsroom:
        kwargs.setdefault("queryset", editable)
    elif any(field.name == "newsroom" for field in model._meta.fields):
        kwargs.setdefault("queryset", model._default_manager.filter(newsroom__in=editable))


class ScopedChoices:
    """For model admins and inlines alike: every choice comes from the user's newsrooms."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope_choices(db_field, request, kwargs)
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault("widget", SafeAutocompleteSelect(db_field, self.admin_site))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        scope_choices(db_field, request, kwargs)
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault("widget", SafeAutocompleteSelectMultiple(db_field, self.admin_site))
        kwargs.setdefault("form_class", SafeModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# Forms -----------------------------------------------------------------------------


class NewsroomAdminForm(forms.ModelForm):
    """What every admin form checks, on top of each field's own validation.

    - Single-line fields stay on one line: a line break in a headline or a
      name would end up inside e-mail headers and feed titles.
    - Every rule of the model (its Meta.constraints), including those on
      fields the form does not show, is explained in the form instead of
      failing when the row is saved.
    - What is out (public, or due to be) is changed only by the newsroom's
      publishers, and only they make something public.
    """

    # Set by the admin on the form class it makes for each request.
    request = None
    newsroom_path = "newsroom"
    publishers_field = None  # the field the publishing error is shown at (None: the form)
    publishers_only = None  # (message for a row that is out, for a change that would make it so)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        checked = self.publishers_only is not None and self.instance.pk
        self.was_out = bool(checked) and stored_out(self.instance)

    def clean(self):
        cleaned_data = super().clean()
        for name, field in self.fields.items():
            value = cleaned_data.get(name)
            single_line = isinstance(field, forms.CharField) and not isinstance(
                field.widget, forms.Textarea
            )
            if single_line and isinstance(value, str) and ("\n" in value or "\r" in value):
                self.add_error(name, _("Keep this on one line: line breaks are not allowed here."))
        return cleaned_data

    def _post_clean(self):
        super()._post_clean()
        self.check_publishing_rights()

    def validate_constraints(self):
        # Django leaves out constraints on fields the form does not show;
        # those would fail as a database error on save instead.
        failed = {name for name in self._get_validation_exclusions() if name in self._errors}
        try:
            self.instance.validate_constraints(exclude=failed)
        except ValidationError as error:
            self._update_errors(error)

    def check_publishing_rights(self):
        if self.request is None or self.publishers_only is None:
            return
        newsroom = newsroom_of(self.instance, self.newsroom_path)
        if newsroom is None or newsroom.is_publishable_by(self.request.user):
            return
        was_out_message, would_be_message = self.publishers_only
        if self.was_out:
            self.add_error(self.publishers_field, was_out_message)
        elif is_out(self.instance):
            self.add_error(self.publishers_field, would_be_message)


def is_out(obj):
    """Whether a row is public, or due to be (models that can be say so with is_out())."""
    return obj.is_out() if hasattr(obj, "is_out") else False


def stored_out(obj):
    """Whether the row was out as the admin loaded it, before a form changed it in memory."""
    return obj.was_out if hasattr(obj, "was_out") else is_out(obj)


def newsroom_of(obj, path):
    """The newsroom a row belongs to, following `path` ("photo_set__newsroom")."""
    for name in path.split("__"):
        if name == "pk":
            return obj
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj


# Admins ----------------------------------------------------------------------------


class OthersRowsMissing:
    """A row the user may not see looks exactly like no row at all: a plain 404.

    (Django's admin redirects to its index with a message instead.)
    """

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404


class NarrowChangeList(ChangeList):
    """The list of rows reads only what a list shows: `list_defer` names the wide columns."""

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        return queryset.defer(*self.model_admin.list_defer)


def search_terms(search_term):
    """The terms of an admin search, as Django's own search splits them: by spaces, with
    "quoted phrases" kept whole."""
    for term in smart_split(search_term):
        if term[:1] in {'"', "'"} and term[-1:] == term[:1] and len(term) > 1:
            term = unescape_string_literal(term)
        if term:
            yield term


class IndexedSearch:
    """The changelist's search, answered from indexes on PostgreSQL.

    Django's default ORs `icontains` over `search_fields`, joins the related
    rows those name and then has to make the list DISTINCT: a scan of every
    column of every row, for the count and again for the page. Here each term
    must match, as in Django's search, within the row itself:
    - inside one of `substring_fields` (plain columns with a pg_trgm index of
      `UPPER(column)`, what `icontains` compares): names and titles match
      from any part, as editors expect; or
    - as `search_words(term)` says: full-text words, or keys of related rows
      found first, each condition served by an index.
    All of them are indexed conditions on one table, so PostgreSQL combines
    the indexes for a rare term, or walks the newest rows for a common one.

    The search finds the newest `search_limit` matching rows (by key) among
    the user's, once; the list, its count and its date links then read only
    those. A term in most of the archive lists its newest matches instead of
    counting and sorting every one of them: more words, or a filter, narrow
    it. SQLite keeps Django's search over `search_fields`.
    """

    substring_fields = ()
    search_limit = 1000

    def search_words(self, term):
        """A condition for rows that match `term` by more than a substring."""
        return Q(pk__in=[])

    def searchable(self, rows):
        """The rows searched, with what `search_words` refers to (an alias) added."""
        return rows

    def get_search_results(self, request, queryset, search_term):
        if connection.vendor != "postgresql" or not self.substring_fields:
            return super().get_search_results(request, queryset, search_term)
        terms = list(search_terms(search_term))
        if not terms:
            return queryset, False
        rows = self.searchable(self.scope(request, self.model._default_manager.all()))
        for term in terms:
            found = self.search_words(term)
            for name in self.substring_fields:
                found |= Q(**{f"{name}__icontains": term})
            rows = rows.filter(found)
        newest = rows.order_by("-pk").values_list("pk", flat=True)[: self.search_limit]
        return queryset.filter(pk__in=list(newest)), False


class NewsroomScopedAdmin(IndexedSearch, ScopedChoices, OthersRowsMissing, admin.ModelAdmin):
    """An admin whose rows belong to a newsroom: members see and pick only their newsrooms'.

    What is out (public, or due to be with a scheduled release) is read-only to
    editors: changing, hiding or deleting it, and making anything public, is the
    newsroom's publishers' work, whichever admin page it goes through.
    """

    newsroom_path = "newsroom"
    form = NewsroomAdminForm
    list_defer = ()  # wide columns the changelist does not show
    formfield_overrides = {
        models.ImageField: {"widget": StoredFileWidget},
        models.FileField: {"widget": StoredFileWidget},
    }
    # Where the form says so, and what (see NewsroomAdminForm).
    publishers_field = None
    publishers_only = (
        _(
            "This is public, or due to be with a scheduled release: only the newsroom's "
            "publishers can change it."
        ),
        _("Only the newsroom's publishers can make this public. Ask a publisher."),
    )

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def scope(self, request, queryset):
        """The rows of the user's newsrooms (all of them for superusers)."""
        if request.user.is_superuser:
            return queryset
        # An IN subquery keeps each row once: no DISTINCT (a sort of every wide row) needed.
        return queryset.filter(
            **{f"{self.newsroom_path}__in": Newsroom.objects.editable_by(request.user)}
        )

    def get_changelist(self, request, **kwargs):
        return NarrowChangeList

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request = request
        form.newsroom_path = self.newsroom_path
        form.publishers_field = self.publishers_field
        form.publishers_only = self.publishers_only
        return form

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            # Judged as stored: a form that fails validation leaves its values on
            # the object, and the page must not turn read-only because of them.
            obj.was_out = is_out(obj)
        return obj

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_change(request, obj)

    def may_change(self, request, obj):
        """Editors change what is not out yet; publishers change anything of their newsroom."""
        if obj is None or not stored_out(obj):
            return True
        newsroom = newsroom_of(obj, self.newsroom_path)
        return newsroom is not None and newsroom.is_publishable_by(request.user)


class ScopedInline(ScopedChoices):
    """An inline whose choices come from the user's newsrooms, with the admin forms' checks."""

    form = NewsroomAdminForm


class PartOfItsParent:
    """An inline of rows that are part of the row above them (a photo's texts in other
    languages, a newsroom's languages): whoever may change that row may change them."""

    def parent_admin(self):
        return self.admin_site.get_model_admin(self.parent_model)

    def has_view_permission(self, request, obj=None):
        return self.parent_admin().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self.parent_admin().has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.parent_admin().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.parent_admin().has_change_permission(request, obj)


def thumbnail(url, alt=""):
    return format_html(
        '<img src="{}" alt="{}" class="admin-thumbnail" width="96" loading="lazy">', url, alt
    )


class MembershipInline(ScopedInline, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class NewsroomLanguageInline(PartOfItsParent, ScopedInline, admin.StackedInline):
    model = NewsroomLanguage
    extra = 0
    fields = ["language", "tagline", "about", "default_credit", "default_license_text"]


@admin.register(Newsroom)
class NewsroomAdmin(NewsroomScopedAdmin):
    newsroom_path = "pk"
    list_display = ["name", "slug", "language", "default_credit", "position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [NewsroomLanguageInline, MembershipInline]
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

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        # A newsroom's settings (about text, defaults, time zone) are its publishers'.
        return super().has_change_permission(request, obj) and (
            obj is None or obj.is_publishable_by(request.user)
        )

    def get_inlines(self, request, obj):
        if request.user.is_superuser:
            return self.inlines
        return [inline for inline in self.inlines if inline is not MembershipInline]


@admin.register(Person)
class PersonAdmin(NewsroomScopedAdmin):
    publishers_field = "is_press_contact"
    publishers_only = (
        _(
            "This person is a press contact, or named in a release that is out or due to be: "
            "only the newsroom's publishers can change them."
        ),
        _("Only the newsroom's publishers can make someone a press contact."),
    )
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
class EditorSessionAdmin(OthersRowsMissing, admin.ModelAdmin):
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
