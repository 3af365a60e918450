"""An organisation's parent (the university that hosts an institute): the database and model
rules against loops, the importer's handling of parents, the admin, and both pages."""

import io
import json
from unittest import mock

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.test import TestCase

from portal.models import Organisation
from tests.content_files import record, write_json
from tests.factories import NOW, make_initiative, make_organisation


class ParentRuleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.university = make_organisation(name="A University", slug="uni")
        cls.institute = make_organisation(name="An Institute", slug="inst", parent=cls.university)
        cls.lab = make_organisation(name="A Lab", slug="lab", parent=cls.institute)

    def test_the_database_refuses_an_organisation_that_is_its_own_parent(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            Organisation.objects.filter(pk=self.university.pk).update(parent=self.university)

    def test_the_check_constraint_is_named(self):
        names = {c.name for c in Organisation._meta.constraints}
        self.assertIn("portal_organisation_not_own_parent", names)

    def test_clean_refuses_its_own_parent(self):
        self.university.parent = self.university
        with self.assertRaises(ValidationError) as caught:
            self.university.full_clean()
        self.assertEqual(
            caught.exception.message_dict["parent"], ["An organisation cannot be part of itself."]
        )

    def test_clean_refuses_a_loop_and_names_its_members(self):
        self.university.parent = self.lab
        with self.assertRaises(ValidationError) as caught:
            self.university.full_clean()
        (message,) = caught.exception.message_dict["parent"]
        self.assertIn("A University → A Lab → An Institute → A University", message)

    def test_clean_accepts_a_chain_without_loop(self):
        other = make_organisation(name="Other")
        self.university.parent = other
        self.university.full_clean()  # No error.

    def test_a_parent_cannot_be_deleted_while_something_is_part_of_it(self):
        with self.assertRaises(ProtectedError):
            self.institute.delete()
        self.lab.delete()
        self.institute.delete()
        self.assertFalse(Organisation.objects.filter(slug="inst").exists())


def _org(slug, parent=None, **fields):
    return record(
        "organisation",
        name_en=f"Organisation {slug}",
        slug=slug,
        kind="research_centre",
        parent=[parent] if parent else None,
        **fields,
    )


def _import(*paths):
    out = io.StringIO()
    call_command("import_content", *map(str, paths), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _refused(*paths):
    """The command's refusal: its summary, then the problems it listed."""
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_content", *map(str, paths), stdout=io.StringIO(), stderr=err)
    return f"{caught.value}\n{err.getvalue()}"


def _parents():
    return dict(Organisation.objects.values_list("slug", "parent__slug"))


class ImportParentTests(TestCase):
    @pytest.fixture(autouse=True)
    def _tmp_path(self, tmp_path):
        self.tmp = tmp_path

    def test_a_parent_later_in_the_same_file_is_linked(self):
        # Children first, their parent last, and a grandchild before its parent.
        records = [_org("lab", "inst"), _org("inst", "uni"), _org("uni")]
        out = _import(write_json(self.tmp, "orgs.json", records))
        self.assertEqual(_parents(), {"lab": "inst", "inst": "uni", "uni": None})
        self.assertRegex(out, r"portal\.organisation +3 created, 0 updated, 0 unchanged")

    def test_a_parent_in_a_later_batch_is_linked(self):
        records = [_org("lab", "inst"), _org("x"), _org("inst", "uni"), _org("y"), _org("uni")]
        with mock.patch("portal.content.write.BATCH_SIZE", 2):
            _import(write_json(self.tmp, "orgs.json", records))
        self.assertEqual(
            _parents(), {"lab": "inst", "x": None, "inst": "uni", "y": None, "uni": None}
        )

    def test_importing_again_changes_nothing(self):
        path = write_json(self.tmp, "orgs.json", [_org("inst", "uni"), _org("uni")])
        _import(path)
        out = _import(path)
        self.assertRegex(out, r"portal\.organisation +0 created, 0 updated, 2 unchanged")

    def test_an_existing_row_may_move_under_a_new_parent_later_in_the_file(self):
        _import(write_json(self.tmp, "first.json", [_org("inst")]))
        out = _import(write_json(self.tmp, "second.json", [_org("inst", "uni"), _org("uni")]))
        self.assertEqual(_parents(), {"inst": "uni", "uni": None})
        self.assertRegex(out, r"portal\.organisation +1 created, 1 updated, 0 unchanged")

    def test_a_parent_in_the_database_or_in_another_file(self):
        make_organisation(slug="uni")
        first = write_json(self.tmp, "a.json", [_org("inst", "lab-host")])
        second = write_json(self.tmp, "b.json", [_org("lab-host", "uni")])
        _import(first, second)
        self.assertEqual(_parents()["inst"], "lab-host")
        self.assertEqual(_parents()["lab-host"], "uni")

    def test_a_parent_can_be_removed(self):
        _import(write_json(self.tmp, "orgs.json", [_org("inst", "uni"), _org("uni")]))
        _import(write_json(self.tmp, "orgs.json", [_org("inst")]))
        self.assertIsNone(_parents()["inst"])

    def test_an_unknown_parent_is_refused_naming_file_record_and_field(self):
        path = write_json(self.tmp, "orgs.json", [_org("uni"), _org("inst", "nowhere")])
        message = _refused(path)
        self.assertIn(
            "orgs.json, record 2, portal.organisation 'inst', field 'parent': refers to "
            "portal.organisation 'nowhere', which is neither in the database nor in the input",
            message,
        )
        self.assertFalse(Organisation.objects.exists())

    def test_its_own_parent_is_refused(self):
        message = _refused(write_json(self.tmp, "orgs.json", [_org("uni", "uni")]))
        self.assertIn(
            "record 1, portal.organisation 'uni', field 'parent': "
            "portal.organisation 'uni' cannot be part of itself",
            message,
        )

    def test_a_loop_in_the_input_is_refused_once_and_nothing_is_written(self):
        records = [_org("a", "b"), _org("b", "c"), _org("c", "a"), _org("d", "a")]
        message = _refused(write_json(self.tmp, "orgs.json", records))
        self.assertIn(
            "record 1, portal.organisation 'a', field 'parent': parent makes a loop: "
            "'a' → 'b' → 'c' → 'a'",
            message,
        )
        self.assertEqual(message.count("makes a loop"), 1)
        self.assertIn("1 problem(s) found", message)
        self.assertFalse(Organisation.objects.exists())

    def test_a_loop_through_the_database_is_refused(self):
        university = make_organisation(slug="uni")
        make_organisation(slug="inst", parent=university)
        message = _refused(write_json(self.tmp, "orgs.json", [_org("uni", "inst")]))
        self.assertIn("parent makes a loop: 'uni' → 'inst' → 'uni'", message)
        self.assertIsNone(Organisation.objects.get(slug="uni").parent)

    def test_a_link_the_input_replaces_makes_no_loop(self):
        # In the database inst is part of uni; the input turns that round.
        university = make_organisation(slug="uni")
        make_organisation(slug="inst", parent=university)
        _import(write_json(self.tmp, "orgs.json", [_org("uni", "inst"), _org("inst")]))
        self.assertEqual(_parents(), {"uni": "inst", "inst": None})

    def test_export_writes_the_parent_as_its_slug(self):
        _import(write_json(self.tmp, "orgs.json", [_org("inst", "uni"), _org("uni")]))
        call_command("export_content", output=str(self.tmp / "out"), stdout=io.StringIO())
        exported = json.loads((self.tmp / "out" / "30_organisations.json").read_text())
        parents = {r["fields"]["slug"]: r["fields"]["parent"] for r in exported}
        self.assertEqual(parents, {"inst": ["uni"], "uni": None})


@time_machine.travel(NOW, tick=False)
class OrganisationPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.university = make_organisation(name="A University", slug="uni")
        cls.institute = make_organisation(name="An Institute", slug="inst", parent=cls.university)
        cls.centre = make_organisation(name="A Centre", slug="centre", parent=cls.university)

    def test_a_child_page_says_what_it_is_part_of(self):
        response = self.client.get("/organisations/inst/")
        self.assertContains(response, "<dt>Part of</dt>", html=True)
        self.assertContains(
            response, '<dd><a href="/organisations/uni/">A University</a></dd>', html=True
        )
        json_ld = response.context["json_ld"]
        self.assertEqual(json_ld["parentOrganization"]["name"], "A University")

    def test_a_parent_page_lists_what_it_includes(self):
        response = self.client.get("/organisations/uni/")
        self.assertContains(response, '<h2 id="includes-heading">Includes</h2>', html=True)
        self.assertContains(response, '<a href="/organisations/centre/">A Centre</a>', html=True)
        self.assertContains(response, '<a href="/organisations/inst/">An Institute</a>', html=True)
        self.assertNotContains(response, "Part of")
        names = [o["name"] for o in response.context["json_ld"]["subOrganization"]]
        self.assertEqual(names, ["A Centre", "An Institute"])

    def test_every_initiative_it_leads_or_partners_in_is_listed_by_role(self):
        for n in range(15):
            make_initiative(name=f"Led {n:02}", lead_organisation=self.university)
            make_initiative(name=f"Joined {n:02}").partners.add(self.university)
        response = self.client.get("/organisations/uni/")
        page = response.content.decode()
        led_at = page.index("Initiatives it leads")
        partnered_at = page.index("Initiatives it is a partner in")
        for n in range(15):
            self.assertTrue(led_at < page.index(f">Led {n:02}<") < partnered_at)
            self.assertLess(partnered_at, page.index(f">Joined {n:02}<"))

    def test_the_chinese_page_labels_parent_and_children(self):
        self.assertContains(self.client.get("/zh-hant/organisations/inst/"), "隸屬")
        self.assertContains(self.client.get("/zh-hant/organisations/uni/"), "轄下機構")


class AdminParentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = get_user_model().objects.create_superuser("boss", "boss@example.org", "pw")
        cls.university = make_organisation(name="A University", slug="uni")
        cls.institute = make_organisation(name="An Institute", slug="inst", parent=cls.university)

    def setUp(self):
        self.client.force_login(self.admin)

    def test_the_parent_is_edited_with_autocomplete(self):
        response = self.client.get(f"/admin/portal/organisation/{self.institute.pk}/change/")
        self.assertContains(response, 'data-ajax--url="/admin/autocomplete/"')
        self.assertContains(response, 'name="parent"')

    def test_the_change_list_shows_and_filters_by_parent(self):
        response = self.client.get(
            "/admin/portal/organisation/", {"parent__id__exact": self.university.pk}
        )
        self.assertEqual([o.slug for o in response.context["cl"].result_list], ["inst"])
        self.assertContains(response, "column-parent")
