from django.core.management.base import BaseCommand
from django.db.models import F, Prefetch

from media.models import Photo, Rendition
from media.renditions import add_missing_files
from media.tasks import generate_renditions

# What became of one photo, when no file was made.
CLAIMED, FAILED = "being made by another worker", "failed"


class Command(BaseCommand):
    help = (
        "Make photos' files. --missing: the files each photo lacks (a size added, a file gone "
        "from storage, a photo whose files were never made), and only those: the files a "
        "photo has keep their bytes, names and addresses. --failed: the photos whose files "
        "could not be made, once more. Safe beside running workers: each photo is claimed "
        "before its files are made."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument(
            "--missing", action="store_true", help="Make the files photos lack, and only those."
        )
        which.add_argument(
            "--failed",
            action="store_true",
            help="Try the photos whose files could not be made again, and only those.",
        )

    def handle(self, *args, missing=False, failed=False, **options):
        photos = (
            Photo.objects.select_related("photo_set__newsroom")
            .prefetch_related(Prefetch("renditions", queryset=Rendition.objects.order_by()))
            .exclude(image="")
            .order_by("pk")
        )
        if failed:
            photos = photos.filter(rendering_failed_at__isnull=False).exclude(
                rendered_version=F("version")
            )
        else:
            # Those wait for --failed: the same file would fail the same way.
            photos = photos.filter(rendering_failed_at__isnull=True)
        total = photos.count()
        files = photos_made = failures = 0
        for number, photo in enumerate(photos.iterator(chunk_size=200), start=1):
            where = f"photo {number}/{total}"
            try:
                made = self.make(photo)
            except Exception as error:  # reported by name; the other photos still get theirs
                made = FAILED, str(error) or type(error).__name__
            if isinstance(made, int) and made:
                files += made
                photos_made += 1
                self.stdout.write(f"{where}: {made} size{'s' if made != 1 else ''} made")
            elif made == CLAIMED:
                self.stdout.write(f"{where}: {CLAIMED}")
            elif isinstance(made, tuple):
                failures += 1
                self.stderr.write(f"{where} “{photo}” (id {photo.pk}): failed: {made[1]}")
            elif options["verbosity"] > 1:
                self.stdout.write(f"{where}: nothing missing")
        self.stdout.write(
            f"Made {files} file(s) of {photos_made} of {total} photo(s); {failures} failed."
        )

    def make(self, photo):
        """How many files were made for the photo, CLAIMED, or (FAILED, why)."""
        if photo.rendered_version == photo.version:
            made = add_missing_files(photo)
            return CLAIMED if made is None else len(made)
        # Never made for this version: all of them, under the rendition task's claim.
        failed_before = photo.rendering_failed_at
        done = generate_renditions.call(photo.pk)
        photo.refresh_from_db(
            fields=["rendered_version", "rendering_failed_at", "rendering_error"]
        )
        if done:
            return len(photo.sizes_made())
        if photo.rendered_version == photo.version:
            return 0
        if photo.rendering_failed_at and photo.rendering_failed_at != failed_before:
            return FAILED, photo.rendering_error
        return CLAIMED
