"""The editors' admin, one module per concern.

- `content`: one ModelAdmin per model: lists, forms, the publishing workflow, reviews.
- `base`: what every content admin shares (history via django-reversion, sources inline).
- `publishing`: the article form's publishing panel (Save draft, Submit for review, Publish,
  Schedule, Send back), its rules and the review workflow's steps.
- `review`: "needs review" on initiatives, organisations and milestones an Editor changed.
- `preview`: the article preview, whole-page and live beside the Markdown body.
- `transfer`: the import page and the export actions, on the `portal.content` engine.
- `uploads`: the import page's uploaded files while they wait, and the limits on them.
- `redirects`: addresses that moved (merged records, changed slugs), kept by publishers.
- `changenotes`: the change note on every logged record's form, and corrections.
- `scale`: what keeps a change list of 100,000 rows quick (pages by id, full-text search).
- `dashboard`: the admin index's panels (my drafts, scheduled, reviews due, ...) and `filters`,
  the change-list filters they count through.
- `accounts`: the user add form, which gives a new account its role in the same step.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.admin import accounts, changenotes, content, redirects  # noqa: F401  (register the ModelAdmins)
from portal.admin.base import GuardedChangeList
from portal.admin.dashboard import with_dashboard

# The header and the browser title of every admin page (Django's say "Django administration").
admin.site.site_header = _("HKAI Portal administration")
admin.site.site_title = _("HKAI Portal administration")
admin.site.index_title = _("Site administration")
# No navigation sidebar: it repeats the index's list of models and took 300 px from every
# change list, which put the initiatives' and organisations' review columns off a 1366 px
# screen (issue #20). The breadcrumbs and the index lead to every list.
admin.site.enable_nav_sidebar = False


def guard_every_change_list(site):
    """Give every change list on `site` the portal's guard against filter values no query
    can use (portal.admin.base.GuardedChangeList: a NUL byte, which PostgreSQL refuses; a
    regular expression; a number past 64 bits). The portal's own admins have it already;
    the ones other apps register (django-axes's, auth's) get it here. Runs once the admin
    modules are imported (this app comes last in INSTALLED_APPS)."""
    for model_admin in site._registry.values():
        if not issubclass(model_admin.get_changelist(None), GuardedChangeList):
            model_admin.get_changelist = lambda request, **kwargs: GuardedChangeList


guard_every_change_list(admin.site)

# The index opens on the signed-in user's dashboard (its URL, built later, wraps this view in
# the admin's sign-in check).
admin.site.index = with_dashboard(admin.site.index)
