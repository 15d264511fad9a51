from django.db import migrations


def remove_second_copies(apps, schema_editor):
    """Before the rule holds: keep the first upload of a file in a set, drop later copies.

    They were saved by two uploads racing past the duplicate check; each is the
    same file as the one kept, so no photo is lost, only a second card of it.
    """
    Photo = apps.get_model("media", "Photo")
    seen = set()
    doomed = []
    for pk, photo_set_id, sha256 in Photo.objects.order_by("pk").values_list(
        "pk", "photo_set_id", "sha256"
    ):
        if (photo_set_id, sha256) in seen:
            doomed.append(pk)
        seen.add((photo_set_id, sha256))
    Photo.objects.filter(pk__in=doomed).delete()


class Migration(migrations.Migration):
    """A file once in each set, before the unique constraint (in the next migration) says so.

    On its own: PostgreSQL cannot alter a table in the transaction that
    deleted rows others still point to.
    """

    dependencies = [
        ("media", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(remove_second_copies, migrations.RunPython.noop),
    ]
