"""Widgets for the editors' admin pages."""

from django import template
from django.urls import reverse

from portal.models import REVIEW_INTERVAL_DAYS, Initiative, Organisation

register = template.Library()


@register.inclusion_tag("admin/portal/includes/_review_summary.html")
def review_summary():
    """How many initiatives and organisations are due for review, with links to them.

    Two COUNT queries; rendered on the admin index so overdue entries are seen every day.
    """
    rows = []
    for model in (Initiative, Organisation):
        count = model.objects.due_for_review().count()
        url = reverse(f"admin:portal_{model._meta.model_name}_changelist") + "?review=due"
        rows.append({"label": model._meta.verbose_name_plural, "count": count, "url": url})
    return {
        "rows": rows,
        "total": sum(row["count"] for row in rows),
        "review_days": REVIEW_INTERVAL_DAYS,
    }
