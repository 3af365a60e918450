"""Full-text search indexes: GIN expression indexes on PostgreSQL, FTS5 tables on SQLite.

The field lists are a snapshot of `portal.search.SEARCH_FIELDS` at the time of writing.
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


def _sqlite_statements(table, fields):
    columns = ", ".join(fields)
    new_values = ", ".join(f"new.{f}" for f in fields)
    old_values = ", ".join(f"old.{f}" for f in fields)
    fts = f"{table}_fts"
    delete_old = (
        f"INSERT INTO {fts}({fts}, rowid, {columns}) VALUES ('delete', old.id, {old_values});"
    )
    insert_new = f"INSERT INTO {fts}(rowid, {columns}) VALUES (new.id, {new_values});"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({columns}, content='{table}', "
        "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {insert_new} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {delete_old} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE ON {table} BEGIN {delete_old} {insert_new} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def create_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for model_name, fields in FIELDS.items():
        model = apps.get_model("portal", model_name)
        if vendor == "postgresql":
            schema_editor.add_index(model, _gin_index(model_name, fields))
        elif vendor == "sqlite":
            for statement in _sqlite_statements(model._meta.db_table, fields):
                schema_editor.execute(statement)


def drop_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for model_name, fields in FIELDS.items():
        model = apps.get_model("portal", model_name)
        if vendor == "postgresql":
            schema_editor.remove_index(model, _gin_index(model_name, fields))
        elif vendor == "sqlite":
            table = model._meta.db_table
            for suffix in ("insert", "delete", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
            schema_editor.execute(f"DROP TABLE IF EXISTS {table}_fts")


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
