"""Admin login lockouts: per name and address, and per address across names.

django-axes counts failures for each combination of its lockout parameters
and holds every combination to the one AXES_FAILURE_LIMIT. Five failures for
one name from one address is right for a forgotten password; but someone who
tries one password on many names never fails five times for any of them.
So the address alone gets a limit of its own, larger (a newsroom's office
shares one address): LOGIN_ADDRESS_FAILURE_LIMIT failures within the cool-off
time, whatever the names.

The address-only count is kept out of AXES_LOCKOUT_PARAMETERS on purpose:
axes resets the attempts of every combination on a successful login, and one
good login must not wipe the failures sprayed over the other names.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum


class LockoutHandler(AxesDatabaseHandler):
    def address_failures(self, request):
        """Failed logins from the request's address within the cool-off time, any name."""
        attempts = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address,
            attempt_time__gte=get_cool_off_threshold(request),
        )
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def address_locked(self, request):
        return self.address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT

    def is_locked(self, request, credentials=None):
        return super().is_locked(request, credentials) or self.address_locked(request)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if self.is_whitelisted(request, credentials):
            return
        if self.address_locked(request):
            # What axes does when a name and address reach their limit.
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )
