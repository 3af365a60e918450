"""Who works with whom: each organisation's and initiative's diagram of its nearest links, and
/network/, the whole map.

What a reader gets: every neighbour as a link in the drawing, the same links in the table,
the same drawing for the same content, labels that never overlap, a fixed number of queries,
a sector's map, an explanation for a sector that doesn't exist, and the Chinese page.
"""

import random
from html.parser import HTMLParser
from unittest import mock

import time_machine
from django.core.cache import cache
from django.test import SimpleTestCase, TestCase

from portal.network import layout
from portal.network.layout import ego_column_layout, ego_layout, map_layout, share_out
from portal.network.shapes import (
    IN_SECTOR,
    INITIATIVE,
    LEADS,
    ORGANISATION,
    PART_OF,
    PARTNER,
    SECTOR,
    Group,
    Link,
    Node,
    text_width,
    wrap,
)
from tests.factories import NOW, make_initiative, make_organisation, make_sector


class NetworkParser(HTMLParser):
    """Reads a page's diagrams and link tables: for each `<svg class="network-diagram ...">`
    its classes, role, the hrefs of its links and its text; for each network table its rows
    as (from, link, to) cell texts, and the hrefs in it."""

    def __init__(self):
        super().__init__()
        self.svgs, self.rows, self.table_links = [], [], []
        self._svg = self._table = self._row = self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "svg" and "network-diagram" in attrs.get("class", ""):
            self._svg = {
                "class": attrs["class"],
                "role": attrs.get("role"),
                "links": [],
                "text": [],
                "langs": [],
            }
            self.svgs.append(self._svg)
        elif self._svg is not None and tag == "a":
            self._svg["links"].append(attrs["href"])
        elif self._svg is not None and tag == "text" and attrs.get("lang"):
            self._svg["langs"].append(attrs["lang"])
        elif tag == "table" and "network-table" in attrs.get("class", ""):
            self._table = True
        elif self._table and tag == "tr":
            self._row = []
        elif self._row is not None and tag in ("td", "th"):
            self._cell = []
        elif self._table and tag == "a":
            self.table_links.append(attrs["href"])

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        elif self._svg is not None and data.strip():
            self._svg["text"].append(data.strip())

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg = None
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(tuple(self._row))
            self._row = None
        elif tag == "table":
            self._table = None


def read_network(response):
    parser = NetworkParser()
    parser.feed(response.content.decode())
    return parser


def node(name, kind=ORGANISATION):
    return Node(f"{kind}:{name}", kind, name, f"/{kind}/{name}/")


def overlapping(boxes):
    """Pairs of boxes whose rectangles overlap."""
    return [
        (a.node.name, b.node.name)
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a.x < b.x + b.width
        and b.x < a.x + a.width
        and a.y < b.y + b.height
        and b.y < a.y + a.height
    ]


class WrapTests(SimpleTestCase):
    def test_lines_fit_the_width_and_keep_every_word_in_order(self):
        name = "Hong Kong Applied Science and Technology Research Institute"
        lines = wrap(name, 160, max_lines=10)
        self.assertGreater(len(lines), 1)
        self.assertTrue(all(text_width(line) <= 160 for line in lines))
        self.assertEqual(" ".join(lines), name)

    def test_a_name_longer_than_the_lines_allowed_ends_in_an_ellipsis(self):
        lines = wrap("word " * 40, 160, max_lines=3)
        self.assertEqual(len(lines), 3)
        self.assertTrue(lines[-1].endswith("…"))
        self.assertTrue(all(text_width(line) <= 160 for line in lines))

    def test_chinese_breaks_between_characters(self):
        name = "香港應用科技研究院有限公司人工智能研究中心"
        lines = wrap(name, 100, max_lines=10)
        self.assertGreater(len(lines), 1)
        self.assertEqual("".join(lines), name)
        self.assertTrue(all(text_width(line) <= 100 for line in lines))

    def test_a_word_wider_than_a_line_is_cut(self):
        lines = wrap("x" * 80, 100)
        self.assertTrue(all(text_width(line) <= 100 for line in lines))


