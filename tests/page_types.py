"""Every public page type, and what to open for it on the real content (fixtures/*.json):
a URL, or an item whose page has its name in the h1.

Shared by the browser tests (tests/browser: axe, CSP, phones) and the tests that render every
page type with the test client (HTML validity, copy). For each detail page the item with the
most related content is chosen, so that as much of the template as possible is on the page.
"""

from django.db.models import Count
from django.utils import translation

from portal.models import Article, Correction, Initiative, Milestone, Organisation, Sector
from portal.reference.versions import latest_version_id


def richest(queryset, *relations):
    """Return the item of the queryset with the most related rows across the relations."""
    counts = {f"n_{name}": Count(name, distinct=True) for name in relations}
    queryset = queryset.annotate(**counts).order_by(*[f"-{name}" for name in counts], "pk")
    return queryset.first()


def busiest_sector():
    return richest(Sector.objects.all(), "initiatives")


# Each page type, and what to open: a URL, or an item whose page has its name in the h1.
PAGES = {
    "home": lambda: "/",
    "articles": lambda: "/articles/",
    "initiatives": lambda: "/initiatives/",
    # Active filters as chips, a "clear all" link, options that would give no results.
    "initiatives-filtered": lambda: f"/initiatives/?sector={busiest_sector().slug}&status=active",
    # The empty state, which says which filter to remove.
    "initiatives-no-results": lambda: f"/initiatives/?sector={busiest_sector().slug}&q=zzzx",
    "organisations": lambda: "/organisations/",
    "sectors": lambda: "/sectors/",
    # Each source with what cites it; a long facet (publishers) and a chosen type.
    "sources": lambda: "/sources/",
    "sources-filtered": lambda: "/sources/?publisher_type=government",
    "sources-chinese": lambda: "/zh-hant/sources/?publisher_type=university",
    "search": lambda: "/search/?q=ai",
    "data": lambda: "/data/",
    "changes": lambda: "/changes/",
    "article": lambda: richest(Article.objects.published(), "sectors", "initiatives", "sources"),
    "initiative": lambda: richest(
        Initiative.objects.all(), "partners", "sectors", "sources", "articles"
    ),
    "organisation": lambda: richest(
        Organisation.objects.all(), "children", "led_initiatives", "sectors", "sources"
    ),
    # "Part of" its parent, beside the other facts.
    "organisation-part-of": lambda: richest(
        Organisation.objects.filter(parent__isnull=False), "led_initiatives", "sources"
    ),
    "sector": lambda: richest(Sector.objects.all(), "initiatives", "organisations", "articles"),
    # Footnotes: markers numbered as the reference list at the foot of the page.
    "initiative-with-notes": lambda: footnoted(Initiative),
    "organisation-with-notes": lambda: footnoted(Organisation),
    "timeline": lambda: "/timeline/",
    # A year range and the kinds with chips, and the explanation of a range that ends before
    # it starts.
    "timeline-filtered": lambda: (
        "/timeline/?from=2024&to=2025&kind=regulation&actor_kind=government_body"
    ),
    "timeline-bad-range": lambda: "/timeline/?from=2025&to=2020",
    "milestone": lambda: richest(
        Milestone.objects.all(), "initiatives", "organisations", "sectors", "sources"
    ),
    # Issue #20: a correction at the top of a page, the list of corrections, a record's
    # updates and a version's permanent address.
    "initiative-corrected": lambda: corrected(Initiative),
    "corrections": lambda: corrected(Organisation) and "/corrections/",
    "record-updates": lambda: updates_of(Initiative),
    "version": lambda: old_version(Initiative),
}


def corrected(model):
    """The richest item of `model`, given a correction in both languages (issue #20)."""
    item = richest(model.objects.all(), "sources")
    Correction.objects.get_or_create(
        **{model.public.name: item},
        field="summary_en",
        defaults={
            "text_en": "An earlier version named the wrong lead organisation.",
            "text_zh_hant": "先前版本所列的牽頭機構有誤。",
        },
    )
    return item


def updates_of(model):
    """The address of the updates ("See all updates") of `model`'s richest item."""
    item = richest(model.objects.all(), "sources")
    return item.get_absolute_url() + "changes/"


def old_version(model):
    """The permanent address of the newest version of `model`'s richest item."""
    item = richest(model.objects.all(), "sources")
    return f"{item.get_absolute_url()}v/{latest_version_id(item)}/"


def footnoted(model):
    """The item of `model` whose English description cites the most footnotes."""
    items = model.objects.filter(description_en__contains="[^")
    return max(items, key=lambda item: (item.description_en.count("[^"), -item.pk))


# Pages the browser tests open elsewhere (their own files) that every-page checks also need.
MORE_PAGES = {
    "about": lambda: "/about/",
    "network": lambda: "/network/",
    "network-filtered": lambda: f"/network/?sector={busiest_sector().slug}",
    "compare": lambda: (
        "/initiatives/compare/?items="
        + ",".join(i.slug for i in Initiative.objects.order_by("pk")[:3])
    ),
    "articles-filtered": lambda: f"/articles/?sector={busiest_sector().slug}",
    "organisations-filtered": lambda: f"/organisations/?sector={busiest_sector().slug}",
    "search-empty": lambda: "/search/",
}

# What a missing page answers: its own page type, with status 404.
NOT_FOUND = "/no-such-page/"


def every_page(languages=("en", "zh-hant")):
    """[(page type, language, URL)] for every page type of PAGES and MORE_PAGES, in each of
    `languages`, and the "not found" page (named "not-found"). Reads the database."""
    found = []
    for language in languages:
        prefix = "" if language == "en" else f"/{language}"
        for name, target in {**PAGES, **MORE_PAGES}.items():
            opened = target()
            if isinstance(opened, str):
                # A page type named for its language opens in both here.
                url = prefix + opened.removeprefix("/zh-hant")
            else:
                with translation.override(language):
                    url = opened.get_absolute_url()
            found.append((name, language, url))
        found.append(("not-found", language, prefix + NOT_FOUND))
    return found


def render_every_page(client, languages=("en", "zh-hant")):
    """{(page type, language): (URL, HTML)} of every page type, fetched with the test
    `client`; fails naming the page if one answers an unexpected status."""
    pages = {}
    for name, language, url in every_page(languages):
        response = client.get(url)
        expected = 404 if name == "not-found" else 200
        assert response.status_code == expected, f"{url} answered {response.status_code}"
        pages[name, language] = (url, response.content.decode())
    return pages
