"""Records: the public record types and the one description each declares on its model.

`description.PublicRecord` is what a model says about itself once (its visible rows, the
field that names a record, its addresses, the text whose footnotes cite its sources, the
features it has); `registry` finds every model's description. Every feature (lists, search,
the change log, citations, what cites a source, open data, sitemaps, breadcrumbs, content
exchange) reads these instead of keeping a list of models of its own. This package is the
bottom layer: it imports nothing else from the portal.
"""
