"""The portal's own pages: home, detail pages, the sector list, sitemap, robots.txt, healthz.

What a reader (or a crawler, or a load balancer) gets: the content shown, what stays hidden,
the page's metadata, and a query count that does not grow with the rows shown.
"""

import datetime
import itertools
import json
from html.parser import HTMLParser
from unittest import mock

import time_machine
from django.contrib.staticfiles import finders
from django.db import OperationalError
from django.test import SimpleTestCase, TestCase

from portal.models import Article, Initiative, Organisation
from portal.views.charts import bar_chart, fill_missing_years, nice_step
from tests.factories import (
    NOW,
    make_article,
    make_initiative,
    make_organisation,
    make_sector,
    make_source,
)
from tests.sitemaps import sitemap_locations

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


class HeadParser(HTMLParser):
    """Collects what crawlers read from a page: meta tags, links, JSON-LD, h1s, landmarks."""

    def __init__(self):
        super().__init__()
        self.meta, self.links, self.json_ld, self.h1_count, self.tags = {}, {}, [], 0, []
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "meta":
            self.meta[attrs.get("property") or attrs.get("name")] = attrs.get("content")
        elif tag == "link":
            self.links[attrs.get("rel")] = attrs.get("href")
        elif tag == "h1":
            self.h1_count += 1
        self._in_json_ld = tag == "script" and attrs.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld.append(json.loads(data))

    def handle_endtag(self, tag):
        self._in_json_ld = False


def parse(response):
    parser = HeadParser()
    parser.feed(response.content.decode())
    return parser


