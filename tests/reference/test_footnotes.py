"""Footnotes that cite an item's own sources: how they render, how they are checked, and that
the importer, the admin and the shipped fixtures all keep to them."""

import io
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.urls import reverse

from portal.models import Initiative, Organisation
from portal.reference.footnotes import (
    cited_fields,
    find_footnotes,
    footnote_problems,
    without_footnotes,
)
from portal.reference.markdown import render_markdown
from portal.reference.numbering import References, letters
from tests.content_files import SOURCE, record, snapshot, valid_records, write_json
from tests.factories import make_initiative, make_organisation, make_source
from tests.test_fixtures import FIXTURE_FILES

OTHER = "https://www.info.gov.hk/gia/general/202410/16/P2024101600254.htm"


def cited(text, *labels_and_urls):
    """`text` followed by one definition line per (label, url)."""
    return text + "\n\n" + "\n".join(f"[^{label}]: {url}" for label, url in labels_and_urls)


class RenderingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.hkma = make_source(url=SOURCE, title="News", publisher="Hong Kong Monetary Authority")
        cls.press = make_source(url=OTHER, title="Policy Address")
        cls.unused = make_source(title="Never cited")

    def render(self, text, id_prefix=""):
        """(html, References) of `text` citing the three sources, listed in creation order."""
        references = References([self.hkma, self.press, self.unused], id_prefix=id_prefix)
        return str(render_markdown(text, references=references)), references

    def test_sources_are_numbered_in_order_of_first_use_the_same_number_each_time(self):
        html, references = self.render(
            cited(
                "One.[^pa] Two.[^hkma] Three.[^again]",
                ("hkma", SOURCE),
                ("pa", OTHER),
                ("again", OTHER),
            )
        )
        self.assertEqual(
            re.findall(r'<sup class="footnote-ref"><a [^>]*>\[(\d)\]</a>', html), list("121")
        )
        self.assertEqual(
            [(e.number, e.source) for e in references.entries],
            [(1, self.press), (2, self.hkma), (3, self.unused)],
        )
        # One reference list for the page: no notes of the text's own.
        self.assertNotIn("<section", html)
        self.assertNotIn("<li", html)

    def test_a_marker_links_to_its_source_and_is_lettered_for_the_back_links(self):
        html, references = self.render(cited("A.[^h] B.[^h] C.[^p]", ("h", SOURCE), ("p", OTHER)))
        self.assertInHTML(
            f'<sup class="footnote-ref"><a href="#source-{self.hkma.pk}" id="cite-1a" '
            'aria-describedby="sources-heading" rel="noopener noreferrer">[1]</a></sup>',
            html,
        )
        self.assertIn('id="cite-1b"', html)
        self.assertIn('id="cite-2a"', html)
        first = references.entries[0]
        self.assertEqual(first.citations, [("cite-1a", "a"), ("cite-1b", "b")])
        self.assertEqual(references.entries[2].citations, [])

    def test_letters_go_on_past_z(self):
        self.assertEqual(
            [letters(n) for n in (0, 1, 25, 26, 27, 701, 702)],
            ["a", "b", "z", "aa", "ab", "zz", "aaa"],
        )

    def test_a_prefix_keeps_two_lists_on_one_page_apart(self):
        first, _ = self.render(cited("A.[^h]", ("h", SOURCE)), id_prefix="preview_en-")
        second, _ = self.render(cited("B.[^h]", ("h", SOURCE)), id_prefix="preview_zh_hant-")
        self.assertIn(f'href="#preview_en-source-{self.hkma.pk}"', first)
        self.assertIn('aria-describedby="preview_en-sources-heading"', first)
        ids = re.findall(r'id="([^"]+)"', first) + re.findall(r'id="([^"]+)"', second)
        self.assertEqual(ids, ["preview_en-cite-1a", "preview_zh_hant-cite-1a"])

    def test_the_sanitiser_keeps_footnotes_but_still_strips_scripts_and_bad_links(self):
        html, _ = self.render(
            cited(
                'A.[^h] <script>alert(1)</script> [x](javascript:alert(1)) <a id="cite-9a" '
                'onclick="alert(1)">y</a> [y](#elsewhere)',
                ("h", SOURCE),
            )
        )
        self.assertNotIn("<script", html)
        self.assertNotIn('href="javascript', html)
        self.assertNotIn("<a id=", html)
        self.assertNotIn('href="#elsewhere"', html)
        self.assertIn('<sup class="footnote-ref">', html)

    def test_a_note_naming_no_source_of_the_item_gets_an_entry_showing_the_address(self):
        html, references = self.render(
            cited("A.[^x] B.[^h]", ("x", "https://elsewhere.example/<b>"), ("h", SOURCE))
        )
        self.assertIn('href="#source-missing-1"', html)
        entry = references.entries[0]
        self.assertEqual(
            (entry.number, entry.source, entry.url), (1, None, "https://elsewhere.example/<b>")
        )
        self.assertEqual(references.entries[1].source, self.hkma)

    def test_a_marker_without_definition_stays_text_and_inline_notes_are_off(self):
        html, references = self.render("A.[^missing] B.^[inline note]")
        self.assertIn("A.[^missing] B.^[inline note]", html)
        self.assertNotIn("footnote", html)
        self.assertEqual([e.cited for e in references.entries], [False] * 3)

    def test_plain_text_uses_drop_markers_and_definitions(self):
        text = cited("Banks test AI.[^h] Since 2024.[^h]", ("h", SOURCE))
        self.assertEqual(without_footnotes(text), "Banks test AI. Since 2024.")


