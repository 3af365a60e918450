"""The editors' admin: change lists, forms, the publishing workflow and reviews."""

import datetime
import io
import json
import re
import tempfile
from pathlib import Path

import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from portal.finders.query import warm_facet_indexes
from portal.models import Article, Initiative, Organisation, Sector, Source
from tests.admin_pages import dashboard_panels
from tests.factories import (
    NOW,
    make_article,
    make_initiative,
    make_organisation,
    make_sector,
    make_source,
)


def changelist(model):
    return reverse(f"admin:portal_{model._meta.model_name}_changelist")


def change(obj):
    return reverse(f"admin:portal_{obj._meta.model_name}_change", args=[obj.pk])


class AdminTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin_user = get_user_model().objects.create_superuser("chief", "c@example.org", "x")

    def setUp(self):
        # force_login: django-axes checks password logins, which these tests are not about.
        self.client.force_login(self.admin_user)


class ChangeListTests(AdminTestCase):
    def assert_constant_queries(self, model, make_row):
        """A change list page costs the same at 5 rows as at 100 (the sectors' counts read
        from the finders' facet indexes, built as after any import or edit that a reader's
        page view follows)."""
        for _ in range(5):
            make_row()
        warm_facet_indexes()
        with self.assertNumQueries(self.queries_for(model)) as context:
            self.assertEqual(self.client.get(changelist(model)).status_code, 200)
        for _ in range(95):
            make_row()
        warm_facet_indexes()
        with self.assertNumQueries(len(context.captured_queries)):
            response = self.client.get(changelist(model) + "?all=")
        self.assertEqual(response.context["cl"].result_count, 100)

    def queries_for(self, model):
        # Two (initiatives) and three (organisations) of them for the "needs review" filter,
        # two (initiatives) for "status confirmed" and two (sources) for "cited" and "last check".
        # Sectors: one more, the content state that names the facet indexes the counts come from.
        return {Article: 9, Initiative: 22, Organisation: 21, Sector: 9, Source: 13}[model]

    def test_article_list(self):
        sector = make_sector()

        def row():
            make_article().sectors.add(sector)

        self.assert_constant_queries(Article, row)

    def test_initiative_list(self):
        sector = make_sector()
        self.assert_constant_queries(
            Initiative,
            lambda: make_initiative(lead_organisation=make_organisation()).sectors.add(sector),
        )

    def test_organisation_list(self):
        self.assert_constant_queries(Organisation, make_organisation)

    def test_sector_list(self):
        self.assert_constant_queries(Sector, make_sector)

    def test_source_list(self):
        self.assert_constant_queries(Source, make_source)

    def test_article_columns_show_what_readers_see(self):
        make_article(title="Live one")
        make_article(title="Coming", publish_at=datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC))
        make_article(title="Unfinished", status=Article.Status.DRAFT)
        html = self.client.get(changelist(Article)).content.decode()
        for title, visibility in [
            ("Live one", "Live"),
            ("Coming", "Scheduled"),
            ("Unfinished", "Draft"),
        ]:
            row = re.search(rf"{title}</a>.*?</tr>", html, re.S).group(0)
            self.assertIn(f'<td class="field-visibility">{visibility}</td>', row)

    def test_filters_show_facet_counts_and_search_finds_text(self):
        make_initiative(name="Sandbox", kind=Initiative.Kind.SANDBOX)
        make_initiative(name="Fund", kind=Initiative.Kind.FUNDING)
        response = self.client.get(changelist(Initiative) + "?q=sandbox")
        self.assertEqual(response.context["cl"].result_count, 1)
        self.assertContains(response, "Sandbox (1)")

    def test_visibility_filter(self):
        make_article(title="Coming", publish_at=datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC))
        make_article(title="Live one")
        response = self.client.get(changelist(Article) + "?visibility=scheduled")
        self.assertEqual([a.title for a in response.context["cl"].result_list], ["Coming"])


