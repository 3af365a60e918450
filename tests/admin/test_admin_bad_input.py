"""Odd ids and filter values in the admin get a clear answer as an Editor, never a 500.

Every content model's change list, change form, history, compare and (for articles) preview
page, and every autocomplete an editor's forms use, is sent ids and values that no page links
to: non-numeric and huge numbers, NUL bytes, very long strings, impossible dates. The test
client re-raises a view's exception, so a crash fails the test with its traceback. The lists
of parameters come from the ModelAdmins themselves, so a new filter is tested without
editing this file.
"""

import reversion
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import RequestFactory, TestCase
from django.urls import reverse
from reversion.models import Version

from portal.models import Article, Initiative, Organisation, Sector, Source
from portal.roles import sync_roles
from tests.admin_pages import admin_url
from tests.factories import make_article, make_initiative, make_organisation, make_sector

CONTENT_MODELS = [Article, Initiative, Organisation, Sector, Source]

# One of each kind: not a number, not an integer, negative, past a 64-bit integer, a NUL
# byte, very long, and an escaped "_" (the admin's quoting of ids: "_5F").
ODD_IDS = ["abc", "1.5", "-1", str(2**63), "\x00", "x" * 2000, "_5F"]
ODD_VALUES = ["abc", "-1", "9" * 40, "\x00", "fin\x00ance", "x" * 2000, "", "香港"]
# A full change list costs ~40 ms, so each of its parameters gets the three values that
# have broken one (a number past any integer type, a NUL byte, a very long text).
LIST_VALUES = ["9" * 40, "\x00", "x" * 2000]
# Query parameters the admin's change list reads besides its filters: search, ordering,
# page, the error flag, facets, and "show all".
CHANGELIST_PARAMETERS = ["q", "o", "p", "e", "_facets", "all"]


