"""Per-user language and time zone: remembered on the user, defaulting to the browser / Asia/Shanghai."""

import zoneinfo

from django.conf import settings
from django.utils import timezone, translation


class UserLanguageMiddleware:
    """After AuthenticationMiddleware and LocaleMiddleware: a logged-in user's saved language wins.

    LocaleMiddleware has already picked a language from the language cookie or Accept-Language; a person
    who chose a language (the switch, their profile) gets that one on every device instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            try:
                language = translation.get_supported_language_variant(user.language)
            except LookupError:
                language = None
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class UserTimezoneMiddleware:
    """Shows times in the user's zone (DEFAULT_USER_TIMEZONE when they have not chosen one)."""

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
