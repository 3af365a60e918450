"""Covering indexes (option, row) on the relation tables that facets group by.

The facet index (portal.facets) reads each relation table grouped by option. Django's own
indexes on these tables are (row, option) and (option) alone, so grouping sorts or visits
every table row; with (option, row) it is one scan of an index (about 4x faster at 100,000
articles on SQLite).
"""

from django.db import migrations

RELATIONS = {
    "portal_article_sectors": ("sector_id", "article_id"),
    "portal_article_initiatives": ("initiative_id", "article_id"),
    "portal_article_organisations": ("organisation_id", "article_id"),
    "portal_initiative_sectors": ("sector_id", "initiative_id"),
    "portal_initiative_partners": ("organisation_id", "initiative_id"),
    "portal_organisation_sectors": ("sector_id", "organisation_id"),
}


class Migration(migrations.Migration):
    dependencies = [("portal", "0008_scale")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {table}_facet_idx ON {table} ({option}, {row})",
            f"DROP INDEX {table}_facet_idx",
        )
        for table, (option, row) in RELATIONS.items()
    ]
