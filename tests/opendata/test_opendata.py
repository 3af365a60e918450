"""/data/: every record type as CSV and JSON, and a Data Package that frictionless accepts."""

import csv
import datetime
import io
import json
import tempfile
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from frictionless import Package, validate

from portal.downloads import store
from portal.models import Article, Initiative, Organisation
from portal.opendata import DATASETS, LINKS_BY_NAME
from portal.opendata import files as data_files
from tests.factories import (
    NOW,
    make_article,
    make_initiative,
    make_milestone,
    make_organisation,
    make_sector,
    make_source,
)

DAY = datetime.timedelta(days=1)
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"


class DataReader:
    def download(self, path, content_type):
        response = self.client.get(path)
        self.assertEqual(response.status_code, 200, path)
        self.assertTrue(response.streaming, f"{path} should stream")
        self.assertEqual(response["Content-Type"], content_type)
        self.assertIn(f'<{LICENSE_URL}>; rel="license"', response["Link"])
        self.assertIn('/data/datapackage.json>; rel="describedby"', response["Link"])
        self.assertEqual(response["Access-Control-Allow-Origin"], "*")
        return b"".join(response.streaming_content).decode("utf-8")

    def csv_rows(self, name, language=""):
        text = self.download(f"{language}/data/{name}.csv", "text/csv; charset=utf-8")
        self.assertTrue(text.startswith("\ufeff"), "Excel needs the byte order mark")
        return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))

    def records(self, name, language=""):
        data = json.loads(self.download(f"{language}/data/{name}.json", "application/json"))
        self.assertEqual(data["name"], name)
        self.assertEqual(data["license"]["path"], LICENSE_URL)
        return data["records"]

    def package(self, language=""):
        response = self.client.get(f"{language}/data/datapackage.json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json")
        return json.loads(b"".join(response.streaming_content))


