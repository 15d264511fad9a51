from django.urls import path

from newsroom.ground.languages import in_every_language
from press.alerts import views

app_name = "alerts"

urlpatterns = [
    in_every_language(
        [
            path("<slug:newsroom>/alerts/", views.follow, name="follow"),
            path("alerts/confirm/<str:key>/", views.confirm_follow, name="confirm"),
            path("alerts/unsubscribe/<str:key>/", views.unsubscribe, name="unsubscribe"),
        ]
    ),
]