def changelist_parameters(model):
    """The query parameters `model`'s change list understands, as its filters name them."""
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = get_user_model()(is_superuser=True, is_staff=True)
    names = set(CHANGELIST_PARAMETERS)
    for spec in model_admin.get_changelist_instance(request).filter_specs:
        names.update(spec.expected_parameters())
    if model_admin.date_hierarchy:
        names.update(f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day"))
    return sorted(names)


def autocomplete_sources():
    """(app_label, model_name, field_name) of every autocomplete widget on an admin form."""
    sources = []
    for model, model_admin in admin.site._registry.items():
        holders = [(model, model_admin)]
        holders += [(inline.model, inline) for inline in model_admin.inlines]
        for holder_model, holder in holders:
            for field_name in holder.autocomplete_fields:
                opts = holder_model._meta
                sources.append((opts.app_label, opts.model_name, field_name))
    return sorted(set(sources))


class AdminBadInputTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        sync_roles()
        cls.editor = get_user_model().objects.create_user("eddie", is_staff=True)
        cls.editor.groups.add(Group.objects.get(name="Editor"))
        finance = make_sector(name="Finance", slug="finance")
        make_sector(name="Health", slug="health")  # two, so the lists show a sector filter
        hkma = make_organisation(name="HKMA", slug="hkma")
        lab = make_initiative(name="AI Lab", slug="lab", lead_organisation=hkma)
        article = make_article(title="Banks and AI", slug="banks")
        source = Source.objects.create(url="https://example.org/", publisher="Example")
        cls.objects = [article, lab, hkma, finance, source]
        # Two versions each, so the history lists them and compare has something to compare.
        for obj in cls.objects:
            for _ in range(2):
                with reversion.create_revision():
                    obj.save()

    def setUp(self):
        self.client.force_login(self.editor)

    def assert_no_server_error(self, url, params=None):
        response = self.client.get(url, params)
        self.assertLess(response.status_code, 500, f"{url} {params!r}")
        return response

    def test_the_editor_can_open_every_page_tested_here(self):
        # Otherwise every odd request below could be a harmless 403.
        article = self.objects[0]
        for obj in self.objects:
            model = type(obj)
            with self.subTest(model=model.__name__):
                self.assertEqual(self.client.get(admin_url(model, "changelist")).status_code, 200)
                for view in ("change", "history"):
                    response = self.client.get(admin_url(model, view, obj.pk))
                    self.assertEqual(response.status_code, 200, view)
                old, new = Version.objects.get_for_object(obj).order_by("pk")
                response = self.client.get(
                    admin_url(model, "compare", obj.pk),
                    {"version_id1": old.pk, "version_id2": new.pk},
                )
                self.assertEqual(response.status_code, 200, "compare")
        self.assertEqual(
            self.client.get(admin_url(Article, "preview", article.pk)).status_code, 200
        )

    def test_odd_object_ids_on_change_history_compare_and_preview(self):
        for model in CONTENT_MODELS:
            views = ["change", "history", "compare", "delete"]
            if model is Article:
                views.append("preview")
            for view in views:
                for object_id in ODD_IDS:
                    with self.subTest(model=model.__name__, view=view, id=object_id[:20]):
                        self.assert_no_server_error(admin_url(model, view, object_id))

    def test_odd_version_ids_on_compare(self):
        for obj in self.objects:
            url = admin_url(type(obj), "compare", obj.pk)
            for value in ODD_VALUES:
                for params in (
                    {"version_id1": value, "version_id2": value},
                    {"version_id1": value},
                ):
                    with self.subTest(model=type(obj).__name__, params=repr(params)[:40]):
                        self.assert_no_server_error(url, params)

    def test_odd_values_for_every_change_list_parameter(self):
        for model in CONTENT_MODELS:
            url = admin_url(model, "changelist")
            for name in changelist_parameters(model):
                for value in LIST_VALUES:
                    with self.subTest(model=model.__name__, name=name, value=value[:20]):
                        self.assert_no_server_error(url, {name: value})

    def test_impossible_dates_in_the_date_hierarchy_show_the_unfiltered_list(self):
        url = admin_url(Article, "changelist")
        for params in [
            {"publish_at__year": "99999999999"},
            {"publish_at__year": "9999"},
            {"publish_at__year": "9999", "publish_at__month": "12", "publish_at__day": "31"},
            {"publish_at__year": "1", "publish_at__month": "1", "publish_at__day": "1"},
            {"publish_at__year": "0"},
            {"publish_at__year": "²"},
            {"publish_at__year": "2024", "publish_at__month": "2", "publish_at__day": "30"},
            {"publish_at__year": "2024", "publish_at__month": "99999999999"},
        ]:
            with self.subTest(params=params):
                response = self.assert_no_server_error(url, params)
                self.assertRedirects(response, f"{url}?e=1")

    def test_a_preview_of_no_article_is_not_found(self):
        for object_id in ["abc", "0", str(2**63)]:
            with self.subTest(object_id=object_id):
                response = self.client.get(admin_url(Article, "preview", object_id))
                self.assertEqual(response.status_code, 404)

    def test_odd_terms_and_pages_in_every_autocomplete(self):
        url = reverse("admin:autocomplete")
        sources = autocomplete_sources()
        self.assertIn(("portal", "article", "sectors"), sources)
        for app_label, model_name, field_name in sources:
            where = {"app_label": app_label, "model_name": model_name, "field_name": field_name}
            with self.subTest(**where):
                self.assertEqual(self.client.get(url, {**where, "term": "a"}).status_code, 200)
            for value in ODD_VALUES:
                for params in ({"term": value}, {"term": "a", "page": value}):
                    with self.subTest(**where, params=repr(params)[:40]):
                        self.assert_no_server_error(url, {**where, **params})

    def test_a_nul_byte_in_an_autocomplete_term_is_ignored(self):
        response = self.client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": "portal",
                "model_name": "article",
                "field_name": "sectors",
                "term": "Fin\x00",
            },
        )

        self.assertEqual([result["text"] for result in response.json()["results"]], ["Finance"])