class EgoLayoutTests(SimpleTestCase):
    def groups(self, partners=8, led=8, sectors=5):
        return [
            Group("Part of", PART_OF, (node("Parent body"),)),
            Group("Leads", LEADS, tuple(node(f"Led {n}", INITIATIVE) for n in range(led))),
            Group(
                "Partner in",
                PARTNER,
                tuple(
                    node(f"A partnership with a long name {n}", INITIATIVE) for n in range(partners)
                ),
            ),
            Group("Sectors", IN_SECTOR, tuple(node(f"S{n}", SECTOR) for n in range(sectors))),
        ]

    def test_no_two_boxes_overlap_with_thirty_neighbours(self):
        for lay_out in (ego_layout, ego_column_layout):
            diagram = lay_out(node("Centre"), self.groups(partners=10, led=10, sectors=9))
            self.assertEqual(len(diagram.boxes), 31)
            self.assertEqual(overlapping(diagram.boxes), [])
            self.assertTrue(all(0 <= box.x and box.right <= diagram.width for box in diagram.boxes))
            self.assertTrue(
                all(0 <= box.y and box.y + box.height <= diagram.height for box in diagram.boxes)
            )

    def test_past_thirty_neighbours_each_group_is_cut_and_says_how_many_more(self):
        diagram = ego_layout(
            node("Centre"),
            self.groups(partners=40, led=3, sectors=2),
            more_text=lambda n: f"and {n} more",
        )
        self.assertEqual(len(diagram.boxes), 1 + layout.MAX_NEIGHBOURS)
        self.assertEqual(diagram.hidden, 1 + 3 + 40 + 2 - layout.MAX_NEIGHBOURS)
        self.assertIn(f"and {diagram.hidden} more", [label.text for label in diagram.labels])
        drawn = {box.node.name for box in diagram.boxes}
        self.assertTrue({"Parent body", "Led 0", "Led 2", "S0", "S1"} <= drawn)

    def test_every_neighbour_is_joined_to_the_centre_in_the_style_of_its_group(self):
        diagram = ego_layout(node("Centre"), self.groups(partners=2, led=3, sectors=1))
        relations = [edge.relation for edge in diagram.edges]
        self.assertEqual(relations.count(LEADS), 3)
        self.assertEqual(relations.count(PARTNER), 2)
        self.assertEqual(relations.count(PART_OF), 1)
        self.assertEqual(relations.count(IN_SECTOR), 1)

    def test_the_same_neighbours_in_any_order_give_the_same_diagram(self):
        groups = self.groups()
        shuffled = [
            Group(g.heading, g.relation, tuple(random.Random(7).sample(g.nodes, len(g.nodes))))
            for g in groups
        ]
        self.assertEqual(ego_layout(node("Centre"), groups), ego_layout(node("Centre"), shuffled))

    def test_share_out_gives_each_group_a_turn(self):
        self.assertEqual(share_out([1, 40, 3], 10), [1, 6, 3])
        self.assertEqual(share_out([2, 2], 10), [2, 2])


class MapLayoutTests(SimpleTestCase):
    def setUp(self):
        self.university = node("University")
        self.institute = node("Institute")
        self.bureau = node("Bureau")
        self.orgs = [self.university, self.institute, self.bureau]
        self.initiatives = [node(f"Scheme {n}", INITIATIVE) for n in range(5)]
        self.links = [
            Link(self.institute, PART_OF, self.university),
            Link(self.bureau, LEADS, self.initiatives[0]),
            Link(self.bureau, LEADS, self.initiatives[1]),
            Link(self.university, LEADS, self.initiatives[2]),
            Link(self.institute, PARTNER, self.initiatives[2]),
            Link(self.institute, LEADS, self.initiatives[3]),
        ]

    def test_parts_sit_indented_under_their_body_and_no_boxes_overlap(self):
        diagram = map_layout(self.orgs, self.initiatives, self.links)
        boxes = {box.node.name: box for box in diagram.boxes}
        self.assertEqual(overlapping(diagram.boxes), [])
        university, institute = boxes["University"], boxes["Institute"]
        self.assertGreater(institute.x, university.x)
        self.assertAlmostEqual(institute.y, university.y + university.height + layout.BOX_GAP)
        self.assertEqual(len(diagram.edges), len(self.links))

    def test_organisations_on_the_left_initiatives_on_the_right(self):
        diagram = map_layout(self.orgs, self.initiatives, self.links)
        for box in diagram.boxes:
            if box.node.kind == ORGANISATION:
                self.assertLess(box.right, diagram.width / 2)
            else:
                self.assertGreater(box.x, diagram.width / 2)

    def test_the_same_map_in_any_order_gives_the_same_drawing(self):
        first = map_layout(self.orgs, self.initiatives, self.links)
        again = map_layout(self.orgs[::-1], self.initiatives[::-1], self.links[::-1])
        self.assertEqual(first, again)

    def test_a_loop_of_parents_is_still_drawn(self):
        loop = [*self.links, Link(self.university, PART_OF, self.institute)]
        diagram = map_layout(self.orgs, self.initiatives, loop)
        self.assertEqual(len(diagram.boxes), len(self.orgs) + len(self.initiatives))


