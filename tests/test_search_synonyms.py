"""Search that understands the field: abbreviations and synonyms, the records' other names,
highlighted snippets and "did you mean"."""

import io
import re

from django.core.management import call_command
from django.db import connection
from django.test import TestCase

from portal.models import Article, Initiative, Organisation
from portal.search.lexicon import name_groups
from portal.search.query import SEARCH_STATEMENTS, ParsedQuery, search
from portal.search.snippets import Highlighter, reader_text
from portal.search.synonyms import Thesaurus
from tests.factories import make_article, make_initiative, make_organisation
from tests.test_fixtures import FIXTURE_FILES


def slugs(queryset):
    return sorted(obj.slug for obj in queryset)


class ReviewedSynonymTests(TestCase):
    """The reviewed abbreviations work without any record naming them."""

    @classmethod
    def setUpTestData(cls):
        make_initiative(slug="hkgai-v1", name="HKGAI V1 large language model")
        make_initiative(
            slug="guideline",
            name="Hong Kong Generative Artificial Intelligence Technical and Application Guideline",
        )
        make_article(slug="sandbox", title="Banks try generative AI in a sandbox")
        make_article(slug="hyphen", title="A generative-AI copilot drafts documents")
        make_article(slug="models", title="Universities train large language models")
        make_article(slug="weather", title="Machine learning forecasts typhoons")
        make_article(slug="chinese", title="Chinese", title_zh_hant="生成式人工智能沙盒")
        make_article(slug="unrelated", title="Language policy for large schools")

    def test_llm_finds_the_large_language_model(self):
        self.assertEqual(slugs(search(Initiative.objects.all(), "LLM")), ["hkgai-v1"])
        self.assertEqual(slugs(search(Article.objects.all(), "LLMs")), ["models"])

    def test_genai_finds_generative_ai_however_written(self):
        self.assertEqual(
            slugs(search(Article.objects.all(), "genAI")),
            ["chinese", "hyphen", "models", "sandbox"],
        )
        self.assertEqual(
            slugs(search(Initiative.objects.all(), "GenAI")), ["guideline", "hkgai-v1"]
        )

    def test_the_long_form_finds_the_abbreviation(self):
        make_article(slug="abbreviated", title="An LLM for the civil service")
        found = slugs(search(Article.objects.all(), "large language model"))
        self.assertEqual(found, ["abbreviated", "models"])

    def test_an_expansion_is_a_phrase_but_typed_words_need_not_be(self):
        # "language" and "large" are both in "Language policy for large schools", which
        # the words typed find, but "LLM" only finds the phrase.
        self.assertIn("unrelated", slugs(search(Article.objects.all(), "large language")))
        self.assertNotIn("unrelated", slugs(search(Article.objects.all(), "LLM")))

    def test_genai_finds_large_language_models_but_not_the_other_way_round(self):
        self.assertIn("models", slugs(search(Article.objects.all(), "generative AI")))
        self.assertNotIn("sandbox", slugs(search(Article.objects.all(), "LLM")))

    def test_ml_and_chinese_terms(self):
        self.assertEqual(slugs(search(Article.objects.all(), "ML")), ["weather"])
        self.assertEqual(slugs(search(Article.objects.all(), "ML typhoons")), ["weather"])
        self.assertEqual(
            slugs(search(Article.objects.all(), "生成式人工智能")),
            ["chinese", "hyphen", "models", "sandbox"],
        )

    def test_an_english_abbreviation_finds_chinese_only_text(self):
        make_article(slug="zh-only", title="Untitled", title_zh_hant="人工智能辦公室")
        self.assertIn("zh-only", slugs(search(Article.objects.all(), "AI")))
        self.assertIn("zh-only", slugs(search(Article.objects.all(), "artificial intelligence")))

    def test_postgresql_serves_a_term_in_both_languages_from_its_indexes(self):
        if connection.vendor != "postgresql":
            self.skipTest("PostgreSQL only: SQLite's FTS5 table is the index itself")
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            # Unordered, as tests/test_search.py's index test explains.
            plan = search(Article.objects.order_by(), "AI").explain()
        self.assertIn("portal_article_document_idx", plan)
        self.assertIn("portal_article_cjk_idx", plan)

    def test_other_words_still_all_have_to_match(self):
        self.assertEqual(slugs(search(Article.objects.all(), "genai banks")), ["sandbox"])
        self.assertEqual(slugs(search(Article.objects.all(), "genai typhoons")), [])


