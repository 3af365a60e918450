"""What cites each source on a page of the list of sources: sectors, organisations,
initiatives and published articles.

A source may be cited by thousands of articles, so each kind shows its first CITERS_SHOWN
rows and the total, with a link to the finder that lists them all. Whatever the number of
sources on the page or of rows citing them, this is one query per kind: the relation table
rows of the page's sources, numbered within each source by a window function, of which only
the first few are read (with the cited rows' names joined in).
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.models import Article, Initiative, Organisation, Sector, languages

# How many rows of each kind a source shows before linking to the rest.
CITERS_SHOWN = 5


@dataclass(frozen=True)
class CitingKind:
    """One kind of row that cites sources: its model, label, the translated field that names
    it, its order, which rows readers may see, and the finder that lists them (if any)."""

    model: type
    label: str
    name_field: str
    ordering: tuple
    visible: callable = None
    list_url_name: str = ""

    @property
    def target(self):
        return self.model._meta.model_name


KINDS = (
    CitingKind(Sector, _("Sectors"), "name", ("sort_weight", "name_en")),
    CitingKind(
        Organisation, _("Organisations"), "name", ("name_en",), None, "portal:organisation_list"
    ),
    CitingKind(Initiative, _("Initiatives"), "name", ("name_en",), None, "portal:initiative_list"),
    CitingKind(
        Article,
        _("Articles"),
        "title",
        ("-publish_at", "title_en"),
        lambda: Article.objects.published(),
        "portal:article_list",
    ),
)


@dataclass(frozen=True)
class Citations:
    """The first `rows` of one kind citing one source, how many there are in all, and where
    to see every one ("" where no list filters by source)."""

    label: str
    name_field: str
    rows: list
    count: int
    url: str

    @property
    def more(self):
        return self.count - len(self.rows)


def _order(target, field):
    descending = field.startswith("-")
    expression = F(f"{target}__{field.lstrip('-')}")
    return expression.desc() if descending else expression.asc()


def citing_rows(kind, source_ids, limit=CITERS_SHOWN):
    """{source id: (first `limit` rows of `kind` citing it, how many in all)}, one query."""
    target = kind.target
    links = kind.model.sources.through.objects.filter(source_id__in=source_ids)
    if kind.visible is not None:
        links = links.filter(**{f"{target}__in": kind.visible().values("pk")})
    links = (
        links.annotate(
            position=Window(
                RowNumber(),
                partition_by=F("source_id"),
                order_by=[_order(target, field) for field in (*kind.ordering, "pk")],
            ),
            total=Window(Count("pk"), partition_by=F("source_id")),
        )
        .filter(position__lte=limit)
        .select_related(target)
        .only(
            "source_id", f"{target}__slug", *(f"{target}__{f}" for f in languages(kind.name_field))
        )
        .order_by("source_id", "position")
    )
    found = {}
    for link in links:
        rows, _total = found.setdefault(link.source_id, ([], link.total))
        rows.append(getattr(link, target))
    return found


def attach_citations(sources, limit=CITERS_SHOWN):
    """Give each of `sources` (a list) `citations`: a Citations per kind that cites it, in
    KINDS order, and `cited` (whether anything does). One query per kind."""
    ids = [source.pk for source in sources]
    by_kind = [(kind, citing_rows(kind, ids, limit) if ids else {}) for kind in KINDS]
    for source in sources:
        source.citations = []
        for kind, found in by_kind:
            rows, count = found.get(source.pk, ([], 0))
            if not count:
                continue
            url = ""
            if kind.list_url_name and count > len(rows):
                url = f"{reverse(kind.list_url_name)}?{urlencode({'source': source.pk})}"
            source.citations.append(Citations(kind.label, kind.name_field, rows, count, url))
        source.cited = bool(source.citations)
    return sources
