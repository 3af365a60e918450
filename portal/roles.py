"""The editors' roles, kept as auth groups; `manage.py setup_roles` creates and updates them.

Editor
    Views, adds and changes articles, initiatives, milestones, organisations, sectors,
    sources and corrections; deletes all of them but sectors (every public finder is built on them);
    submits articles for review. With review off (settings.REVIEW_REQUIRED), also publishes,
    schedules and unpublishes articles, as a Publisher does. Change permission on an item also opens
    its history, the comparison of two versions and revert; add permission also recovers
    deleted items (django-reversion checks the content model's permissions, so its own
    Version and Revision models need none). No permission on users or groups, so an editor
    cannot reach user administration or grant themselves anything.
Publisher
    Everything an Editor may do, plus approving (publishing or scheduling), sending back,
    unpublishing articles and clearing "needs review" (the `publish_article` permission),
    deleting sectors, viewing, not changing, user accounts (to see who edited what), and
    keeping the redirects of addresses that moved.

A superuser gives a person a role when adding their account (the Role choice on the admin's
user form, portal.admin.accounts, which also ticks "Staff status"), or later by ticking
"Staff status" and adding them to the group. Superusers have every permission and need no
group.
"""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

CONTENT = ["article", "correction", "initiative", "milestone", "organisation", "sector", "source"]

EDITOR = [
    *(f"portal.{action}_{model}" for model in CONTENT for action in ("view", "add", "change")),
    *(
        f"portal.delete_{model}"
        for model in ["article", "correction", "initiative", "milestone", "organisation", "source"]
    ),
]

PUBLISHER = [
    *EDITOR,
    "portal.publish_article",
    "portal.delete_sector",
    "auth.view_user",
    *(f"portal.{action}_redirect" for action in ("view", "add", "change", "delete")),
]

ROLES = {"Editor": EDITOR, "Publisher": PUBLISHER}
# What a role gains when review is off (settings.REVIEW_REQUIRED): Editors publish directly.
WITHOUT_REVIEW = {"Editor": ["portal.publish_article"]}


def role_permissions(group_name):
    """The "app_label.codename" names `group_name`'s role holds under the current settings."""
    names = ROLES[group_name]
    if not settings.REVIEW_REQUIRED:
        names = [*names, *WITHOUT_REVIEW.get(group_name, [])]
    return names


# How the user form names each role (the group keeps the name above), with review on and off.
LABELS = {
    "Editor": _("Editor: writes and edits content, and submits articles for review"),
    "Publisher": _(
        "Publisher: an Editor who also approves, publishes and schedules articles, deletes "
        "sectors, sees accounts and keeps redirects"
    ),
}
LABELS_WITHOUT_REVIEW = {
    "Editor": _("Editor: writes, edits, publishes and schedules content"),
    "Publisher": _(
        "Publisher: an Editor who also deletes sectors, sees accounts and keeps redirects"
    ),
}


def role_label(group_name):
    """How the user form names `group_name`'s role under the current settings."""
    return (LABELS if settings.REVIEW_REQUIRED else LABELS_WITHOUT_REVIEW)[group_name]


class MissingPermissions(Exception):
    """Some permissions in ROLES are not in the database (usually: migrations not run)."""


def permissions(names):
    """The Permission rows for `names` ("app_label.codename"); MissingPermissions if any
    is not in the database."""
    wanted = {tuple(name.split(".", 1)) for name in names}
    query = Q()
    for app_label, codename in wanted:
        query |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(query).select_related("content_type"))
    missing = wanted - {(p.content_type.app_label, p.codename) for p in found}
    if missing:
        raise MissingPermissions(sorted(".".join(name) for name in missing))
    return found


def sync_roles():
    """Make each group in ROLES hold exactly its role's permissions, creating missing groups.

    Returns one (group name, created, added, removed) tuple per role, where added and removed
    are sorted "app_label.codename" lists; running it again returns no additions or removals.
    """

    def name(permission):
        return f"{permission.content_type.app_label}.{permission.codename}"

    report = []
    for group_name in ROLES:
        wanted = permissions(role_permissions(group_name))
        group, created = Group.objects.get_or_create(name=group_name)
        current = set(group.permissions.select_related("content_type"))
        group.permissions.set(wanted)
        report.append(
            (
                group_name,
                created,
                sorted(name(p) for p in set(wanted) - current),
                sorted(name(p) for p in current - set(wanted)),
            )
        )
    return report
