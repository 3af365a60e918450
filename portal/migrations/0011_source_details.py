"""Sources: the type of publisher and an optional archived copy; title, publisher, type and
access date become required in forms and fixtures. Rows saved before keep an empty type (and
may keep an empty date) until an editor fills them in: no value is made up for them.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0010_search_heading'),
    ]

    operations = [
        migrations.AddField(
            model_name='source',
            name='archive_url',
            field=models.URLField(blank=True, help_text='Optional: the address of an archived copy of the page (e.g. in the Wayback Machine), for when the original changes or disappears.', max_length=500, verbose_name='archived copy'),
        ),
        migrations.AddField(
            model_name='source',
            name='publisher_type',
            field=models.CharField(choices=[('government', 'Government'), ('statutory', 'Statutory body'), ('university', 'University'), ('research', 'Research centre'), ('company', 'Company'), ('news', 'News'), ('law_consulting', 'Law or consulting firm'), ('encyclopaedia', 'Encyclopaedia'), ('other', 'Other')], default='', help_text='What kind of body the publisher is; readers filter the sources by it.', max_length=20, verbose_name='type of publisher'),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name='source',
            name='accessed',
            field=models.DateField(help_text='When an editor last checked that the page says what we cite it for.', null=True, verbose_name='accessed on'),
        ),
        migrations.AlterField(
            model_name='source',
            name='publisher',
            field=models.CharField(help_text="Who published the page, e.g. 'Hong Kong Monetary Authority'.", max_length=200, verbose_name='publisher'),
        ),
        migrations.AlterField(
            model_name='source',
            name='title',
            field=models.CharField(help_text="The page's own title, as the page shows it.", max_length=300, verbose_name='title'),
        ),
        migrations.AlterField(
            model_name='source',
            name='url',
            field=models.URLField(help_text="The full address of the original page that states the fact: the publisher's own site, not a mirror, a document-sharing site or an address made of numbers.", max_length=500, unique=True, verbose_name='address'),
        ),
        migrations.AddIndex(
            model_name='source',
            index=models.Index(fields=['publisher', 'title'], name='portal_source_publisher_idx'),
        ),
        migrations.AddIndex(
            model_name='source',
            index=models.Index(fields=['publisher_type', 'publisher', 'title'], name='portal_source_type_idx'),
        ),
    ]
