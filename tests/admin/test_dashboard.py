"""The dashboard on the admin index (portal.admin.dashboard): each panel's count, the same
as the change list it links to; "my drafts" per user; a fixed number of queries; panels only
for those who may view their model."""

import datetime
import io

import reversion
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import RequestFactory, TestCase
from django.urls import reverse

from portal.admin.dashboard import Panel, dashboard
from portal.models import Article, Initiative, Source
from tests.admin_pages import dashboard_panels
from tests.factories import (
    NOW,
    make_article,
    make_initiative,
    make_milestone,
    make_organisation,
    make_source,
)

User = get_user_model()
DAY = datetime.timedelta(days=1)
TODAY = NOW.date()


def saved_by(user, obj, **changes):
    """Save `obj` with `changes` as `user`'s revision in the history, as the admin does."""
    with reversion.create_revision():
        reversion.set_user(user)
        for name, value in changes.items():
            setattr(obj, name, value)
        obj.save()
    return obj


def fill(chief, eddie):
    """Rows for every panel, and rows just outside each: returns the counts expected."""
    draft = Article.Status.DRAFT
    # My drafts: the latest revision decides, not the first; a published article is no draft.
    saved_by(chief, make_article(status=draft))
    saved_by(eddie, saved_by(chief, make_article(status=draft)))
    saved_by(chief, saved_by(eddie, make_article(status=draft)))
    saved_by(chief, make_article())
    make_article(status=draft)  # no history at all
    # Scheduled, recently published (14 days), and one published long ago.
    make_article(publish_at=NOW + 3 * DAY)
    make_article(publish_at=NOW + 30 * DAY)
    make_article(publish_at=NOW - 13 * DAY)
    make_article(publish_at=NOW - 40 * DAY)
    # Reviews: 180 days is still current, 181 is due; never reviewed is due.
    make_initiative(last_reviewed=TODAY - 181 * DAY)
    make_initiative(last_reviewed=TODAY - 180 * DAY)
    make_organisation()
    make_organisation(last_reviewed=TODAY)
    # Statuses: planned or active, unconfirmed for 180 days or never; completed ones stay so.
    cited = make_source(check_result=Source.CheckResult.GONE, checked_at=NOW - DAY)
    make_initiative(
        status=Initiative.Status.ACTIVE,
        status_as_of=TODAY - 200 * DAY,
        status_source=cited,
        last_reviewed=TODAY,
        sources=[cited],
    )
    make_initiative(status=Initiative.Status.ACTIVE, status_as_of=TODAY - 10 * DAY)
    make_initiative(status=Initiative.Status.COMPLETED, last_reviewed=TODAY)
    # Sources: cited by a milestone, by nothing, and their checks.
    make_milestone(sources=[make_source(check_result=Source.CheckResult.UNREACHABLE)])
    make_source(check_result=Source.CheckResult.MOVED)
    make_source(check_result=Source.CheckResult.OK)
    make_source(check_result=Source.CheckResult.FAILED)
    # Review: submitted articles wait for a Publisher; editors' changes to published records
    # are flagged until one checks them.
    make_article(status=Article.Status.IN_REVIEW, submitted_by=eddie, submitted_at=NOW - DAY)
    make_article(status=Article.Status.IN_REVIEW, submitted_by=eddie, submitted_at=NOW)
    make_initiative(needs_review=True, last_reviewed=TODAY, status=Initiative.Status.COMPLETED)
    make_organisation(needs_review=True, last_reviewed=TODAY)
    make_milestone(needs_review=True)
    make_milestone(needs_review=True)
    return {
        "awaiting-review": 2,
        "initiative-changes": 1,
        "organisation-changes": 1,
        "milestone-changes": 2,
        "my-drafts": 2,
        "scheduled": 2,
        "recently-published": 2,
        "initiative-review": 2,
        "organisation-review": 1,
        "status-unconfirmed": 3,
        "uncited-sources": 3,
        "failed-links": 3,
    }


class DashboardTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.chief = User.objects.create_superuser("chief", "c@example.org", "x")
        cls.eddie = User.objects.create_user("eddie", is_staff=True)
        with time_machine.travel(NOW, tick=False):
            cls.expected = fill(cls.chief, cls.eddie)

    def setUp(self):
        self.enterContext(time_machine.travel(NOW, tick=False))
        self.client.force_login(self.chief)

    def panels(self):
        response = self.client.get(reverse("admin:index"))
        self.assertEqual(response.status_code, 200)
        return dashboard_panels(response)

    def test_each_panel_counts_the_rows_of_the_change_list_it_links_to(self):
        panels = self.panels()
        self.assertEqual({key: count for key, (count, _link) in panels.items()}, self.expected)
        for key, (count, link) in panels.items():
            with self.subTest(key):
                response = self.client.get(link)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.context["cl"].result_count, count)

    def test_the_panels_list_their_first_rows_with_what_matters_about_each(self):
        html = self.client.get(reverse("admin:index")).content.decode()
        scheduled = html[html.index('id="panel-scheduled"') :]
        scheduled = scheduled[: scheduled.index("</section>")]
        # Soonest first, each with its time.
        self.assertRegex(scheduled, r"(?s)28 November 2026, \d\d:00.*25 December 2026")
        failed = html[html.index('id="panel-failed-links"') :]
        self.assertIn("Gone (404 or 410), 24 November 2026", failed)

    def test_my_drafts_are_the_drafts_whose_latest_change_is_mine(self):
        self.assertEqual(self.panels()["my-drafts"][0], 2)
        self.client.force_login(self.eddie)
        self.eddie.user_permissions.add(Permission.objects.get(codename="view_article"))
        self.assertEqual(self.panels()["my-drafts"][0], 1)

    def test_the_number_of_queries_does_not_grow_with_the_rows(self):
        # Two a panel (its count and its first rows) for the 12 panels a superuser sees, the
        # session and the user, and the rest of the index.
        with self.assertNumQueries(27) as first:
            self.panels()
        fill(self.chief, self.eddie)
        with self.assertNumQueries(len(first.captured_queries)):
            panels = self.panels()
        self.assertEqual(panels["scheduled"][0], 4)

    def test_panels_show_only_to_those_who_may_view_their_model(self):
        self.client.force_login(self.eddie)
        self.assertEqual(self.panels(), {})
        self.eddie.user_permissions.add(Permission.objects.get(codename="view_source"))
        self.assertEqual(set(self.panels()), {"uncited-sources", "failed-links"})

    def test_an_editor_sees_every_panel(self):
        call_command("setup_roles", stdout=io.StringIO())
        self.eddie.groups.add(Group.objects.get(name="Editor"))
        self.client.force_login(self.eddie)
        # Editors submit for review; the review panels are the Publishers'.
        review = {"awaiting-review", "initiative-changes", "organisation-changes"}
        review.add("milestone-changes")
        self.assertEqual(set(self.panels()), set(self.expected) - review)
        self.eddie.groups.set([Group.objects.get(name="Publisher")])
        self.assertEqual(set(self.panels()), set(self.expected))

    def test_a_panel_is_one_entry_and_may_filter_by_a_field_as_the_change_list_does(self):
        # How "awaiting my review" will be added: a field's value, as the change list's own
        # field filter passes it, and a permission beyond viewing.
        drafts = Panel(
            key="all-drafts",
            title="All drafts",
            model=Article,
            filters={"status__exact": "draft"},
            order=("-pk",),
            detail=str,
            permission="portal.publish_article",
        )
        request = RequestFactory().get("/admin/")
        request.user = self.chief
        [shown] = dashboard(request, panels=[drafts])
        response = self.client.get(shown["url"])
        self.assertEqual(shown["count"], response.context["cl"].result_count)
        self.assertEqual(shown["count"], Article.objects.filter(status="draft").count())
        request.user = self.eddie
        self.eddie.user_permissions.add(Permission.objects.get(codename="view_article"))
        self.assertEqual(dashboard(request, panels=[drafts]), [])
