"""The portal's views, one module per concept; `portal.urls` imports them from here.

- `pages`: home, one page per item, the sector list, About, robots.txt and the health check.
- `errors`: the 404 and 500 pages (hkai.urls' handlers).
- `finders`: the filterable lists; `search`: site search.
- `formats`: the article, initiative and milestone lists as CSV and JSON (their Atom feeds:
  `portal.views.feeds`).
- `compare`: initiatives side by side, and that table as CSV.
- `data`: /data/, every record type as a whole-table download, and its Data Package.
- `network`: /network/, the map of who works with whom.
"""

from portal.views.compare import compare_csv_view, compare_view
from portal.views.data import data_csv_view, data_json_view, data_package_view, data_view
from portal.views.finders import (
    article_list_view,
    format_links,
    initiative_list_view,
    organisation_list_view,
    source_list_view,
    timeline_view,
)
from portal.views.formats import (
    article_csv_view,
    article_json_view,
    initiative_csv_view,
    initiative_json_view,
    milestone_csv_view,
    milestone_json_view,
)
from portal.views.network import network_view
from portal.views.pages import (
    about_view,
    article_detail_view,
    healthz_view,
    home_view,
    initiative_detail_view,
    milestone_detail_view,
    organisation_detail_view,
    robots_view,
    sector_detail_view,
    sector_list_view,
)
from portal.views.search import search_view

__all__ = [
    "about_view",
    "compare_csv_view",
    "compare_view",
    "article_csv_view",
    "article_json_view",
    "data_csv_view",
    "data_json_view",
    "data_package_view",
    "data_view",
    "format_links",
    "initiative_csv_view",
    "initiative_json_view",
    "article_detail_view",
    "article_list_view",
    "healthz_view",
    "home_view",
    "initiative_detail_view",
    "initiative_list_view",
    "milestone_csv_view",
    "milestone_detail_view",
    "milestone_json_view",
    "network_view",
    "organisation_detail_view",
    "organisation_list_view",
    "robots_view",
    "search_view",
    "sector_detail_view",
    "sector_list_view",
    "source_list_view",
    "timeline_view",
]
