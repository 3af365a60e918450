"""Build every finder's facet index for the current content and put it in the shared cache.

`make serve` runs this before starting gunicorn, and `import_content` does the same after
writing, so the first reader after a restart or an import doesn't wait while the index of
100,000 articles is built. Safe to run any time: an index already cached is left as it is.
"""

from django.core.management.base import BaseCommand

from portal.finders.query import warm_facet_indexes


class Command(BaseCommand):
    help = "Build the finders' facet indexes for the current content into the shared cache."

    def handle(self, *args, **options):
        warm_facet_indexes()
        self.stdout.write(self.style.SUCCESS("Facet indexes are built and cached."))
