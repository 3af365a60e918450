"""Cards (one record in a list) rendered once per content state, and kept in memory.

A finder page is mostly cards, and a card is a small template with a few filters each
(translated fields, dates, relation names), and rendering them is a good part of an
uncached list page. The same records come up again and again across pages,
filters and languages, so each worker keeps the HTML of the cards it has rendered, keyed
by the content state (portal.caching.generation), the language, the template and the heading
level. When content changes, the state's key changes and the memory is dropped, like the
page cache: a card is never stale. Bounded (MAX_CARDS), oldest out first.

The contract that makes this right: a card template's output depends only on its record
(and the rows the view fetched with it), the language, the heading level and `options`
whose values are fixed per list (e.g. the initiatives finder's `compare_choice`: a Compare
box on each card); never on the request. Nothing that varies per reader or per query (a
search snippet, a ticked box) goes inside a card template.
"""

import threading
from collections import OrderedDict

from django.db.models import prefetch_related_objects
from django.template.loader import get_template
from django.utils.translation import get_language

# Cards kept per worker: about 0.5 KB each, so a few MB at most.
MAX_CARDS = 10_000
# The names card templates know their record by (article, initiative, ...).
RECORD_NAMES = ("article", "initiative", "organisation", "sector", "source", "milestone")

_lock = threading.Lock()
_state_key = None
_cards = OrderedDict()


def forget_cards():
    """Drop this worker's cards (tests call it between cases, as for the facet indexes)."""
    global _state_key
    with _lock:
        _state_key = None
        _cards.clear()


def render_card(template_name, obj, state, heading_level=3, **options):
    """The HTML of `obj`'s card in `template_name`, for the content `state`. `options` go
    into the card's context; the key holds which of them are set (their values are fixed
    per list, see the module docstring)."""
    global _state_key
    given = tuple(sorted(name for name, value in options.items() if value))
    key = (template_name, obj._meta.label, obj.pk, get_language(), heading_level, given)
    with _lock:
        if _state_key != state.key:
            _state_key = state.key
            _cards.clear()
        html = _cards.get(key)
    if html is None:
        if fetch := getattr(obj, "_fetch_for_card", None):
            fetch()
        context = dict.fromkeys(RECORD_NAMES, obj)
        context.update(options, heading_level=heading_level)
        html = get_template(template_name).render(context)
        with _lock:
            if _state_key == state.key:
                _cards[key] = html
                if len(_cards) > MAX_CARDS:
                    _cards.popitem(last=False)
    return html


def fetch_when_rendered(rows, lookups):
    """`rows` (one page of a list, read without `lookups`), set to prefetch `lookups` (as
    `prefetch_related` takes them) for all of them at once, when the first of their cards
    that is not in memory is rendered. A page whose cards are all remembered then reads no
    related rows: the prefetch was a fifth of an uncached list page's time. Only for rows
    shown through `render_card` alone, which is what triggers the fetch."""
    rows = list(rows)
    done = False

    def fetch():
        nonlocal done
        if not done:
            done = True
            prefetch_related_objects(rows, *lookups)

    for row in rows:
        row._fetch_for_card = fetch
    return rows
