"""Going live: the work done once when a release's embargo lifts.

Visibility itself needs none of this: `PressRelease.objects.live()` decides
on every request, from the stored UTC time. What must happen exactly once
when a release becomes public (refreshing caches, and later e-mail alerts)
listens to `release_went_live`, sent by `announce_due_releases()`. A timer
runs that every minute through `manage.py announce_releases`; two timers
running at once still announce each release once.
"""

import logging

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from press.models import PressRelease

logger = logging.getLogger(__name__)

# Sent once per release, inside the transaction that marks it announced: a
# receiver that fails rolls the mark back, and the next run tries again.
release_went_live = Signal()


def announce_due_releases():
    """Announce every live release not announced yet; return the ones this run announced."""
    announced = []
    due = PressRelease.objects.live().filter(announced_at__isnull=True)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            # Claiming with a conditional UPDATE: of two runs at the same moment,
            # only one changes the row (the other waits for its lock, then finds
            # announced_at set). Works the same on PostgreSQL and SQLite.
            claimed = PressRelease.objects.filter(pk=pk, announced_at__isnull=True).update(
                announced_at=timezone.now()
            )
            if not claimed:
                continue
            release = PressRelease.objects.select_related("newsroom").get(pk=pk)
            release_went_live.send(sender=PressRelease, release=release)
        logger.info("Release %s went live: %s", release.pk, release)
        announced.append(release)
    return announced