@time_machine.travel(NOW, tick=False)
class PortalPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.health = make_sector(
            name="Healthcare", slug="healthcare", summary="Hospitals, clinics and public health."
        )
        cls.finance = make_sector(name="Finance", slug="finance")
        cls.ha = make_organisation(
            name="Hospital Authority",
            slug="ha",
            short_name="HA",
            kind=Organisation.Kind.STATUTORY_BODY,
            founded_year=1990,
            website="https://www.ha.org.hk/",
            description="Runs the public hospitals.",
        )
        cls.ha.sectors.add(cls.health)
        cls.ha.sources.add(make_source(url="https://www.ha.org.hk/about", title="About HA"))
        cls.hku = make_organisation(
            name="University of Hong Kong", slug="hku", kind=Organisation.Kind.UNIVERSITY
        )
        cls.lab = make_initiative(
            name="AI Lab",
            slug="ai-lab",
            short_name="AIL",
            kind=Initiative.Kind.RESEARCH,
            lead_organisation=cls.ha,
            start_year=2020,
            end_year=2025,
            website="https://lab.example.org/",
            summary="A lab for clinical AI.",
        )
        cls.lab.partners.add(cls.hku)
        cls.lab.sectors.add(cls.health)
        cls.lab.sources.add(
            make_source(url="https://www.ha.org.hk/ai", title="HA AI Lab", publisher="HA"),
            make_source(url="https://www.hku.hk/lab", title="HKU joins the lab"),
        )
        cls.old_scheme = make_initiative(
            name="Old scheme",
            slug="old-scheme",
            status=Initiative.Status.COMPLETED,
            start_year=2015,
        )
        cls.article = make_article(
            title="Reading scans with AI",
            slug="scans",
            summary="How hospitals use AI to read scans.",
        )
        cls.article.sectors.add(cls.health)
        cls.article.initiatives.add(cls.lab)
        cls.article.organisations.add(cls.ha)
        cls.article.sources.add(
            make_source(url="https://news.example.org/scans", title="Scans story")
        )
        cls.draft = make_article(
            title="Unfinished draft", slug="unfinished", status=Article.Status.DRAFT
        )
        cls.scheduled = make_article(
            title="Coming soon", slug="soon", publish_at=NOW + datetime.timedelta(days=3)
        )
        for hidden in (cls.draft, cls.scheduled):
            hidden.sectors.add(cls.health)
            hidden.initiatives.add(cls.lab)
            hidden.organisations.add(cls.ha)

    # What readers see

    def test_home_explains_the_portal_and_leads_with_search_tasks_and_sectors(self):
        response = self.client.get("/")
        self.assertContains(response, "<h1>Artificial intelligence in Hong Kong</h1>", html=True)
        self.assertContains(response, "Every fact links to the public source")
        content = response.content.decode()
        # One search box, the home page's own, before anything else in the main content.
        self.assertEqual(content.count('role="search"'), 1)
        self.assertLess(content.index('id="home-search-q"'), content.index("tasks-heading"))
        for url in ("/timeline/", "/network/", "/initiatives/?kind=funding", "/data/"):
            self.assertContains(response, f'<li><a href="{url}">')
        self.assertContains(response, '<a href="/sectors/healthcare/">Healthcare</a>', html=True)

    def test_home_chart_is_an_svg_of_linked_bars_with_a_table_of_the_same_figures(self):
        response = self.client.get("/")
        self.assertContains(response, 'role="document" aria-labelledby="chart-title chart-desc"')
        self.assertContains(
            response, '<title id="chart-title">Initiatives by start year</title>', html=True
        )
        self.assertContains(response, "from 2015 to 2020")
        # Six bars (2015 to 2020), gaps included, one per table row.
        self.assertEqual(response.content.decode().count('<rect class="chart-bar" '), 6)
        for year, count in [(2015, 1), (2016, 0), (2020, 1)]:
            url = f"/initiatives/?started_from={year}&amp;started_to={year}"
            link = f'<a href="{url}">{year}</a>'
            self.assertContains(
                response, f'<tr><th scope="row">{link}</th><td>{count}</td></tr>', html=True
            )

    def test_article_page_shows_body_related_content_and_numbered_sources(self):
        response = self.client.get("/articles/scans/")
        self.assertContains(response, "<h1>Reading scans with AI</h1>", html=True)
        self.assertContains(response, "<em>Markdown</em>", html=True)
        self.assertContains(response, '<a href="/sectors/healthcare/">Healthcare</a>', html=True)
        self.assertContains(response, '<a href="/initiatives/ai-lab/">AI Lab</a>', html=True)
        self.assertContains(
            response, '<a href="/organisations/ha/">Hospital Authority</a>', html=True
        )
        # Each entry's anchor is the source's own, so it stays when sources are added.
        anchor = f"source-{self.article.sources.get().pk}"
        self.assertContains(response, f'<li id="{anchor}">')
        self.assertContains(response, f'<a href="#{anchor}">[1]</a>', html=True)

    def test_initiative_page_shows_facts_organisations_articles_and_sources(self):
        response = self.client.get("/initiatives/ai-lab/")
        self.assertContains(response, "<h1>AI Lab (AIL)</h1>", html=True)
        for text in [
            "Research centre or cluster",
            "Active",
            "2020 to 2025",
            "https://lab.example.org/",
        ]:
            self.assertContains(response, text)
        self.assertContains(
            response, '<a href="/organisations/ha/">Hospital Authority</a>', html=True
        )
        self.assertContains(
            response, '<a href="/organisations/hku/">University of Hong Kong</a>', html=True
        )
        self.assertContains(
            response, '<a href="/articles/scans/">Reading scans with AI</a>', html=True
        )
        # Two sources, as numbered footnotes, each marked near the top of the page.
        self.assertContains(response, "HA AI Lab</a>, HA")
        self.assertContains(response, "HKU joins the lab")
        # Sources sort by publisher: the one without comes first.
        second = self.lab.sources.get(url="https://www.ha.org.hk/ai")
        self.assertContains(response, f'<li id="source-{second.pk}">')
        self.assertContains(response, f'<a href="#source-{second.pk}">[2]</a>', html=True)

    def test_organisation_page_shows_facts_initiatives_articles_and_sources(self):
        response = self.client.get("/organisations/ha/")
        self.assertContains(response, "<h1>Hospital Authority (HA)</h1>", html=True)
        for text in [
            "Statutory body",
            "1990",
            "https://www.ha.org.hk/",
            "Initiatives it leads",
            "About HA",
        ]:
            self.assertContains(response, text)
        self.assertContains(
            response, '<a href="/articles/scans/">Reading scans with AI</a>', html=True
        )
        partner_page = self.client.get("/organisations/hku/")
        self.assertContains(partner_page, "Initiatives it is a partner in")
        self.assertContains(partner_page, '<a href="/initiatives/ai-lab/">AI Lab</a>', html=True)

    def test_sector_page_shows_its_content_as_cards(self):
        response = self.client.get("/sectors/healthcare/")
        self.assertContains(response, "<h1>Healthcare</h1>", html=True)
        self.assertContains(response, "Reading scans with AI")
        self.assertContains(response, "AI Lab")
        self.assertContains(response, "Hospital Authority")
        self.assertContains(response, "Statutory body · Founded 1990")
        self.assertContains(response, "Research centre or cluster · Active · 2020 to 2025")

    def test_sector_list_counts_published_articles_initiatives_and_organisations(self):
        # More rows on every relation, so that counting over joins would multiply them.
        for _ in range(2):
            make_article().sectors.add(self.health)
            make_initiative().sectors.add(self.health)
        response = self.client.get("/sectors/")
        self.assertContains(response, "<h1>Sectors</h1>", html=True)
        self.assertContains(response, "3 articles · 3 initiatives · 1 organisation")
        self.assertContains(response, "0 articles · 0 initiatives · 0 organisations")

    def test_every_page_has_one_h1_landmarks_and_the_primary_navigation(self):
        for url in [
            "/",
            "/sectors/",
            "/sectors/healthcare/",
            "/articles/scans/",
            "/initiatives/ai-lab/",
            "/organisations/ha/",
        ]:
            with self.subTest(url=url):
                response = self.client.get(url)
                page = parse(response)
                self.assertEqual(page.h1_count, 1)
                tags = {tag for tag, _ in page.tags}
                self.assertLessEqual({"header", "nav", "main", "footer"}, tags)
                self.assertContains(response, '<a class="skip-link" href="#main">')
                # The home page's search box leads its main content, in place of the header's.
                search = "home-search-q" if url == "/" else "site-search-q"
                self.assertContains(response, f'<label for="{search}">')
                for path in ["/articles/", "/initiatives/", "/organisations/", "/sectors/"]:
                    self.assertContains(response, f'href="{path}"')

    # What stays hidden

    def test_drafts_and_scheduled_articles_are_not_found(self):
        for slug in ["unfinished", "soon", "no-such-article"]:
            with self.subTest(slug=slug):
                self.assertEqual(self.client.get(f"/articles/{slug}/").status_code, 404)

    def test_drafts_and_scheduled_articles_are_listed_nowhere(self):
        for url in [
            "/",
            "/sectors/healthcare/",
            "/initiatives/ai-lab/",
            "/organisations/ha/",
            "/sitemap.xml",
        ]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertNotContains(response, "Unfinished draft")
                self.assertNotContains(response, "Coming soon")
                self.assertNotContains(response, "/articles/unfinished/")
                self.assertNotContains(response, "/articles/soon/")

    def test_a_scheduled_article_appears_when_its_time_comes(self):
        with time_machine.travel(NOW + datetime.timedelta(days=4), tick=False):
            self.assertContains(self.client.get("/articles/soon/"), "Coming soon")
            self.assertContains(self.client.get("/initiatives/ai-lab/"), "Coming soon")
            self.assertContains(self.client.get("/sectors/"), "2 articles")

    # Metadata for crawlers and sharing

    def test_canonical_url_is_absolute_and_drops_the_query_string(self):
        page = parse(self.client.get("/articles/scans/?utm_source=newsletter&fbclid=x"))
        self.assertEqual(page.links["canonical"], "http://testserver/articles/scans/")
        self.assertEqual(page.meta["og:url"], "http://testserver/articles/scans/")

    def test_every_page_has_a_title_description_and_opengraph_tags(self):
        expected = {
            "/": ("HKAI Portal", "website"),
            "/sectors/": ("Sectors", "website"),
            "/sectors/healthcare/": ("Healthcare", "website"),
            "/articles/scans/": ("Reading scans with AI", "article"),
            "/initiatives/ai-lab/": ("AI Lab", "website"),
            "/organisations/ha/": ("Hospital Authority", "website"),
        }
        for url, (title, og_type) in expected.items():
            with self.subTest(url=url):
                response = self.client.get(url)
                page = parse(response)
                self.assertContains(response, f"<title>{title}")
                self.assertTrue(page.meta["description"].strip())
                self.assertEqual(page.meta["og:title"], title)
                self.assertTrue(page.meta["og:description"].strip())
                self.assertEqual(page.meta["og:type"], og_type)
                self.assertEqual(page.meta["og:site_name"], "HKAI Portal")
                self.assertEqual(page.meta["og:url"], f"http://testserver{url}")
                self.assertEqual(page.links["canonical"], f"http://testserver{url}")

    def test_article_json_ld(self):
        [data] = parse(self.client.get("/articles/scans/")).json_ld
        self.article.refresh_from_db()
        self.assertEqual(data["@context"], "https://schema.org")
        self.assertEqual(data["@type"], "Article")
        self.assertEqual(data["headline"], "Reading scans with AI")
        self.assertEqual(data["description"], "How hospitals use AI to read scans.")
        self.assertEqual(
            datetime.datetime.fromisoformat(data["datePublished"]), self.article.publish_at
        )
        self.assertEqual(
            datetime.datetime.fromisoformat(data["dateModified"]), self.article.updated_at
        )
        self.assertEqual(data["url"], "http://testserver/articles/scans/")

    def test_initiative_json_ld(self):
        [data] = parse(self.client.get("/initiatives/ai-lab/")).json_ld
        self.assertEqual(data["@type"], "ResearchProject")
        self.assertEqual(data["name"], "AI Lab")
        self.assertEqual(data["alternateName"], "AIL")
        self.assertEqual(data["foundingDate"], "2020")
        self.assertNotIn("dissolutionDate", data)  # still active: 2025 is a plan
        self.assertEqual(data["parentOrganization"]["name"], "Hospital Authority")
        self.assertEqual([m["name"] for m in data["member"]], ["University of Hong Kong"])
        [plain] = parse(self.client.get("/initiatives/old-scheme/")).json_ld
        self.assertEqual(plain["@type"], "FundingScheme")

    def test_organisation_json_ld(self):
        [data] = parse(self.client.get("/organisations/ha/")).json_ld
        self.assertEqual(data["@type"], "Organization")
        self.assertEqual(data["name"], "Hospital Authority")
        self.assertEqual(data["alternateName"], "HA")
        self.assertEqual(data["url"], "http://testserver/organisations/ha/")
        self.assertEqual(data["foundingDate"], "1990")
        self.assertEqual(data["sameAs"], "https://www.ha.org.hk/")
        # No blank claims: the university has no short name, year or website.
        [bare] = parse(self.client.get("/organisations/hku/")).json_ld
        self.assertFalse({"alternateName", "foundingDate", "sameAs"} & set(bare))

    def test_json_ld_cannot_close_its_script_element(self):
        title = '</script><script>alert("x")</script> & <!-- more'
        make_article(title=title, slug="injection")
        response = self.client.get("/articles/injection/")
        content = response.content.decode()
        self.assertNotIn('<script>alert("x")', content)
        # The JSON-LD element and the citation's Copy button script (cite.js), no more.
        self.assertEqual(content.count("</script>"), 2)
        [data] = parse(response).json_ld
        self.assertEqual(data["headline"], title)

    # Crawlers and load balancers

    def test_sitemap_lists_published_articles_and_every_other_page(self):
        self.assertEqual(self.client.get("/sitemap.xml").status_code, 200)
        locations = sitemap_locations(self.client)
        expected = {
            "/",
            "/articles/",
            "/initiatives/",
            "/organisations/",
            "/sectors/",
            "/timeline/",
            "/sources/",
            "/changes/",
            "/data/",
            "/about/",
            "/network/",
            "/articles/scans/",
            "/initiatives/ai-lab/",
            "/initiatives/old-scheme/",
            "/organisations/ha/",
            "/organisations/hku/",
            "/sectors/healthcare/",
            "/sectors/finance/",
            # Each sector's lists, landing pages of their own.
            *(
                f"/{name}/?sector={sector}"
                for name in ("articles", "initiatives", "organisations")
                for sector in ("finance", "healthcare")
            ),
        }
        # Each page in both editions: English at its own path, Chinese under /zh-hant/.
        self.assertEqual(
            locations,
            {
                f"http://testserver{prefix}{path}"
                for path in expected
                for prefix in ("", "/zh-hant")
            },
        )

    def test_robots_txt_allows_the_site_and_points_at_the_sitemap(self):
        response = self.client.get("/robots.txt")
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
        lines = response.content.decode().splitlines()
        self.assertIn("User-agent: *", lines)
        self.assertIn("Allow: /", lines)
        self.assertIn("Sitemap: http://testserver/sitemap.xml", lines)

    def test_healthz_answers_ok_after_asking_the_database(self):
        with self.assertNumQueries(1):
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"ok")
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")

    def test_healthz_is_503_when_the_database_fails(self):
        with mock.patch("portal.views.pages.connection") as connection:
            connection.cursor.side_effect = OperationalError("connection refused")
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.content, b"database unavailable")


