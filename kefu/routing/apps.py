from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "kefu.routing"
    label = "routing"
    verbose_name = _("Routing")

    def ready(self) -> None:
        from kefu.accounts.models import Team
        from kefu.core import config_cache
        from kefu.tickets.models import Category

        from .models import ClassifierModel, IntakeRule

        # Rules, the current model and the teams and categories its guesses name are read by every new
        # ticket's job from a per-process copy (kefu.core.config_cache).
        config_cache.watch(IntakeRule, ClassifierModel, Team, Category)