@time_machine.travel(NOW, tick=False)
class OpenDataTests(DataReader, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.banking = make_sector(name="Banking", name_zh_hant="銀行", slug="banking")
        cls.health = make_sector(name="Health", slug="health")
        cls.hkma = make_organisation(
            name="HKMA", slug="hkma", kind=Organisation.Kind.STATUTORY_BODY, founded_year=1993
        )
        cls.hku = make_organisation(name="HKU", slug="hku", kind=Organisation.Kind.UNIVERSITY)
        cls.source = make_source(url="https://example.org/sandbox", title="Sandbox notice")
        cls.sandbox = make_initiative(
            name="GenAI Sandbox",
            slug="genai-sandbox",
            kind=Initiative.Kind.SANDBOX,
            status=Initiative.Status.ACTIVE,
            lead_organisation=cls.hkma,
            summary='=HYPERLINK("http://evil.example")',
        )
        cls.sandbox.partners.set([cls.hku, cls.hkma])
        cls.sandbox.sectors.set([cls.banking])
        cls.sandbox.sources.set([cls.source])
        make_initiative(name="No lead", slug="no-lead", status=Initiative.Status.PLANNED)

        def article(slug, days_ago, **fields):
            obj = make_article(slug=slug, title=slug, publish_at=NOW - days_ago * DAY, **fields)
            obj.sectors.set([cls.banking])
            obj.initiatives.set([cls.sandbox])
            return obj

        article("sandbox-opens", 3).sources.set([cls.source])
        make_milestone(slug="sandbox-launched", sources=[cls.source]).initiatives.set([cls.sandbox])
        article("older", 30)
        article("draft", 2, status=Article.Status.DRAFT)
        article("scheduled", -5)

    def setUp(self):
        # The files are served as built for this content (portal.downloads).
        store.build()

    def test_every_dataset_downloads_as_csv_and_json_with_its_licence(self):
        for dataset in DATASETS:
            with self.subTest(dataset=dataset.name):
                rows = self.csv_rows(dataset.name)
                records = self.records(dataset.name)
                self.assertEqual(
                    [row[dataset.key] for row in rows], [r[dataset.key] for r in records]
                )
                self.assertEqual(list(rows[0]), [c.name for c in dataset.columns])
                response = self.client.get(f"/data/{dataset.name}.csv")
                self.assertEqual(
                    response["Content-Disposition"],
                    f'attachment; filename="hkai-{dataset.name}.csv"',
                )

    def test_link_tables_list_one_pair_per_row(self):
        rows = self.csv_rows("initiatives-partners")
        self.assertEqual(
            [(row["initiative"], row["organisation"]) for row in rows],
            [("genai-sandbox", "hkma"), ("genai-sandbox", "hku")],
        )

    def test_unknown_names_are_not_found(self):
        for path in ("/data/nothing.csv", "/data/nothing.json", "/data/initiatives-partners.json"):
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path).status_code, 404)

    def test_csv_gives_labels_beside_codes_in_the_files_language(self):
        row = next(r for r in self.csv_rows("initiatives") if r["slug"] == "genai-sandbox")
        self.assertEqual((row["kind"], row["kind_label"]), ("sandbox", "Sandbox"))
        self.assertEqual((row["status"], row["status_label"]), ("active", "Active"))
        row = next(r for r in self.csv_rows("initiatives", "/zh-hant") if r["slug"] == "no-lead")
        self.assertEqual(row["status"], "planned")
        self.assertEqual(row["status_label"], str(self.chinese(Initiative.Status.PLANNED.label)))
        self.assertNotEqual(row["status_label"], "Planned")

    def chinese(self, text):
        from django.utils import translation

        with translation.override("zh-hant"):
            return str(text)

    def test_csv_gives_related_records_as_keys(self):
        row = next(r for r in self.csv_rows("initiatives") if r["slug"] == "genai-sandbox")
        self.assertEqual(row["lead_organisation"], "hkma")
        self.assertEqual(row["partners"], "hkma hku")
        self.assertEqual(row["sectors"], "banking")
        self.assertEqual(row["sources"], "https://example.org/sandbox")
        self.assertEqual(row["url"], "http://testserver/initiatives/genai-sandbox/")
        row = next(r for r in self.csv_rows("initiatives") if r["slug"] == "no-lead")
        self.assertEqual((row["lead_organisation"], row["partners"]), ("", ""))

    def test_csv_plain_values_in_the_forms_the_schema_declares(self):
        org = next(r for r in self.csv_rows("organisations") if r["slug"] == "hkma")
        self.assertEqual(org["founded_year"], "1993")
        self.assertEqual(org["last_reviewed"], "")
        article = self.csv_rows("articles")[0]
        self.assertEqual(article["publish_at"], "2026-11-22T12:00:00Z")

    def test_json_gives_related_records_as_objects_with_absolute_urls(self):
        record = next(r for r in self.records("initiatives") if r["slug"] == "genai-sandbox")
        self.assertEqual(
            record["lead_organisation"],
            {"slug": "hkma", "name": "HKMA", "url": "http://testserver/organisations/hkma/"},
        )
        self.assertEqual([p["slug"] for p in record["partners"]], ["hkma", "hku"])
        self.assertEqual(
            record["sources"], [{"url": "https://example.org/sandbox", "name": "Sandbox notice"}]
        )
        self.assertEqual((record["kind"], record["kind_label"]), ("sandbox", "Sandbox"))
        self.assertIsNone(
            next(r for r in self.records("initiatives") if r["slug"] == "no-lead")[
                "lead_organisation"
            ]
        )
        # Chinese files name related records in Chinese where they have a Chinese name, and
        # link to the Chinese pages.
        record = self.records("initiatives", "/zh-hant")[0]
        self.assertEqual(
            record["sectors"],
            [
                {
                    "slug": "banking",
                    "name": "銀行",
                    "url": "http://testserver/zh-hant/sectors/banking/",
                }
            ],
        )
        self.assertEqual(record["lead_organisation"]["name"], "HKMA")

    def test_drafts_and_scheduled_articles_are_in_no_file(self):
        published = ["sandbox-opens", "older"]
        self.assertEqual([row["slug"] for row in self.csv_rows("articles")], published)
        self.assertEqual([r["slug"] for r in self.records("articles")], published)
        links = {row["article"] for row in self.csv_rows("articles-sectors")}
        self.assertEqual(links, set(published))
        # Nor among the articles that a sector's links name.
        self.assertEqual(
            {row["article"] for row in self.csv_rows("articles-initiatives")}, set(published)
        )

    def test_formulas_are_text_in_csv_and_as_written_in_json(self):
        row = next(r for r in self.csv_rows("initiatives") if r["slug"] == "genai-sandbox")
        self.assertEqual(row["summary_en"], '\'=HYPERLINK("http://evil.example")')
        record = next(r for r in self.records("initiatives") if r["slug"] == "genai-sandbox")
        self.assertEqual(record["summary_en"], '=HYPERLINK("http://evil.example")')

    def assert_download_queries(self, count, path):
        cache.clear()
        store.remove_all()  # Streamed from the database, as before the first build.
        with self.assertNumQueries(count):
            response = self.client.get(path)
            b"".join(response.streaming_content)

    def test_queries_are_fixed_per_chunk(self):
        # The content state, the rows, the order of each related dataset, then per chunk one
        # query per many-to-many relation (articles: sectors, initiatives, organisations,
        # sources).
        paths = ("/data/articles.csv", "/data/articles.json")
        with mock.patch.object(data_files, "CHUNK_SIZE", 2):
            for path in paths:
                self.assert_download_queries(2 + 4 + 1 * 4, path)
            for n in range(3):
                make_article(slug=f"more-{n}", publish_at=NOW - DAY)
            for path in paths:
                self.assert_download_queries(2 + 4 + 3 * 4, path)
        # In one chunk, the same at 5 rows and at 50.
        for path in paths:
            self.assert_download_queries(2 + 4 + 4, path)
        for n in range(45):
            make_article(slug=f"many-{n}", publish_at=NOW - DAY).sectors.set([self.banking])
        for path in paths:
            self.assert_download_queries(2 + 4 + 4, path)
        # A link table is one query however long; the page and the package need none but
        # the content state.
        self.assert_download_queries(2, "/data/articles-sectors.csv")
        self.assert_download_queries(1, "/data/datapackage.json")
        self.assertEqual(self.query_count("/data/"), 1)
        # Once built, every file costs the content state alone.
        store.build()
        for path in (*paths, "/data/articles-sectors.csv", "/data/datapackage.json"):
            with self.subTest(path=path), self.assertNumQueries(1):
                b"".join(self.client.get(path).streaming_content)

    def query_count(self, path):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(path).status_code, 200)
        return len(queries)

    def test_schema_comes_from_the_models(self):
        package = self.package()
        resources = {resource["name"]: resource for resource in package["resources"]}
        self.assertEqual(list(resources), [d.name for d in DATASETS] + list(LINKS_BY_NAME))
        initiatives = resources["initiatives"]
        self.assertEqual(initiatives["path"], "http://testserver/data/initiatives.csv")
        self.assertEqual(
            (initiatives["format"], initiatives["mediatype"], initiatives["encoding"]),
            ("csv", "text/csv", "utf-8"),
        )
        fields = {field["name"]: field for field in initiatives["schema"]["fields"]}
        # Every field editors fill in is published, titled and described from the model.
        for model_field in Initiative._meta.get_fields():
            if getattr(model_field, "editable", False) and not model_field.primary_key:
                name = model_field.name if model_field.is_relation else model_field.attname
                self.assertIn(name, fields)
        lead = Initiative._meta.get_field("lead_organisation")
        self.assertEqual(fields["lead_organisation"]["title"], "Lead organisation")
        self.assertEqual(fields["lead_organisation"]["description"], str(lead.help_text))
        self.assertEqual(fields["name_zh_hant"]["title"], "Name (Traditional Chinese)")
        self.assertEqual(fields["start_year"]["type"], "integer")
        self.assertEqual(fields["last_reviewed"]["type"], "date")
        self.assertEqual(fields["updated_at"]["type"], "datetime")
        self.assertEqual(fields["kind"]["constraints"]["enum"], list(Initiative.Kind.values))
        self.assertEqual(fields["kind_label"]["type"], "string")
        self.assertEqual(initiatives["schema"]["primaryKey"], ["slug"])
        self.assertEqual(
            initiatives["schema"]["foreignKeys"],
            [
                {
                    "fields": ["lead_organisation"],
                    "reference": {"resource": "organisations", "fields": ["slug"]},
                },
                *(
                    {"fields": [name], "reference": {"resource": "sources", "fields": ["url"]}}
                    for name in (
                        "status_source",
                        "amount_source",
                        "applicants_source",
                        "intake_source",
                    )
                ),
            ],
        )
        # A scheme's terms (issue #21) come with the rest, typed from the model.
        self.assertEqual(fields["amount"]["type"], "integer")
        self.assertEqual(fields["window_closes"]["type"], "date")
        self.assertEqual(fields["intake"]["constraints"]["enum"], list(Initiative.Intake.values))
        self.assertEqual(resources["sources"]["schema"]["primaryKey"], ["url"])
        links = resources["articles-sources"]["schema"]
        self.assertEqual(links["primaryKey"], ["article", "source"])
        self.assertEqual(
            [fk["reference"] for fk in links["foreignKeys"]],
            [
                {"resource": "articles", "fields": ["slug"]},
                {"resource": "sources", "fields": ["url"]},
            ],
        )
        self.assertEqual(
            package["licenses"],
            [
                {
                    "name": "CC-BY-4.0",
                    "path": LICENSE_URL,
                    "title": "Creative Commons Attribution 4.0 International",
                }
            ],
        )
        self.assertEqual(package["created"], "2026-11-25T12:00:00Z")
        # In Chinese, the titles are Chinese and the files the Chinese ones.
        chinese = self.package("/zh-hant")["resources"][1]
        self.assertEqual(chinese["path"], "http://testserver/zh-hant/data/initiatives.csv")
        self.assertEqual(
            chinese["schema"]["fields"][0]["title"],
            self.chinese(Initiative._meta.get_field("slug").verbose_name),
        )

    def validate_with_data(self, package, change=lambda name, content: content):
        """frictionless's report on `package` and its files, each downloaded beside the
        descriptor (through `change(name, content)`), so that it reads them from disk and
        checks their types, keys and foreign keys without a network."""
        with tempfile.TemporaryDirectory() as directory:
            for resource in package["resources"]:
                response = self.client.get(urlsplit(resource["path"]).path)
                content = change(resource["name"], b"".join(response.streaming_content))
                (Path(directory) / f"{resource['name']}.csv").write_bytes(content)
                resource["path"] = f"{resource['name']}.csv"
            descriptor = Path(directory) / "datapackage.json"
            descriptor.write_text(json.dumps(package), encoding="utf-8")
            return validate(str(descriptor))

    def test_package_and_its_data_validate(self):
        for language in ("", "/zh-hant"):
            with self.subTest(language=language or "en"):
                # As served, with the absolute addresses of the files.
                report = Package.validate_descriptor(self.package(language))
                self.assertTrue(report.valid, report.flatten(["type", "note"]))
        package = self.package()
        report = self.validate_with_data(package)
        errors = report.flatten(["taskNumber", "rowNumber", "fieldName", "type", "note"])
        self.assertTrue(report.valid, errors)
        self.assertEqual(len(report.tasks), len(package["resources"]))

    def test_validation_catches_a_broken_foreign_key(self):
        # The check above can fail: a link to an organisation missing from its table is
        # reported. (Sources too: an initiative's status names the source that confirmed it.)
        wanted = {"organisations", "initiatives", "initiatives-partners", "sources"}
        package = self.package_of(wanted)

        def without_hku(name, content):
            if name != "organisations":
                return content
            lines = content.decode("utf-8").splitlines(keepends=True)
            return "".join(line for line in lines if not line.startswith("hku,")).encode()

        self.assertTrue(self.validate_with_data(self.package_of(wanted)).valid)
        report = self.validate_with_data(package, without_hku)
        self.assertFalse(report.valid)
        self.assertEqual({error[0] for error in report.flatten(["type"])}, {"foreign-key"})

    def package_of(self, names):
        package = self.package()
        package["resources"] = [r for r in package["resources"] if r["name"] in names]
        return package


class DataPageTests(TestCase):
    def test_page_offers_every_download_and_states_the_licence(self):
        response = self.client.get("/data/")
        self.assertEqual(response.status_code, 200)
        for dataset in DATASETS:
            self.assertContains(response, f'href="/data/{dataset.name}.csv"')
            self.assertContains(response, f'href="/data/{dataset.name}.json"')
        for name in LINKS_BY_NAME:
            self.assertContains(response, f'href="/data/{name}.csv"')
        self.assertContains(response, 'href="/data/datapackage.json"')
        self.assertContains(response, f'href="{LICENSE_URL}" rel="license"', count=2)
        self.assertContains(response, "<code>lead_organisation</code>", html=False)

    def test_chinese_page_links_to_chinese_files(self):
        response = self.client.get("/zh-hant/data/")
        self.assertContains(response, 'href="/zh-hant/data/articles.csv"')
        self.assertContains(response, "開放數據")

    def test_every_page_states_the_licence_and_links_to_the_data(self):
        response = self.client.get("/sectors/")
        self.assertContains(response, f'<a href="{LICENSE_URL}" rel="license">CC BY 4.0</a>')
        self.assertContains(response, 'href="/data/"', count=2)
