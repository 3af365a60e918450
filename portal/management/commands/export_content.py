"""Write all content as fixture files, one per model, that re-import losslessly.

    python manage.py export_content                # into fixtures/
    python manage.py export_content --output /tmp/snapshot

The engine lives in `portal.content.exporter`.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.content.exporter import export_all


class Command(BaseCommand):
    help = "Export all content as natural-key fixture files (one per model) into a directory."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=str(settings.BASE_DIR / "fixtures"),
            metavar="DIR",
            help="Directory to write into (created if missing). Default: the project's fixtures/.",
        )

    def handle(self, *args, output, **options):
        try:
            written = export_all(output)
        except OSError as error:
            raise CommandError(f"Cannot write to {output}: {error.strerror}.") from None
        for path, count in written:
            self.stdout.write(f"  {path}: {count} record(s)")
        self.stdout.write(self.style.SUCCESS(f"Exported {len(written)} file(s) to {output}."))
