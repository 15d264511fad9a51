from datetime import timedelta

from django.core.management.base import BaseCommand

from media.resumable import Staging


class Command(BaseCommand):
    help = (
        "Remove uploads that were started but not finished (nothing added to them for "
        "--hours, a day by default). Run it daily beside the workers; a video still being "
        "sent keeps its staged bytes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=24)

    def handle(self, *args, hours=24, **options):
        removed = Staging().remove_stale(timedelta(hours=hours))
        self.stdout.write(f"{removed} unfinished upload(s) removed.")
