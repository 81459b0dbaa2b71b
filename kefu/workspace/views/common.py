"""Helpers shared by the workspace views: who may enter, and answering full pages or htmx partials."""

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from kefu.accounts.decorators import staff_required

__all__ = ["render_fragments", "staff_required", "wants_partial"]


def wants_partial(request: HttpRequest) -> bool:
    """An htmx request asking for a fragment (not a boosted page load, not a history restore)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_fragments(
    request: HttpRequest, template: str, parts: list[str], context: dict, *, status: int = 200
) -> HttpResponse:
    """The first partial swaps into the request's target; the others swap out of band by their id."""
    html = []
    for index, part in enumerate(parts):
        html.append(render_to_string(f"{template}#{part}", {**context, "oob": index > 0}, request=request))
    return HttpResponse("".join(html), status=status)
