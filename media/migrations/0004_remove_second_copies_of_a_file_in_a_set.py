from django.db import migrations


def remove_second_copies(apps, schema_editor):
    """Before the rule holds: keep the first upload of a file in a set, drop later copies.

    They were saved by two uploads racing past the duplicate check; each is the
    same file as the one kept, so no photo is lost, only a second card of it.
    Releases and sets that showed a copy (as hero or cover) show the first instead.
    """
    Photo = apps.get_model("media", "Photo")
    PhotoSet = apps.get_model("media", "PhotoSet")
    PressRelease = apps.get_model("press", "PressRelease")
    first = {}
    doomed = {}
    for pk, photo_set_id, sha256 in Photo.objects.order_by("pk").values_list(
        "pk", "photo_set_id", "sha256"
    ):
        kept = first.setdefault((photo_set_id, sha256), pk)
        if kept != pk:
            doomed[pk] = kept
    for copy, kept in doomed.items():
        PressRelease.objects.filter(hero_photo=copy).update(hero_photo=kept)
        PhotoSet.objects.filter(cover=copy).update(cover=kept)
    Photo.objects.filter(pk__in=doomed).delete()


class Migration(migrations.Migration):
    """A file once in each set, before the unique constraint (in the next migration) says so.

    On its own: PostgreSQL cannot alter a table in the transaction that
    deleted rows others still point to.
    """

    dependencies = [
        ("media", "0003_rendition_crop_sizes"),
        ("press", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(remove_second_copies, migrations.RunPython.noop),
    ]
