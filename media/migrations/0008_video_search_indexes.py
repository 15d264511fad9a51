"""Search indexes for videos on PostgreSQL, as photos have (see 0003_search_indexes)."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

WORDS = ("media_video_words_idx", ["title", "caption", "credit", "copyright"])
SUBSTRINGS = ["title", "credit", "original_filename"]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("media", "video")
    name, fields = WORDS
    schema_editor.add_index(model, GinIndex(SearchVector(*fields, config="simple"), name=name))
    table = model._meta.db_table
    for column in SUBSTRINGS:
        schema_editor.execute(
            f"CREATE INDEX {table}_{column}_trgm_idx ON {table} "
            f"USING gin (upper({column}::text) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("media", "video")._meta.db_table
    for name in [WORDS[0], *(f"{table}_{column}_trgm_idx" for column in SUBSTRINGS)]:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("media", "0007_videos")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
