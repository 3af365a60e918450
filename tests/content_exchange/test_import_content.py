"""`import_content` and `export_content`: what data people see and what the database keeps."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase

from portal.content.exporter import export_all
from portal.content.importer import import_files
from portal.models import Article, Initiative, Organisation, Sector, Source
from portal.search.query import ARTICLE_SEARCH_TABLE
from tests.content_files import SOURCE, record, snapshot, valid_records, write_json


def run_import(*paths, dry_run=False):
    """Run the command; return (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_content", *map(str, paths), dry_run=dry_run, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing_import(*paths):
    """Run the command expecting it to refuse the input; return (error message, stderr)."""
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_content", *map(str, paths), stdout=io.StringIO(), stderr=err)
    return str(caught.value), err.getvalue()


class ImportTestCase(TestCase):
    @pytest.fixture(autouse=True)
    def _tmp_path(self, tmp_path):
        self.tmp = tmp_path

    def import_valid(self):
        return run_import(write_json(self.tmp, "valid.json", valid_records()))


class SuccessfulImportTests(ImportTestCase):
    def test_imports_every_model_and_relation(self):
        out, _ = self.import_valid()
        initiative = Initiative.objects.get(slug="genai-sandbox")
        self.assertEqual(initiative.lead_organisation.short_name, "HKMA")
        self.assertEqual([s.slug for s in initiative.sectors.all()], ["banking-finance"])
        self.assertEqual([s.url for s in initiative.sources.all()], [SOURCE])
        article = Article.objects.get()
        self.assertEqual([i.slug for i in article.initiatives.all()], ["genai-sandbox"])
        self.assertIn("portal.article       1 created, 0 updated, 0 unchanged", out)
        self.assertIn("Done: 5 record(s) from 1 file(s).", out)

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's search table")
    def test_the_planner_knows_the_articles_search_table_after_an_import(self):
        # Not a model's table, so easy to leave out; unanalysed, its row estimate is -1.
        self.import_valid()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT reltuples, (SELECT count(*) FROM {ARTICLE_SEARCH_TABLE})"
                " FROM pg_class WHERE relname = %s",
                [ARTICLE_SEARCH_TABLE],
            )
            estimated, rows = cursor.fetchone()
        self.assertEqual((estimated, rows), (1, 1))

    def test_repairs_text_and_reports_how_many_fields(self):
        out, _ = self.import_valid()
        self.assertEqual(Article.objects.get().body, "Hong Kong banks are testing it.")
        self.assertIn("Repaired text in 1 field(s).", out)

    def test_importing_the_same_files_again_changes_nothing(self):
        self.import_valid()
        before = snapshot(self.tmp / "before")
        out, _ = self.import_valid()
        for label in ["source", "sector", "organisation", "initiative", "article"]:
            self.assertRegex(out, rf"portal\.{label} +0 created, 0 updated, 1 unchanged")
        self.assertEqual(snapshot(self.tmp / "after"), before)

    def test_a_changed_field_or_relation_counts_as_updated(self):
        self.import_valid()
        records = valid_records()
        records[3]["fields"]["end_year"] = 2025
        records[4]["fields"]["sectors"] = []
        out, _ = run_import(write_json(self.tmp, "changed.json", records))
        self.assertRegex(out, r"portal\.initiative +0 created, 1 updated, 0 unchanged")
        self.assertRegex(out, r"portal\.article +0 created, 1 updated, 0 unchanged")
        self.assertEqual(Initiative.objects.get().end_year, 2025)
        self.assertFalse(Article.objects.get().sectors.exists())

    def test_records_may_refer_to_rows_already_in_the_database_or_later_in_the_input(self):
        records = valid_records()
        run_import(write_json(self.tmp, "base.json", records[:3]))
        # Articles first, the initiative they mention after: order in the input doesn't matter.
        out, _ = run_import(write_json(self.tmp, "more.json", [records[4], records[3]]))
        self.assertEqual(Article.objects.get().initiatives.get().slug, "genai-sandbox")
        self.assertIn("Done: 2 record(s)", out)

    def test_missing_optional_fields_take_their_defaults(self):
        run_import(
            write_json(
                self.tmp,
                "min.json",
                [
                    record("sector", name_en="Education", slug="education"),
                    record("article", title_en="Draft", slug="draft", body_en="Text"),
                ],
            )
        )
        self.assertEqual(Sector.objects.get().summary, "")
        self.assertEqual(Article.objects.get().status, Article.Status.DRAFT)


