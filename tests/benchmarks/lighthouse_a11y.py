"""Lighthouse's accessibility score for the home page and each finder page, in English and
Chinese.

Usage, from the checkout root (needs Node.js 18.16 or later; npx fetches Lighthouse itself):

    .venv/bin/python tests/benchmarks/lighthouse_a11y.py                # serves the fixtures
    .venv/bin/python tests/benchmarks/lighthouse_a11y.py --base-url http://127.0.0.1:8000

Without --base-url it serves the portal's real content (fixtures/*.json) from a throwaway
SQLite database, as tests/browser/screenshots.py does. Lighthouse runs Debian's Chromium
(/usr/bin/chromium, through CHROME_PATH), headless, with its default (mobile) settings, and
only its accessibility category. Prints each page's score out of 100 and the audits that
failed; exits 1 if a page scored under 100 or Lighthouse could not run.

Not a test: Lighthouse is an npm package, which the test suite does not depend on; the browser
tests check the same pages with axe-core (tests/browser/test_phone_and_a11y.py).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # Run as a script: make `tests` importable.
    sys.path.insert(0, str(ROOT))

# 12.x is the last Lighthouse that runs on Node 20 (13 needs Node 22.19).
LIGHTHOUSE = "lighthouse@12.8.2"
CHROMIUM = "/usr/bin/chromium"
# The home page, then the finders.
PAGES = ["/", "/articles/", "/initiatives/", "/organisations/", "/timeline/", "/sources/"]
LANGUAGE_PREFIXES = ["", "/zh-hant"]


def lighthouse_report(url):
    """Run Lighthouse's accessibility audits on the URL; return its JSON report as a dict."""
    command = [
        "npx",
        "--yes",
        LIGHTHOUSE,
        url,
        "--only-categories=accessibility",
        "--chrome-flags=--headless=new --no-sandbox",
        "--output=json",
        "--output-path=stdout",
        "--quiet",
    ]
    environment = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", CHROMIUM)}
    result = subprocess.run(command, capture_output=True, text=True, env=environment)
    if result.returncode != 0:
        raise RuntimeError(f"Lighthouse failed on {url}:\n{result.stderr.strip()[-2000:]}")
    return json.loads(result.stdout)


def failed_audits(report):
    """The ids and titles of the accessibility audits that scored under 1."""
    category = report["categories"]["accessibility"]
    audits = report["audits"]
    return [
        f"{ref['id']}: {audits[ref['id']]['title']}"
        for ref in category["auditRefs"]
        if ref["weight"] and audits[ref["id"]]["score"] is not None
        if audits[ref["id"]]["score"] < 1
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="a running portal; by default one is started")
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        base_url = arguments.base_url
        if not base_url:
            from tests.browser.screenshots import serve_real_content

            base_url = serve_real_content(Path(directory) / "lighthouse.sqlite3")
        print(f"{LIGHTHOUSE}, accessibility category, against {base_url}")
        all_perfect = True
        for prefix in LANGUAGE_PREFIXES:
            for page in PAGES:
                path = prefix + page
                try:
                    report = lighthouse_report(base_url.rstrip("/") + path)
                except (RuntimeError, json.JSONDecodeError) as error:
                    print(f"{path:<26} could not run: {error}")
                    all_perfect = False
                    continue
                score = round(report["categories"]["accessibility"]["score"] * 100)
                print(f"{path:<26} {score:>3}")
                for audit in failed_audits(report):
                    print(f"{'':<26}     failed {audit}")
                all_perfect = all_perfect and score == 100
    return 0 if all_perfect else 1


if __name__ == "__main__":
    sys.exit(main())
