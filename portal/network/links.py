"""Who works with whom: the links between organisations, initiatives and sectors, drawn by
`portal.network.layout` and listed in the table beside each drawing.

- `organisation_network` and `initiative_network`: one record's nearest links, read from what
  its detail view has already fetched, so they add no query to the page.
- `whole_map`: every organisation and initiative with their lead, partner and part-of links,
  or only those of one sector, in three queries whatever their number.
"""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from portal.models import Initiative, Organisation, in_current_language, languages
from portal.network.layout import ego_column_layout, ego_layout, map_layout
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
    sort_key,
)

# How the table says each relation, read as "<from> <relation> <to>".
RELATION_TEXT = {
    LEADS: gettext_lazy("leads"),
    PARTNER: gettext_lazy("is a partner in"),
    PART_OF: gettext_lazy("is part of"),
    IN_SECTOR: gettext_lazy("is in the sector"),
}
RELATION_ORDER = (PART_OF, LEADS, PARTNER, IN_SECTOR)

# The most organisations, and the most initiatives, one map draws: past that many, boxes of
# readable text make a picture too long to take in, and a page too heavy to send. The most
# linked are kept; a sector's map shows the others.
MAP_LIMIT = 150


@dataclass(frozen=True)
class Row:
    """One line of a diagram's table: `source` `relation` `target`."""

    source: Node
    relation: str
    target: Node

    @property
    def relation_text(self):
        return RELATION_TEXT[self.relation]


@dataclass(frozen=True)
class Network:
    """A diagram (`portal.network.shapes.Diagram`) with its title, description and table
    rows. `centre` is the record whose page it is on (None for the whole map), and
    `narrow` the same diagram for narrow screens (the whole map has none)."""

    diagram: object
    rows: tuple
    title: str
    description: str
    centre: Node = None
    narrow: object = None  # the diagram for narrow screens, where there is one

    @property
    def kinds(self):
        """The kinds of node drawn, for the legend."""
        drawn = {box.node.kind for box in self.diagram.boxes}
        return [kind for kind in (ORGANISATION, INITIATIVE, SECTOR) if kind in drawn]

    @property
    def relations(self):
        """The relations drawn, for the legend."""
        drawn = {edge.relation for edge in self.diagram.edges}
        return [
            (relation, RELATION_TEXT[relation]) for relation in RELATION_ORDER if relation in drawn
        ]


def shown_name(obj):
    """(name, lang): `obj`'s name in the current language, and "en" where that is English
    standing in for a missing translation (else ""), for a `lang` attribute."""
    name, language = in_current_language(obj, "name")
    current = get_language() or settings.LANGUAGE_CODE
    return name, "" if language == current else language


def node_of(obj, kind):
    """`obj` (an organisation, initiative or sector) as a diagram Node in the current language."""
    name, lang = shown_name(obj)
    return Node(f"{kind}:{obj.pk}", kind, name, obj.get_absolute_url(), lang)


def _rows(links):
    return tuple(Row(link.source, link.relation, link.target) for link in links)


def _more(count):
    return ngettext("and %(counter)s more", "and %(counter)s more", count) % {"counter": count}


def _ego(centre, groups, links):
    """The Network of one record: `groups` drawn around it, `links` in its table (each
    group's in the order drawn)."""
    title = _("Who %(name)s works with") % {"name": centre.name}
    description = _(
        "%(name)s in the middle, joined to the organisations, initiatives and sectors it is "
        "linked with, in groups named by the link. Each box is a link to its page. The "
        "table after the diagram lists the same links."
    ) % {"name": centre.name}
    return Network(
        ego_layout(centre, groups, more_text=_more),
        _rows(links),
        title,
        description,
        centre,
        narrow=ego_column_layout(centre, groups, more_text=_more),
    )


def _sorted(nodes):
    return tuple(sorted(nodes, key=sort_key))


