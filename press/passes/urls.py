from django.urls import path

from press.passes import views

app_name = "passes"

urlpatterns = [
    # A journalist's preview pass: the release and its media before the embargo lifts.
    path("preview/<str:token>/", views.pass_release, name="pass"),
    path("preview/<str:token>/embargo.ics", views.pass_calendar, name="pass-calendar"),
    # The pass holder's selection of the pass's photos and documents (before the versions,
    # whose pattern would take "selection" for a language).
    path(
        "preview/<str:token>/selection/",
        views.pass_selection_start,
        name="pass-selection-start",
    ),
    path(
        "preview/<str:token>/selection/<str:items>/",
        views.pass_selection,
        name="pass-selection",
    ),
    path(
        "preview/<str:token>/files/selection/<str:items>/<str:size>.zip",
        views.pass_selection_zip,
        name="pass-selection-zip",
    ),
    # The story's other versions: a pass opens every one that is published or scheduled.
    path("preview/<str:token>/<str:language>/", views.pass_version, name="pass-version"),
    path("preview/<str:token>/photos/<slug:slug>/", views.pass_photoset, name="pass-photoset"),
    path(
        "preview/<str:token>/photos/<slug:slug>/<int:pk>/",
        views.pass_photo,
        name="pass-photo",
    ),
    path(
        "preview/<str:token>/photos/<slug:slug>/videos/<int:pk>/",
        views.pass_video,
        name="pass-video",
    ),
    path(
        "preview/<str:token>/files/videos/<int:pk>/<str:version>/<str:kind>/",
        views.pass_video_file,
        name="pass-video-file",
    ),
    path(
        "preview/<str:token>/files/subtitles/<int:pk>/<str:version>/<str:language>.<str:form>",
        views.pass_subtitle_file,
        name="pass-subtitle-file",
    ),
    path(
        "preview/<str:token>/files/photos/<int:pk>/<str:version>/<str:size>/",
        views.pass_photo_file,
        name="pass-photo-file",
    ),
    path(
        "preview/<str:token>/files/sets/<int:pk>/<str:size>.zip",
        views.pass_photoset_zip,
        name="pass-photoset-zip",
    ),
    path(
        "preview/<str:token>/files/documents/<int:pk>/<str:version>/",
        views.pass_document,
        name="pass-document",
    ),
]
