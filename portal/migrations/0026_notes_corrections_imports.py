"""Change notes, import summaries and corrections in the public change log (issue #20).

Existing rows are brought in line: a scheduled article's row, stamped when it was scheduled
(so the log hid it for ever), is stamped at its publish date; and each earlier import's rows
are summarised as one listed row per import and record type (consecutive rows of one type
written by one import within an hour of each other), its items no longer listed one by one.
"""

import datetime

import django.db.models.deletion
import django.db.models.functions.datetime
import django.utils.timezone
from django.db import migrations, models


# Rows of one import were written seconds apart; a gap longer than this starts another import.
IMPORT_GAP = datetime.timedelta(hours=1)
CHUNK = 500


def summarise_imports(apps, schema_editor):
    """One summary row per earlier import and record type; its rows become its items."""
    change = apps.get_model("portal", "recordchange")
    rows = (
        change.objects.filter(via="import", summary__isnull=True)
        .exclude(kind="imported")
        .order_by("id")
        .values_list("id", "record_type", "changed_at", "kind", "public")
    )

    def close(group):
        summary = change.objects.create(
            record_type=group["type"],
            kind="imported",
            via="import",
            changed_at=group["at"],
            public=bool(group["added"] or group["changed"]),
            lines={"added": group["added"], "changed": group["changed"]},
        )
        for start in range(0, len(group["ids"]), CHUNK):
            ids = group["ids"][start : start + CHUNK]
            change.objects.filter(pk__in=ids).update(summary=summary, listed=False)

    group = None
    for pk, record_type, changed_at, kind, public in rows.iterator(chunk_size=2000):
        if group and (record_type != group["type"] or changed_at - group["last"] > IMPORT_GAP):
            close(group)
            group = None
        if group is None:
            group = {"type": record_type, "at": changed_at, "ids": [], "added": 0, "changed": 0}
        group["ids"].append(pk)
        group["last"] = changed_at
        if public:
            group["added" if kind in ("added", "first") else "changed"] += 1
    if group:
        close(group)


def restamp_scheduled_articles(apps, schema_editor):
    """The newest "appeared" row of each published article stamped before its publish date
    carries that date, and is listed on its own (no longer counted in its import's summary)."""
    change = apps.get_model("portal", "recordchange")
    rows = (
        change.objects.filter(
            article__status="published",
            public=True,
            kind__in=("published", "added", "first"),
            changed_at__lt=models.F("article__publish_at"),
        )
        .order_by("article_id", "-id")
        .values_list("id", "article_id", "article__publish_at", "summary_id")
    )
    done = set()
    for pk, article_id, publish_at, summary_id in rows.iterator(chunk_size=2000):
        if article_id in done:
            continue
        done.add(article_id)
        # Only the newest row: an older one was superseded by a later publication.
        if change.objects.filter(article_id=article_id, id__gt=pk, public=True).exists():
            continue
        change.objects.filter(pk=pk).update(changed_at=publish_at, listed=True)
        if summary_id:
            summary = change.objects.get(pk=summary_id)
            lines = dict(summary.lines)
            lines["added"] = max(0, lines.get("added", 0) - 1)
            summary.lines = lines
            summary.public = bool(lines["added"] or lines.get("changed"))
            summary.save(update_fields=["lines", "public"])


