"""PostgreSQL: a small stored vector of each row's first search fields (titles or names, then
summaries or short names), for ranking.

Ranking every match of a common word by the full weighted `search_document` read each
match's whole vector, body included (most of a second at 100,000 articles); the heading
vector is a few dozen lexemes. Matches are still found through `search_document`'s index.
"""

from django.db import migrations

# The first four fields of each model's SEARCH_FIELDS (two languages of two fields).
HEADING_FIELDS = {
    "article": ("title_en", "title_zh_hant", "summary_en", "summary_zh_hant"),
    "initiative": ("name_en", "name_zh_hant", "short_name_en", "short_name_zh_hant"),
    "organisation": ("name_en", "name_zh_hant", "short_name_en", "short_name_zh_hant"),
    "sector": ("name_en", "name_zh_hant", "summary_en", "summary_zh_hant"),
}
WEIGHTS = ("A", "A", "B", "B")


def heading_sql(fields):
    return " || ".join(
        f"setweight(to_tsvector('english'::regconfig, coalesce({field}, '')), '{weight}')"
        for field, weight in zip(fields, WEIGHTS, strict=True)
    )


def add_headings(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, fields in HEADING_FIELDS.items():
        schema_editor.execute(
            f"ALTER TABLE portal_{model_name} ADD COLUMN search_heading tsvector "
            f"GENERATED ALWAYS AS ({heading_sql(fields)}) STORED"
        )


def drop_headings(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name in HEADING_FIELDS:
        schema_editor.execute(f"ALTER TABLE portal_{model_name} DROP COLUMN search_heading")


class Migration(migrations.Migration):
    dependencies = [("portal", "0009_facet_indexes")]

    operations = [migrations.RunPython(add_headings, drop_headings, elidable=False)]
