"""Build every finder's facet index for the current content and put it in the shared cache,
and run the common searches (portal.search.warming) so that their matches are remembered.

`make serve` runs this before starting gunicorn, and `import_content` does the same after
writing, so the first reader after a restart or an import doesn't wait while the index of
100,000 articles is built, or a common word's matches are read. Safe to run any time: an
index already cached is left as it is, and a remembered search is only brought up to date.
"""

from django.core.management.base import BaseCommand

from portal.finders.query import warm_facet_indexes
from portal.search.warming import warm_searches


class Command(BaseCommand):
    help = "Build the finders' facet indexes into the shared cache and warm the common searches."

    def handle(self, *args, **options):
        warm_facet_indexes()
        searches = warm_searches()
        self.stdout.write(
            self.style.SUCCESS(f"Facet indexes are built and cached; {searches} searches warmed.")
        )