class ValidationTests(TestCase):
    def test_footnotes_are_found_in_order_with_their_definitions(self):
        notes = find_footnotes(cited("A.[^b] B.[^a] C.[^b]", ("a", SOURCE), ("b", OTHER)))
        self.assertEqual(notes.references, ["b", "a"])
        self.assertEqual(notes.definitions, {"a": SOURCE, "b": OTHER})

    def test_a_correct_text_has_no_problems(self):
        self.assertEqual(footnote_problems(cited("A.[^a]", ("a", SOURCE)), [SOURCE]), [])
        self.assertEqual(footnote_problems("No notes at all.", []), [])

    def test_each_kind_of_mistake_is_named(self):
        cases = {
            "marker without definition": (
                "A.[^a] B.[^b]\n\n[^a]: " + SOURCE,
                'footnote [^b] has no definition; add a line "[^b]: <the address of one of '
                "this record's sources>\" at the end",
            ),
            "definition never referred to": (
                cited("A.[^a]", ("a", SOURCE), ("b", SOURCE)),
                "footnote [^b] is defined but never referred to",
            ),
            "not one of the sources": (
                cited("A.[^x]", ("x", OTHER)),
                f"footnote [^x] names {OTHER} which is not one of this record's sources",
            ),
            "defined twice": (
                cited("A.[^a]", ("a", SOURCE), ("a", SOURCE)),
                "footnote [^a] is defined more than once",
            ),
            "empty definition": (
                "A.[^a]\n\n[^a]:\n",
                "footnote [^a] names no source",
            ),
        }
        for name, (text, expected) in cases.items():
            with self.subTest(name):
                self.assertEqual(footnote_problems(text, [SOURCE]), [expected])

    def test_an_address_is_compared_as_written(self):
        url = "https://example.org/a_b_c*d"
        self.assertEqual(footnote_problems(cited("A.[^a]", ("a", url)), [url]), [])
        self.assertNotEqual(footnote_problems(cited("A.[^a]", ("a", url + "/")), [url]), [])

    def test_descriptions_and_bodies_are_the_cited_fields(self):
        self.assertEqual(cited_fields(Initiative), ("description_en", "description_zh_hant"))
        self.assertEqual(cited_fields(Organisation), ("description_en", "description_zh_hant"))


