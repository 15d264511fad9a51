import time

from django.core.management.base import BaseCommand

from press.alerts.delivery import retry_alerts
from press.publishing import announce_due_releases


class Command(BaseCommand):
    help = (
        "Do the going-live work (cache refresh, alerts) for releases whose embargo has "
        "lifted, and retry alerts a mail server held back. Run it from a timer every "
        "minute, or with --every to keep running."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=float,
            metavar="SECONDS",
            help="Keep running, checking this often.",
        )

    def handle(self, *args, every=None, **options):
        while True:
            for release in announce_due_releases():
                self.stdout.write(f"Live: {release} ({release.get_absolute_url()})")
            sent, failed = retry_alerts()
            if sent or failed:
                self.stdout.write(f"Alerts tried again: {sent} sent, {failed} failed")
            if not every:
                return
            time.sleep(every)