def organisation_network(organisation):
    """An organisation's nearest links: the body it is part of, its parts, the initiatives it
    leads and partners in, and its sectors. Reads `parent` and the prefetched `children`,
    `led_initiatives`, `partner_initiatives` and `sectors`; None when it has no link."""
    centre = node_of(organisation, ORGANISATION)
    parent = _sorted([node_of(organisation.parent, ORGANISATION)] if organisation.parent else [])
    parts = _sorted(node_of(child, ORGANISATION) for child in organisation.children.all())
    led = _sorted(node_of(i, INITIATIVE) for i in organisation.led_initiatives.all())
    partnered = _sorted(node_of(i, INITIATIVE) for i in organisation.partner_initiatives.all())
    sectors = _sorted(node_of(s, SECTOR) for s in organisation.sectors.all())
    if not (parent or parts or led or partnered or sectors):
        return None
    groups = [
        Group(_("Part of"), PART_OF, parent),
        Group(_("Includes"), PART_OF, parts),
        Group(_("Leads"), LEADS, led),
        Group(_("Partner in"), PARTNER, partnered),
        Group(_("Sectors"), IN_SECTOR, sectors),
    ]
    links = [
        *(Link(centre, PART_OF, node) for node in parent),
        *(Link(node, PART_OF, centre) for node in parts),
        *(Link(centre, LEADS, node) for node in led),
        *(Link(centre, PARTNER, node) for node in partnered),
        *(Link(centre, IN_SECTOR, node) for node in sectors),
    ]
    return _ego(centre, groups, links)


def initiative_network(initiative):
    """An initiative's nearest links: its lead organisation, its partners and its sectors.
    Reads `lead_organisation` and the prefetched `partners` and `sectors`; None when it has
    no link."""
    centre = node_of(initiative, INITIATIVE)
    lead = initiative.lead_organisation
    leads = _sorted([node_of(lead, ORGANISATION)] if lead else [])
    partners = _sorted(node_of(o, ORGANISATION) for o in initiative.partners.all())
    sectors = _sorted(node_of(s, SECTOR) for s in initiative.sectors.all())
    if not (leads or partners or sectors):
        return None
    groups = [
        Group(_("Lead organisation"), LEADS, leads),
        Group(_("Partners"), PARTNER, partners),
        Group(_("Sectors"), IN_SECTOR, sectors),
    ]
    links = [
        *(Link(node, LEADS, centre) for node in leads),
        *(Link(node, PARTNER, centre) for node in partners),
        *(Link(centre, IN_SECTOR, node) for node in sectors),
    ]
    return _ego(centre, groups, links)


@dataclass(frozen=True)
class WholeMap:
    """The whole map (a Network) with what it leaves out: `hidden_organisations` and
    `hidden_initiatives` (beyond MAP_LIMIT), and how many of each it shows."""

    network: Network
    organisations: int
    initiatives: int
    hidden_organisations: int
    hidden_initiatives: int


def _ancestors(pks, parent_of):
    """`pks` with every body they are part of, all the way up (a loop is walked once)."""
    found = set(pks)
    for pk in pks:
        parent = parent_of.get(pk)
        while parent is not None and parent not in found:
            found.add(parent)
            parent = parent_of.get(parent)
    return found


def _most_linked(nodes, kind, degree):
    """The keys of `nodes` ({pk: Node} of one `kind`) to draw: all of them, or past MAP_LIMIT
    those with the most links (`degree`, counted by (kind, pk)), then by name."""
    if len(nodes) <= MAP_LIMIT:
        return set(nodes)
    ranked = sorted(nodes, key=lambda pk: (-degree[kind, pk], sort_key(nodes[pk])))
    return set(ranked[:MAP_LIMIT])


