"""The portal's small template filters: dates as <time> elements, relation names, lists."""

import datetime

from django.test import TestCase
from django.utils import translation

from portal.templatetags.portal_tags import as_time, join_list, names
from tests.factories import make_article, make_sector


class AsTimeTests(TestCase):
    def test_a_moment_in_the_site_time_zone_in_each_language(self):
        moment = datetime.datetime(2024, 3, 31, 20, 30, tzinfo=datetime.UTC)  # 1 April in HK
        with translation.override("en"):
            self.assertHTMLEqual(
                as_time(moment), '<time datetime="2024-04-01T04:30:00+08:00">1 April 2024</time>'
            )
        with translation.override("zh-hant"):
            self.assertIn(">2024年4月1日</time>", as_time(moment))

    def test_the_machine_readable_time_stops_at_the_second(self):
        # HTML allows at most three digits of a second's fraction; Python writes six.
        moment = datetime.datetime(2024, 4, 1, 4, 30, 15, 55170, tzinfo=datetime.UTC)
        self.assertIn('datetime="2024-04-01T12:30:15+08:00"', as_time(moment))

    def test_no_date_no_element(self):
        self.assertEqual(as_time(None), "")


class NamesTests(TestCase):
    def test_names_in_the_page_language_with_english_stand_ins_marked(self):
        article = make_article()
        article.sectors.set(
            [
                make_sector(name_en="Finance", name_zh_hant="金融", slug="finance"),
                make_sector(name_en="Law <& courts>", name_zh_hant="", slug="law"),
            ]
        )
        with translation.override("en"):
            self.assertEqual(names(article, "sectors"), "Finance, Law &lt;&amp; courts&gt;")
        with translation.override("zh-hant"):
            self.assertEqual(
                names(article, "sectors"), '金融、<span lang="en">Law &lt;&amp; courts&gt;</span>'
            )

    def test_a_list_joined_in_the_page_language(self):
        with translation.override("en"):
            self.assertEqual(join_list(["CSV", "<JSON>"]), "CSV, &lt;JSON&gt;")
        with translation.override("zh-hant"):
            self.assertEqual(join_list(["醫療", "教育"]), "醫療、教育")
