"""An editor's day in the admin, in Chromium, on the real content: write, preview, submit for
review; a publisher's: approve, schedule, publish.

Editors log in through the real login form (django-axes checks it, as in production), use the
admin's own JavaScript (slug prefilled from the title, select2 autocomplete for relations),
and then look at the result as readers do, in a browser context that is not logged in.
"""

import datetime
import io
import re
from contextlib import ExitStack, contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from portal.models import Article
from tests.browser import assert_no_axe_violations, expect
from tests.browser.conftest import DESKTOP, open_page

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"

TITLE = "Public hospitals pilot HKChat discharge summaries"
SLUG = "public-hospitals-pilot-hkchat-discharge-summaries"
BODY = """\
## What changed

Doctors now review a **draft summary** instead of writing one from scratch.

- Shorter waits at discharge
- The [Hospital Authority](https://www.ha.org.hk/) runs the pilot
"""


@pytest.fixture
def new_page(browser, live_server):
    """Return a function that opens a desktop page in a new browser context (its own cookies).

    Every context is closed after the test, which fails if a page threw a JavaScript error.
    """
    with ExitStack() as stack:
        yield lambda: stack.enter_context(
            contextmanager(open_page)(browser, live_server, viewport=DESKTOP)
        )


@pytest.fixture
def editor_group(real_content):
    """The "Editor" group, as `manage.py setup_roles` sets it up."""
    call_command("setup_roles", stdout=io.StringIO())
    return Group.objects.get(name="Editor")


def staff_maker(group):
    """A function that creates a staff user in `group`, with PASSWORD."""

    def make(username, first_name="", last_name=""):
        user = get_user_model().objects.create_user(
            username,
            password=PASSWORD,
            first_name=first_name,
            last_name=last_name,
            is_staff=True,
        )
        user.groups.add(group)
        return user

    return make


@pytest.fixture
def make_editor(editor_group):
    """Return a function that creates a staff user in the Editor group, with PASSWORD."""
    return staff_maker(editor_group)


@pytest.fixture
def make_publisher(editor_group):
    """Return a function that creates a staff user in the Publisher group, with PASSWORD."""
    return staff_maker(Group.objects.get(name="Publisher"))


