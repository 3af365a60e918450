"""The admin's import page and export actions: what an editor sees, what the database keeps."""

import csv
import datetime
import io
import json
import os
import tempfile
import time
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from reversion.models import Revision, Version

from portal.admin.uploads import PENDING_MAX_AGE
from portal.content.busy import DatabaseBusy
from portal.content.schema import SPECS, SPECS_BY_MODEL
from portal.models import Article, Initiative, Organisation, Sector
from tests.content_files import record, snapshot, valid_records
from tests.factories import make_initiative, make_organisation, make_sector

User = get_user_model()
IMPORT_URL = reverse("admin_import_content")


def fixture_file(name, records):
    return SimpleUploadedFile(name, json.dumps(records).encode(), "application/json")


def make_staff(username, permissions=()):
    user = User.objects.create_user(username, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=permissions))
    return user


def import_permissions():
    return [
        f"{action}_{spec.model._meta.model_name}" for spec in SPECS for action in ("add", "change")
    ]


class TransferTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        # The records publish an article, which needs the permission to publish as well.
        cls.editor = make_staff("editor", [*import_permissions(), "publish_article"])

    @pytest.fixture(autouse=True)
    def _private_tmp(self, tmp_path, monkeypatch):
        # Uploads wait under tempfile.gettempdir(); give each test its own.
        self.tmp = tmp_path
        self.uploads = tmp_path / "system-tmp" / "hkai-imports"
        (tmp_path / "system-tmp").mkdir()
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "system-tmp"))

    def setUp(self):
        # django-axes needs a request for authenticate(); force_login skips authentication.
        self.client.force_login(self.editor)

    def snapshot(self):
        """Every exported fixture's bytes: a complete picture of the content in the database."""
        return snapshot(self.tmp / f"snapshot-{len(list(self.tmp.iterdir()))}")

    def upload(self, *files):
        return self.client.post(IMPORT_URL, {"files": list(files)})

    def stored_files(self):
        return sorted(p.name for p in self.uploads.rglob("*") if p.is_file())


