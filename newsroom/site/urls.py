from django.urls import path

from newsroom.ground.languages import in_every_language
from newsroom.site import views

app_name = "newsroom"

urlpatterns = [
    path("favicon.ico", views.favicon),
    path("files/newsrooms/<slug:newsroom>/logo/", views.logo, name="logo"),
    path("files/people/<int:pk>/portrait/", views.portrait, name="portrait"),
    in_every_language(
        [
            path("", views.site_root, name="site-root"),
            path("<slug:newsroom>/", views.home, name="home"),
            path("<slug:newsroom>/contacts/", views.contacts, name="contacts"),
        ]
    ),
]
