from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "HKAI Portal"

    def ready(self):
        from reversion.signals import post_revision_commit

        from portal import checks  # noqa: F401  (registers the system checks)
        from portal.caching.generation import ensure_triggers_after_migrate
        from portal.changelog.recording import record_revision
        from portal.search.query import ensure_index_after_migrate

        post_migrate.connect(ensure_index_after_migrate, sender=self)
        post_migrate.connect(ensure_triggers_after_migrate, sender=self)
        # The public change log's rows for admin edits (portal.changelog.recording).
        post_revision_commit.connect(record_revision, dispatch_uid="portal_record_revision")