def log_in(page, user):
    """Log in through the admin's login form, as a person does, and land on the admin index."""
    page.goto(reverse("admin:login"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def autocomplete(page, field, typed, choice):
    """Choose `choice` in a relation's select2 widget: open it, type `typed`, click the option."""
    row = page.locator(f".field-{field}")
    row.locator(".select2-selection").click()
    page.keyboard.type(typed)
    page.locator(".select2-results").get_by_role("option", name=choice, exact=True).click()
    expect(row.locator(".select2-selection__choice", has_text=choice)).to_be_visible()


def save(page):
    page.get_by_role("button", name="Save", exact=True).first.click()


def test_editor_writes_previews_and_publishes_an_article(new_page, make_editor, make_publisher):
    editor = new_page()
    log_in(editor, make_editor("wing"))

    # Write a draft with a sector and an initiative: the slug follows the title, the byline
    # is the house's, and no publish date is filled in.
    editor.goto(reverse("admin:portal_article_add"))
    editor.get_by_label("Title [en]").press_sequentially(TITLE)
    expect(editor.get_by_label("Slug")).to_have_value(SLUG)
    expect(editor.get_by_label("Byline")).to_have_value("HKAI Portal editors")
    editor.get_by_label("Body [en]").fill(BODY)
    autocomplete(editor, "sectors", "Health", "Healthcare")
    autocomplete(editor, "initiatives", "HKCh", "HKChat")
    editor.get_by_role("button", name="Save draft").first.click()
    expect(editor.locator(".messagelist")).to_contain_text(f"“{TITLE}” was added successfully")
    article = Article.objects.get(slug=SLUG)
    assert (article.status, article.publish_at) == (Article.Status.DRAFT, None)
    assert [s.slug for s in article.sectors.all()] == ["healthcare"]
    assert [i.slug for i in article.initiatives.all()] == ["hkchat"]

    # Preview it from the list: the page readers will see, with a notice that it is a draft.
    editor.goto(reverse("admin:portal_article_changelist"))
    row = editor.get_by_role("row").filter(has_text=TITLE)
    row.get_by_role("link", name="Preview").click()
    expect(editor.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(editor.get_by_role("note")).to_contain_text("Preview of a draft")
    body = editor.locator(".article-body")
    expect(body.get_by_role("heading", level=2)).to_have_text("What changed")
    expect(body.locator("strong")).to_have_text("draft summary")
    expect(body.get_by_role("listitem")).to_have_count(2)
    expect(body.get_by_role("link", name="Hospital Authority")).to_have_attribute(
        "href", "https://www.ha.org.hk/"
    )
    expect(editor.get_by_role("link", name="Healthcare", exact=True)).to_be_visible()
    expect(editor.get_by_role("link", name="HKChat", exact=True)).to_be_visible()
    assert_no_axe_violations(editor)
    preview_url = editor.url

    # Readers can open neither the article nor its preview.
    reader = new_page()
    assert reader.goto(article.get_absolute_url()).status == 404
    reader.goto(preview_url)
    expect(reader).to_have_url(re.compile(r"/admin/login/\?next="))

    # Submit it for review: a publisher finds it waiting, and approves it.
    editor.goto(reverse("admin:portal_article_change", args=[article.pk]))
    editor.get_by_role("button", name="Submit for review").click()
    expect(editor.locator("#publishing-panel")).to_contain_text("In review · with Publishers")
    publisher = new_page()
    log_in(publisher, make_publisher("pat"))
    publisher.goto(reverse("admin:portal_article_changelist") + "?visibility=in_review")
    publisher.get_by_role("link", name=TITLE).click()
    expect(publisher.locator("#publishing-panel")).to_contain_text("Submitted for review by wing")
    assert_no_axe_violations(publisher)
    publisher.get_by_role("button", name="Approve and publish").click()
    expect(publisher.locator(".messagelist")).to_contain_text("Published: readers can see it now.")

    # Readers find it among the sector's articles, and open it.
    reader.goto("/articles/?sector=healthcare")
    link = reader.get_by_role("main").get_by_role("link", name=TITLE)
    expect(link).to_be_visible()
    assert_no_axe_violations(reader)
    link.click()
    expect(reader).to_have_url(re.compile(rf"/articles/{SLUG}/$"))
    expect(reader.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(reader.locator(".article-body strong")).to_have_text("draft summary")
    expect(reader.get_by_role("note")).to_have_count(0)


def test_a_stale_save_is_refused_and_keeps_the_editors_text(new_page, make_editor):
    article = Article.objects.published().first()
    change_url = reverse("admin:portal_article_change", args=[article.pk])
    first, second = new_page(), new_page()
    log_in(first, make_editor("alice", "Alice", "Chan"))
    log_in(second, make_editor("bob"))
    first.goto(change_url)
    second.goto(change_url)

    first.get_by_label("Standfirst [en]").fill("Alice's standfirst.")
    save(first)
    expect(first.locator(".messagelist")).to_contain_text("was changed successfully")

    second.get_by_label("Standfirst [en]").fill("Bob's standfirst.")
    save(second)
    expect(second.get_by_text("Someone else (Alice Chan) changed this article")).to_be_visible()
    expect(second.get_by_role("link", name="Review their change in the history")).to_have_attribute(
        "href", reverse("admin:portal_article_history", args=[article.pk])
    )
    expect(second.get_by_label("Standfirst [en]")).to_have_value("Bob's standfirst.")
    article.refresh_from_db()
    assert article.summary == "Alice's standfirst."


def test_publisher_drafts_beside_a_live_preview_then_schedules_and_publishes(
    new_page, make_publisher
):
    editor = new_page()
    log_in(editor, make_publisher("mei"))
    editor.goto(reverse("admin:portal_article_add"))
    editor.get_by_label("Title [en]").press_sequentially(TITLE)

    # The preview beside the body follows the typing, rendered as the public page renders it.
    body = editor.get_by_label("Body [en]")
    preview = editor.get_by_role("region", name="Preview").first
    expect(preview).to_be_visible()
    body.press_sequentially("## What changed\n\nDoctors review a **draft summary**.")
    expect(preview.get_by_role("heading", level=2)).to_have_text("What changed")
    expect(preview.locator("strong")).to_have_text("draft summary")
    text_box, preview_box = body.bounding_box(), preview.bounding_box()
    assert preview_box["x"] >= text_box["x"] + text_box["width"], "preview not beside the text"
    assert abs(preview_box["y"] - text_box["y"]) < 40, "preview not level with the text"
    # Below it on a phone.
    editor.set_viewport_size({"width": 390, "height": 844})
    text_box, preview_box = body.bounding_box(), preview.bounding_box()
    assert preview_box["y"] >= text_box["y"] + text_box["height"], "preview not below the text"
    assert preview_box["x"] + preview_box["width"] <= 390, "preview wider than a phone"
    editor.set_viewport_size(DESKTOP)
    # Raw HTML is shown as text, never run.
    body.press_sequentially(
        '\n\n<img src=x onerror="window.ran = 1"> <script>window.ran = 2</script>'
    )
    expect(preview).to_contain_text("<script>window.ran = 2</script>")
    assert editor.evaluate("window.ran") is None
    body.fill(BODY)
    expect(preview.get_by_role("listitem")).to_have_count(2)
    assert_no_axe_violations(editor)

    # Save a draft: back on the form, which says readers cannot see it.
    editor.get_by_role("button", name="Save draft").first.click()
    expect(editor.locator(".messagelist")).to_contain_text(
        "Saved as a draft: readers cannot see it."
    )
    article = Article.objects.get(slug=SLUG)
    assert article.status == Article.Status.DRAFT
    expect(editor.get_by_role("region", name="Preview").first).to_contain_text("draft summary")
    assert_no_axe_violations(editor)
    reader = new_page()
    assert reader.goto(article.get_absolute_url()).status == 404

    # Schedule: a date that has passed is refused, a future one accepted.
    publish_date, publish_time = (
        editor.locator("#id_publish_at_0"),
        editor.locator("#id_publish_at_1"),
    )
    publish_date.fill("2020-01-01")
    publish_time.fill("09:00:00")
    editor.get_by_role("button", name="Schedule").first.click()
    # The error is in the publishing panel, beside the date and the button.
    expect(
        editor.locator("#publishing-panel").get_by_text(
            "To schedule the article, give a publish date in the future."
        )
    ).to_be_in_viewport()
    assert_no_axe_violations(editor)
    soon = timezone.localtime() + datetime.timedelta(days=2)
    editor.locator("#id_publish_at_0").fill(soon.strftime("%Y-%m-%d"))
    editor.locator("#id_publish_at_1").fill("09:00:00")
    editor.get_by_role("button", name="Schedule").first.click()
    expect(editor.locator(".messagelist")).to_contain_text("Scheduled for ")
    expect(editor.locator(".messagelist")).not_to_contain_text("..")
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED and article.publish_at > timezone.now()
    assert reader.goto(article.get_absolute_url()).status == 404

    # Publish now: readers see it at once.
    editor.get_by_role("button", name="Publish now", exact=True).click()
    expect(editor.locator(".messagelist")).to_contain_text("Published: readers can see it now.")
    assert reader.goto(article.get_absolute_url()).status == 200
    expect(reader.get_by_role("heading", level=1)).to_have_text(TITLE)