@time_machine.travel(NOW, tick=False)
class DetailPageNetworkTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.health = make_sector(name="Healthcare", slug="healthcare")
        cls.university = make_organisation(name="The University", slug="university")
        cls.institute = make_organisation(
            name="Robotics Institute", slug="institute", parent=cls.university
        )
        cls.partner = make_organisation(name="Partner Company", slug="partner-co")
        cls.loner = make_organisation(name="Loner Body", slug="loner")
        cls.institute.sectors.add(cls.health)
        cls.lab = make_initiative(
            name="Robot Lab", slug="robot-lab", lead_organisation=cls.institute
        )
        cls.lab.partners.add(cls.partner, cls.university)
        cls.lab.sectors.add(cls.health)
        cls.scheme = make_initiative(name="Grant Scheme", slug="grant-scheme")
        cls.scheme.partners.add(cls.institute)

    def test_organisation_page_draws_every_neighbour_as_a_link(self):
        page = read_network(self.client.get("/organisations/institute/"))
        wide, narrow = page.svgs
        self.assertIn("network-wide", wide["class"])
        self.assertIn("network-narrow", narrow["class"])
        expected = {
            "/organisations/university/",
            "/initiatives/robot-lab/",
            "/initiatives/grant-scheme/",
            "/sectors/healthcare/",
        }
        for svg in (wide, narrow):
            self.assertEqual(svg["role"], "document")
            self.assertEqual(set(svg["links"]), expected)
            self.assertEqual(len(svg["links"]), len(expected))
            # The record itself is in the middle, named but not a link to its own page.
            self.assertIn("Robotics Institute", svg["text"])

    def test_organisation_table_lists_the_same_links(self):
        page = read_network(self.client.get("/organisations/institute/"))
        self.assertEqual(
            set(page.rows[1:]),
            {
                ("Robotics Institute", "is part of", "The University"),
                ("Robotics Institute", "leads", "Robot Lab"),
                ("Robotics Institute", "is a partner in", "Grant Scheme"),
                ("Robotics Institute", "is in the sector", "Healthcare"),
            },
        )
        self.assertEqual(page.rows[0], ("From", "Link", "To"))
        self.assertEqual(set(page.table_links), set(page.svgs[0]["links"]))

    def test_a_body_shows_its_parts(self):
        page = read_network(self.client.get("/organisations/university/"))
        self.assertIn(("Robotics Institute", "is part of", "The University"), page.rows)
        self.assertIn(("The University", "is a partner in", "Robot Lab"), page.rows)
        self.assertEqual(
            set(page.svgs[0]["links"]), {"/organisations/institute/", "/initiatives/robot-lab/"}
        )

    def test_initiative_page_draws_lead_partners_and_sectors(self):
        page = read_network(self.client.get("/initiatives/robot-lab/"))
        self.assertEqual(
            set(page.svgs[0]["links"]),
            {
                "/organisations/institute/",
                "/organisations/partner-co/",
                "/organisations/university/",
                "/sectors/healthcare/",
            },
        )
        self.assertEqual(
            set(page.rows[1:]),
            {
                ("Robotics Institute", "leads", "Robot Lab"),
                ("Partner Company", "is a partner in", "Robot Lab"),
                ("The University", "is a partner in", "Robot Lab"),
                ("Robot Lab", "is in the sector", "Healthcare"),
            },
        )

    def test_the_same_content_gives_the_same_drawing(self):
        first = self.client.get("/initiatives/robot-lab/").content.decode()
        cache.clear()  # rendered afresh, not served again
        again = self.client.get("/initiatives/robot-lab/").content.decode()

        def svg_of(html):
            return html[html.index('<svg class="network-diagram') : html.rindex("</svg>")]

        self.assertEqual(svg_of(first), svg_of(again))

    def test_a_record_with_no_links_has_no_diagram(self):
        html = self.client.get("/organisations/loner/").content.decode()
        self.assertNotIn("network-diagram", html)
        self.assertNotIn("Who works with whom", html)

    def test_the_diagram_links_to_the_whole_map(self):
        html = self.client.get("/initiatives/robot-lab/").content.decode()
        self.assertIn('href="/network/"', html)

    def test_past_thirty_neighbours_the_diagram_says_the_table_has_the_rest(self):
        for n in range(35):
            make_initiative(name=f"Scheme {n:02}", lead_organisation=self.loner)
        response = self.client.get("/organisations/loner/")
        page = read_network(response)
        self.assertEqual(len(page.svgs[0]["links"]), layout.MAX_NEIGHBOURS)
        self.assertEqual(len(page.rows) - 1, 35)
        self.assertContains(response, "and 5 more")
        self.assertContains(response, 'href="#network-table">the table</a> lists them all')

    def test_chinese_page_names_in_chinese_and_marks_english_stand_ins(self):
        self.partner.name_zh_hant = "合作公司"
        self.partner.save()
        response = self.client.get("/zh-hant/initiatives/robot-lab/")
        html = response.content.decode()
        page = read_network(response)
        self.assertIn("合作公司", page.svgs[0]["text"])
        self.assertIn("/zh-hant/organisations/partner-co/", page.svgs[0]["links"])
        # The lead has no Chinese name: its English name is marked as English.
        self.assertIn("en", page.svgs[0]["langs"])
        self.assertIn(
            '<a href="/zh-hant/organisations/institute/" lang="en">Robotics Institute</a>', html
        )
        self.assertIn("誰與誰合作", html)


