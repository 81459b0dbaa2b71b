from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kefu.core"
    label = "core"

    def ready(self) -> None:
        from django.db.models import fields

        from kefu.config import listeners

        listeners.connect()
        # Django's own catalogs lack a zh_Hans entry for the empty choice of every select: ours has one.
        fields.BLANK_CHOICE_LABEL = _("- Select an option -")
