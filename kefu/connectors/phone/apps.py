from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhoneChannelConfig(AppConfig):
    name = "kefu.connectors.phone"
    label = "phone_channel"
    verbose_name = _("Phone channel")
    default_auto_field = "django.db.models.BigAutoField"
