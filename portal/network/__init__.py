"""Who works with whom: diagrams of the links between organisations, initiatives and sectors.

- `links`: what the links are, read from the models: one record's nearest links for its
  page, and the whole map for /network/.
- `layout`: where each record and line goes, as pure functions.
- `shapes`: the records, boxes, lines and labels a diagram is made of, and text wrapping.
"""
