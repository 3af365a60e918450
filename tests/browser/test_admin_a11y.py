"""The admin pages editors use most, in Chromium on the real content: axe (WCAG A/AA and
best practices) finds nothing on the dashboard (at 1366 px and on a phone, nothing off
screen), the change lists with their filters, search and sorting, the change forms with their
inline sources and relation pickers, and the histories."""

import datetime

import pytest
import reversion
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from portal.models import Article, Initiative, Organisation, Source
from tests.browser import assert_no_axe_violations, expect
from tests.browser.test_editor_workflow import PASSWORD, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def chief(real_content):
    """A superuser, and two versions of the article checked, so its history can compare; an
    article in review, one sent back and an initiative whose change needs review."""
    article = Article.objects.filter(sources__isnull=False, sectors__isnull=False).first()
    for byline in ("First byline", "Second byline"):
        with reversion.create_revision():
            article.byline = byline
            article.save()
    chief = get_user_model().objects.create_superuser("chief", "chief@example.org", PASSWORD)
    in_review, sent_back = Article.objects.exclude(pk=article.pk)[:2]
    Article.objects.filter(pk=in_review.pk).update(
        status=Article.Status.IN_REVIEW, submitted_by=chief, submitted_at=in_review.updated_at
    )
    Article.objects.filter(pk=sent_back.pk).update(
        status=Article.Status.DRAFT, submitted_by=chief, review_comment="Cite the source."
    )
    Initiative.objects.filter(pk=Initiative.objects.first().pk).update(needs_review=True)
    return chief


def admin_pages():
    """[(what, url)] of the pages checked, from the real content."""
    article = Article.objects.filter(sources__isnull=False, sectors__isnull=False).first()
    initiative = Initiative.objects.filter(sources__isnull=False).first()
    organisation = Organisation.objects.first()
    source = Source.objects.first()
    sector = article.sectors.first()
    word = article.title_en.split()[0]
    in_review = Article.objects.get(status=Article.Status.IN_REVIEW)
    sent_back = Article.objects.exclude(review_comment="").get()
    flagged = Initiative.objects.get(needs_review=True)
    articles = reverse("admin:portal_article_changelist")
    return [
        ("articles", articles),
        ("articles, searched", f"{articles}?q={word}"),
        ("articles, by sector", f"{articles}?sectors__id__exact={sector.pk}"),
        ("articles, oldest first, counts", f"{articles}?o=3&_facets=1"),
        ("article form", reverse("admin:portal_article_change", args=[article.pk])),
        ("article history", reverse("admin:portal_article_history", args=[article.pk])),
        ("new article form", reverse("admin:portal_article_add")),
        ("article in review", reverse("admin:portal_article_change", args=[in_review.pk])),
        ("article sent back", reverse("admin:portal_article_change", args=[sent_back.pk])),
        ("initiative needing review", reverse("admin:portal_initiative_change", args=[flagged.pk])),
        ("initiatives", reverse("admin:portal_initiative_changelist")),
        ("initiative form", reverse("admin:portal_initiative_change", args=[initiative.pk])),
        ("organisations", reverse("admin:portal_organisation_changelist")),
        ("organisation form", reverse("admin:portal_organisation_change", args=[organisation.pk])),
        ("sources", reverse("admin:portal_source_changelist")),
        ("source form", reverse("admin:portal_source_change", args=[source.pk])),
        ("sectors", reverse("admin:portal_sector_changelist")),
    ]


def test_admin_pages_have_no_axe_violations(page, chief):
    log_in(page, chief)
    for what, url in admin_pages():
        response = page.goto(url)
        assert response.status == 200, what
        expect(page.locator("h1")).to_have_count(1)
        assert_no_axe_violations(page, best_practice=True, context=what)


def test_the_inline_delete_boxes_and_relation_pickers_are_named(page, chief):
    log_in(page, chief)
    article = Article.objects.filter(sources__isnull=False, sectors__isnull=False).first()
    page.goto(reverse("admin:portal_article_change", args=[article.pk]))
    # Each source's "Delete" box is named for the row it removes.
    expect(page.get_by_role("checkbox", name="Delete source 1", exact=True)).to_have_count(1)
    expect(page.locator(".field-sectors .select2-selection__choice").first).to_be_visible()


@pytest.fixture
def dashboard_rows(chief):
    """Something in each of the dashboard's panels: a draft and a scheduled copy saved by
    `chief`, a source whose address failed its check."""
    articles = Article.objects.order_by("pk")
    with reversion.create_revision():
        reversion.set_user(chief)
        articles[0].duplicate_as_draft()
        scheduled = articles[1].duplicate_as_draft()
        scheduled.status = Article.Status.PUBLISHED
        scheduled.publish_at = timezone.now() + datetime.timedelta(days=7)
        scheduled.save()
    Source.objects.filter(pk=Source.objects.order_by("pk")[0].pk).update(
        check_result=Source.CheckResult.GONE, checked_at=timezone.now()
    )


@pytest.mark.parametrize("width", [1366, 390])
def test_the_dashboard_fits_the_screen_and_has_no_axe_violations(
    page, chief, dashboard_rows, width
):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, chief)
    panels = page.locator(".dashboard-panel")
    expect(panels.first).to_be_visible()
    expect(page.locator("#panel-my-drafts .dashboard-count")).to_have_text("1")
    expect(page.locator("#panel-scheduled .dashboard-count")).to_have_text("1")
    # Nothing off screen: no sideways scrolling, every panel within the width.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for box in (panels.nth(n).bounding_box() for n in range(panels.count())):
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    assert_no_axe_violations(page, best_practice=True, context=f"dashboard at {width} px")
    # Each panel's link opens its filtered list.
    page.locator("#panel-scheduled .dashboard-all a").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)


def test_every_column_of_the_change_lists_is_on_a_1366_px_screen(page, chief):
    """The review columns come last on the initiatives' and organisations' lists, after long
    organisation names: none may need sideways scrolling (issue #20)."""
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, chief)
    for model in (Initiative, Organisation, Source, Article):
        page.goto(reverse(f"admin:portal_{model._meta.model_name}_changelist"))
        results = page.locator("#changelist .results")
        widths = results.evaluate("element => [element.scrollWidth, element.clientWidth]")
        assert widths[0] <= widths[1], (model.__name__, widths)
