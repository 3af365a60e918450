"""Every public record type answers every feature its PublicRecord declares.

One record of each type is made, linked to a sector, an organisation, an initiative and a
source, with a word of its own in its name; then each type is walked through each of its
features as a reader (or a crawler) would reach it.
"""

import reversion
from django.test import TestCase, override_settings
from django.urls import reverse

from portal.downloads import store
from portal.models import Correction
from portal.records.description import (
    BREADCRUMBS,
    CHANGE_LOG,
    CITATIONS,
    CITED_BY,
    CORRECTIONS,
    FEATURES,
    FORMATS,
    LIST,
    NETWORK,
    OPEN_DATA,
    SEARCH,
    SITEMAP,
)
from portal.records.registry import public_records
from tests.factories import (
    make_article,
    make_initiative,
    make_milestone,
    make_organisation,
    make_sector,
    make_source,
)


class EveryFeatureTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.source = make_source(title="Walked source zebrafinch")
        sector = make_sector(name="Sector zebrafinch", sources=[cls.source])
        organisation = make_organisation(
            name="Organisation zebrafinch", sectors=[sector], sources=[cls.source]
        )
        initiative = make_initiative(
            name="Initiative zebrafinch",
            lead_organisation=organisation,
            sectors=[sector],
            sources=[cls.source],
        )
        article = make_article(
            title="Article zebrafinch",
            sectors=[sector],
            initiatives=[initiative],
            sources=[cls.source],
        )
        milestone = make_milestone(
            title="Milestone zebrafinch",
            sectors=[sector],
            initiatives=[initiative],
            sources=[cls.source],
        )
        cls.records = {
            "sector": sector,
            "organisation": organisation,
            "initiative": initiative,
            "article": article,
            "milestone": milestone,
            "source": cls.source,
        }

    def test_every_feature_is_known(self):
        for record in public_records():
            self.assertLessEqual(record.features, set(FEATURES), record)

    def test_every_type_answers_every_feature_it_declares(self):
        checks = {
            LIST: self.check_list,
            SEARCH: self.check_search,
            FORMATS: self.check_formats,
            CHANGE_LOG: self.check_change_log,
            CITATIONS: self.check_citations,
            CITED_BY: self.check_cited_by,
            OPEN_DATA: self.check_open_data,
            SITEMAP: self.check_sitemap,
            BREADCRUMBS: self.check_breadcrumbs,
            NETWORK: self.check_network,
            CORRECTIONS: self.check_corrections,
        }
        self.assertEqual(set(checks), set(FEATURES))
        for record in public_records():
            obj = self.records[record.name]
            for feature in sorted(record.features):
                with self.subTest(record=record.name, feature=feature):
                    checks[feature](record, obj)

    def test_milestones_have_every_feature(self):
        # The newest type, which once lacked search, the change log, citations and cited-by.
        (milestone,) = [record for record in public_records() if record.name == "milestone"]
        self.assertEqual(milestone.features, set(FEATURES) - {NETWORK})

    def test_every_type_with_corrections_has_its_key_on_correction(self):
        for record in public_records(CORRECTIONS):
            with self.subTest(record.name):
                field = Correction._meta.get_field(record.name)
                self.assertIs(field.related_model, record.model)

    def get_ok(self, url, **params):
        response = self.client.get(url, params)
        self.assertEqual(response.status_code, 200, url)
        return response

    def check_list(self, record, obj):
        self.assertContains(self.get_ok(record.list_url()), obj.get_absolute_url())
        self.get_ok(obj.get_absolute_url())

    def check_search(self, record, obj):
        with override_settings(PAGE_CACHE=False):  # The same search for each type: rendered.
            response = self.get_ok(reverse("portal:search"), q="zebrafinch")
        types = response.context["facets"][0].options  # The type facet: a count per type.
        counts = {option.label: option.count for option in types}
        self.assertEqual(counts.get(str(record.section)), 1, counts)
        # A source has no page of its own: its result links to its entry in the list.
        url = obj.entry_url() if record.name == "source" else obj.get_absolute_url()
        self.assertContains(response, url)

    def check_formats(self, record, obj):
        for suffix in ("csv", "json", "feed"):
            response = self.get_ok(reverse(f"portal:{record.name}_{suffix}"))
            body = b"".join(response) if response.streaming else response.content
            self.assertIn(obj.slug.encode(), body, suffix)
        # The whole list's CSV, also once built.
        store.build()
        response = self.get_ok(reverse(f"portal:{record.name}_csv"))
        self.assertIn("Content-Length", response)
        self.assertIn(obj.slug.encode(), b"".join(response.streaming_content))
        store.remove_all()

    def check_change_log(self, record, obj):
        with reversion.create_revision():
            obj.save()
        response = self.get_ok(reverse("portal:changes"), type=record.name)
        self.assertContains(response, obj.get_absolute_url())
        feed = self.get_ok(reverse(f"portal:{record.name}_changes_feed", args=[obj.slug]))
        self.assertContains(feed, obj.get_absolute_url())

    def check_citations(self, record, obj):
        self.assertContains(self.get_ok(obj.get_absolute_url()), "About this page")
        for citation_format in ("bib", "ris", "json"):
            url = reverse(f"portal:{record.name}_cite", args=[obj.slug, citation_format])
            self.assertContains(self.get_ok(url), obj.slug)
        # Once saved with a version, the citation names that version's permanent address.
        with reversion.create_revision():
            obj.save()
        page = self.get_ok(obj.get_absolute_url())
        version_url = page.context["version_url"]
        self.assertContains(page, f'href="{version_url}"')
        self.assertContains(self.get_ok(version_url), obj.get_absolute_url())

    def check_corrections(self, record, obj):
        Correction.objects.create(**{record.name: obj}, text_en=f"Corrected {record.name} text.")
        page = self.get_ok(obj.get_absolute_url())
        self.assertContains(page, f"Corrected {record.name} text.")
        self.assertContains(page, '"@type": "CorrectionComment"')
        listed = self.get_ok(reverse("portal:corrections"))
        self.assertContains(listed, f'href="{obj.get_absolute_url()}"')
        changes = self.get_ok(reverse("portal:changes"), type=record.name)
        self.assertContains(changes, f"Corrected {record.name} text.")

    def check_cited_by(self, record, obj):
        response = self.get_ok(reverse("portal:source_list"))
        self.assertContains(response, f'href="{obj.get_absolute_url()}"')

    def check_open_data(self, record, obj):
        key = getattr(obj, record.key)
        for way in ("streamed", "built"):
            if way == "built":
                store.build()
            for suffix in ("csv", "json"):
                url = reverse(f"portal:data_{suffix}", args=[record.collection])
                response = self.get_ok(url)
                self.assertIn(key.encode(), b"".join(response.streaming_content), url)
                self.assertEqual("Content-Length" in response, way == "built", url)
        store.remove_all()

    def check_sitemap(self, record, obj):
        response = self.get_ok(reverse("sitemap_section", args=[record.collection]))
        self.assertContains(response, obj.get_absolute_url())

    def check_breadcrumbs(self, record, obj):
        response = self.get_ok(obj.get_absolute_url())
        self.assertContains(response, f'href="{record.list_url()}"')
        self.assertContains(response, '"@type": "BreadcrumbList"')

    def check_network(self, record, obj):
        self.assertContains(self.get_ok(reverse("portal:network")), obj.get_absolute_url())
