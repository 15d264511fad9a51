"""The admin site: Django's, with its "view on site" shortcut held to each model admin's rules.

Django's shortcut (`/admin/r/<content type>/<id>/`) redirects any staff user
to any object's get_absolute_url(), whatever the object's newsroom. Here it
answers only for rows the model's own admin would show this user, so it can
never reveal the address of another newsroom's draft, private set or document.
"""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _


class NewsroomAdminSite(admin.AdminSite):
    site_header = _("Newsroom admin")
    site_title = _("Newsroom admin")
    index_title = _("Write, upload, publish")

    def get_urls(self):
        shortcut = path(
            "r/<path:content_type_id>/<path:object_id>/",
            self.admin_view(self.view_on_site),
            name="view_on_site",
        )
        return [
            shortcut if getattr(pattern, "name", None) == "view_on_site" else pattern
            for pattern in super().get_urls()
        ]

    def view_on_site(self, request, content_type_id, object_id):
        """Go to an object's page, if the model's admin shows this user the object."""
        model_admin = self.admin_for_content_type(content_type_id)
        obj = model_admin.get_object(request, object_id) if model_admin else None
        if obj is None or not model_admin.has_view_permission(request, obj):
            raise Http404
        if callable(model_admin.view_on_site):
            url = model_admin.view_on_site(obj)
        elif model_admin.view_on_site and hasattr(obj, "get_absolute_url"):
            url = obj.get_absolute_url()
        else:
            url = None
        if not url:
            raise Http404
        return redirect(url)

    def admin_for_content_type(self, content_type_id):
        if not str(content_type_id).isdigit() or len(str(content_type_id)) > 18:
            return None
        content_type = ContentType.objects.filter(pk=int(content_type_id)).first()
        model = content_type.model_class() if content_type else None
        return self._registry.get(model)
