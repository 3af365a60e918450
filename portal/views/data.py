"""/data/: the open data page, every dataset as CSV and JSON, and the Data Package that
describes them (portal.opendata).

The files are built once per content generation and served from disk (portal.downloads,
portal.views.downloads). Each carries its licence and its description as HTTP `Link`
headers (rel="license", rel="describedby"; RFC 8288), and may be read by scripts on other
sites (`Access-Control-Allow-Origin: *`): it is public data.
"""

from django.http import Http404
from django.urls import reverse
from django.views.generic import TemplateView

from portal.downloads.files import WHOLE_FILES
from portal.opendata import DATASETS, LICENSE, LINKS_BY_NAME
from portal.records.addresses import absolute_url
from portal.views.downloads import whole_file_response


def _open_data_headers(response):
    package = absolute_url(reverse("portal:data_package"))
    response["Link"] = f'<{LICENSE["path"]}>; rel="license", <{package}>; rel="describedby"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


class DataView(TemplateView):
    """The open data page: each dataset with its downloads and its fields."""

    template_name = "portal/data.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            datasets=DATASETS, license=LICENSE, links=list(LINKS_BY_NAME.values()), **kwargs
        )


def _data_file(request, path):
    whole = WHOLE_FILES.get(path)
    if whole is None:
        raise Http404(path)
    return _open_data_headers(whole_file_response(request, whole))


def data_csv_view(request, name):
    """A dataset, or a link table, as CSV: every row."""
    return _data_file(request, f"data/{name}.csv")


def data_json_view(request, name):
    """A dataset as JSON: `{"name", "title", "license", "describedby", "records": [...]}`."""
    return _data_file(request, f"data/{name}.json")


def data_package_view(request):
    """The Data Package descriptor, for `frictionless` and other readers of open data."""
    return _data_file(request, "data/datapackage.json")


data_view = DataView.as_view()
