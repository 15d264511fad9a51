from django.urls import path, re_path

from press.api import views as api

app_name = "api"

urlpatterns = [
    path("", api.index, name="index"),
    path("openapi.json", api.openapi_document, name="openapi"),
    path("releases/", api.release_list, name="release-list"),
    path("releases/<slug:newsroom>/<slug:slug>/", api.release_detail, name="release-detail"),
    path("photo-sets/", api.photo_set_list, name="photoset-list"),
    path("photo-sets/<int:pk>/", api.photo_set_detail, name="photoset-detail"),
    path("events/", api.event_list, name="event-list"),
    path("events/<int:pk>/", api.event_detail, name="event-detail"),
    # Last: any other address under /api/ is a JSON 404, not the site's HTML page.
    re_path(r"", api.not_found, name="not-found"),
]
