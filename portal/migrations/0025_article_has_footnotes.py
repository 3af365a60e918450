"""Articles store whether they cite sources (`has_footnotes`: a footnote outside an editor's
note, portal.records.footnotes), which search read from every body once per content change
(0.5 s at 100,000 articles on SQLite); now one index read."""

from django.db import migrations, models
from django.db.models import Q

from portal.records.footnotes import cites_outside_notes

BODIES = ("body_en", "body_zh_hant")


def fill_has_footnotes(apps, schema_editor):
    article = apps.get_model("portal", "article")
    rows = article.objects.filter(Q(body_en__contains="[^") | Q(body_zh_hant__contains="[^"))
    cited = [
        pk
        for pk, *bodies in rows.values_list("pk", *BODIES).iterator(chunk_size=2000)
        if any(cites_outside_notes(body) for body in bodies)
    ]
    for start in range(0, len(cited), 500):
        article.objects.filter(pk__in=cited[start : start + 500]).update(has_footnotes=True)


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0024_source_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="has_footnotes",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(fill_has_footnotes, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["has_footnotes"], name="portal_article_footnotes_idx"),
        ),
    ]
