from django.db import migrations


def create_search_index(apps, schema_editor):
    # A GIN index serves full-text search on PostgreSQL; SQLite has no such thing.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS press_release_search_idx "
            "ON press_pressrelease USING gin (search_vector)"
        )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS press_release_search_idx")


class Migration(migrations.Migration):
    dependencies = [("press", "0001_initial")]

    operations = [migrations.RunPython(create_search_index, drop_search_index)]
