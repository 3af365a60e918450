"""Translated text fields: each English column keeps its data under a new name (name -> name_en);
0006 adds the Traditional Chinese columns."""

from django.db import migrations

RENAMED = {
    "sector": ["name", "summary", "description"],
    "organisation": ["name", "short_name", "description"],
    "initiative": ["name", "short_name", "summary", "description"],
    "article": ["title", "summary", "body"],
}


class Migration(migrations.Migration):
    dependencies = [("portal", "0004_editorial")]

    operations = [
        migrations.RenameField(model, field, f"{field}_en")
        for model, fields in RENAMED.items()
        for field in fields
    ]
