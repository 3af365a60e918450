"""The shipped articles' footnotes: each names one of the article's own sources.

The shared convention (footnote syntax of markdown-it-py's footnote plugin): a marker such as
`[^pa2025]` after the sentence it supports, and at the end one definition per label,
`[^pa2025]: https://...`, whose text is exactly the URL of a source in the record's `sources`.
These tests read the fixture file itself, so a bad footnote is caught before any import.
"""

import json
import re

from django.conf import settings
from django.test import SimpleTestCase
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

ARTICLES = settings.BASE_DIR / "fixtures" / "50_articles.json"
BODY_FIELDS = ("body_en", "body_zh_hant")
EDITORS = "HKAI Portal editors"

_parser = MarkdownIt("commonmark").use(footnote_plugin)
_DEFINITION_LINE = re.compile(r"^\[\^[^\]\s]+\]:.*$", re.M)


def footnotes(markdown):
    """Return (definitions, unused, undefined) for `markdown`.

    definitions: {label: text} of every referenced definition; unused: labels defined but never
    referenced; undefined: markers left as literal text because no definition matches them.
    """
    env = {}
    tokens = _parser.parse(markdown, env)
    definitions, label = {}, None
    undefined = []
    for token in tokens:
        if token.type == "footnote_open":
            label = token.meta["label"]
        elif token.type == "footnote_close":
            label = None
        elif token.type == "inline" and label is not None:
            definitions[label] = (definitions.get(label, "") + token.content).strip()
        elif token.type == "inline":
            text = "".join(child.content for child in token.children if child.type == "text")
            undefined += re.findall(r"\[\^([^\]\s]+)\]", text)
    refs = env.get("footnotes", {}).get("refs", {})
    unused = sorted(key[1:] for key, index in refs.items() if index == -1)
    return definitions, unused, undefined


def footnote_problems(fields):
    """Return a sentence for each way `fields` (an article record) breaks the convention."""
    sources = {url for (url,) in fields["sources"]}
    problems, cited = [], set()
    for name in BODY_FIELDS:
        definitions, unused, undefined = footnotes(fields.get(name, ""))
        for label, text in sorted(definitions.items()):
            cited.add(text)
            if text not in sources:
                problems.append(f"{name}: footnote [^{label}] names {text!r}, not a source")
        problems += [f"{name}: footnote [^{label}] is defined but never cited" for label in unused]
        problems += [f"{name}: marker [^{label}] has no definition" for label in undefined]
    uncited = sorted(sources - cited)
    problems += [f"source {url} is listed but no footnote cites it" for url in uncited]
    return problems


def published_articles():
    records = json.loads(ARTICLES.read_text(encoding="utf-8"))
    return [r["fields"] for r in records if r["fields"]["status"] == "published"]


class FootnoteCheckTests(SimpleTestCase):
    """The checker reports each kind of broken footnote (else the tests below prove nothing)."""

    def record(self, body, sources=("https://example.gov.hk/a",)):
        return {"body_en": body, "body_zh_hant": "", "sources": [[url] for url in sources]}

    def test_a_footnote_naming_an_attached_source_passes(self):
        body = "A fact.[^a]\n\n[^a]: https://example.gov.hk/a\n"
        self.assertEqual(footnote_problems(self.record(body)), [])

    def test_a_footnote_naming_another_url_is_reported(self):
        body = "A fact.[^a]\n\n[^a]: https://example.gov.hk/b\n"
        self.assertIn(
            "body_en: footnote [^a] names 'https://example.gov.hk/b', not a source",
            footnote_problems(self.record(body)),
        )

    def test_a_marker_without_definition_and_an_unused_definition_are_reported(self):
        body = "A fact.[^a] Another.[^missing]\n\n[^a]: https://example.gov.hk/a\n[^spare]: x\n"
        problems = footnote_problems(self.record(body))
        self.assertIn("body_en: marker [^missing] has no definition", problems)
        self.assertIn("body_en: footnote [^spare] is defined but never cited", problems)

    def test_a_source_no_footnote_cites_is_reported(self):
        body = "A fact.[^a]\n\n[^a]: https://example.gov.hk/a\n"
        record = self.record(body, sources=("https://example.gov.hk/a", "https://example.org/x"))
        self.assertEqual(
            footnote_problems(record),
            ["source https://example.org/x is listed but no footnote cites it"],
        )


class FixtureArticleFootnoteTests(SimpleTestCase):
    def test_every_published_article_footnote_names_one_of_its_sources(self):
        articles = published_articles()
        self.assertGreaterEqual(len(articles), 12)
        for fields in articles:
            with self.subTest(article=fields["slug"]):
                self.assertEqual(footnote_problems(fields), [])

    def test_the_editors_explainers_are_sourced_sectioned_and_of_explainer_length(self):
        explainers = [f for f in published_articles() if f["byline"] == EDITORS]
        self.assertGreaterEqual(len(explainers), 10)
        for fields in explainers:
            body = fields["body_en"]
            prose = _DEFINITION_LINE.sub("", re.sub(r"\[\^[^\]\s]+\]", "", body))
            with self.subTest(article=fields["slug"]):
                self.assertTrue(400 <= len(prose.split()) <= 800, len(prose.split()))
                self.assertGreaterEqual(len(re.findall(r"^## \S", body, re.M)), 2)
                self.assertGreaterEqual(len(footnotes(body)[0]), 5)
                self.assertTrue(fields["sectors"])
                self.assertTrue(fields["summary_en"].endswith("."))
                self.assertNotRegex(fields["summary_en"][:-1], r"[.!?] ")
