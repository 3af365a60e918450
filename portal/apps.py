from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "HKAI Portal"

    def ready(self):
        from portal.search import ensure_index_after_migrate

        post_migrate.connect(ensure_index_after_migrate, sender=self)
