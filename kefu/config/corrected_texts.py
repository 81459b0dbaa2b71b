"""Texts of Django and its libraries whose shipped zh_Hans translation is wrong, translated again in
kefu/locale (LOCALE_PATHS wins over every app's catalog). Listed here so makemessages keeps them."""

from django.utils.translation import gettext_noop

CORRECTED = [
    # Django's own: "不允许是用空字符串" (a typo, and it speaks of an empty string, not a NUL character)
    gettext_noop("Null characters are not allowed."),
]