@time_machine.travel(NOW, tick=False)
class QueryCountTests(TestCase):
    """The diagrams are drawn from what the detail pages already fetch, and the map runs a
    fixed number of queries, whether there are 5 links of each kind or 50."""

    @classmethod
    def setUpTestData(cls):
        cls.sector = make_sector(slug="health")
        cls.organisation = make_organisation(slug="org")
        cls.initiative = make_initiative(slug="lab", lead_organisation=cls.organisation)
        cls.relate(5)

    @classmethod
    def relate(cls, n):
        for _ in range(n):
            sector = make_sector()
            child = make_organisation(parent=cls.organisation)
            child.sectors.add(sector, cls.sector)
            led = make_initiative(lead_organisation=cls.organisation)
            led.sectors.add(sector, cls.sector)
            led.partners.add(child)
            make_initiative(lead_organisation=child).partners.add(cls.organisation)
            cls.initiative.partners.add(child)
            cls.initiative.sectors.add(sector)
            cls.organisation.sectors.add(sector)

    def assert_queries_fixed(self, url, expected):
        with self.assertNumQueries(expected):
            self.assertEqual(self.client.get(url).status_code, 200)
        self.relate(45)
        with self.assertNumQueries(expected):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200)
        return response

    # No query is added by the diagram: tests/views/test_pages.py pins these pages at the counts
    # they had before it. Here: the content state; the record and its relations; the
    # article facet index's visible rows and mentions of the record (2); its first
    # milestones; its newest version and its corrections (2).

    def test_initiative_page(self):
        response = self.assert_queries_fixed("/initiatives/lab/", 1 + 4 + 2 + 1 + 2)
        self.assertEqual(len(read_network(response).svgs[0]["links"]), layout.MAX_NEIGHBOURS)

    def test_organisation_page(self):
        response = self.assert_queries_fixed("/organisations/org/", 1 + 6 + 2 + 1 + 2)
        self.assertEqual(len(read_network(response).svgs[0]["links"]), layout.MAX_NEIGHBOURS)

    def test_whole_map(self):
        # The content state, the sectors, organisations, initiatives and partner pairs.
        response = self.assert_queries_fixed("/network/", 1 + 1 + 3)
        self.assertContains(
            response, "51 organisations, 101 initiatives and 301 links between them."
        )

    def test_sector_map(self):
        self.assert_queries_fixed("/network/?sector=health", 1 + 1 + 3)

    def test_a_cached_map_costs_one_query(self):
        self.client.get("/network/")
        with self.assertNumQueries(1):
            self.assertEqual(self.client.get("/network/").status_code, 200)


