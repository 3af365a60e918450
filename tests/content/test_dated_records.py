"""Statuses, sources and milestones say when: what readers and editors see of the dates
that issue #17 added (status as of, publication dates, planned milestones), and names with
no official Chinese form."""

import datetime

from django.contrib.auth import get_user_model
from django.test import TestCase

from portal.models import Initiative, Milestone, Source
from tests.factories import make_initiative, make_milestone, make_organisation, make_source


class StatusAsOfTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.source = make_source(title="LegCo reply on the institute")
        cls.initiative = make_initiative(
            status=Initiative.Status.ACTIVE,
            status_as_of=datetime.date(2026, 3, 12),
            status_source=cls.source,
        )
        cls.initiative.sources.add(cls.source)

    def test_the_page_says_when_and_links_the_source_that_confirmed_it(self):
        response = self.client.get(self.initiative.get_absolute_url())
        self.assertContains(
            response,
            "Active, as of 12 March 2026"
            f'<sup class="footnote-ref"><a href="#source-{self.source.pk}" '
            'aria-describedby="sources-heading">[1]</a></sup>',
            html=True,
        )
        self.assertContains(response, f'id="source-{self.source.pk}"')

    def test_the_chinese_page_says_it_in_chinese(self):
        response = self.client.get("/zh-hant" + self.initiative.get_absolute_url())
        self.assertContains(response, "截至2026年3月12日")

    def test_a_status_without_a_date_shows_no_date(self):
        undated = make_initiative()
        response = self.client.get(undated.get_absolute_url())
        self.assertNotContains(response, "as of")

    def test_a_source_without_the_date_it_confirmed_is_refused(self):
        from django.db import IntegrityError, transaction

        with self.assertRaises(IntegrityError), transaction.atomic():
            make_initiative(status_source=self.source)


class PublicationDateTests(TestCase):
    def test_sources_show_their_date_as_precisely_as_the_page_gives_it(self):
        day = make_source(published=datetime.date(2025, 2, 26), published_precision="day")
        month = make_source(published=datetime.date(2024, 8, 1), published_precision="month")
        undated = make_source()
        self.assertEqual(
            [day.published_label, month.published_label, undated.published_label],
            ["26 February 2025", "August 2024", "n.d."],
        )

    def test_the_sources_page_and_a_records_source_list_show_them(self):
        source = make_source(published=datetime.date(2025, 2, 26), published_precision="day")
        organisation = make_organisation()
        organisation.sources.add(source, make_source())
        for url in ("/sources/", organisation.get_absolute_url()):
            response = self.client.get(url)
            with self.subTest(url=url):
                self.assertContains(response, "26 February 2025")
                self.assertContains(response, "n.d.")

    def test_a_date_must_match_its_precision(self):
        from django.db import IntegrityError, transaction

        with self.assertRaises(IntegrityError), transaction.atomic():
            make_source(published=datetime.date(2024, 8, 5), published_precision="month")
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_source(published=datetime.date(2024, 8, 1), published_precision="")


class PlannedMilestoneTests(TestCase):
    def test_a_planned_milestone_is_marked_on_the_timeline_and_its_page(self):
        planned = make_milestone(title="Trial to start", planned=True)
        done = make_milestone(title="Trial started")
        for url in ("/timeline/", planned.get_absolute_url()):
            with self.subTest(url=url):
                self.assertContains(self.client.get(url), "<strong>Planned</strong>", html=True)
        self.assertNotContains(
            self.client.get(done.get_absolute_url()), "<strong>Planned</strong>", html=True
        )
        self.assertEqual(Milestone.objects.filter(planned=True).count(), 1)


class EditorTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = get_user_model().objects.create_superuser("chief", "c@example.org", "x")

    def setUp(self):
        self.client.force_login(self.user)

    def test_the_forms_offer_the_new_fields(self):
        forms = {
            "/admin/portal/initiative/add/": ["status_as_of", "status_source", "english_name_only"],
            "/admin/portal/organisation/add/": ["english_name_only"],
            "/admin/portal/source/add/": ["published", "published_precision"],
            "/admin/portal/milestone/add/": ["planned"],
        }
        for url, fields in forms.items():
            response = self.client.get(url)
            for name in fields:
                with self.subTest(url=url, field=name):
                    self.assertContains(response, f'name="{name}"')

    def test_a_name_with_no_chinese_form_is_not_listed_as_missing_a_translation(self):
        english_only = make_organisation(name="SmartMore", english_name_only=True)
        waiting = make_organisation(name="Some Laboratory")
        for obj in (english_only, waiting):
            obj.name_zh_hant = ""
            obj.summary_en = obj.description_en = ""
            obj.save()
        response = self.client.get("/admin/portal/organisation/?translation=missing")
        self.assertContains(response, "Some Laboratory")
        self.assertNotContains(response, "SmartMore")
        self.assertTrue(Source.objects.count() == 0)
