from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "press.alerts"
    label = "alerts"
    verbose_name = _("E-mail alerts")

    def ready(self):
        from newsroom.ground import pagecache
        from press.alerts.delivery import on_release_went_live
        from press.alerts.models import AlertDelivery, Follower
        from press.publishing import release_went_live

        release_went_live.connect(on_release_went_live, dispatch_uid="alerts")
        pagecache.not_shown(Follower, AlertDelivery)
