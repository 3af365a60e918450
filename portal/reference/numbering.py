"""One page's reference list: every source numbered once, in order of first use.

A detail page cites its sources in three places: the "Sources: [1] [2]" line under the heading,
the footnote markers in its text and the numbered list at its foot. `References` gives each
source one number for all three, in the order the text first cites it, sources the text never
cites numbered after those in the order the item lists them. Each marker gets an id of its
own, lettered by how often its source was cited before (`cite-2a`, `cite-2b`), which the list
entry links back to. Rendering runs no query: the sources are the ones the view fetched.
"""

from dataclasses import dataclass, field
from string import ascii_lowercase


def letters(index):
    """The back-link letters for the `index`-th citation (0-based): a ... z, aa, ab ..."""
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = ascii_lowercase[rest] + text
    return text


@dataclass
class Entry:
    """One numbered source of the page (`source` is None for an address that is not one of
    the item's sources, shown as text), with the ids of the markers that cite it."""

    url: str
    source: object
    anchor: str
    number: int = 0
    citations: list = field(default_factory=list)  # [(marker id, letters)], first first

    @property
    def cited(self):
        return bool(self.citations)


class References:
    """The numbering of one page's sources (already fetched, in the order the item lists
    them). `id_prefix` keeps two lists on one page apart (the admin's previews)."""

    def __init__(self, sources=(), id_prefix=""):
        self.id_prefix = id_prefix
        self._listed = [
            Entry(url=source.url, source=source, anchor=f"{id_prefix}source-{source.pk}")
            for source in sources
        ]
        self._by_url = {}
        for entry in self._listed:
            self._by_url.setdefault(entry.url, entry)
        self._numbered = []  # entries in order of number, cited ones first

    @property
    def heading_id(self):
        """The id of the list's heading, which every marker is described by."""
        return f"{self.id_prefix}sources-heading"

    def cite(self, url):
        """Number the source at `url` if this is its first citation; return (entry, marker
        id, letters) for this citation."""
        entry = self._by_url.get(url)
        if entry is None:
            # Not one of the item's sources (the importer and the admin refuse that, but a
            # source can be edited afterwards): an entry of its own, the address as text.
            missing = sum(1 for e in self._by_url.values() if e.source is None) + 1
            entry = Entry(url=url, source=None, anchor=f"{self.id_prefix}source-missing-{missing}")
            self._by_url[url] = entry
        if not entry.number:
            self._numbered.append(entry)
            entry.number = len(self._numbered)
        mark = letters(len(entry.citations))
        marker_id = f"{self.id_prefix}cite-{entry.number}{mark}"
        entry.citations.append((marker_id, mark))
        return entry, marker_id

    @property
    def entries(self):
        """Every entry in order of its number: those cited, by first use, then the item's
        other sources. Read after the texts are rendered, so all citations are counted."""
        for entry in self._listed:
            if not entry.number and self._by_url.get(entry.url) is entry:
                self._numbered.append(entry)
                entry.number = len(self._numbered)
        return list(self._numbered)

    def number_of(self, source_id):
        """The number of the source with primary key `source_id`, or None if not listed."""
        for entry in self.entries:
            if entry.source is not None and entry.source.pk == source_id:
                return entry.number
        return None
