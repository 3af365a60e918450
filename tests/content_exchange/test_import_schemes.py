"""A funding scheme's terms go through `import_content` and `export_content` like any field:
who may apply is checked against its fixed groups, and the terms come back out as they went in."""

import datetime
import json

from portal.content.exporter import export_all
from portal.models import Initiative
from tests.content_exchange.test_import_content import (
    ImportTestCase,
    run_failing_import,
    run_import,
)
from tests.content_files import SOURCE, valid_records, write_json

TERMS = {
    "amount": 3000000000,
    "amount_currency": "HKD",
    "amount_basis": "total",
    "amount_years": 3,
    "amount_source": [SOURCE],
    "applicants": "universities companies",
    "applicants_source": [SOURCE],
    "apply_url": "https://example.org/apply",
    "window_opens": "2024-10-07",
    "window_closes": None,
    "rolling": False,
    "intake": "open",
    "intake_as_of": "2024-10-07",
    "intake_source": [SOURCE],
}


def with_terms(**changes):
    records = valid_records()
    initiative = next(r for r in records if r["model"] == "portal.initiative")
    initiative["fields"].update({**TERMS, **changes})
    return records


class SchemeTermsImportTests(ImportTestCase):
    def test_the_terms_are_imported_and_exported_as_given(self):
        run_import(write_json(self.tmp, "schemes.json", with_terms()))

        scheme = Initiative.objects.get(slug="genai-sandbox")
        self.assertEqual(scheme.applicants, "companies universities")
        self.assertEqual(scheme.window_opens, datetime.date(2024, 10, 7))
        self.assertEqual(scheme.intake_source.url, SOURCE)
        export_all(self.tmp / "out")
        exported = json.loads((self.tmp / "out" / "40_initiatives.json").read_text())
        fields = exported[0]["fields"]
        self.assertEqual(
            {name: fields[name] for name in TERMS},
            {**TERMS, "applicants": "companies universities"},
        )

    def test_an_unknown_group_is_refused_naming_it(self):
        message, errors = run_failing_import(
            write_json(self.tmp, "bad.json", with_terms(applicants="universities aliens"))
        )
        self.assertIn("aliens", message + errors)
        self.assertFalse(Initiative.objects.exists())

    def test_a_window_that_closes_before_it_opens_is_refused(self):
        message, errors = run_failing_import(
            write_json(self.tmp, "bad.json", with_terms(window_closes="2024-10-01"))
        )
        self.assertIn("cannot close before they open", message + errors)
