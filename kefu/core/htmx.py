"""Small helpers for views that answer both full-page and htmx requests."""

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def template_for(request: HttpRequest, page: str, partial: str) -> str:
    """The whole page for a normal request, the named partial (`page#partial`) for an htmx one."""
    return f"{page}#{partial}" if is_htmx(request) and not request.htmx.boosted else page
