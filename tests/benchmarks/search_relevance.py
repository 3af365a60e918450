"""Measure how well the site search answers the judged queries of search_judgments.json.

Usage, from the checkout root:

    .venv/bin/python tests/benchmarks/search_relevance.py
    .venv/bin/python tests/benchmarks/search_relevance.py --list
    .venv/bin/python tests/benchmarks/search_relevance.py --fixtures /tmp/newest-fixtures
    .venv/bin/python tests/benchmarks/search_relevance.py --database-url sqlite:////tmp/hkai.sqlite3

What it does:

1. Builds a throwaway SQLite database in a work directory: `manage.py migrate`, then
   `manage.py import_content` with every fixtures/*.json of this checkout, or of the folder
   given with --fixtures (in name order). With --database-url it uses that database as it is
   (nothing is imported; nothing is written to it). Static files are collected and the
   translations compiled, as `make setup` does, because pages are rendered with debug off.
2. In this process, with production settings (debug off, page cache off, an empty cache
   directory), GETs the search page for every judged query with django.test.Client:
   /search/?q=... for English queries, /zh-hant/search/?q=... for Chinese ones.
3. Reads the results the way a reader sees them (see "How results are read" below) and prints
   a table for all queries, the tuning set, the held-out set, English, Chinese, and each kind
   of query:
     MRR      mean reciprocal rank of the first relevant result (0 when none is on the page)
     top 3    share of queries with a relevant result among the first three
     found    share of queries with a relevant result anywhere on the page
     MRR 1st  MRR of the first judged page alone (for a name: the named thing's own page)
     false    false-match rate: share of the judged <mark> highlights that mark part of a
              longer word, or a word that is not a query term nor a form of one
   With --list, also one line per query: the rank of its first relevant result, the first
   three result links, and any false matches.

Exits 0 when it ran (whatever the figures), 1 when something failed (the import, the
judgments file, a search page answering other than 200). It is not a test: pytest does not
collect it, and nothing here asserts a target. Issue #18's targets: MRR at least 0.85 and no
false match, on the tuning and on the held-out set.

How results are read
--------------------
The result area is the element marked `data-search-results` if the page has one, else
`<main>`; inside it, forms and `<nav>` elements (the search box, facets, pagination) are
skipped. A result is a link to a record page (/articles/, /initiatives/, /organisations/,
/sectors/ or /timeline/<slug>/, with or without /zh-hant/) inside a heading (h1-h6): the
title link of a result card, of a "best match" card, of a group of results. Links are taken
in document order and de-duplicated, so ranks are what a reader meets reading down the page,
whether the page groups results by type or shows one ranked list. Links outside headings
(a milestone card's "Organisations:" line, a card's sectors, "See all" links, "Did you
mean") are not results; --all-links counts every record link in the result area instead.
The language prefix is dropped before comparing with the judged pages.

How marks are judged
--------------------
Every `<mark>` in the result area is judged, in its surrounding text. Its accepted terms are
the words of the query and of the names the query is equivalent to (portal.synonyms: the
reviewed abbreviations, and each organisation's and initiative's own names, short names and
other names, e.g. "HA" accepts "Hospital Authority"). A mark is false when it marks part of
a longer word whose whole is not accepted ("ha" in "has", "AI" in "AiDLab"), or a whole word
that is not accepted. A word is accepted if it equals an accepted term, or, for terms of four
letters or more with no capital after the first letter (not an abbreviation or a name like
"RAISe"), if both reduce to the same root after dropping an English inflection (-s, -es,
-ies, -ed, -ing), derivational endings that leave at least five letters (-ion, -or, -er,
-ive, -ment, -ance, -ical, ...) and a final "e": "banks" and "banking" go with "bank",
"regulator" with "regulation", "ethical" with "ethics", but "general" does not go with
"generative", "raised" with "RAISe+", nor "has" with "HA". Marks of Chinese text are
counted but not judged (there are no spaces to tell where a word ends; a Chinese mark is the
query's own text or an equivalent name's). The table also counts snippets that show Markdown
(footnote marks like "[^ha-ai", link syntax, "**"). Because accepted terms come from the
records' names, a wrong name or alias in the content would go unnoticed here.

Reading and extending the judgments
-----------------------------------
tests/benchmarks/search_judgments.json holds {"about", "held_out_rule", "queries"}; each
query is {"query", "language" ("en" or "zh-hant"), "kind" (name, short_name, chinese_name,
alias, topic, question or typo), "relevant", "held_out"} and sometimes a "note".
"relevant" lists the pages a reader typing the query wants, best first, as addresses without
the language prefix; for name queries the first is the named thing's own page. Rank counts
the first relevant page found, whichever it is, so list every page a reader would be glad to
land on, not only the best one. Judge from the content, never from what the search returns.
Held out: every fifth query in file order (position 5, 10, 15, ...). Tune only on the rest,
and report both sets. To add a query, append it at the end with "held_out" set by the same
rule (the script refuses a file that breaks it); never reorder or delete queries, which
would move queries between the sets. Judged pages the database lacks are listed as warnings:
after a content change, re-point or drop those judgments rather than the query.
"""

