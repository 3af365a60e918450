"""The editors' admin, one module per concern.

- `content`: one ModelAdmin per model: lists, forms, the publishing workflow, reviews.
- `base`: what every content admin shares (history via django-reversion, sources inline).
- `transfer`: the import page and the export actions, on the `portal.content` engine.
- `uploads`: the import page's uploaded files while they wait, and the limits on them.
"""

from portal.admin import content  # noqa: F401  (registers the ModelAdmins)
