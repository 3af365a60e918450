"""Property-based tests: random integers, NUL bytes, regular-expression characters and huge
values in any parameter get a clear answer, never a server error.

- every admin change list (every registered ModelAdmin, as a superuser), with its own
  filters' parameters and the change list's own (search, ordering, page, ...);
- every public list the first round's tests/test_bad_input.py leaves out (the timeline,
  sources, change log, comparison, the remaining formats), with every parameter any public
  page reads (portal.caching.keys.understood_parameters).

Bounded and repeatable (derandomize): well under a minute together.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from portal.caching.keys import understood_parameters
from tests.factories import make_article, make_initiative, make_milestone, make_sector

FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

values = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.sampled_from(
        [
            "\x00",
            "a\x00b",
            ".*",
            "(",
            "[",
            "\\",
            "^$",
            "a|b",
            "(?P<x>",
            "%",
            "_",
            "9" * 400,
            "x" * 3000,
            "1e309",
            "NaN",
            "-0",
            "",
            " ",
            "2025-13-40",
        ]
    ),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
)
# A change list's own parameters besides its filters: search, ordering, page, the error
# flag, facets, "show all" (django.contrib.admin.views.main).
CHANGELIST_PARAMETERS = ["q", "o", "p", "e", "_facets", "all"]


def changelist_parameters(model_admin):
    request = RequestFactory().get("/")
    request.user = get_user_model()(is_superuser=True, is_staff=True)
    names = set(CHANGELIST_PARAMETERS)
    for spec in model_admin.get_changelist_instance(request).filter_specs:
        names.update(spec.expected_parameters())
    if model_admin.date_hierarchy:
        names.update(f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day"))
    return sorted(names)


def query(names):
    return st.dictionaries(st.sampled_from(names), values, min_size=1, max_size=3)


class AdminChangeListFuzzTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.superuser = get_user_model().objects.create_superuser("root", "r@example.com", "pw")
        make_article(title="Harbour", sectors=[make_sector(slug="finance")])

    def setUp(self):
        self.client.force_login(self.superuser)

    def check_change_list(self, model, params):
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = self.client.get(url, params)
        self.assertLess(response.status_code, 500, params)

    def fuzzer(self, model, names):
        @FUZZ
        @given(params=query(names))
        def fuzz(params):
            self.check_change_list(model, params)

        return fuzz

    def test_every_change_list(self):
        for model, model_admin in admin.site._registry.items():
            with self.subTest(model=model.__name__):
                self.fuzzer(model, changelist_parameters(model_admin))()


PUBLIC_URLS = [
    "/timeline/",
    "/timeline.atom",
    "/timeline.csv",
    "/timeline.json",
    "/sources/",
    "/changes/",
    "/changes.atom",
    "/initiatives/compare/",
    "/initiatives/compare.csv",
    "/organisations/",
    "/search/",
    "/sectors/",
    "/network/",
    "/zh-hant/timeline/",
]


class PublicParameterFuzzTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        finance = make_sector(slug="finance")
        make_article(title="Harbour", sectors=[finance])
        make_initiative(slug="fund-a", sectors=[finance])
        make_initiative(slug="fund-b")
        make_milestone()

    @FUZZ
    @given(url=st.sampled_from(PUBLIC_URLS), params=query(sorted(understood_parameters())))
    def test_every_parameter_on_every_other_list(self, url, params):
        response = self.client.get(url, params)
        self.assertIn(response.status_code, {200, 400, 404}, (url, params))
