from django.apps import AppConfig
from django.utils.translation import gettext_noop

# Django labels the empty choice of every optional select with this msgid (BLANK_CHOICE_LABEL) but its own
# catalogs lack a zh_Hans entry; naming it here keeps it in our catalog, which translates it.
gettext_noop("- Select an option -")


class CoreConfig(AppConfig):
    name = "kefu.core"
    label = "core"

    def ready(self) -> None:
        from kefu.config import listeners

        listeners.connect()
