from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    name = "kefu.workspace"
    label = "workspace"
    verbose_name = _("Workspace")

    def ready(self) -> None:
        from .menus import watch_staff

        # The menus' copy of the staff list (kefu.workspace.menus); categories, priorities, tags, custom
        # fields and teams are watched by their own apps.
        watch_staff()
