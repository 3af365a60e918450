"""Every detail page says when it last changed and when its sources were checked, and offers a
citation as text and as BibTeX, RIS and CSL-JSON downloads that maintained readers parse."""

import datetime
import json

import bibtexparser
import rispy
import time_machine
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as citeproc_formatter
from citeproc.source.json import CiteProcJSON
from django.test import TestCase

from portal.models import Article
from tests.factories import (
    NOW,
    make_article,
    make_initiative,
    make_organisation,
    make_sector,
    make_source,
)

TODAY = datetime.date(2026, 11, 25)
UPDATED = datetime.datetime(2026, 3, 3, 9, 0, tzinfo=datetime.UTC)


@time_machine.travel(NOW, tick=False)
class CitationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        with time_machine.travel(UPDATED, tick=False):
            cls.initiative = make_initiative(
                slug="innohk", name="InnoHK Research Clusters & Labs", name_zh_hant="創新香港"
            )
            cls.initiative.sources.add(
                make_source(accessed=datetime.date(2026, 1, 5)),
                make_source(accessed=datetime.date(2026, 2, 9)),
                # Sources made before access dates were required may have none.
                make_source(accessed=None),
            )
            cls.article = make_article(
                slug="story", title="A story", byline="Jane Chan", publish_at=UPDATED
            )
            cls.organisation = make_organisation(slug="org")
            cls.sector = make_sector(slug="health")

    def test_detail_pages_show_last_updated_sources_checked_and_a_citation(self):
        for url in (
            "/initiatives/innohk/",
            "/articles/story/",
            "/organisations/org/",
            "/sectors/health/",
        ):
            with self.subTest(url):
                response = self.client.get(url)
                self.assertContains(response, "Last updated")
                self.assertContains(response, '<time datetime="2026-03-03T')
                self.assertContains(response, "Cite this page")
                self.assertContains(
                    response, f"Retrieved November 25, 2026, from http://testserver{url}"
                )
                for ending in ("bib", "ris", "json"):
                    self.assertContains(response, f'href="{url}cite.{ending}"')
                self.assertContains(response, f'href="{url}changes.atom"')

    def test_sources_checked_names_the_oldest_check(self):
        response = self.client.get("/initiatives/innohk/")
        self.assertContains(response, "Sources checked on")
        self.assertContains(response, '<time datetime="2026-01-05">5 January 2026</time>')
        self.assertContains(
            response, "the oldest check of 2 sources; the newest was on 9 February 2026"
        )
        self.assertNotContains(self.client.get("/organisations/org/"), "Sources checked on")

    def test_apa_text_names_author_date_title_site_and_address(self):
        response = self.client.get("/articles/story/")
        self.assertContains(
            response,
            "Jane Chan. (2026, March 3). A story. HKAI Portal. Retrieved November 25, 2026, "
            "from http://testserver/articles/story/",
        )
        response = self.client.get("/initiatives/innohk/")
        self.assertContains(response, "HKAI Portal editors. (2026, March 3). InnoHK Research")

    def test_ris_parses_with_rispy(self):
        response = self.client.get("/initiatives/innohk/cite.ris")
        self.assertEqual(
            response["Content-Type"], "application/x-research-info-systems; charset=utf-8"
        )
        self.assertIn('filename="hkai-initiative-innohk.ris"', response["Content-Disposition"])
        (entry,) = rispy.loads(response.content.decode())
        self.assertEqual(entry["type_of_reference"], "ELEC")
        self.assertEqual(entry["title"], "InnoHK Research Clusters & Labs")
        self.assertEqual(entry["urls"], ["http://testserver/initiatives/innohk/"])
        self.assertEqual(entry["authors"], ["HKAI Portal editors"])
        self.assertEqual((entry["date"], entry["access_date"]), ("2026/03/03", "2026/11/25"))

    def test_bibtex_parses_with_bibtexparser(self):
        response = self.client.get("/initiatives/innohk/cite.bib")
        library = bibtexparser.parse_string(response.content.decode())
        self.assertEqual(library.failed_blocks, [])
        (entry,) = library.entries
        fields = {key: field.value for key, field in entry.fields_dict.items()}
        self.assertEqual(entry.key, "hkai-initiative-innohk")
        # LaTeX's special characters are escaped, so the entry compiles.
        self.assertEqual(fields["title"], r"InnoHK Research Clusters \& Labs")
        self.assertEqual(fields["url"], "http://testserver/initiatives/innohk/")
        self.assertEqual(fields["author"], "{HKAI Portal editors}")
        self.assertEqual((fields["date"], fields["urldate"]), ("2026-03-03", "2026-11-25"))

    def test_csl_json_reads_with_citeproc_py_and_formats_a_reference(self):
        response = self.client.get("/articles/story/cite.json")
        self.assertEqual(
            response["Content-Type"], "application/vnd.citationstyles.csl+json; charset=utf-8"
        )
        data = json.loads(response.content)
        source = CiteProcJSON(data)
        reference = source["hkai-article-story"]
        self.assertEqual(str(reference["title"]), "A story")
        self.assertIn("http://testserver/articles/story/", reference["URL"])
        self.assertEqual(data[0]["type"], "webpage")
        self.assertEqual(data[0]["container-title"], "HKAI Portal")
        self.assertEqual(data[0]["author"], [{"literal": "Jane Chan"}])
        self.assertEqual(data[0]["issued"], {"date-parts": [[2026, 3, 3]]})
        self.assertEqual(data[0]["accessed"], {"date-parts": [[2026, 11, 25]]})

        style = CitationStylesStyle("harvard-cite-them-right", validate=False)
        bibliography = CitationStylesBibliography(style, source, citeproc_formatter.plain)
        bibliography.register(Citation([CitationItem("hkai-article-story")]))
        (text,) = [str(item) for item in bibliography.bibliography()]
        self.assertIn("A story", text)
        self.assertIn("http://testserver/articles/story/", text)

    def test_chinese_pages_cite_the_chinese_title_and_address(self):
        response = self.client.get("/zh-hant/initiatives/innohk/cite.ris")
        (entry,) = rispy.loads(response.content.decode())
        self.assertEqual(entry["title"], "創新香港")
        self.assertEqual(entry["urls"], ["http://testserver/zh-hant/initiatives/innohk/"])
        data = json.loads(self.client.get("/zh-hant/initiatives/innohk/cite.json").content)
        self.assertEqual(data[0]["language"], "zh-Hant")
        self.assertContains(self.client.get("/zh-hant/initiatives/innohk/"), "創新香港")

    def test_unknown_formats_drafts_and_scheduled_articles_are_not_found(self):
        make_article(slug="draft", status=Article.Status.DRAFT)
        make_article(slug="later", publish_at=NOW + datetime.timedelta(days=1))
        for url in (
            "/initiatives/innohk/cite.xml",
            "/initiatives/nothing/cite.bib",
            "/articles/draft/cite.bib",
            "/articles/later/cite.json",
            "/articles/draft/changes.atom",
        ):
            with self.subTest(url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_a_citation_download_runs_a_fixed_number_of_queries(self):
        # The content state, the item, its newest version (whose permanent address it cites).
        with self.assertNumQueries(3):
            self.client.get("/initiatives/innohk/cite.bib")

    def test_the_accessed_date_follows_the_day_even_from_the_page_cache(self):
        first = self.client.get("/initiatives/innohk/")
        self.assertContains(first, "Retrieved November 25, 2026")
        with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
            second = self.client.get("/initiatives/innohk/", HTTP_IF_NONE_MATCH=first["ETag"])
            self.assertEqual(second.status_code, 200)
            self.assertContains(second, "Retrieved November 26, 2026")
