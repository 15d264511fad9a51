from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from newsroom.ground.admin import NewsroomScopedAdmin
from press.alerts.models import AlertDelivery, Follower


class ReadOnlyAdmin(NewsroomScopedAdmin):
    """Rows the site writes by itself: editors look, and may delete, but not add or change."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Follower)
class FollowerAdmin(ReadOnlyAdmin):
    """Journalists who asked for e-mail alerts. They join and leave by themselves."""

    list_display = ["email", "newsroom", "tag", "state", "confirmed_at", "failures"]
    list_filter = [("newsroom", admin.RelatedOnlyFieldListFilter), "confirmed_at"]
    list_select_related = ["newsroom", "tag"]
    search_fields = ["email"]
    fields = [
        "email",
        "newsroom",
        "tag",
        "requested_at",
        "confirmation_sent_at",
        "confirmed_at",
        "failures",
        "suspended_at",
    ]

    @admin.display(description=_("state"))
    def state(self, follower):
        if follower.suspended_at:
            return _("Suspended: mail to the address failed")
        if follower.confirmed_at:
            return _("Following")
        return _("Waiting for confirmation")


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(ReadOnlyAdmin):
    """Every alert e-mail: to whom, for which release, and whether it went out."""

    newsroom_path = "release__newsroom"
    list_display = ["release", "email", "state", "sent_at", "error"]
    list_filter = ["state", ("release__newsroom", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["release"]
    search_fields = ["email", "release__title"]
    fields = ["release", "email", "state", "created_at", "sent_at", "error"]
