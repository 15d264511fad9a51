from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class NewsroomConfig(AppConfig):
    """The ground: newsrooms, people, memberships and roles, and what every app shares."""

    name = "newsroom.ground"
    label = "newsroom"
    verbose_name = _("Newsrooms and people")

    def ready(self):
        from django.apps import apps
        from django.db.models.signals import post_migrate

        from newsroom.ground import checks, signals  # noqa: F401
        from newsroom.ground.members import make_members_group
        from newsroom.ground.uploads import apply_pixel_limit, register_heif

        register_heif()
        apply_pixel_limit()
        # Sent for each app with models in turn; after the last one's, all permissions exist.
        last = [config for config in apps.get_app_configs() if config.models_module][-1]
        post_migrate.connect(make_members_group, sender=last, dispatch_uid="members-group")


class NewsroomAdminConfig(admin_apps.AdminConfig):
    """Django's admin with our site, whose site-wide views keep to each model admin's rules."""

    default = False
    default_site = "newsroom.ground.admin_site.NewsroomAdminSite"