class ImportPageTests(TransferTestCase):
    def test_page_offers_an_upload_form(self):
        response = self.client.get(IMPORT_URL)
        self.assertContains(response, 'type="file" name="files"')
        self.assertContains(response, "multiple")

    def test_upload_shows_the_dry_run_and_writes_nothing(self):
        make_sector(name="Banking and financial services", slug="banking-finance")
        before = self.snapshot()

        response = self.upload(fixture_file("new-content.json", valid_records()))

        self.assertEqual(
            response.context["rows"],
            [
                ("Sources", 1, 0, 0),
                ("Sectors", 0, 0, 1),
                ("Organisations", 1, 0, 0),
                ("Initiatives", 1, 0, 0),
                ("Articles", 1, 0, 0),
            ],
        )
        self.assertContains(response, "Checked new-content.json: 5 records, no problems.")
        self.assertContains(response, "Confirm import")
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(self.stored_files(), ["001.json"])

    def test_the_preview_lists_each_record_and_the_fields_it_would_change(self):
        sector = make_sector(name="Banking", slug="banking-finance", summary="Banks.")
        make_organisation(
            name="HKMA", slug="hkma", kind=Organisation.Kind.GOVERNMENT_BODY, founded_year=1990
        )
        make_sector(name="Fintech", slug="fintech")
        long_before = " ".join(f"word{n}" for n in range(200))
        long_after = long_before.replace("word100", "regulators")
        sector.description = long_before
        sector.save()
        records = [
            record(
                "sector",
                name_en="Banking and financial services",
                slug="banking-finance",
                summary_en="Banks.",
                description_en=long_after,
            ),
            record("sector", name_en="Fintech", slug="fintech"),
            record(
                "organisation",
                name_en="HKMA",
                slug="hkma",
                kind="government_body",
                founded_year=1993,
                sectors=[["banking-finance"]],
            ),
            record("sector", name_en="Insurance", slug="insurance"),
        ]
        before = self.snapshot()

        response = self.upload(fixture_file("changes.json", records))

        rows = {row["key"]: row for row in response.context["outcomes"]}
        self.assertEqual(set(rows), {"banking-finance", "hkma", "insurance"})  # fintech: same
        self.assertTrue(rows["insurance"]["created"])
        banking = {line.label: line for line in rows["banking-finance"]["lines"]}
        self.assertEqual(banking["Name [en]"].old, "Banking")
        self.assertEqual(banking["Name [en]"].new, "Banking and financial services")
        self.assertIn(["-", "word100 "], banking["Description [en]"].diff)
        self.assertIn(["+", "regulators "], banking["Description [en]"].diff)
        self.assertLess(len(banking["Description [en]"].diff), 10)  # around the change only
        hkma = {line.label: line for line in rows["hkma"]["lines"]}
        self.assertEqual((hkma["Founded in"].old, hkma["Founded in"].new), (1990, 1993))
        self.assertEqual(hkma["Sectors"].added, ("Banking and financial services",))
        self.assertContains(response, "Banking → Banking and financial services")
        self.assertContains(response, "<del>word100 </del><ins>regulators </ins>", html=False)
        self.assertEqual(self.snapshot(), before)  # a dry run: nothing written

    @override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=100)
    def test_a_large_preview_lists_the_first_records_and_counts_the_rest(self):
        records = [record("sector", name_en=f"Sector {n}", slug=f"sector-{n}") for n in range(250)]

        response = self.upload(fixture_file("many.json", records))

        self.assertEqual(len(response.context["outcomes"]), 200)
        self.assertEqual(response.context["outcomes"][0]["key"], "sector-0")
        self.assertContains(response, "… and 50 more records created or changed.")
        html = response.content.decode()
        table = html[
            html.index('<table id="import-records"') : html.index(
                "</table>", html.index('<table id="import-records"')
            )
        ]
        self.assertEqual(table.count('<th scope="row">'), 200)

    @override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=100)
    def test_uploads_too_large_for_memory_are_checked_from_disk(self):
        response = self.upload(fixture_file("large.json", valid_records()))
        self.assertContains(response, "Checked large.json: 5 records, no problems.")

    def test_confirm_imports_records_a_revision_and_removes_the_upload(self):
        preview = self.upload(
            fixture_file("a.json", valid_records()[:2]), fixture_file("b.json", valid_records()[2:])
        )

        response = self.client.post(
            IMPORT_URL, {"token": preview.context["pending"].token, "confirm": "Confirm import"}
        )

        self.assertContains(response, "Imported 5 records from a.json, b.json.")
        self.assertContains(response, "has a new version in its own history")
        self.assertEqual(response.context["rows"][3], ("Initiatives", 1, 0, 0))
        initiative = Initiative.objects.get(slug="genai-sandbox")
        self.assertEqual(initiative.lead_organisation.slug, "hkma")
        # One revision per imported item, by the editor, naming the uploaded file.
        (version,) = Version.objects.get_for_object(initiative)
        self.assertEqual(
            (version.revision.user, version.revision.comment), (self.editor, "Imported from b.json")
        )
        self.assertEqual(Revision.objects.count(), 5)
        self.assertEqual(self.stored_files(), [])

        again = self.client.post(IMPORT_URL, {"token": preview.context["pending"].token})
        self.assertEqual(again.status_code, 400)

    def test_confirm_takes_the_change_note_the_public_log_shows(self):
        preview = self.upload(fixture_file("a.json", valid_records()))
        self.assertContains(preview, 'name="note_en"')
        self.client.post(
            IMPORT_URL,
            {
                "token": preview.context["pending"].token,
                "confirm": "Confirm import",
                "note_en": "First load of the sandbox records",
                "note_zh_hant": "首次載入",
            },
        )
        self.client.logout()
        response = self.client.get("/changes/?type=initiative")
        self.assertContains(response, "Note: First load of the sandbox records")
        self.assertContains(self.client.get("/zh-hant/changes/?type=initiative"), "首次載入")

    def test_problems_name_the_uploaded_file_record_and_field(self):
        make_sector(name="Banking and financial services", slug="banking-finance")
        before = self.snapshot()
        records = valid_records()
        records[3]["fields"]["start_year"] = "soon"

        response = self.upload(fixture_file("initiatives-draft.json", records))

        problems = response.context["problems"]
        self.assertEqual(
            [(p["file"], p["where"], p["item"], p["field"]) for p in problems],
            [("initiatives-draft.json", "record 4", "Initiative 'genai-sandbox'", "start_year")],
        )
        self.assertContains(response, "1 problem was found. Nothing was imported.")
        self.assertNotContains(response, str(self.tmp))
        self.assertNotContains(response, "Confirm import")
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(self.stored_files(), [])

    def test_a_value_the_database_would_refuse_is_named_like_any_other_problem(self):
        records = valid_records()
        records[2]["fields"]["founded_year"] = 3000

        response = self.upload(fixture_file("organisations.json", records))

        (problem,) = response.context["problems"]
        self.assertEqual(
            problem,
            {
                "file": "organisations.json",
                "where": "record 3",
                "item": "Organisation 'hkma'",
                "field": "founded_year",
                "value": "3000",
                "message": "Enter a year between 1800 and 2100.",
            },
        )
        self.assertContains(response, "<td>3000</td>", html=True)
        self.assertFalse(Organisation.objects.exists())

    def test_messages_name_other_files_by_their_uploaded_name(self):
        sector = record("sector", name_en="Banking", slug="banking")
        response = self.upload(
            fixture_file("first.json", [sector]), fixture_file("second.json", [sector])
        )
        (problem,) = response.context["problems"]
        self.assertEqual(problem["file"], "second.json")
        self.assertIn("first used in first.json, record 1", problem["message"])

    def test_confirm_checks_again_and_refuses_data_that_went_stale(self):
        organisation = make_organisation(slug="hkma")
        initiative = record(
            "initiative",
            name_en="Sandbox",
            slug="sandbox",
            kind="sandbox",
            lead_organisation=["hkma"],
        )
        preview = self.upload(fixture_file("sandbox.json", [initiative]))
        self.assertEqual(preview.context["rows"], [("Initiatives", 1, 0, 0)])
        organisation.delete()

        response = self.client.post(IMPORT_URL, {"token": preview.context["pending"].token})

        (problem,) = response.context["problems"]
        self.assertEqual((problem["file"], problem["field"]), ("sandbox.json", "lead_organisation"))
        self.assertFalse(Initiative.objects.exists())
        self.assertFalse(Revision.objects.exists())
        self.assertEqual(self.stored_files(), [])

    def test_discard_removes_the_upload(self):
        preview = self.upload(fixture_file("a.json", valid_records()))
        response = self.client.post(
            IMPORT_URL, {"token": preview.context["pending"].token, "discard": "Discard"}
        )
        self.assertContains(response, "Discarded the upload of a.json; nothing was imported.")
        self.assertFalse(Sector.objects.exists())
        self.assertEqual(self.stored_files(), [])

    def test_another_editors_upload_cannot_be_confirmed(self):
        preview = self.upload(fixture_file("a.json", valid_records()))
        token = preview.context["pending"].token
        self.client.force_login(make_staff("colleague", [*import_permissions(), "publish_article"]))

        response = self.client.post(IMPORT_URL, {"token": token, "confirm": "Confirm import"})

        self.assertContains(response, "it was not made in this session", status_code=400)
        self.assertFalse(Sector.objects.exists())
        self.assertEqual(self.stored_files(), ["001.json"])

    def test_an_empty_selection_is_an_error(self):
        response = self.client.post(IMPORT_URL, {})
        self.assertFormError(response.context["form"], "files", "This field is required.")