def bring_rows_in_line(apps, schema_editor):
    summarise_imports(apps, schema_editor)
    restamp_scheduled_articles(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0025_article_has_footnotes'),
        ('reversion', '0002_add_index_on_version_for_content_type_and_db'),
    ]

    operations = [
        migrations.CreateModel(
            name='Correction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('record_type', models.CharField(editable=False, max_length=20, verbose_name='record type')),
                ('corrected_on', models.DateField(default=django.utils.timezone.localdate, help_text='When the record was put right.', verbose_name='date')),
                ('field', models.CharField(blank=True, help_text='The field the correction concerns; leave empty if it concerns several.', max_length=60, verbose_name='field corrected')),
                ('text_en', models.TextField(help_text='What was wrong and what the page says now, in a sentence or two, e.g. “An earlier version gave the launch year as 2022; it was 2023.”', verbose_name='correction')),
                ('text_zh_hant', models.TextField(blank=True, help_text='What was wrong and what the page says now, in a sentence or two, e.g. “An earlier version gave the launch year as 2022; it was 2023.”', verbose_name='correction')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_default=django.db.models.functions.datetime.Now(), verbose_name='created')),
            ],
            options={
                'verbose_name': 'correction',
                'verbose_name_plural': 'corrections',
                'ordering': ['-corrected_on', '-id'],
            },
        ),
        migrations.AlterModelOptions(
            name='recordchange',
            options={'ordering': ['-changed_at', '-id'], 'verbose_name': 'record change', 'verbose_name_plural': 'record changes'},
        ),
        migrations.RemoveConstraint(
            model_name='recordchange',
            name='portal_recordchange_one_record',
        ),
        migrations.RemoveIndex(
            model_name='recordchange',
            name='portal_change_public_idx',
        ),
        migrations.RemoveIndex(
            model_name='recordchange',
            name='portal_change_type_idx',
        ),
        migrations.AddField(
            model_name='recordchange',
            name='listed',
            field=models.BooleanField(default=True, verbose_name='listed'),
        ),
        migrations.AddField(
            model_name='recordchange',
            name='note_en',
            field=models.CharField(blank=True, max_length=300, verbose_name='change note'),
        ),
        migrations.AddField(
            model_name='recordchange',
            name='note_zh_hant',
            field=models.CharField(blank=True, max_length=300, verbose_name='change note'),
        ),
        migrations.AddField(
            model_name='recordchange',
            name='summary',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='items', to='portal.recordchange', verbose_name='import'),
        ),
        migrations.AlterField(
            model_name='recordchange',
            name='kind',
            field=models.CharField(choices=[('added', 'Added'), ('changed', 'Changed'), ('published', 'Published'), ('first', 'First version in the history'), ('imported', 'Imported'), ('corrected', 'Corrected')], max_length=20, verbose_name='kind'),
        ),
        migrations.AddField(
            model_name='correction',
            name='article',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='corrections', to='portal.article'),
        ),
        migrations.AddField(
            model_name='correction',
            name='initiative',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='corrections', to='portal.initiative'),
        ),
        migrations.AddField(
            model_name='correction',
            name='milestone',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='corrections', to='portal.milestone'),
        ),
        migrations.AddField(
            model_name='correction',
            name='organisation',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='corrections', to='portal.organisation'),
        ),
        migrations.AddField(
            model_name='correction',
            name='sector',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='corrections', to='portal.sector'),
        ),
        migrations.AddField(
            model_name='recordchange',
            name='correction',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='change', to='portal.correction'),
        ),
        migrations.AddIndex(
            model_name='recordchange',
            index=models.Index(condition=models.Q(('listed', True), ('public', True)), fields=['-changed_at', '-id'], name='portal_change_listed_idx'),
        ),
        migrations.AddIndex(
            model_name='recordchange',
            index=models.Index(condition=models.Q(('listed', True), ('public', True)), fields=['record_type', '-changed_at', '-id'], name='portal_change_type_listed_idx'),
        ),
        migrations.AddIndex(
            model_name='recordchange',
            index=models.Index(condition=models.Q(('summary__isnull', False)), fields=['summary', '-id'], name='portal_change_import_idx'),
        ),
        migrations.AddConstraint(
            model_name='recordchange',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('article__isnull', False), ('initiative__isnull', True), ('milestone__isnull', True), ('organisation__isnull', True), ('sector__isnull', True)), models.Q(('article__isnull', True), ('initiative__isnull', False), ('milestone__isnull', True), ('organisation__isnull', True), ('sector__isnull', True)), models.Q(('article__isnull', True), ('initiative__isnull', True), ('milestone__isnull', True), ('organisation__isnull', False), ('sector__isnull', True)), models.Q(('article__isnull', True), ('initiative__isnull', True), ('milestone__isnull', True), ('organisation__isnull', True), ('sector__isnull', False)), models.Q(('article__isnull', True), ('initiative__isnull', True), ('milestone__isnull', False), ('organisation__isnull', True), ('sector__isnull', True)), models.Q(('article__isnull', True), ('initiative__isnull', True), ('kind', 'imported'), ('milestone__isnull', True), ('organisation__isnull', True), ('sector__isnull', True)), _connector='OR'), name='portal_recordchange_one_record'),
        ),
        migrations.AddIndex(
            model_name='correction',
            index=models.Index(fields=['-corrected_on', '-id'], name='portal_correction_date_idx'),
        ),
        migrations.AddConstraint(
            model_name='correction',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('article__isnull', False), ('initiative__isnull', True), ('milestone__isnull', True), ('organisation__isnull', True), ('sector__isnull', True)), models.Q(('article__isnull', True), ('initiative__isnull', False), ('milestone__isnull', True), ('organisation__isnull', True), ('sector__isnull', True)), models.Q(('article__isnull', True), ('initiative__isnull', True), ('milestone__isnull', True), ('organisation__isnull', False), ('sector__isnull', True)), models.Q(('article__isnull', True), ('initiative__isnull', True), ('milestone__isnull', True), ('organisation__isnull', True), ('sector__isnull', False)), models.Q(('article__isnull', True), ('initiative__isnull', True), ('milestone__isnull', False), ('organisation__isnull', True), ('sector__isnull', True)), _connector='OR'), name='portal_correction_one_record'),
        ),
        migrations.RunPython(bring_rows_in_line, migrations.RunPython.noop, elidable=True),
    ]
