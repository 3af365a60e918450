from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save, pre_save


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "HKAI Portal"

    def ready(self):
        from reversion.signals import post_revision_commit

        from portal import checks  # noqa: F401  (registers the system checks)
        from portal.caching.generation import ensure_triggers_after_migrate
        from portal.changelog.recording import record_correction, record_revision
        from portal.models import Correction
        from portal.records.description import LIST
        from portal.records.permalinks import keep_old_address, note_old_slug
        from portal.records.registry import public_records
        from portal.search.query import ensure_index_after_migrate

        post_migrate.connect(ensure_index_after_migrate, sender=self)
        post_migrate.connect(ensure_triggers_after_migrate, sender=self)
        # The public change log's rows for admin edits (portal.changelog.recording).
        post_revision_commit.connect(record_revision, dispatch_uid="portal_record_revision")
        post_save.connect(record_correction, sender=Correction, dispatch_uid="portal_correction")
        # A record whose slug changes keeps its old address, as a redirect.
        for record in public_records():
            if record.has(LIST):
                uid = f"portal_moved_{record.name}"
                pre_save.connect(note_old_slug, sender=record.model, dispatch_uid=uid)
                post_save.connect(keep_old_address, sender=record.model, dispatch_uid=uid)
