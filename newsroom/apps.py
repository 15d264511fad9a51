from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class NewsroomConfig(AppConfig):
    name = "newsroom"
    verbose_name = _("Newsrooms and people")

    def ready(self):
        from newsroom import checks, signals  # noqa: F401
        from newsroom.uploads import apply_pixel_limit, register_heif

        register_heif()
        apply_pixel_limit()


class NewsroomAdminConfig(admin_apps.AdminConfig):
    """Django's admin with our site, whose site-wide views keep to each model admin's rules."""

    default = False
    default_site = "newsroom.admin_site.NewsroomAdminSite"