class ImportTests(TestCase):
    @pytest.fixture(autouse=True)
    def _tmp_path(self, tmp_path):
        self.tmp = tmp_path

    def records(self, description):
        records = valid_records()
        records.insert(
            1,
            record(
                "source",
                url=OTHER,
                title="Policy Address",
                publisher="Hong Kong SAR Government",
                publisher_type="government",
                accessed="2026-11-30",
            ),
        )
        records[4]["fields"]["description_en"] = description  # the initiative
        return records

    def test_footnotes_naming_the_records_sources_are_imported(self):
        path = write_json(self.tmp, "good.json", self.records(cited("Sandbox.[^s]", ("s", SOURCE))))
        call_command("import_content", str(path), stdout=io.StringIO())
        self.assertIn("[^s]: " + SOURCE, Initiative.objects.get().description_en)

    def test_a_footnote_naming_no_source_of_the_record_is_refused_with_file_record_and_field(self):
        call_command(
            "import_content",
            str(write_json(self.tmp, "first.json", valid_records())),
            stdout=io.StringIO(),
        )
        before = snapshot(self.tmp / "before")
        # OTHER is a source in the input, but not one of this initiative's sources.
        path = write_json(
            self.tmp, "40_initiatives.json", self.records(cited("Sandbox.[^pa]", ("pa", OTHER)))
        )
        err = io.StringIO()
        with self.assertRaises(CommandError) as caught:
            call_command("import_content", str(path), stdout=io.StringIO(), stderr=err)
        self.assertIn("nothing was imported", str(caught.exception))
        self.assertIn(
            f"{path}, record 5, portal.initiative 'genai-sandbox', field 'description_en': "
            f"footnote [^pa] names {OTHER} which is not one of this record's sources",
            err.getvalue(),
        )
        self.assertEqual(snapshot(self.tmp / "after"), before)

    def test_every_kind_of_mistake_is_refused(self):
        for text in [
            "A.[^a]",
            cited("A.", ("a", SOURCE)),
            cited("A.[^a]", ("a", SOURCE), ("a", SOURCE)),
        ]:
            with self.subTest(text=text):
                err = io.StringIO()
                path = write_json(self.tmp, "bad.json", self.records(text))
                with self.assertRaises(CommandError):
                    call_command("import_content", str(path), stdout=io.StringIO(), stderr=err)
                self.assertIn("field 'description_en': footnote [^a]", err.getvalue())
                self.assertFalse(Initiative.objects.exists())


class AdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = get_user_model().objects.create_superuser("chief", "c@example.org", "x")
        cls.hkma = make_source(url=SOURCE)
        cls.press = make_source(url=OTHER)
        cls.organisation = make_organisation(name="HKMA", slug="hkma")
        cls.organisation.sources.add(cls.hkma)

    def setUp(self):
        self.client.force_login(self.user)

    def post(self, description, sources):
        prefix = "Organisation_sources"
        data = {
            "name_en": "HKMA",
            "slug": "hkma",
            "kind": Organisation.Kind.GOVERNMENT_BODY,
            "description_en": description,
            f"{prefix}-TOTAL_FORMS": str(len(sources)),
            f"{prefix}-INITIAL_FORMS": "0",
            "corrections-TOTAL_FORMS": "0",
            "corrections-INITIAL_FORMS": "0",
        }
        for n, source in enumerate(sources):
            data[f"{prefix}-{n}-source"] = str(source.pk)
        url = reverse("admin:portal_organisation_change", args=[self.organisation.pk])
        return self.client.post(url, data)

    def test_a_footnote_naming_a_source_not_chosen_in_the_form_is_refused(self):
        # The saved item cites the HKMA page; the form drops it and cites the press release.
        self.organisation.sources.clear()
        response = self.post(cited("Central bank.[^h]", ("h", SOURCE)), [self.press])
        self.assertEqual(response.status_code, 200)
        errors = response.context["inline_admin_formsets"][0].formset.non_form_errors()
        self.assertEqual(
            list(errors),
            [
                "Description [en]: footnote [^h] names https://www.hkma.gov.hk/eng/news which "
                "is not one of this record's sources"
            ],
        )
        self.assertContains(response, "which is not one of this record")
        self.organisation.refresh_from_db()
        self.assertEqual(self.organisation.description_en, "")

    def test_a_footnote_naming_a_source_chosen_in_the_same_form_is_saved(self):
        self.organisation.sources.clear()
        text = cited("Central bank.[^pa]", ("pa", OTHER))
        response = self.post(text, [self.press])
        self.assertEqual(response.status_code, 302)
        self.organisation.refresh_from_db()
        self.assertEqual(self.organisation.description_en, text)


class DetailPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.sources = [make_source(title=f"Page {n}", publisher="Publisher") for n in range(12)]
        cls.initiative = make_initiative(name="Sandbox", slug="sandbox")

    def cite(self, count):
        """Give the initiative `count` sources, each cited by a sentence of its description."""
        self.initiative.sources.set(self.sources[:count])
        sources = list(self.initiative.sources.all())
        self.initiative.description_en = cited(
            " ".join(f"Fact {n}.[^s{n}]" for n in range(count)),
            *((f"s{n}", source.url) for n, source in enumerate(sources)),
        )
        self.initiative.save()
        return sources

    def test_the_sources_line_the_markers_and_the_list_share_one_numbering(self):
        sources = self.cite(3)
        # The text cites the third source first and the first one twice; the second not at all.
        self.initiative.description_en = cited(
            "Third.[^c] First.[^a] Again.[^a2]",
            ("a", sources[0].url),
            ("c", sources[2].url),
            ("a2", sources[0].url),
        )
        self.initiative.save()
        html = self.client.get("/initiatives/sandbox/").content.decode()
        order = [sources[2], sources[0], sources[1]]
        line = re.search(r'<p class="source-refs">(.*?)</p>', html).group(1)
        self.assertEqual(
            re.findall(r'href="#source-(\d+)">\[(\d)\]', line),
            [(str(s.pk), str(n)) for n, s in enumerate(order, start=1)],
        )
        self.assertEqual(
            re.findall(r'<sup class="footnote-ref"><a href="#source-(\d+)" id="(cite-\w+)"', html),
            [
                (str(sources[2].pk), "cite-1a"),
                (str(sources[0].pk), "cite-2a"),
                (str(sources[0].pk), "cite-2b"),
            ],
        )
        self.assertEqual(re.findall(r'<li id="source-(\d+)">', html), [str(s.pk) for s in order])
        self.assertNotIn("[^a]", html)
        self.assertNotIn("Notes", html)

    def test_the_list_links_back_to_each_citation_lettered_with_a_name(self):
        sources = self.cite(2)
        self.initiative.description_en = cited(
            "A.[^a] B.[^b] C.[^a]", ("a", sources[0].url), ("b", sources[1].url)
        )
        self.initiative.save()
        response = self.client.get("/initiatives/sandbox/")
        self.assertContains(
            response,
            '<span class="backrefs"><span aria-hidden="true">↑</span> '
            '<a href="#cite-1a"><span class="visually-hidden">Back to citation 1</span>a</a> '
            '<a href="#cite-1b"><span class="visually-hidden">Back to citation 1</span>b</a>'
            "</span>",
            html=True,
        )
        self.assertContains(
            response,
            '<span class="backrefs"><a href="#cite-2a"><span class="visually-hidden">'
            'Back to citation 2</span><span aria-hidden="true">↑</span></a></span>',
            html=True,
        )

    def test_the_status_source_carries_its_number_in_the_list(self):
        sources = self.cite(2)
        self.initiative.status_source = sources[1]
        self.initiative.status_as_of = "2025-01-01"
        self.initiative.save()
        response = self.client.get("/initiatives/sandbox/")
        self.assertContains(
            response,
            f'<sup class="footnote-ref"><a href="#source-{sources[1].pk}" '
            'aria-describedby="sources-heading">[2]</a></sup>',
            html=True,
        )

    def test_the_page_costs_the_same_queries_at_2_and_12_footnotes(self):
        self.cite(2)
        # The content state, the initiative and its three relations, the parts of the article
        # facet index it reads, rebuilt after each edit (the visible rows and the mentions),
        # its first milestones, its newest version and its corrections; the notes cost nothing.
        with self.assertNumQueries(1 + 4 + 2 + 1 + 2) as first:
            self.client.get("/initiatives/sandbox/")
        self.cite(12)
        with self.assertNumQueries(len(first.captured_queries)):
            response = self.client.get("/initiatives/sandbox/")
        self.assertContains(response, 'id="cite-12a"')

    def test_the_list_under_english_text_on_a_chinese_page_is_in_chinese(self):
        self.cite(1)
        response = self.client.get("/zh-hant/initiatives/sandbox/")
        self.assertContains(response, '<h2 id="sources-heading">來源</h2>', html=True)
        self.assertContains(response, '<span class="visually-hidden">返回引用處 1</span>')

    @override_settings(LANGUAGE_CODE="en")
    def test_the_organisation_meta_description_has_no_footnotes(self):
        organisation = make_organisation(name="HKMA", slug="hkma")
        organisation.sources.add(self.sources[0])
        organisation.description_en = cited("Central bank.[^h]", ("h", self.sources[0].url))
        organisation.save()
        html = self.client.get("/organisations/hkma/").content.decode()
        self.assertIn('<meta name="description" content="Central bank.">', html)
        self.assertIn('"description": "Central bank."', html)


class FixtureTests(TestCase):
    def test_every_fixture_records_footnotes_name_its_own_sources(self):
        footnoted = 0
        for path in FIXTURE_FILES:
            for number, item in enumerate(json.loads(path.read_text(encoding="utf-8")), 1):
                fields = item["fields"]
                urls = [key[0] for key in fields.get("sources", [])]
                for name, text in fields.items():
                    if name.startswith(("description_", "body_")) and text:
                        problems = footnote_problems(text, urls)
                        where = f"{path.name} record {number} ({fields.get('slug')}) {name}"
                        self.assertEqual(problems, [], where)
                        footnoted += bool(find_footnotes(text).references)
        self.assertGreater(footnoted, 0)