class ProgressTests(ImportTestCase):
    def test_progress_is_reported_for_checking_then_writing_every_record(self):
        class Recorder:
            def __init__(self):
                self.stages, self.done = [], {}

            def start(self, stage, total=None):
                self.stages.append((stage, total))
                self.done[stage] = 0

            def advance(self, count):
                self.done[self.stages[-1][0]] += count

        recorder = Recorder()
        records = valid_records() + [
            record("sector", name_en=f"Sector {n}", slug=f"sector-{n}") for n in range(1200)
        ]
        import_files([write_json(self.tmp, "big.json", records)], progress=recorder)
        self.assertEqual(recorder.stages, [("checking", None), ("writing", 1205)])
        self.assertEqual(recorder.done["writing"], 1205)
        self.assertEqual(recorder.done["checking"], 1000)  # reported a batch at a time


class OnlyIfEmptyTests(ImportTestCase):
    def test_imports_into_an_empty_database(self):
        path = write_json(self.tmp, "valid.json", valid_records())
        call_command("import_content", str(path), only_if_empty=True, stdout=io.StringIO())
        self.assertEqual(Article.objects.count(), 1)

    def test_leaves_existing_content_and_edits_alone(self):
        self.import_valid()
        Sector.objects.update(summary_en="Edited in the admin")
        out = io.StringIO()
        path = write_json(self.tmp, "valid.json", valid_records())
        call_command("import_content", str(path), only_if_empty=True, stdout=out)
        self.assertIn("already has content, so the files were not imported", out.getvalue())
        self.assertEqual(Sector.objects.get().summary, "Edited in the admin")


class DryRunTests(ImportTestCase):
    def test_dry_run_reports_what_would_change_and_writes_nothing(self):
        path = write_json(self.tmp, "valid.json", valid_records())
        out, _ = run_import(path, dry_run=True)
        self.assertIn("Dry run: nothing was written.", out)
        self.assertRegex(out, r"portal\.organisation +1 created, 0 updated, 0 unchanged")
        self.assertEqual(Source.objects.count() + Organisation.objects.count(), 0)

    def test_dry_run_after_an_edit_reports_the_update(self):
        self.import_valid()
        records = valid_records()
        records[1]["fields"]["summary_en"] = "Banks, insurers and markets."
        out, _ = run_import(write_json(self.tmp, "edit.json", records), dry_run=True)
        self.assertRegex(out, r"portal\.sector +0 created, 1 updated, 0 unchanged")
        self.assertRegex(out, r"portal\.source +0 created, 0 updated, 1 unchanged")
        self.assertEqual(Sector.objects.get().summary, "")


def broken(mutate):
    records = valid_records()
    mutate(records)
    return json.dumps(records, ensure_ascii=False, indent=1).encode()


def nested(depth):
    """`depth` lists, each inside the one before: [[[...]]]."""
    return "[" * depth + "]" * depth


def nested_in_fields(depth):
    """Valid records, but the second record's summary is `depth` nested lists."""
    text = broken(lambda r: r[1]["fields"].update(summary_en="NESTED")).decode()
    return text.replace('"NESTED"', nested(depth)).encode()


