"""Indexes for searching photos, photo sets and documents on PostgreSQL (SQLite has none).

- Full text: GIN indexes of the very expression the searches compute
  (`media.models.words()`), so PostgreSQL reads matching rows from the index
  instead of computing every row's vector, and no stored copy can fall behind.
- Substrings: pg_trgm GIN indexes of `UPPER(column)`, which is what the
  admin's case-insensitive `icontains` compares, for titles, names and credits.

pg_trgm is a trusted extension (PostgreSQL 13 and later): the database's owner
may create it without being a superuser.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.contrib.postgres.search import SearchVector
from django.db import migrations

WORDS = {
    "photo": ("media_photo_words_idx", ["title", "caption", "credit", "copyright"]),
    "document": ("media_document_words_idx", ["title", "description"]),
}
SUBSTRINGS = {
    "photoset": ["title", "description"],
    "photo": ["title", "credit", "original_filename"],
    "document": ["title", "original_filename"],
}


def substring_index(table, column):
    return f"{table}_{column}_trgm_idx"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, (name, fields) in WORDS.items():
        model = apps.get_model("media", model_name)
        index = GinIndex(SearchVector(*fields, config="simple"), name=name)
        schema_editor.add_index(model, index)
    for model_name, columns in SUBSTRINGS.items():
        table = apps.get_model("media", model_name)._meta.db_table
        for column in columns:
            schema_editor.execute(
                f"CREATE INDEX {substring_index(table, column)} ON {table} "
                f"USING gin (upper({column}::text) gin_trgm_ops)"
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    names = [name for name, _fields in WORDS.values()]
    for model_name, columns in SUBSTRINGS.items():
        table = apps.get_model("media", model_name)._meta.db_table
        names += [substring_index(table, column) for column in columns]
    for name in names:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("media", "0002_photo_texts")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