class RecordNameTests(TestCase):
    """A record's short name and other names stand for its name, and the other way round."""

    @classmethod
    def setUpTestData(cls):
        make_organisation(
            slug="hkma",
            name="Hong Kong Monetary Authority",
            name_zh_hant="香港金融管理局",
            short_name="HKMA",
            aliases="香港金管局\n金管局",
        )
        make_article(slug="long", title="Hong Kong Monetary Authority issues AI principles")
        make_article(slug="short", title="HKMA opens a sandbox")
        make_article(slug="zh", title="Chinese", title_zh_hant="金管局推出沙盒")
        make_article(slug="other", title="The Securities and Futures Commission on chatbots")

    def thesaurus(self):
        return Thesaurus(name_groups())

    def test_a_short_name_finds_the_full_name_and_aliases(self):
        found = slugs(search(Article.objects.all(), "HKMA", self.thesaurus()))
        self.assertEqual(found, ["long", "short", "zh"])

    def test_the_full_name_finds_the_short_name(self):
        found = search(Article.objects.all(), "hong kong monetary authority", self.thesaurus())
        self.assertEqual(slugs(found), ["long", "short", "zh"])

    def test_a_chinese_alias_finds_the_english_names(self):
        found = slugs(search(Article.objects.all(), "金管局", self.thesaurus()))
        self.assertEqual(found, ["long", "short", "zh"])

    def test_without_the_records_names_only_the_words_match(self):
        self.assertEqual(slugs(search(Article.objects.all(), "HKMA")), ["short"])

    def test_the_finder_and_search_page_use_the_names(self):
        response = self.client.get("/articles/", {"q": "金管局"})
        for title in ("Hong Kong Monetary Authority issues", "HKMA opens a sandbox"):
            self.assertContains(response, title)
        response = self.client.get("/search/", {"q": "HKMA"})
        self.assertContains(response, "Hong Kong Monetary Authority issues")

    def test_an_edited_alias_is_searchable_on_the_next_request(self):
        self.assertNotContains(self.client.get("/search/", {"q": "MonAuth"}), "HKMA opens")
        organisation = Organisation.objects.get(slug="hkma")
        organisation.aliases += "\nMonAuth"
        organisation.save()
        self.assertContains(self.client.get("/search/", {"q": "MonAuth"}), "HKMA opens")


class ThesaurusTests(TestCase):
    def test_longest_names_win_and_typed_words_come_first(self):
        terms = Thesaurus().expand("large language models in banks")
        self.assertEqual(terms[0][0], ("large language models", False))
        self.assertIn(("LLM", True), terms[0])
        self.assertEqual([t[0][0] for t in terms[1:]], ["in", "banks"])

    def test_expansions_are_bounded(self):
        many = [[f"Name {n}" for n in range(50)]]
        terms = Thesaurus(many).expand("name 3")
        self.assertLessEqual(len(terms[0]), 10)
        terms = Thesaurus().expand(" ".join(["AI"] * 30 + [f"w{n}" for n in range(6)] + ["ML"]))
        self.assertEqual(len(terms), 1 + 6 + 1)  # Repeats dropped.
        self.assertEqual(len(terms[-1]), 3)  # The eighth term is expanded ...
        terms = Thesaurus().expand(" ".join([f"w{n}" for n in range(8)] + ["ML"]))
        self.assertEqual(terms[-1], [("ML", False)])  # ... the ninth is not (kept as typed).


class FixtureSearchTests(TestCase):
    """The portal's own content: what readers reported finding nothing for."""

    @classmethod
    def setUpTestData(cls):
        call_command("import_content", *map(str, FIXTURE_FILES), stdout=io.StringIO())

    def test_llm_and_genai_find_the_large_language_model(self):
        for text in ("LLM", "genAI", "LLMs"):
            with self.subTest(text=text):
                response = self.client.get("/initiatives/", {"q": text})
                self.assertContains(response, 'href="/initiatives/hkgai-v1/"')
        response = self.client.get("/search/", {"q": "LLM"})
        self.assertContains(response, "HKGAI V1 large language model")
        response = self.client.get("/initiatives/", {"q": "genAI"})
        self.assertContains(response, 'href="/initiatives/hkma-genai-sandbox/"')

    def test_a_chinese_alias_finds_the_authority_and_what_names_it_by_its_acronym(self):
        # Cyberport's summary says "with the HKMA".
        self.assertIn("hkma", [o.slug for o in search(Organisation.objects.all(), "金管局")])
        response = self.client.get("/organisations/", {"q": "金管局"})
        self.assertContains(response, 'href="/organisations/hkma/"')
        self.assertContains(response, 'href="/organisations/cyberport/"')


class SnippetTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_article(
            slug="banks",
            title="Chatbots in finance",
            body=(
                "Many lenders in Hong Kong now answer customers with chatbots. The Banks "
                "taking part report shorter queues.[^1] See [the report](https://example.org/r)."
                "\n\n[^1]: https://example.org/footnote"
            ),
        )
        make_article(
            slug="script",
            title="Unsafe body",
            body='A bank wrote <script>alert("x")</script> & more.',
        )
        make_article(
            slug="zh",
            title="Sandbox",
            body="An English body.",
            body_zh_hant="香港金融管理局與數碼港合辦生成式人工智能沙盒，讓銀行試用新技術。",
        )

    def search_page(self, text, language=""):
        return self.client.get(f"{language}/search/", {"q": text}).content.decode()

    def snippet_of(self, html, href):
        item = html.split(f'href="{href}"', 1)[1].split("</li>", 1)[0]
        found = re.search(r'<p class="search-snippet">(.*?)</p>', item, re.S)
        return found.group(1) if found else None

    def test_the_mark_wraps_the_matched_word_with_its_stem(self):
        snippet = self.snippet_of(self.search_page("bank"), "/articles/banks/")
        self.assertIn("<mark>Banks</mark>", snippet)
        self.assertNotIn("[^1]", snippet)
        self.assertNotIn("example.org", snippet)

    def test_html_in_the_content_is_escaped_and_only_marks_are_markup(self):
        snippet = self.snippet_of(self.search_page("bank"), "/articles/script/")
        self.assertIn("<mark>bank</mark>", snippet)
        # Escaped on SQLite; PostgreSQL's headline drops what it parses as tags.
        self.assertNotIn("<script", snippet)
        self.assertIn("&amp; more", snippet)
        self.assertEqual(re.sub(r"</?mark>", "", snippet), re.sub(r"<[^>]*>", "", snippet))

    def test_an_abbreviations_expansion_is_marked(self):
        make_article(slug="llm", title="Models", body="Civil servants try a large language model.")
        snippet = self.snippet_of(self.search_page("LLM"), "/articles/llm/")
        # SQLite marks the phrase, PostgreSQL each of its words.
        between = "(?: |</mark> <mark>)"
        self.assertRegex(snippet, f"<mark>large{between}language{between}model</mark>")

    def test_chinese_is_marked_on_the_chinese_page(self):
        snippet = self.snippet_of(self.search_page("數碼港", "/zh-hant"), "/zh-hant/articles/zh/")
        self.assertIn("<mark>數碼港</mark>", snippet)

    def test_passages_are_the_text_readers_see_marked_in_whole_words(self):
        text = reader_text(
            "The **HA** has a [plan](https://example.org/ha-plan) <b>x</b>.[^ha-ai]\n\n"
            "[^ha-ai]: https://example.org/ha-ai"
        )
        self.assertEqual(text, "The HA has a plan x.")
        html = Highlighter(ParsedQuery("HA")).passage(text)
        self.assertEqual(html, "The <mark>HA</mark> has a plan x.")
        self.assertIsNone(Highlighter(ParsedQuery("HA")).passage("nothing here has it"))

    def test_a_title_only_match_has_no_snippet(self):
        self.assertIsNone(self.snippet_of(self.search_page("unsafe"), "/articles/script/"))


class DidYouMeanTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_organisation(slug="hkma", name="Hong Kong Monetary Authority", short_name="HKMA")
        make_initiative(slug="sandbox", name="Generative AI Sandbox")
        make_article(slug="robots", title="Robotics in logistics", body="Warehouses.")

    def test_a_near_miss_shows_the_results_of_the_search_it_meant(self):
        response = self.client.get("/search/", {"q": "robotcs logistcs"})
        self.assertContains(response, "Nothing matched")
        self.assertContains(
            response, 'Did you mean <a href="/search/?q=robotics+logistics">robotics logistics</a>?'
        )
        self.assertContains(response, "Robotics in logistics")
        self.assertNotContains(response, "<mark>")  # The reader did not type those words.
        followed = self.client.get("/search/", {"q": "robotics logistics"})
        self.assertContains(followed, "Robotics in logistics")
        self.assertNotContains(followed, "Did you mean")

    def test_a_suggestion_that_would_find_nothing_is_not_offered(self):
        # Both words have near spellings, but nothing has both.
        self.assertNotContains(self.client.get("/search/", {"q": "robotcs sandbx"}), "Did you")

    def test_the_chinese_page_asks_in_chinese(self):
        response = self.client.get("/zh-hant/search/", {"q": "monetery"})
        self.assertContains(response, 'href="/zh-hant/search/?q=monetary"')
        self.assertContains(response, "你是不是要找")

    def test_simplified_chinese_is_read_as_traditional(self):
        make_organisation(name="Hospital Authority", name_zh_hant="醫院管理局", slug="ha")
        make_article(slug="ha-news", title="HA", title_zh_hant="醫院管理局的人工智能")
        response = self.client.get("/zh-hant/search/", {"q": "医院管理局"})
        self.assertContains(
            response, 'href="/zh-hant/search/?q=%E9%86%AB%E9%99%A2%E7%AE%A1%E7%90%86%E5%B1%80"'
        )
        self.assertEqual(response.context["searched"], "醫院管理局")
        rows = response.context["page_obj"].object_list
        self.assertEqual([row.slug for row in rows], ["ha", "ha-news"])
        # Text already in Traditional is searched as typed.
        self.assertNotContains(
            self.client.get("/zh-hant/search/", {"q": "醫院管理局"}), "你是不是要找"
        )

    def test_no_suggestion_for_words_it_cannot_correct_or_when_results_exist(self):
        for text in ("zzzqqq", "金管", "robotics"):
            with self.subTest(text=text):
                self.assertNotContains(self.client.get("/search/", {"q": text}), "Did you mean")

    def test_hostile_text_is_escaped_in_the_suggestion(self):
        response = self.client.get("/search/", {"q": 'robotcs"><!--'})
        self.assertNotContains(response, '"><!--')
        self.assertContains(response, 'Did you mean <a href="/search/?q=robotics">')

    def test_few_results_get_a_suggestion_that_finds_more(self):
        make_article(slug="typo", title="Warehouses", body="A robotcs firm (sic).")
        make_article(slug="more", title="Robotics at the port")
        response = self.client.get("/search/", {"q": "robotcs"})
        self.assertContains(response, "1 result for")
        self.assertContains(response, 'href="/search/?q=robotics"')

    def test_no_suggestion_that_finds_no_more(self):
        # "sandbx" is near "sandbox", which finds one initiative: no more than "sandbx".
        make_article(slug="typo", title="Warehouses", body="A sandbx, misspelt.")
        self.assertNotContains(self.client.get("/search/", {"q": "sandbx"}), "Did you mean")

    def test_a_fixed_number_of_queries(self):
        # State, names (synonyms), sector names (the sector facet), per type the search
        # (nothing matches), the visible articles (the article index's year facet, 2); the
        # vocabulary (names again, sector names, article titles) and, per type, the search
        # of the suggestion; then, built once per content generation: the records' names
        # for "best match" (3), which rows are sourced (1 per type citing sources: the
        # articles' from their stored has_footnotes), and the timeline's year facet (2).
        # Nothing is shown. Six searched types: articles, initiatives, organisations,
        # sectors, milestones and sources.
        search = SEARCH_STATEMENTS[connection.vendor]
        built = 3 + 1 + 4 + 2
        with self.assertNumQueries(1 + 1 + 1 + 6 * search + 2 + 3 + 6 * search + built + 2):
            self.client.get("/search/", {"q": "robotcs"})
        # The vocabulary is kept for the content generation; the one initiative found for
        # "sandbox" is shown (its row, and its sectors).
        with self.assertNumQueries(1 + 6 * search + 6 * search + 2):
            self.client.get("/search/", {"q": "sandbx"})


class FinderSnippetTests(TestCase):
    def test_a_search_within_a_finder_shows_snippets_for_a_fixed_number_of_queries(self):
        def rows(n):
            for i in range(n):
                make_article(title=f"Report {i}", body=f"Number {i} covers the banks' pilots.")

        # State, the search, the page's rows (their cards, sectors and all, are remembered
        # from the first request; snippets are made from the rows, with no query).
        expected = 1 + SEARCH_STATEMENTS[connection.vendor] + 1
        rows(5)
        self.client.get("/articles/?q=bank")  # Builds the index, names and cards.
        with self.assertNumQueries(expected):
            response = self.client.get("/articles/?q=bank&page=1")
        self.assertContains(response, "<mark>banks</mark>")
        rows(45)
        self.client.get("/articles/?q=bank")
        with self.assertNumQueries(expected):
            response = self.client.get("/articles/?q=bank&page=1")
        self.assertContains(response, '<p class="search-snippet">', count=20)
