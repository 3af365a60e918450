"""A funding scheme's terms on initiatives (issue #21): amount, who may apply, how to apply,
the application window and whether applications are open, each with the source that states it."""

import django.db.models.deletion
import portal.records.schemes
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0027_source_checks_and_admin_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='initiative',
            name='amount',
            field=models.PositiveBigIntegerField(blank=True, help_text='The sum in whole units of the currency, e.g. 3000000000 for HK$3 billion.', null=True, verbose_name='amount'),
        ),
        migrations.AddField(
            model_name='initiative',
            name='amount_basis',
            field=models.CharField(blank=True, choices=[('total', "the scheme's budget"), ('per-grant', 'the most per grant'), ('each', 'the sum each successful applicant gets')], help_text="Whether the amount is the scheme's whole budget or the most one grant gets.", max_length=20, verbose_name='amount is'),
        ),
        migrations.AddField(
            model_name='initiative',
            name='amount_currency',
            field=models.CharField(blank=True, choices=[('HKD', 'Hong Kong dollars'), ('CNY', 'Renminbi'), ('USD', 'US dollars')], max_length=3, verbose_name='currency'),
        ),
        migrations.AddField(
            model_name='initiative',
            name='amount_source',
            field=models.ForeignKey(blank=True, help_text="The source, among this initiative's sources, that states the amount.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='stated_amounts', to='portal.source', verbose_name='amount stated by'),
        ),
        migrations.AddField(
            model_name='initiative',
            name='amount_years',
            field=models.PositiveSmallIntegerField(blank=True, help_text='The period the amount covers, if the source gives one.', null=True, verbose_name='over how many years'),
        ),
        migrations.AddField(
            model_name='initiative',
            name='applicants',
            field=portal.records.schemes.ApplicantsField(blank=True, help_text='Only the groups a source names as eligible.', verbose_name='who may apply'),
        ),
        migrations.AddField(
            model_name='initiative',
            name='applicants_source',
            field=models.ForeignKey(blank=True, help_text="The source, among this initiative's sources, that says who may apply.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='stated_applicants', to='portal.source', verbose_name='who may apply stated by'),
        ),
        migrations.AddField(
            model_name='initiative',
            name='apply_url',
            field=models.URLField(blank=True, help_text='The page that explains how to apply.', max_length=300, verbose_name='how to apply'),
        ),
        migrations.AddField(
            model_name='initiative',
            name='intake',
            field=models.CharField(blank=True, choices=[('open', 'Open'), ('closed', 'Closed')], help_text='Open or closed, as a source last confirmed it; blank if none says.', max_length=10, verbose_name='applications'),
        ),
        migrations.AddField(
            model_name='initiative',
            name='intake_as_of',
            field=models.DateField(blank=True, help_text='The date of the page that confirmed whether applications are open.', null=True, verbose_name='applications as of'),
        ),
        migrations.AddField(
            model_name='initiative',
            name='intake_source',
            field=models.ForeignKey(blank=True, help_text="The source, among this initiative's sources, that says so.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='confirmed_intakes', to='portal.source', verbose_name='applications confirmed by'),
        ),
        migrations.AddField(
            model_name='initiative',
            name='rolling',
            field=models.BooleanField(default=False, help_text='Applications are taken at any time, with no closing date.', verbose_name='rolling applications'),
        ),
        migrations.AddField(
            model_name='initiative',
            name='window_closes',
            field=models.DateField(blank=True, help_text='The last day applications are taken, as the source gives it.', null=True, verbose_name='applications close'),
        ),
        migrations.AddField(
            model_name='initiative',
            name='window_opens',
            field=models.DateField(blank=True, null=True, verbose_name='applications open'),
        ),
        migrations.AddConstraint(
            model_name='initiative',
            constraint=models.CheckConstraint(condition=models.Q(('intake_source__isnull', True), ('intake_as_of__isnull', False), _connector='OR'), name='portal_initiative_intake_source_has_date', violation_error_message='Give the date on which the source confirmed whether applications are open.'),
        ),
        migrations.AddConstraint(
            model_name='initiative',
            constraint=models.CheckConstraint(condition=models.Q(('window_opens__isnull', True), ('window_closes__isnull', True), ('window_closes__gte', models.F('window_opens')), _connector='OR'), name='portal_initiative_window_closes_after_opening', violation_error_message='Applications cannot close before they open.'),
        ),
        migrations.AddConstraint(
            model_name='initiative',
            constraint=models.CheckConstraint(condition=models.Q(('amount__isnull', True), models.Q(('amount_currency', ''), _negated=True), _connector='OR'), name='portal_initiative_amount_has_currency', violation_error_message='Give the currency of the amount.'),
        ),
    ]
