"""Turns a `DomainError` escaping a view into a clear page or htmx fragment instead of a 500."""

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from .errors import DomainError


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
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
