from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmailChannelConfig(AppConfig):
    name = "kefu.connectors.email"
    label = "email_channel"
    verbose_name = _("E-mail channel")
    default_auto_field = "django.db.models.BigAutoField"
