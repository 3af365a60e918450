"""A funding scheme's terms (portal.records.schemes): who may apply, and whether applications
are open on a day, the same in Python (the page) and in SQL (the finder)."""

import datetime
import itertools

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase, TestCase
from django.utils import translation

from portal.models import Initiative
from portal.records.schemes import (
    OPEN_CONFIRMATION_DAYS,
    ApplicantsField,
    ApplicantsFormField,
    amount_text,
    open_on,
)
from tests.factories import make_initiative

DAY = datetime.date(2026, 5, 10)
ONE = datetime.timedelta(days=1)


class ApplicantsFieldTests(SimpleTestCase):
    def test_codes_are_stored_once_each_in_the_order_of_the_choices(self):
        field = ApplicantsField()
        self.assertEqual(
            field.to_python("universities companies universities"), "companies universities"
        )
        self.assertEqual(field.to_python(["ngos", "startups"]), "startups ngos")
        self.assertEqual(field.to_python(""), "")

    def test_an_unknown_code_is_refused_naming_it(self):
        field = ApplicantsField(blank=True)
        with self.assertRaises(ValidationError) as caught:
            field.clean("universities aliens", None)
        self.assertIn("aliens", " ".join(caught.exception.messages))

    def test_the_form_field_ticks_boxes_and_cleans_to_the_stored_form(self):
        form_field = ApplicantsFormField(required=False)
        self.assertEqual(form_field.prepare_value("companies schools"), ["companies", "schools"])
        self.assertEqual(form_field.clean(["schools", "companies"]), "companies schools")
        with self.assertRaises(ValidationError):
            form_field.clean(["aliens"])


class AmountTextTests(SimpleTestCase):
    def test_amount_reads_with_currency_basis_and_period(self):
        scheme = Initiative(amount=3_000_000_000, amount_currency="HKD", amount_basis="total")
        scheme.amount_years = 3
        with translation.override("en"):
            self.assertEqual(
                amount_text(scheme), "HK$3,000,000,000 (the scheme's budget, over 3 years)"
            )
            self.assertEqual(amount_text(Initiative()), "")


class OpenOnTests(TestCase):
    """The rule, case by case, and the database's answer for every combination."""

    def test_a_window_bounds_every_answer(self):
        self.assertTrue(open_on("open", DAY, DAY - ONE, DAY, DAY))  # closes today: still open
        self.assertFalse(open_on("open", DAY, DAY - 10 * ONE, DAY - ONE, DAY))  # closed yesterday
        self.assertFalse(open_on("open", DAY, DAY + ONE, None, DAY))  # opens tomorrow

    def test_an_open_confirmation_without_a_closing_date_goes_stale(self):
        fresh = DAY - datetime.timedelta(days=OPEN_CONFIRMATION_DAYS)
        self.assertTrue(open_on("open", fresh, None, None, DAY))
        self.assertFalse(open_on("open", fresh - ONE, None, None, DAY))
        self.assertFalse(open_on("open", None, None, None, DAY))
        # A closing date bounds it instead, however old the confirmation.
        self.assertTrue(open_on("open", fresh - 300 * ONE, None, DAY + ONE, DAY))

    def test_a_window_the_source_gives_or_one_after_a_closure_is_open(self):
        self.assertTrue(open_on("", None, DAY - ONE, DAY + ONE, DAY))
        self.assertFalse(open_on("", None, DAY - ONE, None, DAY))  # no end: no evidence
        self.assertTrue(open_on("closed", DAY - 5 * ONE, DAY - ONE, None, DAY))
        self.assertFalse(open_on("closed", DAY - ONE, DAY - 5 * ONE, None, DAY))

    def test_the_database_agrees_with_the_page_on_every_combination(self):
        dates = (None, DAY - 400 * ONE, DAY - ONE, DAY, DAY + ONE)
        expected = {}
        for n, (intake, as_of, opens, closes) in enumerate(
            itertools.product(("", "open", "closed"), dates, dates, dates)
        ):
            if opens and closes and closes < opens:
                continue
            slug = f"scheme-{n}"
            make_initiative(
                slug=slug,
                name=slug,
                intake=intake,
                intake_as_of=as_of,
                window_opens=opens,
                window_closes=closes,
            )
            expected[slug] = open_on(intake, as_of, opens, closes, DAY)
        found = set(Initiative.objects.open_for_applications(DAY).values_list("slug", flat=True))
        self.assertEqual(found, {slug for slug, is_open in expected.items() if is_open})
        self.assertTrue(found)
