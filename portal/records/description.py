"""`PublicRecord`: one record type described once, on its model, for every feature to read.

A model declares it as an attribute, the way a `Sitemap` or a `ModelAdmin` describes a model
once:

    class Milestone(models.Model):
        public = PublicRecord("milestone", section=_("Timeline"), prefix="timeline", ...)

and the description learns its model from Django's `contribute_to_class`. `features` names
what the site offers for the type; `tests/records/test_every_feature.py` walks every type
through every feature it declares.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

# The features a record type may have. Each is read by one part of the portal.
LIST = "list"  # a public list page, and a detail page per record
SEARCH = "search"  # found by the site search (needs SEARCH_FIELDS on the model)
FORMATS = "formats"  # the list as .csv, .json and .atom
CHANGE_LOG = "change log"  # in /changes/, with <page>changes.atom
CITATIONS = "citations"  # "About this page", <page>cite.bib, .ris and .json
CITED_BY = "cited by"  # shown under each source it cites on /sources/
OPEN_DATA = "open data"  # /data/<name>.csv and .json, in datapackage.json
SITEMAP = "sitemap"  # its detail pages in /sitemap.xml
BREADCRUMBS = "breadcrumbs"  # Home › section › record on its page and in its JSON-LD
NETWORK = "network"  # drawn in "who works with whom"
# Corrections stated on its page, in its JSON-LD, in the change log and on /corrections/
# (needs a foreign key named after the type on portal.models.Correction).
CORRECTIONS = "corrections"

FEATURES = (
    LIST,
    SEARCH,
    FORMATS,
    CHANGE_LOG,
    CITATIONS,
    CITED_BY,
    OPEN_DATA,
    SITEMAP,
    BREADCRUMBS,
    NETWORK,
    CORRECTIONS,
)


def translated_columns(name):
    """A translated field's columns, English first: ("name_en", "name_zh_hant")."""
    return tuple(f"{name}_{code.replace('-', '_')}" for code, _name in settings.LANGUAGES)


class PublicRecord:
    """What readers see of one model, and which features the site offers for it.

    - `name`: the type's name in URL names (`portal:<name>_list`, `portal:<name>_detail`) and
      in the change log (`/changes/?type=<name>`);
    - `section`: the section's name as the header's navigation says it ("Timeline");
    - `prefix`: the list's path, under which each record's page lies ("timeline");
    - `position`: where the section comes in the navigation and in search results;
    - `name_field`: the (translated) field that names one record, "title" or "name";
    - `key`: the natural key that fixtures, open data and links name a record by;
    - `fixture`: the file `export_content` writes, numbered so that each model comes after
      those it refers to;
    - `cites`: the translated Markdown fields whose footnotes must name the record's sources;
    - `data_description`: what /data/ and datapackage.json say of its dataset, if anything;
    - `columns`: what its list's .csv and .json show of a record (`records.columns.Columns`),
      for types with FORMATS; a type that also takes CORRECTIONS gets a last column of its
      corrections (`records.columns.Corrections`);
    - `features`: a subset of FEATURES.

    The rows readers may see are `model.objects.visible()` (for articles, `published()`).
    """

    def __init__(
        self,
        name,
        *,
        section,
        prefix,
        position,
        name_field,
        fixture,
        features,
        key="slug",
        cites=(),
        data_description="",
        columns=None,
    ):
        unknown = set(features) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown features {sorted(unknown)}; expected some of {FEATURES}")
        self.name = name
        self.section = section
        self.prefix = prefix
        self.position = position
        self.name_field = name_field
        self.fixture = fixture
        self.features = frozenset(features)
        self.key = key
        self.cites = cites
        self.data_description = data_description
        self.columns = columns
        self.model = None

    def contribute_to_class(self, model, attribute):
        self.model = model
        if self.columns is not None and self.has(FORMATS) and self.has(CORRECTIONS):
            # Imported here: portal.records.columns reads this module's translated_columns.
            from portal.records.columns import Corrections

            self.columns = self.columns.with_column(Corrections(_("Corrections")))
        setattr(model, attribute, self)

    def __repr__(self):
        return f"<PublicRecord {self.name}>"

    def has(self, feature):
        return feature in self.features

    def visible(self):
        """The rows readers may see, as a fresh queryset (`published()` reads the clock)."""
        return self.model._default_manager.visible()

    @property
    def collection(self):
        """The English plural as a slug, naming the type's sitemap section and dataset:
        "articles", "milestones"."""
        with translation.override("en"):
            return str(self.model._meta.verbose_name_plural).lower().replace(" ", "-")

    @property
    def plural(self):
        """The type's name in the plural, for readers: "Milestones"."""
        return capfirst(self.model._meta.verbose_name_plural)

    @property
    def narrowed(self):
        """Whether readers see fewer rows than the table holds (articles: drafts)."""
        return self.visible().query.has_filters()

    @property
    def export_filename(self):
        """The name of the list's CSV download: "hkai-timeline.csv"."""
        return f"hkai-{self.prefix}.csv"

    @property
    def list_url_name(self):
        return f"portal:{self.name}_list"

    @property
    def detail_url_name(self):
        return f"portal:{self.name}_detail"

    def list_url(self):
        return reverse(self.list_url_name)

    @property
    def name_columns(self):
        """The columns of the name field, English first: ("title_en", "title_zh_hant")."""
        return translated_columns(self.name_field)

    @property
    def cited_columns(self):
        """The columns whose footnotes must name the record's sources; () if none."""
        return tuple(column for name in self.cites for column in translated_columns(name))

    @property
    def search_fields(self):
        """The searched columns, most important first (their order sets the ranking weights)."""
        return tuple(getattr(self.model, "SEARCH_FIELDS", ()))

    @property
    def ordering(self):
        """The record type's own order (its model's Meta.ordering)."""
        return tuple(self.model._meta.ordering)