class ChangeFormTests(AdminTestCase):
    def test_forms_group_fields_with_autocomplete_relations_and_inline_sources(self):
        initiative = make_initiative()
        html = self.client.get(change(initiative)).content.decode()
        for legend in ["Content", "Relations", "Timeline", "Review"]:
            self.assertRegex(html, rf"<h2[^>]*>\s*{legend}\s*</h2>|<legend[^>]*>\s*{legend}")
        for name in ["lead_organisation", "partners", "sectors"]:
            self.assertRegex(html, rf'name="{name}"[^>]*class="[^"]*admin-autocomplete')
        self.assertIn("Initiative_sources-TOTAL_FORMS", html)

    def test_slugs_are_prefilled_from_titles(self):
        html = self.client.get(reverse("admin:portal_article_add")).content.decode()
        self.assertIn("&quot;dependency_list&quot;: [&quot;title_en&quot;]", html)

    def test_end_year_before_start_year_names_both_fields(self):
        initiative = make_initiative(start_year=2024)
        data = {
            "name": initiative.name,
            "slug": initiative.slug,
            "kind": initiative.kind,
            "status": initiative.status,
            "start_year": "2024",
            "end_year": "2020",
            "Initiative_sources-TOTAL_FORMS": "0",
            "Initiative_sources-INITIAL_FORMS": "0",
        }
        response = self.client.post(change(initiative), data)
        self.assertEqual(response.status_code, 200)
        errors = response.context["adminform"].form.errors
        self.assertIn("The end year (2020) is before the start year (2024).", errors["end_year"])
        self.assertIn("The end year (2020) is before the start year (2024).", errors["start_year"])
        initiative.refresh_from_db()
        self.assertIsNone(initiative.end_year)

    def test_view_on_site_goes_to_the_public_page_or_the_preview(self):
        live = make_article(slug="live")
        draft = make_article(slug="draft", status=Article.Status.DRAFT)
        self.assertContains(self.client.get(change(live)), 'href="/articles/live/"')
        preview = reverse("admin:portal_article_preview", args=[draft.pk])
        self.assertContains(self.client.get(change(draft)), f'href="{preview}"')


