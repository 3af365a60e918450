"""Search that understands the field: abbreviations and synonyms, the records' other names,
highlighted snippets and "did you mean"."""

import io

from django.core.management import call_command
from django.test import TestCase

from portal.lexicon import name_groups
from portal.models import Article, Initiative, Organisation
from portal.search import search
from portal.synonyms import Thesaurus
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
