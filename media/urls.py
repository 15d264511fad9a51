from django.urls import path

from media import views
from newsroom.ground.languages import in_every_language

app_name = "media"

urlpatterns = [
    path(
        "files/photos/<int:pk>/<str:version>/<str:size>/",
        views.photo_file,
        name="photo-file",
    ),
    path(
        "files/videos/<int:pk>/<str:version>/<str:kind>/",
        views.video_file,
        name="video-file",
    ),
    path(
        "files/subtitles/<int:pk>/<str:version>/<str:language>.<str:form>",
        views.subtitle_file,
        name="subtitle-file",
    ),
    path("files/sets/<int:pk>/<str:size>.zip", views.photoset_zip, name="photoset-zip"),
    path("files/documents/<int:pk>/<str:version>/", views.document_file, name="document-file"),
    path(
        "files/selection/<str:items>/<str:size>.zip",
        views.selection_zip,
        name="selection-zip",
    ),
    in_every_language(
        [
            path("selection/", views.selection_start, name="selection-start"),
            path("selection/<str:items>/", views.selection_page, name="selection"),
            path("<slug:newsroom>/photos/", views.photoset_list, name="photoset-list"),
            path("<slug:newsroom>/documents/", views.document_list, name="document-list"),
            path(
                "<slug:newsroom>/photos/<slug:slug>/",
                views.photoset_detail,
                name="photoset-detail",
            ),
            path(
                "<slug:newsroom>/photos/<slug:slug>/<int:pk>/",
                views.photo_detail,
                name="photo-detail",
            ),
            path(
                "<slug:newsroom>/photos/<slug:slug>/videos/<int:pk>/",
                views.video_detail,
                name="video-detail",
            ),
        ]
    ),
]
