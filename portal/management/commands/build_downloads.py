"""Build the whole-data downloads (portal.downloads) for the current content, if they are
not built yet, and remove older versions.

`make setup` and `make serve` run it, and `import_content` does the same after writing, so
readers never wait for a download. The web workers also rebuild them in the background after
any change (unless DJANGO_DOWNLOADS_BACKGROUND=0: then run this after changes, e.g. from
cron). Waits while another process is building them; safe to run any time.
"""

import time

from django.core.management.base import BaseCommand

from portal.downloads import store


class Command(BaseCommand):
    help = "Build the whole-data downloads for the current content into DOWNLOADS_DIR."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say whether the downloads for the current content are built, and build nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            state = store.content_state()
            built = store.is_built(state)
            self.stdout.write(
                f"Downloads for the current content are {'built' if built else 'not built'} "
                f"({store.root() / store.version_name(state)})."
            )
            return
        started = time.monotonic()
        target = store.refresh(blocking=True)
        self.stdout.write(
            self.style.SUCCESS(
                f"Downloads are built for the current content in {target} "
                f"({time.monotonic() - started:.1f} s)."
            )
        )
