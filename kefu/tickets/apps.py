from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "kefu.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from kefu.core import config_cache

        from .models import Category, CustomField, Macro, Priority, Tag

        # Menus of the agent workspace are per-process copies (kefu.core.config_cache, kefu.workspace.menus).
        config_cache.watch(Category, Priority, Tag, CustomField, Macro)