# (name, file bytes, what the message must say)
BAD_INPUTS = [
    ("empty", b"", "the file is empty; expected a JSON list of records"),
    ("not a list", b'{"model": "portal.sector"}', "not a list of records"),
    (
        "bad json",
        b'[\n{"model": "portal.sector",\n "fields": {"name": "A",}}\n]',
        "line 3: invalid JSON after record 0",
    ),
    (
        "not utf-8",
        '[\n{"model": "portal.sector", "fields": {"name": "Caf\xe9"}}]'.encode("latin-1"),
        "line 2: the text is not UTF-8",
    ),
    ("record not an object", b'["portal.sector"]', "record 1: expected an object"),
    (
        "nested lists",
        nested(2000).encode(),
        "record 1: lists and objects are nested more than 5 levels deep",
    ),
    (
        "nested lists in a record's fields",
        nested_in_fields(2000),
        "record 2: lists and objects are nested more than 5 levels deep",
    ),
    (
        "unknown model",
        broken(lambda r: r[1].update(model="portal.planet")),
        "record 2: unknown model 'portal.planet'",
    ),
    ("primary key", broken(lambda r: r[1].update(pk=7)), "must not carry a primary key"),
    (
        "unknown field",
        broken(lambda r: r[1]["fields"].update(colour="red")),
        "record 2, portal.sector 'banking-finance', field 'colour': unknown field",
    ),
    (
        "wrong type",
        broken(lambda r: r[3]["fields"].update(start_year="twenty")),
        "field 'start_year': expected a whole number or null, got text ('twenty')",
    ),
    (
        "missing required",
        broken(lambda r: r[2]["fields"].pop("kind")),
        "portal.organisation 'hkma', field 'kind': required field is missing",
    ),
    (
        "bad choice",
        broken(lambda r: r[2]["fields"].update(kind="club")),
        "field 'kind', value \"club\": Value 'club' is not a valid choice.",
    ),
    (
        "unknown reference",
        broken(lambda r: r[4]["fields"].update(sectors=[["fintech"]])),
        "field 'sectors': refers to portal.sector 'fintech', which is neither in the database "
        "nor in the input",
    ),
    (
        "malformed reference",
        broken(lambda r: r[3]["fields"].update(lead_organisation="hkma")),
        "field 'lead_organisation': expected a reference like [\"slug\"] or null",
    ),
    (
        "duplicate slug",
        broken(lambda r: r.append(record("sector", name_en="Other", slug="banking-finance"))),
        "record 6, portal.sector 'banking-finance', field 'slug': "
        "duplicate slug 'banking-finance'; "
        "first used in",
    ),
    (
        "duplicate name",
        broken(
            lambda r: r.append(
                record("sector", slug="other", name_en="Banking and financial services")
            )
        ),
        "field 'name_en': name_en 'Banking and financial services' is already used by "
        "'banking-finance'",
    ),
    (
        "end before start",
        broken(lambda r: r[3]["fields"].update(end_year=2020)),
        "field 'end_year': The end year (2020) is before the start year (2024).",
    ),
    (
        "bad url",
        broken(lambda r: r[0]["fields"].update(url="not a url")),
        "field 'url', value \"not a url\": Enter a valid URL.",
    ),
    (
        "bad date",
        broken(lambda r: r[4]["fields"].update(publish_at="yesterday")),
        "field 'publish_at', value \"yesterday\": “yesterday” value has an invalid format.",
    ),
    *(
        (
            f"source without {name}",
            broken(lambda r, name=name: r[0]["fields"].pop(name)),
            f"record 1, portal.source '{SOURCE}', field '{name}': required field is missing",
        )
        for name in ("title", "publisher", "publisher_type", "accessed")
    ),
    (
        "source with an empty title",
        broken(lambda r: r[0]["fields"].update(title="")),
        f"record 1, portal.source '{SOURCE}', field 'title', value \"\": "
        "This field cannot be blank.",
    ),
    (
        "source with a null access date",
        broken(lambda r: r[0]["fields"].update(accessed=None)),
        f"record 1, portal.source '{SOURCE}', field 'accessed': a value is required",
    ),
    (
        "source with an unknown type of publisher",
        broken(lambda r: r[0]["fields"].update(publisher_type="blog")),
        "field 'publisher_type', value \"blog\": Value 'blog' is not a valid choice.",
    ),
    (
        "null text",
        broken(lambda r: r[1]["fields"].update(summary_en=None)),
        "field 'summary_en': null is not allowed; use \"\" for empty",
    ),
]


