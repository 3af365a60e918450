"""Finders: the filterable public lists.

`listings` describes each list once (rows, FilterSet, card, title) and runs one request's
query against it; `filters` holds the FilterSets and the kinds of filter; `facets` the
in-memory indexes (roaring bitmaps) behind every count; `cards` renders list cards once per
content state; `querystrings` builds the links that keep a query; `comparison` is the
initiatives side by side.
"""
