"""Create or update the editors' groups, so the admin's roles match `portal.roles.ROLES`.

    python manage.py setup_roles

- Editor: view, add and change articles, initiatives, organisations, sectors and sources;
  delete all of those except sectors; submit articles for review (with review off,
  settings.REVIEW_REQUIRED, also publish, schedule and unpublish them); see history,
  compare and revert versions, recover deleted items. Nothing on users or groups.
- Publisher: everything an Editor may do, plus approve, schedule, send back and unpublish
  articles, delete sectors and view user accounts.

Each group ends up with exactly its role's permissions (extra ones are removed), so running it
again changes nothing; `make setup` runs it after `migrate`. Users are put in groups in the
admin, with "Staff status" ticked.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal.roles import MissingPermissions, sync_roles


class Command(BaseCommand):
    help = (
        "Create or update the groups Editor and Publisher; running it again changes nothing. "
        "Editor: view, add and change articles, initiatives, organisations, sectors and "
        "sources, delete all but sectors, submit articles for review (publish them when "
        "review is off), see history, revert and recover; no access to users or groups. "
        "Publisher: the same, plus publishing, deleting sectors and viewing (not changing) "
        "users."
    )

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                report = sync_roles()
        except MissingPermissions as error:
            raise CommandError(
                f"These permissions are not in the database: {', '.join(error.args[0])}. "
                "Run `manage.py migrate` first; it creates them."
            ) from None

        for name, created, added, removed in report:
            if created:
                self.stdout.write(
                    self.style.SUCCESS(f"Created group {name} with {len(added)} permissions.")
                )
            elif added or removed:
                self.stdout.write(self.style.SUCCESS(f"Updated group {name}:"))
                for permission in added:
                    self.stdout.write(f"  + {permission}")
                for permission in removed:
                    self.stdout.write(f"  - {permission}")
            else:
                self.stdout.write(f"Group {name} is up to date; nothing changed.")
