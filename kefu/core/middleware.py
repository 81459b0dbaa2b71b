"""Turns a `DomainError` escaping a view into a clear page or htmx fragment instead of a 500, and refuses
addresses with a null character (PostgreSQL cannot compare text with one: every view would fail on it)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from .errors import DomainError, InvalidInput

NULL_IN_ADDRESS = _("The address contains a null character, which is not allowed.")


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_null_character(request):
            error = InvalidInput(NULL_IN_ADDRESS)
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": str(error.message)}, status=error.status_code)
            return self.process_exception(request, error)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        template = "core/_error.html" if getattr(request, "htmx", False) else "core/error.html"
        body = render_to_string(template, {"message": exception.message}, request=request)
        response = HttpResponse(body, status=exception.status_code)
        if getattr(request, "htmx", False):
            # Show the message in the page's error slot whatever the request's own target was.
            response["HX-Retarget"] = "#flash"
            response["HX-Reswap"] = "innerHTML"
        return response


def _has_null_character(request: HttpRequest) -> bool:
    """A NUL in the path or in a query parameter's name or value (as the views will read them)."""
    if "\x00" in request.path:
        return True
    query = request.META.get("QUERY_STRING", "")
    if "%00" not in query and "\x00" not in query:
        return False  # the usual case, without parsing the query string
    return any("\x00" in key or "\x00" in "".join(values) for key, values in request.GET.lists())
