"""Full-text search indexes: GIN expression indexes on PostgreSQL.

The field lists are a snapshot of `portal.search.SEARCH_FIELDS` at the time of writing.
SQLite's FTS5 tables are created after every migrate by `portal.search.ensure_sqlite_index`
(a table rebuilt by a later SQLite migration loses its triggers, so they must be re-checked).
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

FIELDS = {
    "article": ("title", "summary", "body"),
    "initiative": ("name", "short_name", "summary", "description"),
    "organisation": ("name", "short_name", "description"),
    "sector": ("name", "summary", "description"),
}


def _gin_index(model_name, fields):
    return GinIndex(
        SearchVector(*fields, config="english"), name=f"portal_{model_name}_search_idx"
    )


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, fields in FIELDS.items():
        schema_editor.add_index(apps.get_model("portal", model_name), _gin_index(model_name, fields))


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, fields in FIELDS.items():
        schema_editor.remove_index(
            apps.get_model("portal", model_name), _gin_index(model_name, fields)
        )


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
