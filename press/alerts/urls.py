from django.urls import path

from press.alerts import views

app_name = "alerts"

urlpatterns = [
    path("<slug:newsroom>/alerts/", views.follow, name="follow"),
    path("alerts/confirm/<str:key>/", views.confirm_follow, name="confirm"),
    path("alerts/unsubscribe/<str:key>/", views.unsubscribe, name="unsubscribe"),
]
