"""Pins the parts of the finders that lean on django-filter's internals, so that an upgrade
that changes them fails here rather than quietly on a page.

- `_FilterTemplates`: each FilterSet instance gets shallow copies of the class's filters
  (django-filter deep-copies `base_filters` per instance).
- `FinderFilterSet.get_form_class`: one form class per FilterSet class, built once.
- `locals()["from"]`: the timeline's `from` filter, a Python keyword, named in the class body.
"""

import copy

from django.test import TestCase

from portal.finders.filters import (
    ArticleFilter,
    InitiativeFilter,
    MilestoneFilter,
    _FilterTemplates,
)
from portal.finders.kinds import YearBoundFilter
from portal.models import Initiative
from tests.factories import make_initiative


class FilterCopyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_initiative(slug="ran-2020", start_year=2019, end_year=2020)
        make_initiative(slug="runs-on", start_year=2024)

    def test_base_filters_are_templates_that_django_filter_deep_copies_per_instance(self):
        self.assertIsInstance(InitiativeFilter.base_filters, _FilterTemplates)
        first, second = InitiativeFilter(), InitiativeFilter()
        template = InitiativeFilter.base_filters["sector"]
        for filterset in (first, second):
            copied = filterset.filters["sector"]
            self.assertIsNot(copied, template)
            self.assertIs(copied.parent, filterset)
            self.assertIs(copied.model, Initiative)
        self.assertIsNot(first.filters["sector"], second.filters["sector"])
        # Shallow: the options' queryset is shared, which is the point of the copy.
        self.assertIs(first.filters["sector"].queryset, template.queryset)

    def test_each_copy_has_its_own_options_and_no_form_field_of_the_template(self):
        template = InitiativeFilter.base_filters["sector"]
        template.field  # noqa: B018 (made lazily; the copies must not inherit it)
        first, second = InitiativeFilter(), InitiativeFilter()
        self.assertNotIn("_field", first.filters["sector"].__dict__)
        first.filters["sector"].extra["help_text"] = "only here"
        self.assertNotIn("help_text", second.filters["sector"].extra)
        self.assertNotIn("help_text", template.extra)

    def test_a_method_filter_calls_its_own_filtersets_method(self):
        filterset = InitiativeFilter(data={"active_in": "2020"}, queryset=Initiative.objects.all())
        method = filterset.filters["active_in"].filter
        self.assertIs(method.f, filterset.filters["active_in"])
        self.assertEqual([obj.slug for obj in filterset.qs], ["ran-2020"])
        later = InitiativeFilter(data={"active_in": "2025"}, queryset=Initiative.objects.all())
        self.assertEqual([obj.slug for obj in later.qs], ["runs-on"])

    def test_a_deep_copy_of_the_templates_is_a_plain_dict_of_copies(self):
        copied = copy.deepcopy(MilestoneFilter.base_filters)
        self.assertEqual(list(copied), list(MilestoneFilter.base_filters))
        self.assertIsNot(copied["to"], MilestoneFilter.base_filters["to"])


class SharedFormClassTests(TestCase):
    def test_one_form_class_per_filterset_class(self):
        self.assertIs(type(InitiativeFilter().form), type(InitiativeFilter().form))
        self.assertIsNot(type(InitiativeFilter().form), type(ArticleFilter().form))
        self.assertIn("active_in", type(InitiativeFilter().form).base_fields)
        self.assertNotIn("active_in", type(ArticleFilter().form).base_fields)

    def test_forms_of_one_class_share_no_fields_or_errors(self):
        bad = InitiativeFilter(data={"sector": "no-such-sector"})
        good = InitiativeFilter(data={})
        self.assertIsNot(bad.form.fields["sector"], good.form.fields["sector"])
        self.assertFalse(bad.form.is_valid())
        self.assertTrue(good.form.is_valid())
        self.assertEqual(good.form.errors, {})


class FromFilterTests(TestCase):
    def test_the_timeline_has_a_filter_named_from(self):
        from_filter = MilestoneFilter.base_filters["from"]
        self.assertIsInstance(from_filter, YearBoundFilter)
        self.assertEqual((from_filter.bound, from_filter.field_name), ("from", "date"))
        self.assertIn("from", MilestoneFilter().form.fields)
        self.assertTrue(MilestoneFilter(data={"from": "2020"}).is_valid())


class FilterKindTests(TestCase):
    def test_every_filter_of_every_finder_is_a_finder_filter_and_every_facet_has_a_facet(self):
        from portal.finders.kinds import FinderFilter
        from portal.finders.listings import LISTINGS

        for listing in LISTINGS:
            filterset = listing.filterset_class
            if filterset is None:
                continue
            for name, filter_ in filterset.base_filters.items():
                with self.subTest(listing=listing.name, filter=name):
                    self.assertIsInstance(filter_, FinderFilter)
            for name in filterset.facet_names:
                with self.subTest(listing=listing.name, facet=name):
                    facet = type(filterset.base_filters[name]).facet
                    self.assertIsNot(facet, FinderFilter.facet)
