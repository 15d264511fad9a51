"""The site's addresses: each app's, under one root."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from newsroom.ground.languages import in_every_language
from newsroom.site import views
from press.views import search_view

urlpatterns = [
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path("sitemap-site.xml", views.sitemap_site, name="sitemap-site"),
    re_path(
        r"^(?P<newsroom>[-a-zA-Z0-9_]+)/sitemap-(?P<kind>[a-z]+)-(?P<month>[0-9]{4}-[0-9]{2})\.xml$",
        views.sitemap_section,
        name="sitemap-section",
    ),
    path("robots.txt", views.robots, name="robots"),
    in_every_language([path("search/", search_view, name="search")]),
    # Passes and alerts have apps of their own; their admin pages moved with them.
    re_path(
        r"^admin/press/(?P<model>previewpass|passevent)/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/passes/%(model)s/%(rest)s", query_string=True),
    ),
    re_path(
        r"^admin/press/(?P<model>follower|alertdelivery)/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/alerts/%(model)s/%(rest)s", query_string=True),
    ),
    path("admin/", admin.site.urls),
    path("api/", include("press.api.urls")),
    path("", include("media.urls")),
    path("", include("press.passes.urls")),
    path("", include("press.alerts.urls")),
    path("", include("press.urls")),
    path("", include("newsroom.site.urls")),
]
