"""Browser tests: the pages in a real headless Chromium, driven by Playwright, checked by axe-core.

The browser is Debian's `chromium` package (/usr/bin/chromium), never one that Playwright
downloads itself. Helpers shared by the tests and by `screenshots.py` live here; the pytest
fixtures live in `conftest.py`.
"""

from pathlib import Path

import pytest

try:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # conftest.py then skips every browser test, saying what to install.
    Axe = PlaywrightTimeoutError = expect = sync_playwright = None

CHROMIUM = Path("/usr/bin/chromium")

# No sandbox: CI and containers run as root, where Chromium's sandbox refuses to start. The
# rest keeps Chromium from reaching out to Google's servers, which this machine can't reach.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# The portal's real content, in the numeric order of the file names (as `make setup` loads it).
FIXTURE_FILES = sorted((Path(__file__).resolve().parents[2] / "fixtures").glob("*.json"))

# Every WCAG 2.0, 2.1 and 2.2 rule at levels A and AA (the bar is WCAG 2.2 AA).
# https://github.com/dequelabs/axe-core/blob/develop/doc/API.md#axe-core-tags
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Deque's best practices on top: heading order, landmarks, roles an element may carry, ...
BEST_PRACTICE_TAGS = [*WCAG_TAGS, "best-practice"]


def axe_options(tags):
    """axe-core's run options: the rules with any of these tags, reporting violations only."""
    return {"runOnly": {"type": "tag", "values": tags}, "resultTypes": ["violations"]}


AXE_OPTIONS = axe_options(WCAG_TAGS)


def why_browser_tests_cannot_run():
    """Return why the browser tests can't run here, with how to fix it; None when they can."""
    if sync_playwright is None:
        return (
            "Playwright or axe-playwright-python is not installed: "
            ".venv/bin/python -m pip install -r requirements-dev.txt"
        )
    if not CHROMIUM.exists():
        return (
            f"Browser tests need Debian's Chromium at {CHROMIUM}: sudo apt-get install chromium "
            "(Playwright drives that browser; it needs no browser download of its own)."
        )
    return None


def launch_chromium(playwright):
    """Return a headless Chromium browser: Debian's, with the flags above."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def assert_no_axe_violations(page, *, best_practice=False, targets_shown=3, context=""):
    """Run axe-core's WCAG A/AA rules on the page as it is now; fail listing every violation.

    With best_practice, axe's best-practice rules run too (the bar for public pages). Each
    violation is reported with its rule id, impact, help text and link, and the CSS selectors
    of the first few elements that break it; `context` (e.g. "at 390 px") follows the URL.
    """
    options = axe_options(BEST_PRACTICE_TAGS if best_practice else WCAG_TAGS)
    violations = Axe().run(page, options=options).response["violations"]
    if not violations:
        return
    where = f"{page.url} {context}".strip()
    lines = [f"{len(violations)} axe-core violation(s) on {where}:"]
    for violation in violations:
        nodes = violation["nodes"]
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"<{violation['helpUrl']}>"
        )
        for node in nodes[:targets_shown]:
            # A target is a list of selectors: more than one only inside iframes/shadow roots.
            lines.append(f"    {' >> '.join(map(str, node['target']))}")
        if len(nodes) > targets_shown:
            lines.append(f"    ... and {len(nodes) - targets_shown} more element(s)")
        summary = " ".join(nodes[0].get("failureSummary", "").split())
        if summary:
            lines.append(f"    first element: {summary}")
    pytest.fail("\n".join(lines), pytrace=False)
