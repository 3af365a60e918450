"""Search: full-text search over the public record types, on the database's own engine.

`query` finds and ranks the matches (PostgreSQL's stored vectors and GIN indexes, SQLite's
FTS5 tables); `snippets` makes the highlighted passages of the rows shown; `synonyms` holds
the reviewed abbreviations and expands a query's terms; `lexicon` the records' names and the
"did you mean" vocabulary, per content generation. Which models are searched, and which of
their fields, comes from each model's PublicRecord and SEARCH_FIELDS (portal.records).
"""

from portal.search.query import search

__all__ = ["search"]
