"""Addresses that moved answer 301 with the new address (portal.middleware.MovedPageMiddleware),
and the bodies merged by migration 0022 have moved from /initiatives/ to /organisations/."""

import importlib

from django.apps import apps
from django.test import TestCase

from portal.models import Redirect
from tests.factories import make_article, make_initiative, make_milestone, make_organisation

merging = importlib.import_module("portal.migrations.0023_one_record_per_body")


class MergedRecordRedirectTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.organisation = make_organisation(
            name_en="Centre for Perceptual Intelligence", slug="cpii"
        )

    def test_the_merged_initiatives_addresses_are_recorded(self):
        self.assertEqual(
            Redirect.objects.get(old_path="/initiatives/ai-rd-institute/").new_path,
            "/organisations/ai-rd-institute-company/",
        )
        self.assertEqual(Redirect.objects.filter(old_path__startswith="/initiatives/").count(), 7)

    def test_the_old_address_answers_301_with_the_organisations(self):
        response = self.client.get("/initiatives/cpii/")
        self.assertRedirects(response, "/organisations/cpii/", status_code=301)

    def test_the_chinese_edition_and_the_pages_below_move_too(self):
        response = self.client.get("/zh-hant/initiatives/cpii/cite.ris?x=1")
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response["Location"], "/zh-hant/organisations/cpii/cite.ris?x=1")

    def test_a_live_record_at_an_old_address_is_shown_not_redirected(self):
        make_initiative(name_en="A programme that took the address", slug="cpii")
        self.assertEqual(self.client.get("/initiatives/cpii/").status_code, 200)

    def test_addresses_that_never_existed_stay_not_found(self):
        self.assertEqual(self.client.get("/initiatives/no-such-thing/").status_code, 404)
        self.assertEqual(self.client.get("/initiativesx/cpii/").status_code, 404)

    def test_only_reads_are_redirected(self):
        self.assertNotIn(self.client.post("/initiatives/cpii/").status_code, (301, 302))

    def test_an_address_longer_than_any_stored_one_is_still_answered(self):
        self.assertEqual(self.client.get("/initiatives/" + "x" * 500 + "/").status_code, 404)


class MergeMigrationTests(TestCase):
    def test_a_database_that_has_the_twins_keeps_the_organisation_and_its_links(self):
        organisation = make_organisation(
            name_en="Hong Kong Centre for Logistics Robotics", slug="hkclr"
        )
        twin = make_initiative(name_en="HKCLR programme", slug="hkclr")
        article = make_article(title_en="Robots in warehouses")
        article.initiatives.add(twin)
        milestone = make_milestone(title_en="HKCLR opens")
        milestone.initiatives.add(twin)

        merging.merge(apps, None)

        self.assertFalse(type(twin).objects.filter(slug="hkclr").exists())
        self.assertEqual(list(article.organisations.all()), [organisation])
        self.assertEqual(list(milestone.organisations.all()), [organisation])
        self.assertEqual(
            self.client.get("/initiatives/hkclr/")["Location"], "/organisations/hkclr/"
        )

    def test_running_it_again_changes_nothing(self):
        merging.merge(apps, None)
        self.assertEqual(Redirect.objects.count(), 7)
