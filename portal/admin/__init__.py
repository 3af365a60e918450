"""The editors' admin, one module per concern.

- `content`: one ModelAdmin per model: lists, forms, the publishing workflow, reviews.
- `base`: what every content admin shares (history via django-reversion, sources inline).
- `publishing`: the article form's Save draft / Schedule / Publish buttons and their rules.
- `preview`: the article preview, whole-page and live beside the Markdown body.
- `transfer`: the import page and the export actions, on the `portal.content` engine.
- `uploads`: the import page's uploaded files while they wait, and the limits on them.
- `redirects`: addresses that moved (merged records), kept by publishers.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.admin import content, redirects  # noqa: F401  (register the ModelAdmins)

# The header and the browser title of every admin page (Django's say "Django administration").
admin.site.site_header = _("HKAI Portal administration")
admin.site.site_title = _("HKAI Portal administration")
admin.site.index_title = _("Site administration")
