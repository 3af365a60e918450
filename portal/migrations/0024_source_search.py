"""Sources join the site search, by title and publisher.

A `search_cjk` column (portal.records.cjk), filled for the rows there are; on PostgreSQL the
same stored, weighted `search_document` and `search_heading` columns and GIN indexes as the
other searched tables (migrations 0007, 0008, 0010, 0018, 0021), from a snapshot of
Source.SEARCH_FIELDS. SQLite's FTS5 table is made by portal.search.query after `migrate`.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations, models

from portal.records.cjk import index_text

SEARCH_FIELDS = ("title", "publisher")
# search_document: the weight classes of portal.search.query.WEIGHTS, two fields a class;
# search_heading: the title above the publisher.
DOCUMENT_WEIGHTS = ("A", "A")
HEADING_WEIGHTS = ("A", "B")
CJK_INDEX = GinIndex(SearchVector("search_cjk", config="simple"), name="portal_source_cjk_idx")


def weighted(fields, weights):
    return " || ".join(
        f"setweight(to_tsvector('english'::regconfig, coalesce({field}, '')), '{weight}')"
        for field, weight in zip(fields, weights, strict=True)
    )


def fill_search_cjk(apps, schema_editor):
    source = apps.get_model("portal", "source")
    changed = []
    for row in source.objects.only("pk", *SEARCH_FIELDS).iterator(chunk_size=2000):
        text = index_text(" ".join(str(getattr(row, f) or "") for f in SEARCH_FIELDS))
        if text:
            row.search_cjk = text
            changed.append(row)
    source.objects.bulk_update(changed, ["search_cjk"], batch_size=2000)


def add_search_columns(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column, weights in (
        ("search_document", DOCUMENT_WEIGHTS),
        ("search_heading", HEADING_WEIGHTS),
    ):
        schema_editor.execute(
            f"ALTER TABLE portal_source ADD COLUMN {column} tsvector "
            f"GENERATED ALWAYS AS ({weighted(SEARCH_FIELDS, weights)}) STORED"
        )
    schema_editor.execute(
        "CREATE INDEX portal_source_document_idx ON portal_source USING gin (search_document)"
    )
    schema_editor.execute(
        "CREATE INDEX portal_source_heading_idx ON portal_source USING gin (search_heading)"
    )
    schema_editor.add_index(apps.get_model("portal", "source"), CJK_INDEX)


def drop_search_columns(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {CJK_INDEX.name}")
    schema_editor.execute("ALTER TABLE portal_source DROP COLUMN search_heading")
    schema_editor.execute("ALTER TABLE portal_source DROP COLUMN search_document")


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0023_one_record_per_body"),
    ]

    operations = [
        migrations.AddField(
            model_name="source",
            name="search_cjk",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill_search_cjk, migrations.RunPython.noop),
        migrations.RunPython(add_search_columns, drop_search_columns, elidable=False),
    ]
