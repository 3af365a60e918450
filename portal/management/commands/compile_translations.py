"""Compile the translation catalogues (locale/*/LC_MESSAGES/*.po) into the .mo files Django reads.

    python manage.py compile_translations

Django's own `compilemessages` needs GNU gettext's msgfmt, which a fresh machine may lack;
this does the same with polib, so setting up needs nothing beyond Python. Compiled files are
not committed (.gitignore): setup and the test command run this.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile every .po catalogue under LOCALE_PATHS into its .mo file (no gettext needed)."

    def handle(self, *args, verbosity, **options):
        catalogues = sorted(
            po
            for directory in settings.LOCALE_PATHS
            for po in Path(directory).glob("*/LC_MESSAGES/*.po")
        )
        if not catalogues:
            raise CommandError(
                f"No .po files found under {', '.join(map(str, settings.LOCALE_PATHS))}."
            )
        for po_path in catalogues:
            try:
                catalogue = polib.pofile(str(po_path))
            except (OSError, ValueError) as error:
                raise CommandError(f"{po_path}: cannot be read ({error}).") from None
            catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
            if verbosity < 1:
                continue
            self.stdout.write(
                f"  {po_path}: {len(catalogue.translated_entries())} translated, "
                f"{len(catalogue.untranslated_entries())} untranslated, "
                f"{len(catalogue.fuzzy_entries())} fuzzy"
            )
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(f"Compiled {len(catalogues)} catalogue(s)."))
