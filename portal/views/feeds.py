"""Atom feeds of the article, initiative and timeline finders (/articles.atom,
/initiatives.atom, /timeline.atom) and of the change log (/changes.atom, and one per record:
/initiatives/<slug>/changes.atom).

A feed takes the same query string as its finder page and reads the same listing
(portal.finders.listings), and lists the 50 first matching items. Without a `sort` parameter
those are the newest (articles by publish date, initiatives by start year then name), which
is what a subscriber wants to hear about; with one, the feed follows it, so it lists exactly
the first 50 items of the page it mirrors. Invalid filters are a plain-text 400.
"""

import re

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.caching.pages import request_state
from portal.changelog.display import changed_record, shown_lines, visible_changes, with_records
from portal.changelog.registry import change_log_types
from portal.finders.listings import ARTICLES, INITIATIVES, TIMELINE
from portal.finders.query import FinderQuery
from portal.finders.querystrings import query_with, with_query
from portal.records.addresses import absolute_url
from portal.records.registry import record_named
from portal.views.changes import BadChangesQuery, changes_query
from portal.views.formats import plain_text_bad_request

FEED_LENGTH = 50
# The sort a feed uses when the query names none; both finders define it.
FEED_DEFAULT_SORT = "newest"

# Characters XML 1.0 cannot carry (https://www.w3.org/TR/xml/#charsets). Django refuses to
# write control characters, so one in a search term would otherwise be a server error.
NOT_XML = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text):
    """`text` without the characters that XML 1.0 cannot carry."""
    return NOT_XML.sub("", str(text))


class InvalidQuery(Exception):
    """The query's filters cannot be used; `errors` says why, per parameter."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


class FinderFeed(Feed):
    """A finder's matching items as Atom.

    Subclasses set `listing` and `noun`.
    """

    feed_type = Atom1Feed
    listing = None
    # What the feed lists, for its title: "articles", "initiatives".
    noun = ""

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except InvalidQuery as invalid:
            return plain_text_bad_request(invalid.errors)

    def get_object(self, request):
        """The request's FinderQuery against the listing (sorted newest first by default)."""
        data = request.GET.copy()
        if not data.get("sort"):
            data["sort"] = FEED_DEFAULT_SORT
        query = FinderQuery(self.listing, data, request_state(request))
        if query.problems:
            raise InvalidQuery(query.problems)
        query.request = request
        return query

    def items(self, query):
        return query.results().head(FEED_LENGTH)

    def title(self, query):
        labels = [label for _name, _value, label in query.filterset.active_filters()]
        title = _("HKAI Portal: %(noun)s") % {"noun": self.noun}
        return xml_text(f"{title} \u2014 {', '.join(labels)}" if labels else title)

    def link(self, query):
        """The finder page showing the same items."""
        encoded = query_with(query.request.GET, drop=("page", "page_size"))
        return absolute_url(with_query(reverse(self.listing.url_name), encoded))

    def feed_url(self, query):
        return absolute_url(query.request.get_full_path())

    def item_link(self, item):
        return absolute_url(item.get_absolute_url())

    def item_title(self, item):
        # Atom titles are plain text (RFC 4287 section 3.1); the XML writer escapes them.
        return xml_text(item)

    def item_description(self, item):
        # Written as <summary type="html">, so plain text is escaped into HTML.
        return escape(xml_text(item.summary))

    def item_categories(self, item):
        return [xml_text(sector.name) for sector in item.sectors.all()]


class ArticleFeed(FinderFeed):
    listing = ARTICLES
    noun = gettext_lazy("articles")

    def subtitle(self, query):
        return _("Articles about artificial intelligence in Hong Kong.")

    def item_pubdate(self, article):
        return article.publish_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_author_name(self, article):
        return xml_text(article.byline) or None


class InitiativeFeed(FinderFeed):
    listing = INITIATIVES
    noun = gettext_lazy("initiatives")

    def subtitle(self, query):
        return _("Initiatives through which AI work happens in Hong Kong.")

    def item_updateddate(self, initiative):
        # Atom requires <updated> on every entry: when the portal last changed the record.
        return initiative.updated_at


class MilestoneFeed(FinderFeed):
    listing = TIMELINE
    noun = gettext_lazy("timeline")

    def subtitle(self, query):
        return _("Milestones of artificial intelligence policy in Hong Kong.")

    def item_title(self, milestone):
        return xml_text(f"{milestone.date_label}: {milestone.title}")

    def item_updateddate(self, milestone):
        return milestone.updated_at


article_feed = ArticleFeed()
initiative_feed = InitiativeFeed()
milestone_feed = MilestoneFeed()


class ChangesFeed(Feed):
    """/changes.atom: the newest changes to public records, of one type with `?type=`."""

    feed_type = Atom1Feed
    description_template = "portal/includes/_change_body.html"

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except BadChangesQuery as problem:
            return plain_text_bad_request({"type": [str(problem)]})

    def get_object(self, request, *args, **kwargs):
        record_type, _before, _import = changes_query(request.GET)
        self.request = request
        return record_type

    def changes(self, obj):
        return visible_changes(obj or None)

    def items(self, obj):
        return with_records(self.changes(obj))[:FEED_LENGTH]

    def title(self, obj):
        title = _("HKAI Portal: changes")
        return f"{title} \u2014 {change_log_types()[obj].plural}" if obj else title

    def subtitle(self, obj):
        return _("Changes to the portal's public records, newest first.")

    def link(self, obj):
        return absolute_url(with_query(reverse("portal:changes"), f"type={obj}" if obj else ""))

    def feed_url(self, obj):
        return absolute_url(self.request.get_full_path())

    def item_title(self, change):
        record = changed_record(change) or record_named(change.record_type).plural
        return xml_text(
            _("%(record)s: %(kind)s") % {"record": record, "kind": change.get_kind_display()}
        )

    def item_link(self, change):
        record = changed_record(change)
        if record is None:  # an import's summary: its items
            return absolute_url(with_query(reverse("portal:changes"), f"import={change.pk}"))
        return absolute_url(record.get_absolute_url())

    def item_guid(self, change):
        return absolute_url(f"{reverse('portal:changes')}#change-{change.pk}")

    item_guid_is_permalink = False

    def item_pubdate(self, change):
        return change.changed_at

    def item_updateddate(self, change):
        return change.changed_at

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        change = context["obj"]
        record = changed_record(change) or record_named(change.record_type)
        return {**context, "change": change, "record": record, "lines": shown_lines(change)}


class RecordChangesFeed(ChangesFeed):
    """`<item page>changes.atom`: the changes to one record, newest first."""

    def get_object(self, request, record_type, slug):
        self.request = request
        return get_object_or_404(change_log_types()[record_type].visible(), slug=slug)

    def changes(self, record):
        record_type = record.public.name
        return visible_changes(record_type, listed=False).filter(**{record_type: record})

    def title(self, record):
        return xml_text(_("HKAI Portal: changes to %(record)s") % {"record": record})

    def subtitle(self, record):
        return _("Changes to this record, newest first.")

    def link(self, record):
        return absolute_url(record.get_absolute_url())


changes_feed = ChangesFeed()
record_changes_feed = RecordChangesFeed()
