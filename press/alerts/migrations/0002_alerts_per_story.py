import django.db.models.deletion
from django.db import migrations, models


def story_of_each_delivery(apps, schema_editor):
    """Before language versions every release was its own story."""
    AlertDelivery = apps.get_model("alerts", "AlertDelivery")
    AlertDelivery.objects.update(story=models.F("release"))


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0001_initial"),
        ("press", "0003_language_versions"),
    ]

    operations = [
        migrations.AddField(
            model_name="follower",
            name="languages",
            field=models.CharField(
                blank=True,
                help_text="The languages the address reads, first choice first (codes, comma-separated). Each release comes in the first of them it is published in, else in its original.",
                max_length=60,
                verbose_name="languages",
            ),
        ),
        migrations.AddField(
            model_name="follower",
            name="later_versions",
            field=models.BooleanField(
                default=False,
                help_text="Also send a version in one of these languages that comes out later.",
                verbose_name="later versions too",
            ),
        ),
        migrations.AddField(
            model_name="alertdelivery",
            name="follow_up",
            field=models.BooleanField(
                default=False,
                help_text="A version in the reader's language that came out after the first e-mail.",
                verbose_name="later version",
            ),
        ),
        migrations.AddField(
            model_name="alertdelivery",
            name="story",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="story_alerts",
                to="press.pressrelease",
                verbose_name="story",
            ),
        ),
        migrations.RunPython(story_of_each_delivery, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="alertdelivery",
            name="story",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="story_alerts",
                to="press.pressrelease",
                verbose_name="story",
            ),
        ),
        migrations.AlterField(
            model_name="alertdelivery",
            name="release",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="alerts",
                to="press.pressrelease",
                verbose_name="version sent",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="alertdelivery",
            name="alerts_alertdelivery_once_per_address",
        ),
        migrations.AddConstraint(
            model_name="alertdelivery",
            constraint=models.UniqueConstraint(
                fields=("story", "email", "follow_up"),
                name="alerts_alertdelivery_once_per_story_and_address",
                violation_error_message="Each address gets each story once.",
            ),
        ),
    ]
