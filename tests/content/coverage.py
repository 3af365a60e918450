"""What the shipped fixtures cover: footnoted sentences and Chinese text, per record type.

Read from the fixture files themselves (no database), so the figures are those of what is
committed. `tests/content/test_coverage.py` holds them to the content rules and
`tests/benchmarks/content_coverage.py` prints them.
"""

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

# Texts that cite their sources with footnotes, per model.
CITED = {
    "portal.sector": ["description"],
    "portal.organisation": ["description"],
    "portal.initiative": ["description"],
    "portal.article": ["body"],
}
# Translated fields readers see, per model.
TRANSLATED = {
    "portal.sector": ["name", "summary", "description"],
    "portal.organisation": ["name", "summary", "description"],
    "portal.initiative": ["name", "summary", "description"],
    "portal.article": ["title", "summary", "body"],
    "portal.milestone": ["title", "summary"],
}
LANGUAGES = ("en", "zh_hant")
# The project's two first articles: their text is kept as written, under an editor's note.
SEED_ARTICLES = {
    "hong-kong-ascendance-in-the-ai-landscape",
    "hong-kong-rising-role-in-the-ai-revolution",
}
OFFICIAL_PUBLISHERS = {"government", "statutory"}

_DEFINITION = re.compile(r"^ {0,3}\[\^[^\]\s]+\]:.*$", re.M)
_MARKER = r"\[\^[^\]\s]+\]"
# A sentence ends at . ! ? (then a space or the end) or at Chinese 。！？, each optionally
# followed by closing quotes and footnote markers.
_SENTENCE_END = re.compile(
    rf"(?:[.!?][\"”’)]?(?P<en>(?:{_MARKER})*)(?=\s|$)|[。！？][」』”）]?(?P<zh>(?:{_MARKER})*))"
)
# A full stop that ends an abbreviation, not a sentence ("Prof. Harry Shum").
_ABBREVIATION = re.compile(
    r"(?:\b(?i:Prof|Dr|Mr|Ms|Mrs|St|No|Nos|Ltd|Co|Inc|Corp|vs|etc|e\.g|i\.e|U\.S|approx|Dept)"
    r"|\b[A-Z])\.$"  # or an initial, as in "David P. Chan"
)


def sentences(markdown):
    """Yield (sentence, footnoted) for each sentence of prose in `markdown`.

    Headings, tables, footnote definitions and block quotes (editor's notes are checked as
    text of their own) are not prose; each line of a list counts as its own text.
    """
    text = _DEFINITION.sub("", markdown or "")
    for line in text.splitlines():
        line = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", line).strip()
        if not line or line[0] in "#|>":
            continue
        pending, start = "", 0
        for end in _SENTENCE_END.finditer(line):
            pending += line[start : end.end()]
            start = end.end()
            if _ABBREVIATION.search(pending.strip()) and not (end["en"] or end["zh"]):
                continue
            if pending.strip():
                yield pending.strip(), bool(re.search(_MARKER, pending))
            pending = ""
        pending += line[start:]
        if pending.strip():
            yield pending.strip(), bool(re.search(_MARKER, pending))


def fixture_records():
    """Every record in fixtures/*.json, as (model label, fields)."""
    for path in sorted(FIXTURES.glob("*.json")):
        for record in json.loads(path.read_text(encoding="utf-8")):
            yield record["model"], record["fields"]


def record_key(fields):
    return fields.get("slug") or fields.get("url")


@dataclass
class Coverage:
    """Counts per (model, language) and per (model, field), with the records that miss out."""

    sentences: Counter = field(default_factory=Counter)
    footnoted: Counter = field(default_factory=Counter)
    unfootnoted: dict = field(default_factory=lambda: defaultdict(list))
    in_english: Counter = field(default_factory=Counter)
    in_chinese: Counter = field(default_factory=Counter)
    without_chinese: dict = field(default_factory=lambda: defaultdict(list))


def measure(records=None, skip=()):
    """The `Coverage` of `records` ((model, fields) pairs; default: the fixtures). Records
    whose key is in `skip` are left out of the sentence counts (e.g. the seed articles, whose
    text is kept as it was written, with an editor's note)."""
    found = Coverage()
    for model, fields in fixture_records() if records is None else records:
        key = record_key(fields)
        for name in CITED.get(model, ()) if key not in skip else ():
            for language in LANGUAGES:
                for sentence, footnoted in sentences(fields.get(f"{name}_{language}")):
                    found.sentences[model, language] += 1
                    found.footnoted[model, language] += footnoted
                    if not footnoted:
                        found.unfootnoted[model, language].append((key, sentence))
        for name in TRANSLATED.get(model, ()):
            if not fields.get(f"{name}_en"):
                continue
            found.in_english[model, name] += 1
            english_only = name == "name" and fields.get("english_name_only")
            if fields.get(f"{name}_zh_hant") or english_only:
                found.in_chinese[model, name] += 1
            else:
                found.without_chinese[model, name].append(key)
    return found
