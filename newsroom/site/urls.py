from django.urls import path

from newsroom.site import views

app_name = "newsroom"

urlpatterns = [
    path("", views.site_root, name="site-root"),
    path("favicon.ico", views.favicon),
    path("files/newsrooms/<slug:newsroom>/logo/", views.logo, name="logo"),
    path("files/people/<int:pk>/portrait/", views.portrait, name="portrait"),
    path("<slug:newsroom>/", views.home, name="home"),
    path("<slug:newsroom>/contacts/", views.contacts, name="contacts"),
]
