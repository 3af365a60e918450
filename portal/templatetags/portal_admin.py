"""Widgets for the editors' admin pages."""

from django import template

from portal.admin.dashboard import dashboard as dashboard_panels

register = template.Library()


@register.inclusion_tag("admin/portal/includes/_dashboard.html", takes_context=True)
def dashboard(context):
    """The signed-in user's dashboard (portal.admin.dashboard): each panel they may see, with
    its count, its first rows and a link to the filtered change list. Two queries a panel."""
    return {"panels": dashboard_panels(context["request"])}
