"""The home page leads to the lists behind it (issue #21): each headline figure and each bar
of the chart equals the count of the page it links to, on the real content; the latest
changes come from the change log; the Chinese home reads as Chinese."""

import datetime
import os
import re
from html import unescape

import time_machine
from django.core.management import call_command
from django.test import TestCase

from portal.models import Initiative, RecordChange
from tests.browser import FIXTURE_FILES
from tests.factories import NOW, make_initiative, make_organisation, make_sector


def links(content):
    """Every href of a page, unescaped, in order."""
    return [unescape(href) for href in re.findall(r'href="([^"]*)"', content)]


class HomeOnTheRealContentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        with open(os.devnull, "w") as quiet:
            call_command("import_content", *FIXTURE_FILES, stdout=quiet)

    def test_each_headline_figure_equals_the_count_of_the_list_it_links_to(self):
        for home in ("/", "/zh-hant/"):
            response = self.client.get(home)
            figures = response.context["figures"]
            self.assertEqual(len(figures), 6)
            hrefs = links(response.content.decode())
            for figure in figures:
                with self.subTest(home=home, figure=figure.label):
                    self.assertIn(figure.url, hrefs)
                    self.assertGreater(figure.count, 0)
                    listed = self.client.get(figure.url)
                    self.assertEqual(listed.status_code, 200)
                    self.assertEqual(listed.context["result_count"], figure.count)
                    self.assertContains(
                        response,
                        f'<span class="figure-count">{figure.count}</span>',
                    )

    def test_the_figures_count_what_their_labels_say(self):
        figures = {f.label: f for f in self.client.get("/").context["figures"]}
        self.assertEqual(figures["initiatives"].count, Initiative.objects.count())
        self.assertEqual(
            figures["funding schemes"].count,
            Initiative.objects.filter(kind=Initiative.Kind.FUNDING).count(),
        )
        self.assertEqual(figures["funding schemes"].url, "/initiatives/?kind=funding")
        self.assertEqual(figures["regulations and guidelines"].url, "/initiatives/?kind=regulation")
        self.assertEqual(figures["research centres"].url, "/organisations/?kind=research_centre")

    def test_each_bar_links_to_exactly_the_initiatives_it_counts(self):
        response = self.client.get("/")
        hrefs = links(response.content.decode())
        bars = response.context["chart"].bars
        self.assertGreater(len(bars), 5)
        for bar in bars:
            with self.subTest(year=bar.label):
                url = f"/initiatives/?started_from={bar.label}&started_to={bar.label}"
                # The bar and its row in the table.
                self.assertEqual(hrefs.count(url), 2)
                listed = self.client.get(url + "&page_size=100")
                self.assertEqual(listed.context["result_count"], bar.value)
                self.assertEqual(
                    {row.pk for row in listed.context["object_list"]},
                    set(
                        Initiative.objects.filter(start_year=int(bar.label)).values_list(
                            "pk", flat=True
                        )
                    ),
                )


@time_machine.travel(NOW, tick=False)
class LatestChangesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_sector(name="Healthcare", name_zh_hant="醫療", slug="healthcare")
        cls.lead = make_organisation(name="Hospital Authority", name_zh_hant="醫院管理局")
        cls.initiatives = [
            make_initiative(name=f"Scheme {n}", name_zh_hant=f"計劃{n}", slug=f"scheme-{n}")
            for n in range(7)
        ]
        for n, initiative in enumerate(cls.initiatives):
            RecordChange.objects.create(
                record_type="initiative",
                initiative=initiative,
                kind=RecordChange.Kind.CHANGED,
                via=RecordChange.Via.EDITOR,
                changed_at=NOW - datetime.timedelta(days=n),
                lines=[],
            )
        # Not for readers: never on the home page.
        RecordChange.objects.create(
            record_type="organisation",
            organisation=cls.lead,
            kind=RecordChange.Kind.CHANGED,
            via=RecordChange.Via.EDITOR,
            changed_at=NOW,
            lines=[],
            public=False,
        )

    def test_the_five_newest_public_changes_newest_first_with_their_dates(self):
        response = self.client.get("/")
        content = response.content.decode()
        self.assertEqual(
            re.findall(r'<a href="/initiatives/(scheme-\d)/">', content),
            [f"scheme-{n}" for n in range(5)],
        )
        self.assertContains(response, '<time datetime="2026-11-25T20:00:00+08:00">')
        self.assertContains(response, "25 November 2026")
        self.assertContains(response, "21 November 2026")
        self.assertNotContains(response, "20 November 2026")
        self.assertNotContains(response, "Hospital Authority")
        self.assertContains(response, '<a href="/changes/">All changes</a>', html=True)

    def test_the_chinese_home_reads_as_chinese(self):
        response = self.client.get("/zh-hant/")
        for text in (
            "<h1>香港的人工智能</h1>",
            "從這裏開始",
            "數字一覽",
            "最新更改",
            "2026年11月25日",
            "項措施",
            "計劃0",
        ):
            self.assertContains(response, text)
        self.assertContains(response, '<a href="/zh-hant/sectors/healthcare/">醫療</a>', html=True)
        self.assertNotContains(response, "November")