class BadInputTests(ImportTestCase):
    @classmethod
    def setUpTestData(cls):
        # Content already in the database, which a failed import must leave exactly as it was.
        Sector.objects.create(name_en="Education", slug="education", summary_en="Schools")

    def test_each_problem_is_named_and_the_database_is_left_exactly_as_it_was(self):
        for name, data, expected in BAD_INPUTS:
            with self.subTest(name):
                before = snapshot(self.tmp / "before")
                path = self.tmp / f"{name.replace(' ', '-')}.json"
                path.write_bytes(data)
                # A valid file alongside: it must not be imported either.
                good = write_json(
                    self.tmp, "good.json", [record("sector", name_en="Law", slug="law")]
                )
                message, err = run_failing_import(good, path)
                self.assertIn("nothing was imported", message)
                self.assertIn(str(path), err)
                self.assertIn(expected, err)
                self.assertEqual(snapshot(self.tmp / "after"), before)

    def test_all_problems_are_reported_at_once(self):
        records = valid_records()
        records[2]["fields"]["kind"] = "club"
        records[3]["fields"]["start_year"] = "soon"
        records[4]["fields"]["sectors"] = [["nowhere"]]
        message, err = run_failing_import(write_json(self.tmp, "three.json", records))
        self.assertIn("3 problem(s) found", message)
        self.assertEqual(err.count("three.json, record"), 3)

    def test_a_missing_file_is_reported(self):
        _, err = run_failing_import(self.tmp / "nope.json")
        self.assertIn("nope.json: cannot be read", err)


class RoundTripTests(ImportTestCase):
    def test_export_empty_import_export_gives_byte_identical_files(self):
        self.import_valid()
        first = self.tmp / "first"
        call_command("export_content", output=str(first), stdout=io.StringIO())
        for model in (Article, Initiative, Organisation, Sector, Source):
            model.objects.all().delete()
        run_import(*sorted(first.glob("*.json")))
        second = self.tmp / "second"
        call_command("export_content", output=str(second), stdout=io.StringIO())
        names = sorted(p.name for p in first.glob("*.json"))
        self.assertEqual(names, sorted(p.name for p in second.glob("*.json")))
        for name in names:
            self.assertEqual((first / name).read_bytes(), (second / name).read_bytes(), name)

    def test_exported_files_load_with_plain_loaddata(self):
        self.import_valid()
        out = self.tmp / "out"
        call_command("export_content", output=str(out), stdout=io.StringIO())
        before = snapshot(self.tmp / "before")
        for model in (Article, Initiative, Organisation, Sector, Source):
            model.objects.all().delete()
        call_command("loaddata", *sorted(map(str, out.glob("*.json"))), verbosity=0)
        self.assertEqual(snapshot(self.tmp / "after"), before)

    def test_export_runs_a_fixed_number_of_queries_whatever_the_row_count(self):
        self.import_valid()
        milestone = record(
            "milestone",
            title_en="Sandbox launched",
            slug="sandbox-launched",
            date="2024-08-13",
            kind="launched",
            summary_en="Banks can try generative AI.",
            initiatives=[["genai-sandbox"]],
            organisations=[["hkma"]],
            sectors=[["banking-finance"]],
            sources=[[SOURCE]],
        )
        run_import(write_json(self.tmp, "milestone.json", [milestone]))
        # One query per model and one per relation it has rows in.
        with self.assertNumQueries(20):
            export_all(self.tmp / "small")
        records = [
            record(
                "article",
                title_en=f"A{n}",
                slug=f"a-{n}",
                body_en="x",
                sectors=[["banking-finance"]],
                sources=[[SOURCE]],
            )
            for n in range(50)
        ]
        run_import(write_json(self.tmp, "many.json", records))
        with self.assertNumQueries(20):
            export_all(self.tmp / "large")
