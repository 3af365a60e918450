"""Sources: what `manage.py check_sources` last found at each address. Articles: the indexes
that the admin's change list reads its pages from, in each order it sorts by."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0026_notes_corrections_imports"),
    ]

    operations = [
        migrations.AddField(
            model_name="source",
            name="check_final_url",
            field=models.URLField(
                blank=True,
                editable=False,
                help_text="Where the address led at the last check, when it redirected elsewhere.",
                max_length=500,
                verbose_name="redirected to",
            ),
        ),
        migrations.AddField(
            model_name="source",
            name="check_result",
            field=models.CharField(
                blank=True,
                choices=[
                    ("ok", "Answers"),
                    ("moved", "Redirects elsewhere"),
                    ("gone", "Gone (404 or 410)"),
                    ("failed", "Answers with an error"),
                    ("unreachable", "No answer (timeout or connection error)"),
                    ("disallowed", "Not checked: robots.txt disallows it"),
                ],
                editable=False,
                help_text="What the last check of the address found; blank if never checked.",
                max_length=12,
                verbose_name="check result",
            ),
        ),
        migrations.AddField(
            model_name="source",
            name="check_status",
            field=models.PositiveSmallIntegerField(
                blank=True, editable=False, null=True, verbose_name="HTTP status"
            ),
        ),
        migrations.AddField(
            model_name="source",
            name="checked_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="last checked"
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["publish_at", "id"], name="portal_article_admin_date_idx"),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["updated_at", "id"], name="portal_article_admin_edit_idx"),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["title_en", "-publish_at", "-id"], name="portal_article_admin_title_idx"),
        ),
    ]
