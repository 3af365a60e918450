"""Query strings for links that change a finder's parameters: the one helper for chips,
suggestions, format links, JSON paging, feeds and canonical addresses (templates use
Django's `{% querystring %}`, which follows the same rules)."""

from urllib.parse import quote


def query_with(query, *, drop=(), remove=None, **values):
    """`query` (a QueryDict) urlencoded, without the parameters named in `drop`, without one
    `remove=(parameter, value)` pair, and with `values` set (None removes). No leading "?"."""
    query = query.copy()
    for name in drop:
        query.pop(name, None)
    if remove is not None:
        name, value = remove
        query.setlist(name, [v for v in query.getlist(name) if v != value])
    for name, value in values.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    return query.urlencode()


def sorted_query(query, keep):
    """`query`'s parameters named in `keep` with non-empty values, in a fixed order: the form
    of a canonical address, so reordered or tracked copies of a URL share one."""
    pairs = sorted((k, v) for k in query if k in keep for v in query.getlist(k) if v)
    return "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs)


def with_query(path, encoded):
    """`path` followed by "?encoded", or `path` alone when `encoded` is empty."""
    return f"{path}?{encoded}" if encoded else path


def comma_query(name, values):
    """`name=a,b,c`: the values joined by literal commas, each value percent-encoded (so a
    comma inside one is %2C), for addresses people share and read, such as a comparison's."""
    if not values:
        return ""
    return f"{quote(name)}=" + ",".join(quote(value, safe="") for value in values)


def comma_values(query, name):
    """Every value of `name` in `query` (a QueryDict), whether given once as "a,b,c" or
    repeated as a form submits it ("name=a&name=b"), in order, blanks dropped."""
    values = (part.strip() for value in query.getlist(name) for part in value.split(","))
    return [value for value in values if value]
