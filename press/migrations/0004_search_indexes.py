"""A substring index for the admin's search of headlines (PostgreSQL only).

The release's other text (lead, body, quotes) is searched by word through
its full-text vector, whose GIN index 0002 created.
"""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX press_pressrelease_title_trgm_idx ON press_pressrelease "
            "USING gin (upper(title::text) gin_trgm_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS press_pressrelease_title_trgm_idx")


class Migration(migrations.Migration):
    # media's 0003 creates the pg_trgm extension.
    dependencies = [("press", "0003_language_versions"), ("media", "0003_search_indexes")]

    operations = [migrations.RunPython(create_index, drop_index)]