import argparse
import contextlib
import json
import os
import re
import sys
import tempfile
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import harness
from harness import BenchmarkError

JUDGMENTS = Path(__file__).resolve().parent / "search_judgments.json"
LANGUAGES = {"en": "", "zh-hant": "/zh-hant"}
KINDS = ("name", "short_name", "chinese_name", "alias", "topic", "question", "typo")
HELD_OUT_EVERY = 5
RECORD_PAGE = re.compile(
    r"^(?:/zh-hant)?(/(?:articles|initiatives|organisations|sectors|timeline)/[^/?#]+/)$"
)
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
SKIPPED = {"form", "nav", "script", "style", "template"}
# Elements that end a run of text: a mark is never judged against text across one of them.
BLOCKS = HEADINGS | {"p", "li", "div", "section", "article", "td", "th", "dt", "dd", "br", "ol"}
MARKDOWN = re.compile(r"\[\^|\]\(|\*\*|(?<!\w)__|^#+ ", re.MULTILINE)
LATIN = "A-Za-z0-9\u00c0-\u024f"
LATIN_WORD = re.compile(f"[{LATIN}]+")
LATIN_WORD_END = re.compile(f"[{LATIN}]*$")
LATIN_WORD_START = re.compile(f"[{LATIN}]*")
CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
# English endings: inflections, then derivations (longest first) that may be dropped when
# what remains has at least MIN_ROOT letters.
INFLECTIONS = (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""))
DERIVATIONS = sorted(
    ("ion", "or", "er", "ive", "ory", "al", "ance", "ence", "ment", "ity")
    + ("ise", "ize", "ist", "ism", "ally", "ly", "ness", "ic", "ical"),
    key=len,
    reverse=True,
)
MIN_ROOT = 5


# --- The judgments ---------------------------------------------------------------------------


@dataclass
class Judged:
    position: int  # 1-based, in file order
    query: str
    language: str
    kind: str
    relevant: list
    held_out: bool