def articles(count, body_size=0):
    """`count` valid article records, each body `body_size` characters or so."""
    return [
        record("article", title_en=f"A{n}", slug=f"a-{n}", body_en="x" * max(body_size, 1))
        for n in range(count)
    ]


class ImportLimitTests(TransferTestCase):
    def test_the_page_states_the_limits(self):
        with override_settings(IMPORT_MAX_UPLOAD_MB=20, IMPORT_MAX_RECORDS=20000):
            response = self.client.get(IMPORT_URL)
        self.assertContains(
            response,
            "One upload may hold up to 20 MB of files and 20,000 records. "
            "For more, run <code>manage.py import_content</code> on the server.",
        )

    @override_settings(IMPORT_MAX_UPLOAD_MB=1)
    def test_files_larger_than_the_limit_together_are_refused_unread(self):
        # Two files of 0.6 MB each: under the limit alone, over it together.
        halves = [fixture_file(f"{n}.json", articles(3, 200_000)) for n in (1, 2)]

        response = self.upload(*halves)

        self.assertContains(
            response,
            "These files are larger than 1 MB together, the most this page takes. Nothing was "
            "imported. To import larger files, run <code>manage.py import_content</code> on "
            "the server.",
            status_code=413,
        )
        self.assertFalse(Article.objects.exists())
        self.assertEqual(self.stored_files(), [])

    @override_settings(IMPORT_MAX_RECORDS=4)
    def test_more_records_than_the_limit_are_refused(self):
        self.assertContains(self.upload(fixture_file("four.json", articles(4))), "Checked")

        response = self.upload(
            fixture_file("three.json", articles(3)), fixture_file("two.json", articles(2, 0)[:2])
        )

        self.assertContains(
            response,
            "These files hold more than 4 records, the most this page takes. Nothing was "
            "imported. To import larger files, run <code>manage.py import_content</code> on "
            "the server.",
            status_code=413,
        )
        self.assertFalse(Article.objects.exists())
        self.assertEqual(self.stored_files(), ["001.json"])  # The first upload's, pending.

    def test_the_upload_is_removed_whatever_stops_the_check(self):
        with mock.patch(
            "portal.admin.transfer.import_files", side_effect=RuntimeError("unexpected")
        ):
            with self.assertRaises(RuntimeError):
                self.upload(fixture_file("a.json", valid_records()))
        self.assertEqual(self.stored_files(), [])

    def test_a_busy_database_asks_to_try_again_later_and_removes_the_upload(self):
        with mock.patch("portal.admin.transfer.import_files", side_effect=DatabaseBusy):
            response = self.upload(fixture_file("a.json", valid_records()))
        self.assertContains(
            response,
            "The database is busy: another process is writing to it. Nothing was imported; "
            "upload the files again in a minute.",
            status_code=503,
        )
        self.assertEqual(response["Retry-After"], "30")
        self.assertEqual(self.stored_files(), [])

    def test_uploads_left_behind_are_removed_once_stale(self):
        self.uploads.mkdir(parents=True)
        for name, age in [("stale", PENDING_MAX_AGE.total_seconds() + 60), ("recent", 60)]:
            (self.uploads / name).mkdir()
            (self.uploads / name / "001.json").write_text("[]")
            then = time.time() - age
            os.utime(self.uploads / name, (then, then))

        self.client.get(IMPORT_URL)

        self.assertEqual(sorted(p.name for p in self.uploads.iterdir()), ["recent"])

    def test_uploads_still_need_a_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.editor)
        refused = client.post(IMPORT_URL, {"files": [fixture_file("a.json", valid_records())]})
        self.assertEqual(refused.status_code, 403)

        client.get(IMPORT_URL)
        token = client.cookies["csrftoken"].value
        accepted = client.post(
            IMPORT_URL,
            {"files": [fixture_file("a.json", valid_records())], "csrfmiddlewaretoken": token},
        )
        self.assertContains(accepted, "Checked a.json: 5 records, no problems.")
        self.assertEqual(self.stored_files(), ["001.json"])


