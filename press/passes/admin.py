from django.contrib import admin
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from newsroom.ground.admin import NewsroomScopedAdmin, ScopedInline
from newsroom.ground.http import absolute_url
from newsroom.ground.models import Newsroom
from press.models import PressRelease
from press.passes.models import PassEvent, PreviewPass
from press.passes.tasks import send_pass


class PassEventInline(ScopedInline, admin.TabularInline):
    model = PassEvent
    extra = 0
    fields = ["at", "kind", "detail"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("What the journalist did with the link")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PreviewPass)
class PreviewPassAdmin(NewsroomScopedAdmin):
    """Publishers give named journalists an early look; every use of a link is logged."""

    newsroom_path = "release__newsroom"

    list_display = ["name", "outlet", "release", "expires_at", "status", "opened", "downloads"]
    list_filter = [("release__newsroom", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["release"]
    search_fields = ["name", "outlet", "email", "release__title"]
    autocomplete_fields = ["release"]
    fields = [
        "release",
        "name",
        "outlet",
        "email",
        "expires_at",
        "link",
        "revoked_at",
        "created_by",
    ]
    readonly_fields = ["link", "revoked_at", "created_by"]
    inlines = [PassEventInline]
    actions = ["revoke"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(release__newsroom__in=Newsroom.objects.publishable_by(request.user))
            .annotate(
                opened_count=Count("events", filter=Q(events__kind=PassEvent.Kind.OPENED)),
                download_count=Count("events", filter=Q(events__kind=PassEvent.Kind.DOWNLOADED)),
            )
        )

    def publishes_anywhere(self, request):
        return Newsroom.objects.publishable_by(request.user).exists()

    def has_module_permission(self, request):
        return super().has_module_permission(request) and self.publishes_anywhere(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.publishes_anywhere(request)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self.publishes_anywhere(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.publishes_anywhere(request)

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the log stays

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "release":
            kwargs["queryset"] = PressRelease.objects.scheduled().filter(
                newsroom__in=Newsroom.objects.publishable_by(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("status"))
    def status(self, preview_pass):
        if preview_pass.revoked_at:
            return _("Revoked")
        return _("Valid") if preview_pass.is_valid() else _("Expired")

    @admin.display(description=_("opened"), ordering="opened_count")
    def opened(self, preview_pass):
        return preview_pass.opened_count

    @admin.display(description=_("downloads"), ordering="download_count")
    def downloads(self, preview_pass):
        return preview_pass.download_count

    @admin.display(description=_("link"))
    def link(self, preview_pass):
        if not preview_pass.pk:
            return _("Made when you save; it is also sent to the journalist.")
        url = absolute_url(preview_pass.link_path())
        return format_html('<a href="{}">{}</a>', url, url)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            # By the task worker: a mail problem can never undo or fail the save.
            transaction.on_commit(lambda: send_pass.enqueue(obj.pk))

    @admin.action(description=_("Revoke the selected passes"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d pass revoked.", "%(count)d passes revoked.", count)
            % {"count": count},
        )
