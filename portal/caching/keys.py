"""What part of a request's address a cached page is stored under (portal.caching).

Only parameters that some public page reads count: the finders' filters (their FilterSets),
paging, "show more" of a facet, the comparison's items, the change log's type and position,
and the sitemap's page. A request with any other parameter (utm_source, a cache-buster, a
typo) is answered as usual but not stored: otherwise every made-up parameter would add an
entry. (The page is the same as without it, but its links carry the parameter along, so
storing it under the canonical address would serve those links to others.) Understood
parameters are put in one order, so reordered copies of an address share one entry.
"""

from urllib.parse import urlencode

# Parameters read outside the finders' FilterSets: paging (HTML, JSON, feeds), a facet's
# "show more", the comparison's items, the change log's filter and position, and the page
# of a sitemap section (django.contrib.sitemaps).
OTHER_PARAMETERS = {"page", "page_size", "more", "items", "type", "before", "p"}
_understood = set(OTHER_PARAMETERS)


def read_by_pages(names):
    """Record that public pages read the query parameters `names`. Each finder's list calls
    it for its FilterSet's filters when it is defined (portal.finders.listings), so this
    layer needs no import from the one above it."""
    _understood.update(names)


def understood_parameters():
    """The names of every query parameter a public page reads."""
    return frozenset(_understood)


def canonical_query(query):
    """`query` (a QueryDict) as a query string with its parameters in name order (each
    name's values in their own order), or None if it has a parameter no page reads."""
    known = understood_parameters()
    if any(name not in known for name in query):
        return None
    return urlencode([(name, query.getlist(name)) for name in sorted(query)], doseq=True)