def load_judgments(path):
    """Return the Judged queries of `path`; raise BenchmarkError if the file breaks a rule."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    queries, problems, seen = [], [], set()
    for position, item in enumerate(data["queries"], 1):
        where = f"query {position} ({item.get('query')!r})"
        if item.get("language") not in LANGUAGES:
            problems.append(f"{where}: language must be one of {', '.join(LANGUAGES)}")
        if item.get("kind") not in KINDS:
            problems.append(f"{where}: kind must be one of {', '.join(KINDS)}")
        if not item.get("relevant"):
            problems.append(f"{where}: no relevant pages")
        if bad := [url for url in item.get("relevant", ()) if not RECORD_PAGE.match(url)]:
            problems.append(f"{where}: not a record page address: {', '.join(bad)}")
        if any(url.startswith("/zh-hant/") for url in item.get("relevant", ())):
            problems.append(f"{where}: judged pages are written without /zh-hant")
        if item.get("held_out") is not (position % HELD_OUT_EVERY == 0):
            problems.append(f"{where}: held_out must be {position % HELD_OUT_EVERY == 0}")
        key = (item.get("query"), item.get("language"))
        if key in seen:
            problems.append(f"{where}: judged twice")
        seen.add(key)
        queries.append(
            Judged(
                position,
                item.get("query", ""),
                item.get("language"),
                item.get("kind"),
                list(item.get("relevant", ())),
                bool(item.get("held_out")),
            )
        )
    if problems:
        raise BenchmarkError(f"{path} breaks its rules:\n  " + "\n  ".join(problems))
    return queries


# --- Reading a search page -------------------------------------------------------------------


@dataclass
class Mark:
    text: str
    before: str  # the text before the mark, in the same block
    after: str  # the text after it, in the same block


@dataclass
class ResultPage:
    links: list = field(default_factory=list)  # record page addresses, in reading order
    marks: list = field(default_factory=list)
    markdown_snippets: int = 0  # blocks with <mark> that also show Markdown


class ResultReader(HTMLParser):
    """Read a search page's result links and marks (see "How results are read")."""

    def __init__(self, all_links=False):
        super().__init__(convert_charrefs=True)
        self.all_links = all_links
        self.has_marked_area = False
        self.stack = []  # open elements: (tag, inside the result area, skipped)
        self.links = []
        self.block = []  # text pieces of the current block: str, or a Mark being built
        self.marks = []
        self.markdown_snippets = 0

    def feed_page(self, html):
        self.has_marked_area = "data-search-results" in html
        self.feed(html)
        self.close()
        self.end_block()
        return ResultPage(list(dict.fromkeys(self.links)), self.marks, self.markdown_snippets)

    @property
    def inside(self):
        return bool(self.stack) and self.stack[-1][1] and not self.stack[-1][2]

    def opened(self, tag):
        return any(open_tag == tag for open_tag, _inside, _skipped in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        parent_inside, parent_skipped = self.stack[-1][1:] if self.stack else (False, False)
        starts_area = "data-search-results" in attrs if self.has_marked_area else tag == "main"
        inside = parent_inside or starts_area
        skipped = parent_skipped or (inside and tag in SKIPPED)
        if tag in BLOCKS:
            self.end_block()
        if tag in ("br", "img", "input", "meta", "link", "hr", "wbr", "source"):
            return  # void elements have no end tag
        self.stack.append((tag, inside, skipped))
        if not (inside and not skipped):
            return
        if tag == "a":
            match = RECORD_PAGE.match(urllib.parse.urlsplit(attrs.get("href") or "").path)
            in_heading = any(self.opened(heading) for heading in HEADINGS)
            if match and (in_heading or self.all_links):
                self.links.append(match.group(1))
        elif tag == "mark":
            self.block.append(Mark("", "", ""))

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self.end_block()
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                was_mark = tag == "mark" and self.inside
                del self.stack[index:]
                if was_mark and self.block and isinstance(self.block[-1], Mark):
                    self.block.append("")  # text after the mark is plain again
                return

    def handle_data(self, data):
        if not self.inside:
            return
        if self.block and isinstance(self.block[-1], Mark) and self.opened("mark"):
            self.block[-1].text += data
        else:
            self.block.append(data)

    def end_block(self):
        """Close the current run of text: give each of its marks the text either side."""
        if not any(isinstance(piece, Mark) for piece in self.block):
            self.block = []
            return
        texts = [piece.text if isinstance(piece, Mark) else piece for piece in self.block]
        for index, piece in enumerate(self.block):
            if isinstance(piece, Mark):
                piece.before = "".join(texts[:index])
                piece.after = "".join(texts[index + 1 :])
                self.marks.append(piece)
        if MARKDOWN.search("".join(texts)):
            self.markdown_snippets += 1
        self.block = []


# --- Judging marks ---------------------------------------------------------------------------


def without_inflection(word):
    for ending, replacement in INFLECTIONS:
        if word.endswith(ending) and len(word) - len(ending) >= 3 and not word.endswith("ss"):
            return word[: -len(ending)] + replacement
    return word


def root(word):
    """`word` without an inflection, then without derivational endings while what remains
    keeps at least MIN_ROOT letters, then without a final "e"."""
    word = without_inflection(word.lower())
    changed = True
    while changed:
        changed = False
        for ending in DERIVATIONS:
            if word.endswith(ending) and len(word) - len(ending) >= MIN_ROOT:
                word, changed = word[: -len(ending)], True
                break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


@dataclass(frozen=True)
class Term:
    word: str  # lower case
    exact: bool  # short or typed in capitals: only the word itself is accepted


def accepted_terms(query, thesaurus):
    """The Terms a mark may show for `query`: its words and its equivalents' words."""
    phrases = [query] + [phrase for term in thesaurus.expand(query) for phrase, _exact in term[1:]]
    terms = set()
    for phrase in phrases:
        for word in re.findall(r"[^\W_]+", phrase):
            if CJK.search(word):
                continue
            # A capital after the first letter makes a name or an abbreviation: "HA",
            # "RAISe", "PolyU" accept only themselves ("has", "raised" are other words).
            capitals = any(character.isupper() for character in word[1:])
            terms.add(Term(word.lower(), len(word) <= 3 or capitals))
    return terms


def accepted(word, terms):
    lower = word.lower()
    for term in terms:
        if lower == term.word:
            return True
        if not term.exact and len(lower) >= 4 and root(lower) == root(term.word):
            return True
    return False


def false_match(mark, terms):
    """None if `mark` is a fair highlight for `terms`, else the word it wrongly marks."""
    # Only Latin letters and digits extend a word (a Chinese character never does).
    before = LATIN_WORD_END.search(mark.before).group()
    after = LATIN_WORD_START.match(mark.after).group()
    for word in LATIN_WORD.findall(f"{before}{mark.text}{after}"):
        if not accepted(word, terms):
            shown = f"{before}[{mark.text}]{after}" if before or after else f"[{mark.text}]"
            return shown
    return None


# --- Running the queries ---------------------------------------------------------------------


@dataclass
class Outcome:
    judged: Judged
    links: list
    rank: int | None  # of the first relevant link, 1-based; None if none on the page
    marks: int = 0  # Latin-script marks judged
    cjk_marks: int = 0
    false_matches: list = field(default_factory=list)
    markdown_snippets: int = 0

    @property
    def reciprocal_rank(self):
        return 1 / self.rank if self.rank else 0.0

    @property
    def best_reciprocal_rank(self):
        """Of the judged best page (the named thing, for a name) alone."""
        best = self.judged.relevant[0]
        return 1 / (self.links.index(best) + 1) if best in self.links else 0.0


def django_client(database_url, cache_dir):
    """Set up Django in this process on `database_url` (production settings, no page cache);
    return a test Client."""
    os.environ.update(
        harness.production_env(database_url, DJANGO_PAGE_CACHE="0", DJANGO_CACHE_DIR=str(cache_dir))
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "hkai.settings"
    sys.path.insert(0, str(harness.REPO_ROOT))
    import django

    django.setup()
    from django.test import Client

    return Client(raise_request_exception=True)


def make_thesaurus():
    """The synonyms a query is expanded with: the reviewed ones and the records' names."""
    from portal.search.lexicon import name_groups
    from portal.search.synonyms import Thesaurus

    return Thesaurus(name_groups())


def missing_pages(client, queries):
    """Judged pages that do not answer 200 in this database, with the queries judging them."""
    judging = defaultdict(list)
    for judged in queries:
        for url in judged.relevant:
            judging[url].append(judged.position)
    return {
        url: positions for url, positions in judging.items() if client.get(url).status_code != 200
    }


def run_query(client, judged, thesaurus, all_links):
    path = f"{LANGUAGES[judged.language]}/search/?{urllib.parse.urlencode({'q': judged.query})}"
    response = client.get(path)
    if response.status_code != 200:
        raise BenchmarkError(f"{path} answered {response.status_code}")
    page = ResultReader(all_links).feed_page(response.content.decode("utf-8"))
    relevant = set(judged.relevant)
    rank = next((i for i, url in enumerate(page.links, 1) if url in relevant), None)
    outcome = Outcome(judged, page.links, rank, markdown_snippets=page.markdown_snippets)
    terms = accepted_terms(judged.query, thesaurus)
    for mark in page.marks:
        if CJK.search(mark.text):
            outcome.cjk_marks += 1
            continue
        outcome.marks += 1
        if wrong := false_match(mark, terms):
            outcome.false_matches.append(wrong)
    return outcome


# --- Reporting -------------------------------------------------------------------------------


def summary_row(name, outcomes):
    count = len(outcomes)
    if not count:
        return f"{name:<20}{0:>4}"
    mrr = sum(o.reciprocal_rank for o in outcomes) / count
    best = sum(o.best_reciprocal_rank for o in outcomes) / count
    top3 = sum(1 for o in outcomes if o.rank and o.rank <= 3) / count
    found = sum(1 for o in outcomes if o.rank) / count
    marks = sum(o.marks for o in outcomes)
    wrong = sum(len(o.false_matches) for o in outcomes)
    with_wrong = sum(1 for o in outcomes if o.false_matches)
    rate = f"{wrong / marks:6.1%}" if marks else "     -"
    cjk = sum(o.cjk_marks for o in outcomes)
    markdown = sum(o.markdown_snippets for o in outcomes)
    return (
        f"{name:<20}{count:>4}{mrr:>7.3f}{top3:>7.0%}{found:>7.0%}{best:>7.3f}"
        f"{rate:>7} {wrong:>4}/{marks:<5}{with_wrong:>5}{cjk:>6}{markdown:>6}"
    )


def print_report(outcomes):
    header = (
        f"{'':<20}{'n':>4}{'MRR':>7}{'top 3':>7}{'found':>7}{'MRR 1st':>8}{'false':>6}"
        f" {'of marks':<10}{'qs':>4}{'zh':>6}{'md':>6}"
    )
    print(header)
    print("-" * len(header))
    subsets = [
        ("all", outcomes),
        ("tuning", [o for o in outcomes if not o.judged.held_out]),
        ("held out", [o for o in outcomes if o.judged.held_out]),
        ("English (en)", [o for o in outcomes if o.judged.language == "en"]),
        ("Chinese (zh-hant)", [o for o in outcomes if o.judged.language == "zh-hant"]),
    ]
    for name, subset in subsets:
        print(summary_row(name, subset))
    print()
    for kind in KINDS:
        print(summary_row(f"kind: {kind}", [o for o in outcomes if o.judged.kind == kind]))
    print(
        "\nMRR: mean reciprocal rank of the first relevant result (0 if none on the page)."
        "\ntop 3, found: share of queries with a relevant result in the first three, on the page."
        "\nMRR 1st: the same for the first judged page alone (the named thing, for a name)."
        "\nfalse: share of the judged (Latin-script) marks that mark part of a word or an"
        " unrelated word;\n  of marks: false / judged marks; qs: queries with any false match."
        "\nzh: Chinese marks (not judged). md: snippets with a mark that show Markdown."
    )


def print_list(outcomes):
    print("\n#    set  lang  kind          rank  query  ->  first three results")
    for o in outcomes:
        judged = o.judged
        held = "held" if judged.held_out else "tune"
        rank = str(o.rank) if o.rank else "-"
        print(
            f"{judged.position:<4} {held} {judged.language:<5} {judged.kind:<13}{rank:>4}  "
            f"{judged.query}"
        )
        print(f"{'':<10}-> {', '.join(o.links[:3]) or '(no results)'}")
        if not o.rank:
            print(f"{'':<10}wanted: {', '.join(judged.relevant)}")
        if o.false_matches:
            shown = Counter(o.false_matches).most_common(5)
            print(f"{'':<10}false matches: " + ", ".join(f"{w} x{n}" for w, n in shown))


# --- Main ------------------------------------------------------------------------------------


def build_database(fixtures, workdir):
    """Migrate a fresh SQLite database in `workdir` and import `fixtures`; return its URL."""
    if not fixtures:
        raise BenchmarkError("no fixture files to import")
    url = harness.fresh_database("search_relevance", workdir, None)
    print(f"importing {len(fixtures)} fixture files from {fixtures[0].parent} ...", flush=True)
    harness.run_manage(["migrate", "--noinput", "-v0"], url, workdir / "migrate")
    harness.run_manage(["import_content", *map(str, fixtures)], url, workdir / "import_content")
    return url


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="See the module docstring for how results and marks are read.",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--fixtures",
        type=Path,
        default=harness.REPO_ROOT / "fixtures",
        help="folder whose *.json files are imported (default: this checkout's fixtures/)",
    )
    source.add_argument("--database-url", help="use this database as it is instead of building one")
    parser.add_argument(
        "--judgments", type=Path, default=JUDGMENTS, help=f"default: {JUDGMENTS.name}"
    )
    parser.add_argument("--list", action="store_true", help="print one line per query")
    parser.add_argument(
        "--all-links",
        action="store_true",
        help="count every record link in the result area, not only heading links",
    )
    parser.add_argument("--workdir", type=Path, help="where the database goes (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    harness.stop_on_sigterm()
    try:
        queries = load_judgments(args.judgments)
        with harness.work_directory(args.workdir, args.keep, "hkai-search-") as workdir:
            url = args.database_url or build_database(
                sorted(args.fixtures.resolve().glob("*.json")), workdir
            )
            harness.prepare_checkout(url, workdir)
            with tempfile.TemporaryDirectory(prefix="hkai-search-cache-") as cache_dir:
                client = django_client(url, cache_dir)
                thesaurus = make_thesaurus()
                missing = missing_pages(client, queries)
                outcomes = [run_query(client, q, thesaurus, args.all_links) for q in queries]
                with contextlib.suppress(Exception):
                    from django.db import connections

                    connections.close_all()
    except BenchmarkError as error:
        return harness.report_failure(error, args.keep, "database and logs")
    source = args.database_url or f"fixtures from {args.fixtures.resolve()}"
    held = sum(1 for q in queries if q.held_out)
    print(
        f"\n{len(queries)} judged queries ({len(queries) - held} tuning, {held} held out) on"
        f" {source}; results read from {'every record link' if args.all_links else 'heading links'}"
        " in the result area\n"
    )
    if missing:
        print(f"warning: {len(missing)} judged pages are not in this database (query numbers):")
        for page, positions in sorted(missing.items()):
            print(f"  {page}  ({', '.join(map(str, positions))})")
        print()
    print_report(outcomes)
    if args.list:
        print_list(outcomes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
