"""The importer's checking stage enforces every rule the models and the database do, so an
import is refused with the record, field and value named, never by the database mid-write."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import CheckConstraint, F, Q, UniqueConstraint
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from portal.content import rules
from portal.content.importer import ContentImportError, import_files
from portal.content.schema import SPECS
from portal.models import Initiative, Organisation, Sector
from tests.content_exchange.test_import_content import run_failing_import
from tests.content_files import record, snapshot, valid_records, write_json

# (record index in valid_records(), model, field, value): values the database refuses.
OUT_OF_RANGE = [
    (2, Organisation, "founded_year", 3000),
    (3, Initiative, "start_year", 3000),
    (3, Initiative, "start_year", 1799),
    (3, Initiative, "end_year", 2101),
]


class RulesTestCase(TestCase):
    @pytest.fixture(autouse=True)
    def _tmp_path(self, tmp_path):
        self.tmp = tmp_path

    def write(self, records, name="input.json"):
        return write_json(self.tmp, name, records)


class ConstraintTests(RulesTestCase):
    def test_a_year_out_of_range_is_refused_naming_record_field_value_and_range(self):
        records = valid_records()
        records[2]["fields"]["founded_year"] = 3000
        records[3]["fields"]["start_year"] = 3000
        path = self.write(records)
        before = snapshot(self.tmp / "before")

        message, err = run_failing_import(path)

        self.assertEqual(message, "2 problem(s) found; nothing was imported.")
        self.assertIn(
            f"{path}, record 3, portal.organisation 'hkma', field 'founded_year', value 3000: "
            "Enter a year between 1800 and 2100.",
            err,
        )
        self.assertIn(
            f"{path}, record 4, portal.initiative 'genai-sandbox', field 'start_year', "
            "value 3000: Enter a year between 1800 and 2100.",
            err,
        )
        self.assertNotIn("the database refused", err)
        self.assertEqual(snapshot(self.tmp / "after"), before)

    def test_the_importer_refuses_what_full_clean_refuses_with_the_same_message(self):
        for index, model, field, value in OUT_OF_RANGE:
            with self.subTest(field=field, value=value):
                records = valid_records()
                records[index]["fields"][field] = value
                with self.assertRaises(ContentImportError) as caught:
                    import_files([self.write(records)], dry_run=True)
                (problem,) = caught.exception.problems
                instance = model(**{field: value})
                with self.assertRaises(ValidationError) as cleaned:
                    instance.validate_constraints()
                self.assertEqual((problem.field, problem.value), (field, str(value)))
                self.assertEqual([problem.message], cleaned.exception.messages)

    def test_the_end_year_rule_gives_one_message_naming_both_years(self):
        records = valid_records()
        records[3]["fields"]["end_year"] = 2020
        with self.assertRaises(ContentImportError) as caught:
            import_files([self.write(records)], dry_run=True)
        self.assertEqual(
            [(p.field, p.message) for p in caught.exception.problems],
            [
                ("end_year", "The end year (2020) is before the start year (2024)."),
                ("start_year", "The end year (2020) is before the start year (2024)."),
            ],
        )

    def test_checking_runs_the_same_queries_for_5_records_as_for_50(self):
        def checking_queries(count):
            base = valid_records()[:3]
            initiatives = [
                record(
                    "initiative",
                    name_en=f"Initiative {n}",
                    slug=f"initiative-{n}",
                    kind="sandbox",
                    lead_organisation=["hkma"],
                    start_year=2000 + n % 30,
                    end_year=2030,
                )
                for n in range(count)
            ]
            path = self.write(base + initiatives, f"{count}.json")
            with CaptureQueriesContext(connection) as queries:
                import_files([path], dry_run=True)
            return len(queries)

        self.assertEqual(checking_queries(5), checking_queries(50))


class UniquenessTests(RulesTestCase):
    def test_a_name_another_row_in_the_database_has_is_refused(self):
        Sector.objects.create(name_en="Education", slug="education")
        with self.assertRaises(ContentImportError) as caught:
            import_files(
                [self.write([record("sector", name_en="Education", slug="schools")])],
                dry_run=True,
            )
        (problem,) = caught.exception.problems
        self.assertEqual(problem.field, "name_en")
        self.assertEqual(
            problem.message, "name_en 'Education' already belongs to 'education' in the database"
        )

    def test_a_name_moves_from_one_row_to_another_in_two_imports_not_one(self):
        # The database checks uniqueness row by row as it writes, so one import that renames
        # "education" and gives its old name to a new sector would fail mid-write.
        Sector.objects.create(name_en="Education", slug="education")
        rename = record("sector", name_en="Schools", slug="education")
        new = record("sector", name_en="Education", slug="schools")
        with self.assertRaises(ContentImportError) as caught:
            import_files([self.write([rename, new])])
        (problem,) = caught.exception.problems
        self.assertEqual((problem.record, problem.field), (2, "name_en"))
        self.assertIn("import the change to 'education' first", problem.message)

        import_files([self.write([rename])])
        import_files([self.write([new])])
        self.assertEqual(
            dict(Sector.objects.values_list("slug", "name_en")),
            {"education": "Schools", "schools": "Education"},
        )


# A value of each field type the models' constraints read (numbers otherwise).
SAMPLE_VALUES = {models.DateField: datetime.date(2000, 1, 1), models.CharField: "day"}


def test_every_database_rule_on_an_exchanged_model_is_one_the_checking_stage_runs():
    # A rule added to a model without teaching the checking stage about it would only be
    # enforced by the database, mid-write, with no record named: this test says so first.
    for spec in SPECS:
        meta = spec.model._meta
        assert not meta.unique_together, spec.label
        for constraint in meta.constraints:
            if isinstance(constraint, UniqueConstraint):
                assert constraint in meta.total_unique_constraints, constraint
                assert len(constraint.fields) == 1, constraint
                continue
            assert isinstance(constraint, CheckConstraint), constraint
            names = constraint.condition.referenced_base_fields
            values = {name: SAMPLE_VALUES.get(type(meta.get_field(name)), 2000) for name in names}
            # Evaluated in Python (no query per record): raises Unsupported otherwise.
            rules.evaluate(constraint.condition, values)


# (condition, values, expected): SQL's three-valued logic, None being unknown (NULL).
EVALUATIONS = [
    (Q(year__gte=1800), {"year": 1799}, False),
    (Q(year__gte=1800), {"year": None}, None),
    (Q(year__isnull=True) | Q(year__lte=2100), {"year": None}, True),
    (Q(year__isnull=True) | Q(year__lte=2100), {"year": 2101}, False),
    (Q(end__gte=F("start")), {"start": 2024, "end": 2020}, False),
    (Q(end__gte=F("start")), {"start": None, "end": 2020}, None),
    # The parts of a date (a milestone's precision rule).
    (Q(date__day=1), {"date": datetime.date(2023, 10, 25)}, False),
    (Q(date__month=1, date__day=1), {"date": datetime.date(2023, 1, 1)}, True),
    (Q(date__year__gte=2000), {"date": datetime.date(1999, 12, 31)}, False),
    (~Q(year__gt=2000), {"year": 2001}, False),
    (~Q(year__gt=2000), {"year": None}, None),
    (Q(year__gt=2000) & Q(year__lt=1000), {"year": None}, None),
    (Q(kind__in=["a", "b"]), {"kind": "c"}, False),
    (Q(kind__in=["a", None]), {"kind": "c"}, None),
    (Q(year__range=(1800, 2100)), {"year": 1900}, True),
    (Q(name="Hong Kong"), {"name": "Hong Kong"}, True),
]


@pytest.mark.parametrize(("condition", "values", "expected"), EVALUATIONS)
def test_conditions_evaluate_as_the_database_would(condition, values, expected):
    assert rules.evaluate(condition, values) is expected


@pytest.mark.parametrize(
    "condition",
    [
        Q(published__year__gt=2000),
        Q(name__gt="B"),
        Q(year__gt=F("year") + 1),
        Q(year__in=F("year")),
        Q(unknown=1),
    ],
)
def test_conditions_python_cannot_decide_are_unsupported(condition):
    with pytest.raises(rules.Unsupported):
        rules.evaluate(condition, {"published": None, "name": "A", "year": 1})


def test_a_datetime_s_parts_are_left_to_the_database():
    moment = datetime.datetime(2023, 12, 31, 20, tzinfo=datetime.UTC)
    with pytest.raises(rules.Unsupported):
        rules.evaluate(Q(published__year__gt=2000), {"published": moment})


class DatabaseFallbackTests(TestCase):
    def test_a_condition_python_cannot_decide_is_asked_once_per_distinct_value(self):
        starts_with_a = CheckConstraint(condition=Q(name_en__startswith="A"), name="starts_a")
        rules._database_passes.cache_clear()
        with mock.patch.object(Sector._meta, "constraints", [starts_with_a]):
            with CaptureQueriesContext(connection) as queries:
                broken = [
                    list(rules.broken_constraints(Sector, {"name_en": name}))
                    for name in ["Alpha", "Beta", "Alpha", "Beta"]
                ]
        self.assertEqual(broken, [[], [starts_with_a], [], [starts_with_a]])
        # Django's CheckConstraint.validate(): a SELECT each (in a savepoint in a transaction).
        checks = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
        self.assertEqual(len(checks), 2)