@time_machine.travel(NOW, tick=False)
class WholeMapTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.health = make_sector(name="Healthcare", slug="healthcare")
        cls.finance = make_sector(name="Finance", slug="finance")
        cls.university = make_organisation(name="The University", slug="university")
        cls.institute = make_organisation(
            name="Robotics Institute", slug="institute", parent=cls.university
        )
        cls.bank = make_organisation(name="Central Bank", slug="bank")
        cls.partner = make_organisation(name="Partner Company", slug="partner-co")
        cls.clinic = make_organisation(name="Clinic Group", slug="clinic")
        cls.clinic.sectors.add(cls.health)
        cls.lab = make_initiative(
            name="Robot Lab", slug="robot-lab", lead_organisation=cls.institute
        )
        cls.lab.partners.add(cls.partner)
        cls.lab.sectors.add(cls.health)
        cls.sandbox = make_initiative(
            name="Bank Sandbox", slug="sandbox", lead_organisation=cls.bank
        )
        cls.sandbox.sectors.add(cls.finance)

    def test_the_map_draws_every_organisation_and_initiative_with_their_links(self):
        response = self.client.get("/network/")
        self.assertEqual(response.status_code, 200)
        page = read_network(response)
        self.assertEqual(len(page.svgs), 1)
        self.assertEqual(
            set(page.svgs[0]["links"]),
            {
                "/organisations/university/",
                "/organisations/institute/",
                "/organisations/bank/",
                "/organisations/partner-co/",
                "/organisations/clinic/",
                "/initiatives/robot-lab/",
                "/initiatives/sandbox/",
            },
        )
        self.assertEqual(
            set(page.rows[1:]),
            {
                ("Robotics Institute", "is part of", "The University"),
                ("Robotics Institute", "leads", "Robot Lab"),
                ("Partner Company", "is a partner in", "Robot Lab"),
                ("Central Bank", "leads", "Bank Sandbox"),
            },
        )
        self.assertContains(response, "5 organisations, 2 initiatives and 4 links between them.")

    def test_a_sector_map_shows_its_initiatives_with_everyone_linked_to_them(self):
        response = self.client.get("/network/", {"sector": "healthcare"})
        self.assertEqual(response.status_code, 200)
        links = set(read_network(response).svgs[0]["links"])
        # The sector's initiative, its lead and partner, the body the lead is part of, and
        # an organisation of the sector with no initiative; not the bank or its sandbox.
        self.assertEqual(
            links,
            {
                "/initiatives/robot-lab/",
                "/organisations/institute/",
                "/organisations/partner-co/",
                "/organisations/university/",
                "/organisations/clinic/",
            },
        )
        self.assertContains(response, "<h1>Who works with whom in Healthcare</h1>", html=True)
        self.assertContains(response, '<option value="healthcare" selected>Healthcare</option>')
        self.assertContains(
            response,
            '<link rel="canonical" href="http://testserver/network/?sector=healthcare">',
        )

    def test_a_sector_with_nothing_in_it_says_so(self):
        make_sector(name="Empty", slug="empty")
        response = self.client.get("/network/", {"sector": "empty"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "No organisation or initiative is in this sector yet.")
        self.assertNotContains(response, "network-diagram")

    def test_an_unknown_sector_is_explained_with_a_400(self):
        response = self.client.get("/network/", {"sector": "<script>nope"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "There is no sector “&lt;script&gt;nope”", status_code=400)
        self.assertContains(response, '<option value="healthcare">', status_code=400)
        self.assertNotContains(response, "network-diagram", status_code=400)
        self.assertNotContains(response, "<script>nope", status_code=400)

    def test_two_sectors_at_once_are_explained_with_a_400(self):
        response = self.client.get("/network/?sector=healthcare&sector=finance")
        self.assertContains(response, "Choose one sector at a time.", status_code=400)

    def test_an_empty_sector_is_the_whole_map(self):
        response = self.client.get("/network/?sector=")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(read_network(response).svgs[0]["links"]), 7)

    def test_chinese_map(self):
        self.health.name_zh_hant = "醫療"
        self.health.save()
        response = self.client.get("/zh-hant/network/", {"sector": "healthcare"})
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("<h1>醫療界別中誰與誰合作</h1>", html)
        self.assertIn('<option value="healthcare" selected>醫療</option>', html)
        # Organisations have no Chinese names here: shown in English, marked as English.
        self.assertIn('<option value="finance" lang="en">Finance</option>', html)
        page = read_network(response)
        self.assertIn("/zh-hant/initiatives/robot-lab/", page.svgs[0]["links"])
        self.assertIn("en", page.svgs[0]["langs"])

    def test_an_edit_shows_on_the_next_request(self):
        self.assertNotContains(self.client.get("/network/"), "Second Partner")
        self.sandbox.partners.add(make_organisation(name="Second Partner"))
        self.assertContains(self.client.get("/network/"), "Second Partner")

    def test_past_the_limit_the_map_keeps_the_most_linked_and_says_so(self):
        with mock.patch("portal.network.links.MAP_LIMIT", 2):
            response = self.client.get("/network/")
        links = set(read_network(response).svgs[0]["links"])
        self.assertIn("/organisations/institute/", links)  # a lead and a parent
        self.assertEqual(len([link for link in links if "/organisations/" in link]), 2)
        self.assertContains(response, "leaves out the 3 organisations and 0 initiatives")

    def test_the_finders_and_sector_pages_link_to_the_map(self):
        for url in ("/initiatives/", "/organisations/"):
            self.assertContains(self.client.get(url), 'href="/network/"')
        self.assertContains(
            self.client.get("/sectors/healthcare/"), 'href="/network/?sector=healthcare"'
        )