class ImportPermissionTests(TransferTestCase):
    def test_anonymous_and_non_staff_are_sent_to_the_login(self):
        self.client.logout()
        self.assertRedirects(
            self.client.get(IMPORT_URL), f"{reverse('admin:login')}?next={IMPORT_URL}"
        )
        self.client.force_login(User.objects.create_user("reader"))
        self.assertRedirects(
            self.client.get(IMPORT_URL), f"{reverse('admin:login')}?next={IMPORT_URL}"
        )

    def test_staff_who_may_not_add_and_change_everything_are_refused(self):
        change_only = [p for p in import_permissions() if p.startswith("change_")]
        all_but_articles = [p for p in import_permissions() if not p.endswith("_article")]
        for permissions in ([], change_only, all_but_articles):
            with self.subTest(permissions=permissions):
                self.client.force_login(make_staff(f"staff-{len(permissions)}", permissions))
                self.assertEqual(self.client.get(IMPORT_URL).status_code, 403)
                response = self.upload(fixture_file("a.json", valid_records()))
                self.assertEqual(response.status_code, 403)
        self.assertFalse(Sector.objects.exists())
        self.assertEqual(self.stored_files(), [])


class ExportActionTests(TransferTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ai = make_sector(name="AI", slug="ai")
        cls.health = make_sector(name="Health", slug="health")
        cls.hkust = make_organisation(name="HKUST", slug="hkust")
        cls.cuhk = make_organisation(name="CUHK", slug="cuhk")
        cls.centre = make_initiative(
            name='=HYPERLINK("https://evil.example")',
            slug="centre",
            lead_organisation=cls.hkust,
            status=Initiative.Status.COMPLETED,
            start_year=2020,
            end_year=2023,
            summary="Research — 研究",
            # Reviewed: a record without a date would come back reviewed on the import date.
            last_reviewed=datetime.date(2025, 3, 1),
        )
        cls.centre.sectors.set([cls.health, cls.ai])
        cls.centre.partners.set([cls.cuhk])
        cls.scheme = make_initiative(
            name="Scheme",
            slug="scheme",
            status=Initiative.Status.COMPLETED,
            last_reviewed=datetime.date(2024, 11, 30),
        )
        cls.active = make_initiative(name="Active", slug="active")

    def run_action(self, action, objects, query="", select_across=False):
        url = reverse("admin:portal_initiative_changelist") + query
        return self.client.post(
            url,
            {
                "action": action,
                "index": 0,
                "select_across": int(select_across),
                "_selected_action": [obj.pk for obj in objects],
            },
        )

    def content(self, response):
        return b"".join(response.streaming_content)

    def test_every_content_admin_offers_both_exports(self):
        for spec in SPECS:
            with self.subTest(model=spec.label):
                opts = spec.model._meta
                response = self.client.get(
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
                )
                choices = dict(response.context["action_form"].fields["action"].choices)
                plural = opts.verbose_name_plural
                self.assertEqual(
                    choices["export_as_fixture"], f"Export selected {plural} as fixture JSON"
                )
                self.assertEqual(choices["export_as_csv"], f"Export selected {plural} as CSV")

    def test_fixture_export_of_the_selected_rows_imports_back_losslessly(self):
        response = self.run_action("export_as_fixture", [self.centre, self.scheme])
        self.assertEqual(
            response["Content-Disposition"], 'attachment; filename="hkai-initiatives.json"'
        )
        exported = self.content(response)
        self.assertEqual([r["fields"]["slug"] for r in json.loads(exported)], ["centre", "scheme"])
        path = self.tmp / "hkai-initiatives.json"
        path.write_bytes(exported)
        before = self.snapshot()

        Initiative.objects.filter(slug__in=["centre", "scheme"]).delete()
        call_command("import_content", str(path), stdout=io.StringIO())

        self.assertEqual(self.snapshot(), before)

    def test_csv_export_has_every_exchanged_field_and_relations_as_keys(self):
        response = self.run_action("export_as_csv", [self.centre])

        self.assertEqual(
            response["Content-Disposition"], 'attachment; filename="hkai-initiatives.csv"'
        )
        content = self.content(response).decode("utf-8")
        self.assertTrue(content.startswith("\ufeff"))
        reader = csv.DictReader(io.StringIO(content.removeprefix("\ufeff")))
        self.assertEqual(reader.fieldnames, SPECS_BY_MODEL[Initiative].field_names)
        (row,) = list(reader)
        self.assertEqual(row["name_en"], '\'=HYPERLINK("https://evil.example")')
        self.assertEqual(row["slug"], "centre")
        self.assertEqual(row["summary_en"], "Research — 研究")
        self.assertEqual((row["start_year"], row["end_year"]), ("2020", "2023"))
        self.assertEqual(row["lead_organisation"], "hkust")
        self.assertEqual(row["partners"], "cuhk")
        self.assertEqual(row["sectors"], "ai; health")
        self.assertEqual(row["sources"], "")

    def test_select_all_on_a_filtered_list_exports_exactly_the_filtered_rows(self):
        for action in ("export_as_csv", "export_as_fixture"):
            with self.subTest(action=action):
                # The page shows one checkbox ticked; "select all 2" adds select_across.
                response = self.run_action(
                    action, [self.centre], query="?status__exact=completed", select_across=True
                )
                content = self.content(response).decode("utf-8-sig")
                if action == "export_as_csv":
                    slugs = [row["slug"] for row in csv.DictReader(io.StringIO(content))]
                else:
                    slugs = [r["fields"]["slug"] for r in json.loads(content)]
                self.assertEqual(slugs, ["centre", "scheme"])

    def test_sources_and_organisations_export_too(self):
        response = self.client.post(
            reverse("admin:portal_organisation_changelist"),
            {
                "action": "export_as_csv",
                "index": 0,
                "select_across": 1,
                "_selected_action": [self.hkust.pk],
            },
        )
        rows = list(csv.DictReader(io.StringIO(self.content(response).decode("utf-8-sig"))))
        self.assertEqual([row["slug"] for row in rows], ["cuhk", "hkust"])
        self.assertEqual(Organisation.objects.count(), 2)
