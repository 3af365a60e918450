"""Organisations get a one-sentence summary in each language, like initiatives and sectors.

The summary joins Organisation.SEARCH_FIELDS after the aliases, so on PostgreSQL the stored
`search_document` (0008) is rebuilt from the new field list; its weights follow
portal.search.WEIGHTS. SQLite's FTS5 table follows SEARCH_FIELDS by itself after `migrate`
(portal.search.ensure_sqlite_index). The summaries are empty here, so `search_cjk` is unchanged.
"""

from django.db import migrations, models

OLD_FIELDS = ("name_en", "name_zh_hant", "short_name_en", "short_name_zh_hant", "aliases",
              "description_en", "description_zh_hant")
NEW_FIELDS = ("name_en", "name_zh_hant", "short_name_en", "short_name_zh_hant", "aliases",
              "summary_en", "summary_zh_hant", "description_en", "description_zh_hant")
WEIGHTS = ("A", "B", "C", "D")


def document_sql(fields):
    return " || ".join(
        f"setweight(to_tsvector('english'::regconfig, coalesce({field}, '')), "
        f"'{WEIGHTS[min(i // 2, 3)]}')"
        for i, field in enumerate(fields)
    )


def rebuild_document(fields):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        # Dropping the column drops its index too.
        schema_editor.execute("ALTER TABLE portal_organisation DROP COLUMN search_document")
        schema_editor.execute(
            "ALTER TABLE portal_organisation ADD COLUMN search_document tsvector "
            f"GENERATED ALWAYS AS ({document_sql(fields)}) STORED"
        )
        schema_editor.execute(
            "CREATE INDEX portal_organisation_document_idx ON portal_organisation "
            "USING gin (search_document)"
        )

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0012_organisation_parent"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="summary_en",
            field=models.CharField(blank=True, help_text="One sentence shown on cards and in search results.", max_length=300, verbose_name="summary"),
        ),
        migrations.AddField(
            model_name="organisation",
            name="summary_zh_hant",
            field=models.CharField(blank=True, help_text="One sentence shown on cards and in search results.", max_length=300, verbose_name="summary"),
        ),
        migrations.RunPython(
            rebuild_document(NEW_FIELDS), rebuild_document(OLD_FIELDS), elidable=False
        ),
    ]
