"""/network/: the whole map of who works with whom, or one sector's (`?sector=<slug>`).

Four queries whatever the amount of content: the content state, the sectors (for the form),
and the three of `portal.network.links.whole_map`. An unknown sector, or more than one, is a 400
page that says so and offers the list.
"""

from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from portal.finders.querystrings import with_query
from portal.models import Sector, languages
from portal.network.links import shown_name, whole_map
from portal.records.addresses import absolute_url


class NetworkView(TemplateView):
    """Template: ``portal/network.html``. Context: ``title``, ``sector`` (the chosen Sector
    or None), ``sector_options`` (dicts of ``slug``, ``name``, ``lang``, ``selected``), ``problem``
    (why the address can't be answered, or ""), ``map`` (a `portal.network.links.WholeMap`, None
    with a problem) and ``canonical_url``."""

    template_name = "portal/network.html"

    def get(self, request, *args, **kwargs):
        sectors = list(Sector.objects.only(*languages("name"), "slug", "sort_weight"))
        asked = [value for value in request.GET.getlist("sector") if value]
        sector, problem = None, ""
        if len(asked) > 1:
            problem = _("Choose one sector at a time.")
        elif asked:
            sector = next((s for s in sectors if s.slug == asked[0]), None)
            if sector is None:
                problem = _(
                    "There is no sector “%(slug)s”. Choose one from the list, or see the whole map."
                ) % {"slug": asked[0][:100]}
        title = (
            _("Who works with whom in %(sector)s") % {"sector": shown_name(sector)[0]}
            if sector
            else _("Who works with whom")
        )
        query = f"sector={sector.slug}" if sector else ""
        context = self.get_context_data(
            title=title,
            sector=sector,
            sector_options=[
                {"slug": option.slug, "name": name, "lang": lang, "selected": option == sector}
                for option in sectors
                for name, lang in [shown_name(option)]
            ],
            problem=problem,
            map=None if problem else whole_map(sector),
            canonical_url=absolute_url(with_query(request.path, query)),
        )
        return self.render_to_response(context, status=400 if problem else 200)


network_view = NetworkView.as_view()
