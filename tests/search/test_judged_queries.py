"""The judged queries (tests/benchmarks/search_judgments.json) on the fixtures: the site
search must rank a relevant page high (MRR at least 0.85 on the tuning set and on the
held-out set) and never highlight a fragment or an unrelated word. Scored by
tests/benchmarks/search_relevance.py's own functions, so the test and the script read results
and judge marks the same way."""

import io
import sys
from pathlib import Path

from django.core.management import call_command
from django.test import TestCase

from tests.test_fixtures import FIXTURE_FILES

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import search_relevance  # noqa: E402 (the benchmarks folder is not a package on the path)

MIN_MRR = 0.85


def mrr(outcomes):
    return sum(o.reciprocal_rank for o in outcomes) / len(outcomes)


class JudgedQueryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("import_content", *map(str, FIXTURE_FILES), stdout=io.StringIO())

    def test_relevant_pages_rank_high_and_marks_are_whole_words(self):
        queries = search_relevance.load_judgments(search_relevance.JUDGMENTS)
        thesaurus = search_relevance.make_thesaurus()
        outcomes = [
            search_relevance.run_query(self.client, judged, thesaurus, all_links=False)
            for judged in queries
        ]
        tuning = [o for o in outcomes if not o.judged.held_out]
        held_out = [o for o in outcomes if o.judged.held_out]
        figures = f"tuning {mrr(tuning):.3f}, held out {mrr(held_out):.3f}"
        # Each set on its own: a gain on the tuned queries alone is not progress.
        for judged in (tuning, held_out):
            self.assertGreaterEqual(mrr(judged), MIN_MRR, figures)
        false_matches = {o.judged.query: o.false_matches for o in outcomes if o.false_matches}
        self.assertEqual(false_matches, {})
        self.assertEqual(sum(o.markdown_snippets for o in outcomes), 0)
