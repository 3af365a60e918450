"""The Content-Security-Policy breaks nothing: Chromium reports no violation on any public page
type, nor on the admin pages an editor uses, with the admin's own JavaScript at work.

Every violation fires a `securitypolicyviolation` event on the document; an init script
records them before the page's own scripts run, and Chromium's console message about each
one is kept too, in case an event is missed.
"""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from reversion.models import Version

from portal.models import Article, Initiative, Organisation, Sector, Source
from tests.browser import FIXTURE_FILES, expect
from tests.browser.test_editor_workflow import PASSWORD, autocomplete, log_in, save
from tests.page_types import PAGES

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile}:${event.lineNumber}) ${event.sample}`
  );
});
"""


@pytest.fixture
def csp_page(page):
    """`page`, recording CSP violations; `csp_page.violations()` returns those of the page
    shown now (each navigation starts a new list) plus the console's, and forgets them."""
    page.add_init_script(RECORD_VIOLATIONS)
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    def violations():
        # Violation events are queued as tasks: let them run before reading the list.
        found = page.evaluate(
            "() => new Promise((done) => setTimeout(() => done(window.cspViolations || []), 50))"
        )
        found += console
        console.clear()
        page.evaluate("() => { window.cspViolations = []; }")
        return found

    page.violations = violations
    return page


def visit(page, url):
    """Open `url`; fail unless it answers 200 under the site's policy. Returns the response."""
    response = page.goto(url)
    assert response.status == 200, f"{url} answered {response.status}"
    policy = response.header_value("content-security-policy") or ""
    assert "script-src 'self'" in policy, f"{url} has no Content-Security-Policy: {policy!r}"
    return response


def test_public_pages_break_no_rule_of_the_policy(csp_page, real_content):
    found = {}
    targets = {name: target() for name, target in PAGES.items()}
    with translation.override("zh-hant"):
        chinese_home, chinese_article = "/zh-hant/", targets["article"].get_absolute_url()
    urls = [
        target if isinstance(target, str) else target.get_absolute_url()
        for target in targets.values()
    ] + [chinese_home, chinese_article, "/articles.atom", "/sitemap.xml", "/robots.txt"]
    for url in urls:
        visit(csp_page, url)
        found[url] = csp_page.violations()

    assert {url: rules for url, rules in found.items() if rules} == {}


@pytest.fixture
def editor(real_content):
    """A staff account in the Editor group, as `manage.py setup_roles` sets it up."""
    call_command("setup_roles", stdout=io.StringIO())
    user = get_user_model().objects.create_user("wing", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    return user


def test_the_admin_pages_an_editor_uses_break_no_rule_of_the_policy(csp_page, editor):
    page, found = csp_page, {}

    def check(name):
        found[name] = page.violations()

    visit(page, reverse("admin:login"))
    check("login")
    log_in(page, editor)
    check("index")
    for model in (Article, Initiative, Organisation, Sector, Source):
        visit(page, reverse(f"admin:portal_{model._meta.model_name}_changelist"))
        check(f"{model.__name__} change list")

    # The change form, its select2 autocomplete and the prepopulated slug, saved twice so the
    # history has two versions to compare.
    article = Article.objects.published().first()
    sector = Sector.objects.exclude(articles=article).order_by("name_en").first()
    change_url = reverse("admin:portal_article_change", args=[article.pk])
    for standfirst in ("A first new standfirst.", "A second new standfirst."):
        visit(page, change_url)
        page.get_by_label("Standfirst [en]").fill(standfirst)
        if standfirst.startswith("A first"):
            autocomplete(page, "sectors", sector.name_en[:4], sector.name_en)
        check(f"article change form ({standfirst})")
        save(page)
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
        check("change list after saving")
    visit(page, reverse("admin:portal_article_add"))
    page.get_by_label("Title [en]").press_sequentially("A new title")
    expect(page.get_by_label("Slug")).to_have_value("a-new-title")
    check("article add form")

    visit(page, reverse("admin:portal_article_history", args=[article.pk]))
    # The import's version and the two saves.
    expect(page.locator("input[name=version_id1]")).to_have_count(3)
    check("history")
    old, new = Version.objects.get_for_object(article).order_by("pk")[:2]
    visit(
        page,
        reverse("admin:portal_article_compare", args=[article.pk])
        + f"?version_id1={old.pk}&version_id2={new.pk}",
    )
    expect(page.locator("#content")).to_contain_text("Standfirst [en]")
    check("compare")
    visit(page, reverse("admin:portal_article_preview", args=[article.pk]))
    check("preview")

    visit(page, reverse("admin_import_content"))
    check("import page")
    page.locator("input[type=file]").set_input_files(str(FIXTURE_FILES[0]))
    page.get_by_role("button", name="Check files").click()
    expect(page.get_by_role("button", name="Confirm import")).to_be_visible()
    check("import preview")

    assert {name: rules for name, rules in found.items() if rules} == {}


def test_an_inline_script_is_refused(csp_page, real_content):
    # The policy is really enforced: a script injected into the page is not run.
    visit(csp_page, "/")
    ran = csp_page.evaluate(
        """() => new Promise((done) => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.append(script);
            setTimeout(() => done(window.injected === true), 50);
        })"""
    )

    assert ran is False
    assert any(re.match(r"script-src-elem refused inline", rule) for rule in csp_page.violations())