class PreviewTests(AdminTestCase):
    def test_staff_see_a_draft_exactly_as_readers_will(self):
        draft = make_article(
            title="Work in progress",
            slug="wip",
            status=Article.Status.DRAFT,
            body="Some **bold** claim.",
        )
        draft.sectors.add(make_sector(name="Healthcare"))
        response = self.client.get(reverse("admin:portal_article_preview", args=[draft.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "portal/article_detail.html")
        self.assertContains(response, "<h1>Work in progress</h1>", html=True)
        self.assertContains(response, "<strong>bold</strong>", html=True)
        self.assertContains(response, "Healthcare")
        self.assertContains(response, "Preview of a draft")
        self.assertEqual(response["X-Robots-Tag"], "noindex, nofollow")

    def test_readers_cannot_open_a_draft_or_its_preview(self):
        draft = make_article(slug="wip", status=Article.Status.DRAFT)
        self.client.logout()
        self.assertEqual(self.client.get("/articles/wip/").status_code, 404)
        preview = self.client.get(reverse("admin:portal_article_preview", args=[draft.pk]))
        self.assertEqual(preview.status_code, 302)
        self.assertIn("/admin/login/", preview["Location"])


@time_machine.travel(NOW, tick=False)
class PublishingActionTests(AdminTestCase):
    def act(self, action, *objects, model=Article):
        return self.client.post(
            changelist(model),
            {
                "action": action,
                "_selected_action": [o.pk for o in objects],
            },
            follow=True,
        )

    def test_publish_now_makes_a_draft_public_at_once(self):
        draft = make_article(slug="wip", status=Article.Status.DRAFT)
        response = self.act("publish_now", draft)
        self.assertContains(response, "Published 1 article.")
        draft.refresh_from_db()
        self.assertEqual((draft.status, draft.publish_at), (Article.Status.PUBLISHED, NOW))
        self.assertEqual(self.client.get("/articles/wip/").status_code, 200)

    def test_unpublish_takes_an_article_down(self):
        live = make_article(slug="live")
        self.assertContains(self.act("unpublish", live), "Moved 1 article back to draft.")
        self.assertEqual(self.client.get("/articles/live/").status_code, 404)

    def test_duplicate_makes_a_draft_copy_with_its_relations(self):
        original = make_article(title="Original", slug="original")
        original.sectors.add(make_sector(slug="finance"))
        original.sources.add(make_source())
        self.assertContains(self.act("duplicate_as_draft", original), "Created 1 draft copy.")
        copy = Article.objects.get(slug="original-copy")
        self.assertEqual((copy.title, copy.status), ("Copy of Original", Article.Status.DRAFT))
        self.assertEqual([s.slug for s in copy.sectors.all()], ["finance"])
        self.assertEqual(copy.sources.count(), 1)
        self.act("duplicate_as_draft", original)
        self.assertTrue(Article.objects.filter(slug="original-copy-2").exists())


@time_machine.travel(NOW, tick=False)
class ReviewTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        today = NOW.date()
        cls.fresh = make_initiative(name="Fresh", last_reviewed=today - datetime.timedelta(days=10))
        cls.stale = make_initiative(
            name="Stale", last_reviewed=today - datetime.timedelta(days=181)
        )
        cls.never = make_initiative(name="Never")
        make_organisation(name="Old org", last_reviewed=today - datetime.timedelta(days=400))

    def test_a_row_and_the_queryset_agree_on_what_is_due_at_the_boundary(self):
        for days, due in [(180, False), (181, True)]:
            obj = make_initiative(last_reviewed=NOW.date() - datetime.timedelta(days=days))
            with self.subTest(days=days):
                self.assertEqual(obj.is_due_for_review(), due)
                self.assertEqual(
                    Initiative.objects.due_for_review().filter(pk=obj.pk).exists(), due
                )

    def test_due_for_review_means_never_or_over_180_days_ago(self):
        due = Initiative.objects.due_for_review().order_by("name_en")
        self.assertEqual([i.name for i in due], ["Never", "Stale"])

    def test_the_admin_index_counts_what_is_due(self):
        panels = dashboard_panels(self.client.get(reverse("admin:index")))
        self.assertEqual(panels["initiative-review"], (2, f"{changelist(Initiative)}?review=due"))
        self.assertEqual(panels["organisation-review"][0], 1)
        response = self.client.get(reverse("admin:index"))
        self.assertContains(response, f'href="{reverse("admin_import_content")}"')

    def test_filter_and_mark_reviewed_today(self):
        response = self.client.get(changelist(Initiative) + "?review=due")
        self.assertEqual({i.name for i in response.context["cl"].result_list}, {"Never", "Stale"})
        response = self.client.post(
            changelist(Initiative),
            {
                "action": "mark_reviewed",
                "_selected_action": [self.stale.pk, self.never.pk],
            },
            follow=True,
        )
        self.assertContains(response, "Marked 2 entries as reviewed today.")
        self.assertFalse(Initiative.objects.due_for_review().exists())
        self.stale.refresh_from_db()
        self.assertEqual(self.stale.last_reviewed, NOW.date())


class SanitisedBodyTests(AdminTestCase):
    def test_script_an_editor_types_never_reaches_a_public_page(self):
        body = (
            'Hi <script>alert(1)</script> <img src=x onerror="alert(2)"> '
            '[click](javascript:alert(3)) <a href="#" onmouseover="alert(4)">x</a>'
        )
        make_article(slug="risky", body=body)
        html = self.client.get("/articles/risky/").content.decode()
        article_html = html[html.index("<article") : html.index("</article>")]
        self.assertNotIn("<script", article_html)
        self.assertNotRegex(article_html, r"<[^>]+\son\w+=")
        self.assertNotIn('href="javascript:', article_html)


class ImportedReviewDateTests(AdminTestCase):
    """Imported records count as reviewed on the day they are imported, unless their file
    gives a date, so the portal does not start with every entry due for review."""

    def import_files(self, *paths):
        call_command("import_content", *map(str, paths), stdout=io.StringIO())

    def test_nothing_is_due_the_day_the_fixtures_are_imported_and_all_is_181_days_later(self):
        with time_machine.travel(NOW, tick=False):
            self.import_files(*sorted((settings.BASE_DIR / "fixtures").glob("*.json")))
            self.assertFalse(Initiative.objects.due_for_review().exists())
            self.assertFalse(Organisation.objects.due_for_review().exists())
            panels = dashboard_panels(self.client.get(reverse("admin:index")))
            self.assertEqual(panels["initiative-review"][0], 0)
            self.assertEqual(panels["organisation-review"][0], 0)
        self.assertEqual(
            set(Initiative.objects.values_list("last_reviewed", flat=True)),
            {timezone.localdate(NOW)},
        )
        with time_machine.travel(NOW + datetime.timedelta(days=181), tick=False):
            self.assertEqual(
                Initiative.objects.due_for_review().count(), Initiative.objects.count()
            )

    def test_a_date_in_the_file_is_kept_and_importing_again_keeps_the_review(self):
        path = Path(self.enterContext(tempfile.TemporaryDirectory())) / "orgs.json"
        given = {
            "name_en": "Given",
            "slug": "given",
            "kind": "company",
            "last_reviewed": "2026-01-05",
        }
        undated = {**given, "name_en": "Undated", "slug": "undated", "last_reviewed": None}
        path.write_text(
            json.dumps([{"model": "portal.organisation", "fields": f} for f in (given, undated)])
        )
        with time_machine.travel(NOW, tick=False):
            self.import_files(path)
        reviewed = dict(Organisation.objects.values_list("slug", "last_reviewed"))
        self.assertEqual(
            reviewed, {"given": datetime.date(2026, 1, 5), "undated": timezone.localdate(NOW)}
        )

        later = NOW + datetime.timedelta(days=30)
        with time_machine.travel(later, tick=False):
            Organisation.objects.filter(slug="undated").update(
                last_reviewed=timezone.localdate(later)
            )
            self.import_files(path)
        self.assertEqual(
            Organisation.objects.get(slug="undated").last_reviewed, timezone.localdate(later)
        )
