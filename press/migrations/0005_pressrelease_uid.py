import uuid

from django.db import migrations, models


def give_each_release_its_own_uid(apps, schema_editor):
    PressRelease = apps.get_model("press", "PressRelease")
    for release in PressRelease.objects.filter(uid__isnull=True).only("pk"):
        release.uid = uuid.uuid4()
        release.save(update_fields=["uid"])


class Migration(migrations.Migration):
    dependencies = [
        ("press", "0004_pressrelease_corrected_at_correction_revision"),
    ]

    operations = [
        migrations.AddField(
            model_name="pressrelease",
            name="uid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_each_release_its_own_uid, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="pressrelease",
            name="uid",
            field=models.UUIDField(
                default=uuid.uuid4,
                editable=False,
                help_text="Never changes, whatever happens to the slug: feeds and the API use it.",
                unique=True,
                verbose_name="identifier",
            ),
        ),
    ]
