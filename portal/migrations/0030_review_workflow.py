"""The review workflow (issue #20): an article's "in review" state and who submitted it, the
"needs review" flag on initiatives, organisations and milestones, and a publish date that stays
empty until an article is published or scheduled.

With review on (settings.REVIEW_REQUIRED), the Editor group loses the permission to publish,
which only Publishers keep (portal.roles); `manage.py setup_roles` does the same.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def editors_submit_for_review(apps, schema_editor):
    if not settings.REVIEW_REQUIRED:
        return
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    publish = Permission.objects.filter(
        content_type__app_label="portal", codename="publish_article"
    ).first()
    if publish is not None:
        for group in Group.objects.filter(name="Editor"):
            group.permissions.remove(publish)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("portal", "0029_window_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="review_comment",
            field=models.TextField(blank=True, editable=False, verbose_name="review comment"),
        ),
        migrations.AddField(
            model_name="article",
            name="submitted_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="submitted"
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="submitted_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="submitted by",
            ),
        ),
        migrations.AddField(
            model_name="initiative",
            name="needs_review",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="Changed by an Editor since a Publisher last checked it.",
                verbose_name="needs review",
            ),
        ),
        migrations.AddField(
            model_name="milestone",
            name="needs_review",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="Changed by an Editor since a Publisher last checked it.",
                verbose_name="needs review",
            ),
        ),
        migrations.AddField(
            model_name="organisation",
            name="needs_review",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="Changed by an Editor since a Publisher last checked it.",
                verbose_name="needs review",
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="publish_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When readers can first see a published article. A future date schedules it.",
                null=True,
                verbose_name="publish date",
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("in_review", "In review"),
                    ("published", "Published"),
                ],
                default="draft",
                max_length=20,
                verbose_name="status",
            ),
        ),
        migrations.AddConstraint(
            model_name="article",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "published"), _negated=True),
                    ("publish_at__isnull", False),
                    _connector="OR",
                ),
                name="portal_article_published_has_date",
                violation_error_message="A published article needs a publish date.",
            ),
        ),
        migrations.RunPython(editors_submit_for_review, migrations.RunPython.noop),
    ]
