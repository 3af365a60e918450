"""PostgreSQL: a GIN index on each searchable table's `search_heading` (migration 0010).

Search ranks the rows whose heading (titles or names, then summaries or short names) has
any of the words; before this index that meant reading the heading of every match, which
for a word in 99% of 100,000 articles was most of the search's time. SQLite ranks through
its FTS5 table with a column filter, which needs nothing new.
"""

from django.db import migrations

TABLES = ("portal_article", "portal_initiative", "portal_organisation", "portal_sector")


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f"CREATE INDEX {table}_heading_idx ON {table} USING gin (search_heading)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP INDEX {table}_heading_idx")


class Migration(migrations.Migration):
    dependencies = [("portal", "0017_article_visible_ids")]

    operations = [migrations.RunPython(add_indexes, drop_indexes)]
