from django.contrib import admin
from django.urls import include, path

from newsroom import views
from press.sitemaps import SITEMAPS
from press.views import search_view

site_patterns = [
    path("", views.site_root, name="site-root"),
    path("favicon.ico", views.favicon),
    path("files/newsrooms/<slug:newsroom>/logo/", views.logo, name="logo"),
    path("files/people/<int:pk>/portrait/", views.portrait, name="portrait"),
    path("<slug:newsroom>/", views.home, name="home"),
    path("<slug:newsroom>/contacts/", views.contacts, name="contacts"),
]

urlpatterns = [
    path("sitemap.xml", views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots, name="robots"),
    path("search/", search_view, name="search"),
    path("admin/", admin.site.urls),
    path("api/", include("press.api_urls")),
    path("", include("media.urls")),
    path("", include("press.urls")),
    path("", include((site_patterns, "newsroom"))),
]
