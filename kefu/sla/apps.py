from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "kefu.sla"
    label = "sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        from kefu.core import config_cache

        from .models import BusinessCalendar, CalendarDate, SlaPolicy

        # Policies and calendars are read by every ticket's job from a per-process copy (kefu.core.config_cache).
        config_cache.watch(SlaPolicy, BusinessCalendar, CalendarDate)
