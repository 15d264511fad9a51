from django.core.management.base import BaseCommand
from django.db.models import F

from media.models import Video
from media.tasks import generate_video_files


class Command(BaseCommand):
    help = (
        "Make the files of videos whose files are not made for their current version (never "
        "made, or failed: --failed for only those). Safe beside running workers: each video "
        "is claimed before its files are made."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--failed", action="store_true", help="Only the videos whose files failed."
        )

    def handle(self, *args, failed=False, **options):
        videos = Video.objects.exclude(rendered_version=F("version")).order_by("pk")
        if failed:
            videos = videos.filter(rendering_failed_at__isnull=False)
        made = 0
        for pk in videos.values_list("pk", flat=True):
            made += bool(generate_video_files.call(pk))
        self.stdout.write(f"Files made for {made} video(s).")