@time_machine.travel(NOW, tick=False)
class QueryCountTests(TestCase):
    """Each page runs the same number of queries with one related row of each kind and with
    many: everything it shows is fetched up front."""

    @classmethod
    def setUpTestData(cls):
        cls.sector = make_sector(slug="health")
        cls.organisation = make_organisation(slug="org")
        cls.initiative = make_initiative(slug="lab", lead_organisation=cls.organisation)
        cls.article = make_article(slug="story")
        cls.child = make_organisation(parent=cls.organisation)
        cls.relate(5)

    @classmethod
    def relate(cls, n):
        """Add `n` more rows on every relation the pages show."""
        for _ in range(n):
            sector, source = make_sector(), make_source()
            organisation = make_organisation(parent=cls.organisation)
            organisation.sectors.add(sector, cls.sector)
            organisation.sources.add(source)
            initiative = make_initiative(lead_organisation=cls.organisation)
            initiative.sectors.add(sector, cls.sector)
            initiative.partners.add(organisation)
            initiative.sources.add(source)
            make_initiative(lead_organisation=organisation).partners.add(cls.organisation)
            article = make_article()
            article.sectors.add(sector, cls.sector)
            article.initiatives.add(cls.initiative, initiative)
            article.organisations.add(cls.organisation, organisation)
            cls.article.sectors.add(sector)
            cls.article.initiatives.add(initiative)
            cls.article.organisations.add(organisation)
            cls.article.sources.add(source)
            cls.initiative.partners.add(organisation)
            cls.initiative.sectors.add(sector)
            cls.initiative.sources.add(source)
            cls.organisation.sectors.add(sector)
            cls.organisation.sources.add(source)
            cls.sector.sources.add(source)

    def assert_queries_fixed(self, url, expected):
        """The same count with 5 related rows on every relation as with 50."""
        with self.assertNumQueries(expected):
            self.assertEqual(self.client.get(url).status_code, 200)
        self.relate(45)
        with self.assertNumQueries(expected):
            self.assertEqual(self.client.get(url).status_code, 200)

    # Every page reads the content state first (portal.caching.generation). Counts of related rows
    # come from the parts of the facet indexes they need, each built on the first request
    # after a change to content: a list's visible rows (1 query; for the articles, the two
    # of the year facet, which partitions them) and the bitmaps of one facet (1 query for
    # one relation). Every detail page also reads the record's newest version (the version
    # "Cite this page" links) and its corrections: "+ 2".

    def test_home(self):
        # The headline figures: the initiatives' and organisations' visible rows and kind
        # facets (2 each), the milestones' and sources' visible rows (1 each); the latest
        # changes; the sectors' names; the chart.
        self.assert_queries_fixed("/", 1 + 2 + 2 + 1 + 1 + 1 + 1 + 1)

    def test_sector_list(self):
        self.assert_queries_fixed("/sectors/", 1 + 1 + 3 + 2 + 2)

    def test_article_page(self):
        self.assert_queries_fixed("/articles/story/", 1 + 5 + 2)

    def test_initiative_page(self):
        # The initiative and its relations; the newest mentions and their sectors; its first
        # milestones.
        self.assert_queries_fixed("/initiatives/lab/", 1 + 4 + 2 + 3 + 1 + 2)

    def test_organisation_page(self):
        # The organisation with its parent; its sectors, sources, children, and every
        # initiative it leads and partners in; the newest mentions and their sectors (counted
        # in the article index); its first milestones.
        self.assert_queries_fixed("/organisations/org/", 1 + 6 + 2 + 3 + 1 + 2)

    def test_organisation_page_of_a_child(self):
        # No article mentions it, so no mentions are read.
        self.assert_queries_fixed(f"/organisations/{self.child.slug}/", 1 + 6 + 3 + 1 + 2)

    def test_sector_page(self):
        # The sector and its sources; the first articles, initiatives and organisations
        # with what their cards show (counted in three indexes); its first milestones.
        self.assert_queries_fixed("/sectors/health/", 1 + 2 + 2 + 2 + 2 + 3 + 2 + 2 + 1 + 2)


