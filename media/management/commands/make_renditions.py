from django.core.management.base import BaseCommand
from django.db.models import F

from media.models import Photo
from media.renditions import sizes_for
from media.tasks import generate_renditions


class Command(BaseCommand):
    help = (
        "Make the files of every photo whose files are missing or outdated (a new version, "
        "a size added, a file gone from storage). Photos whose files failed are left alone "
        "unless --failed is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--failed",
            action="store_true",
            help="Try the photos whose files could not be made again, and only those.",
        )

    def handle(self, *args, failed=False, **options):
        photos = Photo.objects.select_related("photo_set__newsroom").prefetch_related("renditions")
        if failed:
            photos = photos.filter(rendering_failed_at__isnull=False).exclude(
                rendered_version=F("version")
            )
        else:
            photos = photos.filter(rendering_failed_at__isnull=True)
        made, broken = 0, []
        for photo in photos.order_by("pk").iterator(chunk_size=200):
            if not failed and not needs_files(photo):
                continue
            # Made again from scratch: what was there is missing or stale.
            Photo.objects.filter(pk=photo.pk).update(rendered_version="", rendering_claim="")
            generate_renditions.call(photo.pk)
            photo.refresh_from_db()
            if photo.rendered_version == photo.version:
                made += 1
            else:
                broken.append(photo)
        for photo in broken:
            self.stderr.write(f"Photo {photo.pk} “{photo}”: {photo.rendering_error}")
        self.stdout.write(f"Made the files of {made} photo(s); {len(broken)} failed.")


def needs_files(photo):
    """Outdated, a size missing, or a file gone from storage."""
    if photo.rendered_version != photo.version:
        return True
    renditions = {rendition.size: rendition for rendition in photo.renditions.all()}
    if set(sizes_for(photo)) - renditions.keys():
        return True
    return any(
        rendition.version != photo.version
        or not rendition.file.storage.exists(rendition.file.name)
        for rendition in renditions.values()
    )
