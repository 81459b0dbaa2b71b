"""The Django admin site is for superusers only.

Staff hold model permissions such as `tickets.view_ticket` for their daily work; the admin would turn those
into a view of every ticket of every team, past Kefu's visibility rules. So only superusers get in; everyone
else manages through /manage/.
"""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


def _superusers_only(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and user.is_superuser)


admin.site.has_permission = _superusers_only
admin.site.site_header = _("Kefu 客服 — system administration")
admin.site.site_title = _("Kefu administration")
admin.site.index_title = _("Data and configuration")
