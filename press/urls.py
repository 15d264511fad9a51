from django.urls import path

from press import views

app_name = "press"

urlpatterns = [
    path("<slug:newsroom>/releases/", views.release_list, name="release-list"),
    path("<slug:newsroom>/releases/<slug:slug>/", views.release_detail, name="release-detail"),
]
