"""Per-user language and time zone: remembered on the user, defaulting to the browser / Asia/Shanghai."""

import zoneinfo

from django.conf import settings
from django.utils import timezone, translation


class UserLanguageMiddleware:
    """Before LocaleMiddleware: a logged-in user's saved language wins over the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        # The session user is loaded lazily by AuthenticationMiddleware later; read the saved choice
        # from the session, where the language switch and login put it.
        lang = request.session.get("kefu_language") if hasattr(request, "session") else None
        if lang and translation.check_for_language(lang):
            request.COOKIES.setdefault(settings.LANGUAGE_COOKIE_NAME, lang)
            request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = lang
        del user
        return self.get_response(request)


class UserTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tzname = settings.DEFAULT_USER_TIMEZONE
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.timezone:
            tzname = user.timezone
        try:
            timezone.activate(zoneinfo.ZoneInfo(tzname))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIMEZONE))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
