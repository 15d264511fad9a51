from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class NewsroomConfig(AppConfig):
    """The ground: newsrooms, people, memberships and roles, and what every app shares."""

    name = "newsroom.ground"
    label = "newsroom"
    verbose_name = _("Newsrooms and people")

    def ready(self):
        from newsroom.ground import checks, signals  # noqa: F401
        from newsroom.ground.uploads import apply_pixel_limit, register_heif

        register_heif()
        apply_pixel_limit()


class NewsroomAdminConfig(admin_apps.AdminConfig):
    """Django's admin with our site, whose site-wide views keep to each model admin's rules."""

    default = False
    default_site = "newsroom.ground.admin_site.NewsroomAdminSite"
