"""Imports and warm_caches build the facet indexes ahead of the first reader."""

from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.test import TestCase

from portal.finders.facets import forget_indexes
from tests.factories import make_article, make_sector


class ImportWarmsTheIndexesTests(TestCase):
    def test_the_first_reader_after_an_import_finds_the_facet_indexes_built(self):
        files = sorted(str(path) for path in (settings.BASE_DIR / "fixtures").glob("*.json"))
        call_command("import_content", *files, stdout=StringIO())
        forget_indexes()  # Not in this process's memory: from the shared cache.
        with self.assertNumQueries(3):  # The content state, the rows, their sectors.
            self.assertEqual(self.client.get("/articles/").status_code, 200)


class WarmCachesTests(TestCase):
    def test_warm_caches_leaves_the_facet_indexes_built_for_the_first_reader(self):
        make_article().sectors.add(make_sector(slug="health"))
        out = StringIO()
        call_command("warm_caches", stdout=out)
        self.assertIn("Facet indexes are built and cached", out.getvalue())
        forget_indexes()  # Not in this process's memory: from the shared cache.
        with self.assertNumQueries(3):  # The content state, the rows, their sectors.
            self.assertEqual(self.client.get("/articles/").status_code, 200)