@time_machine.travel(NOW, tick=False)
class PageWeightTests(TestCase):
    def test_article_list_with_20_results_weighs_under_60_kb(self):
        sectors = [make_sector(name=f"A sector with a long name {n}") for n in range(3)]
        for n in range(25):
            article = make_article(
                title=f"A typical headline about AI in Hong Kong, number {n}",
                summary="A standfirst of two sentences. " * 4,
            )
            article.sectors.add(*sectors)
        response = self.client.get("/articles/")
        page = parse(response)
        assets = [
            attrs["href"]
            for tag, attrs in page.tags
            if tag == "link" and attrs.get("rel") == "stylesheet"
        ]
        assets += [attrs["src"] for tag, attrs in page.tags if tag == "script" and "src" in attrs]
        self.assertTrue(assets)
        total = len(response.content)
        for url in assets:
            path = finders.find(url.removeprefix("/static/"))
            with open(path, "rb") as asset:
                total += len(asset.read())
        self.assertLess(total, 60 * 1024)


class ChartTests(SimpleTestCase):
    def test_missing_years_are_filled_with_zero(self):
        self.assertEqual(
            fill_missing_years([(2022, 3), (2019, 1)]), [(2019, 1), (2020, 0), (2021, 0), (2022, 3)]
        )
        self.assertEqual(fill_missing_years([]), [])

    def test_scale_steps_are_round_numbers(self):
        self.assertEqual([nice_step(n) for n in (1, 5, 7, 12, 60, 240)], [1, 1, 2, 5, 20, 50])

    def test_bars_are_proportional_and_stand_on_the_baseline(self):
        chart = bar_chart([(2020, 2), (2021, 4), (2022, 0)])
        small, tall, empty = chart.bars
        self.assertEqual(tall.height, 2 * small.height)
        self.assertEqual(empty.height, 0)
        for bar in chart.bars:
            self.assertAlmostEqual(bar.y + bar.height, chart.baseline)
            self.assertGreaterEqual(bar.x, chart.left)
            self.assertLessEqual(bar.x + bar.width, chart.right)
        self.assertEqual(tall.y, chart.top)  # the tallest reaches the top of the scale
        self.assertEqual([t.value for t in chart.ticks], [0, 1, 2, 3, 4])
        self.assertFalse(empty.show_value)
        # Each bar's link target is its whole slot: side by side across the plot.
        self.assertEqual(chart.bars[0].slot_x, chart.left)
        for bar, following in itertools.pairwise(chart.bars):
            self.assertAlmostEqual(bar.slot_x + bar.slot_width, following.slot_x, places=1)
            self.assertLessEqual(bar.slot_x, bar.x)
        self.assertAlmostEqual(empty.slot_x + empty.slot_width, chart.right, places=1)

    def test_long_ranges_label_only_some_years(self):
        chart = bar_chart(fill_missing_years([(1900, 1), (2025, 1)]))
        self.assertEqual(len(chart.bars), 126)
        self.assertLessEqual(sum(bar.show_label for bar in chart.bars), 10)
        self.assertTrue(chart.bars[0].show_label)
        self.assertFalse(any(bar.show_value for bar in chart.bars))