def whole_map(sector=None):
    """The map of who works with whom, as a WholeMap: every organisation and initiative, or
    with `sector` the sector's initiatives and organisations, the organisations that lead or
    partner in those initiatives, and the bodies those are part of.

    Three queries: organisations (id, names, slug, parent, and whether each is in `sector`),
    initiatives (id, names, slug, lead) and partner pairs. Every organisation is read even
    for one sector's map, to find the bodies its organisations are part of.
    """
    shown = (*languages("name"), "slug")
    organisations = Organisation.objects.only(*shown, "parent").order_by()
    initiatives = Initiative.objects.only(*shown, "lead_organisation").order_by()
    partners = Initiative.partners.through.objects.values_list("initiative_id", "organisation_id")
    if sector is not None:
        in_sector = Organisation.sectors.through.objects.filter(
            organisation=OuterRef("pk"), sector=sector
        )
        organisations = organisations.annotate(in_sector=Exists(in_sector))
        initiatives = initiatives.filter(sectors=sector)
        partners = partners.filter(initiative__sectors=sector)
    organisations = {org.pk: org for org in organisations}
    initiatives = {initiative.pk: initiative for initiative in initiatives}
    partner_pairs = sorted(set(partners))

    parent_of = {pk: org.parent_id for pk, org in organisations.items()}
    leads = {pk: i.lead_organisation_id for pk, i in initiatives.items() if i.lead_organisation_id}
    if sector is None:
        org_pks = set(organisations)
    else:
        linked = {pk for pk, org in organisations.items() if org.in_sector}
        linked |= set(leads.values()) | {org for _initiative, org in partner_pairs}
        org_pks = _ancestors(linked, parent_of)

    org_nodes = {pk: node_of(organisations[pk], ORGANISATION) for pk in org_pks}
    initiative_nodes = {pk: node_of(i, INITIATIVE) for pk, i in initiatives.items()}
    degree = Counter()
    for initiative, org in [*leads.items(), *partner_pairs]:
        degree[ORGANISATION, org] += 1
        degree[INITIATIVE, initiative] += 1
    for org in org_pks:
        if parent_of[org] in org_pks:
            degree[ORGANISATION, org] += 1
            degree[ORGANISATION, parent_of[org]] += 1
    kept_orgs = _most_linked(org_nodes, ORGANISATION, degree)
    kept_initiatives = _most_linked(initiative_nodes, INITIATIVE, degree)

    links = [
        *(
            Link(org_nodes[org], PART_OF, org_nodes[parent_of[org]])
            for org in kept_orgs
            if parent_of[org] in kept_orgs
        ),
        *(
            Link(org_nodes[org], LEADS, initiative_nodes[initiative])
            for initiative, org in leads.items()
            if initiative in kept_initiatives and org in kept_orgs
        ),
        *(
            Link(org_nodes[org], PARTNER, initiative_nodes[initiative])
            for initiative, org in partner_pairs
            if initiative in kept_initiatives and org in kept_orgs
        ),
    ]
    links.sort(
        key=lambda link: (
            sort_key(link.source),
            RELATION_ORDER.index(link.relation),
            sort_key(link.target),
        )
    )
    diagram = map_layout(
        [org_nodes[pk] for pk in kept_orgs],
        [initiative_nodes[pk] for pk in kept_initiatives],
        links,
        headings=(_("Organisations"), _("Initiatives")),
    )
    network = Network(
        diagram,
        _rows(links),
        title=_("Who works with whom"),
        description=_(
            "Organisations on the left, initiatives on the right. A solid line joins an "
            "initiative to the organisation that leads it, a dashed line to a partner; a "
            "dotted line joins an organisation to the body it is part of, which is above "
            "it. Each box is a link to its page. The table after the diagram lists the "
            "same links."
        ),
    )
    return WholeMap(
        network,
        organisations=len(kept_orgs),
        initiatives=len(kept_initiatives),
        hidden_organisations=len(org_pks) - len(kept_orgs),
        hidden_initiatives=len(initiatives) - len(kept_initiatives),
    )
