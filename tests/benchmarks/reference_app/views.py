from django.shortcuts import render
from django.utils import timezone

from tests.benchmarks.reference_app.models import Article


def newest_articles_view(request):
    """The 20 newest published articles, in one query.

    Template: reference_app/newest_articles.html; context: `articles`. The visibility rule is
    written out here on purpose: this app must not import the portal, whose cost it measures.
    """
    articles = list(
        Article.objects.filter(status="published", publish_at__lte=timezone.now()).order_by(
            "-publish_at"
        )[:20]
    )
    return render(request, "reference_app/newest_articles.html", {"articles": articles})
