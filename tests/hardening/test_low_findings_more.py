"""Low findings of the second hardening round: guessable passwords, a forged RIS record,
spreadsheet signs and separators in CSV cells."""

import io
import os
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, TestCase

from portal.opendata.spreadsheets import csv_line
from tests.factories import make_article


class GuessablePasswordTests(TestCase):
    def test_guessable_passwords_are_refused(self):
        admin = get_user_model()(username="admin")
        for password in ["adminadmin", " " * 8, "........", "hkaiportal", "HKAI-Portal-2026"]:
            with self.subTest(password=password), self.assertRaises(ValidationError):
                validate_password(password, admin)

    def test_a_sound_password_passes(self):
        validate_password("river-lantern-73", get_user_model()(username="admin"))

    def test_ensure_superuser_refuses_them_and_creates_no_account(self):
        for password in ["adminadmin", "........", "hkaiportal"]:
            env = {"DJANGO_SUPERUSER_USERNAME": "admin", "DJANGO_SUPERUSER_PASSWORD": password}
            with (
                self.subTest(password=password),
                mock.patch.dict(os.environ, env),
                self.assertRaises(CommandError),
            ):
                call_command("ensure_superuser", stdout=io.StringIO())
        self.assertFalse(get_user_model().objects.exists())


class RisTests(TestCase):
    def test_a_byline_with_line_breaks_cannot_forge_a_second_record(self):
        article = make_article(byline="Jane Chan\nER  - \nTY  - JOUR\nTI  - Forged")
        body = self.client.get(article.get_absolute_url() + "cite.ris").content.decode()
        self.assertEqual(body.count("TY  - "), 1)
        self.assertEqual(body.count("ER  - "), 1)
        self.assertIn("AU  - Jane Chan ER - TY - JOUR TI - Forged", body)


class CsvCellTests(SimpleTestCase):
    def test_small_form_signs_are_guarded_like_the_others(self):
        for sign in "\ufe66\ufe62\ufe63\ufe6b\uff1d=+-@":
            with self.subTest(sign=sign):
                self.assertEqual(csv_line([f"{sign}1+1"]), f"'{sign}1+1\r\n")

    def test_a_semicolon_makes_the_cell_quoted(self):
        # A reader that splits on semicolons keeps "ZQ;=1+1" as one text cell.
        self.assertEqual(csv_line(["ZQ;=1+1", "plain"]), '"ZQ;=1+1",plain\r\n')

    def test_cells_are_quoted_as_the_csv_module_quotes_them(self):
        self.assertEqual(
            csv_line(["a,b", 'say "hi"', "two\nlines", None, 3, 2.5]),
            '"a,b","say ""hi""","two\nlines",,3,2.5\r\n',
        )


class AdminChangeListTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = get_user_model().objects.create_superuser("chief", "c@example.org", "x")
        make_article(title="A real article")

    def setUp(self):
        self.client.force_login(self.user)

    def test_lookups_the_admin_cannot_run_go_back_to_the_unfiltered_list(self):
        for query in [
            "title_en__regex=(",
            "slug__regex=*",
            "slug__iregex=[",
            "id__in=1,99999999999999999999",
            "id=-99999999999999999999",
        ]:
            with self.subTest(query=query):
                response = self.client.get(f"/admin/portal/article/?{query}")
                self.assertRedirects(response, "/admin/portal/article/?e=1")


class CompareNulTests(TestCase):
    def test_a_nul_in_the_items_is_an_unknown_initiative_not_an_error(self):
        for url in ["/initiatives/compare/?items=%00", "/initiatives/compare.csv?items=a%00b,c"]:
            with self.subTest(url=url):
                self.assertIn(self.client.get(url).status_code, (400, 404))
