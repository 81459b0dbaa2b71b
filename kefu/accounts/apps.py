from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kefu.accounts"
    label = "accounts"
    verbose_name = _("Staff and teams")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .roles import sync_roles_after_migrate

        # Roles are configuration the code defines; keep the groups in step after every migrate.
        post_migrate.connect(sync_roles_after_migrate, sender=self)

        from kefu.core import config_cache

        from .models import Team

        # Team menus of the agent workspace are per-process copies (kefu.core.config_cache).
        config_cache.watch(Team)
