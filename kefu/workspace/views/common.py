"""Helpers shared by the workspace views: who may enter, and answering full pages or htmx partials."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect

from kefu.accounts.permissions import load_permissions


def staff_required(view: Callable | None = None, *, permissions: bool = True) -> Callable:
    """Staff only: anonymous visitors go to the login page, customers get 403.

    `permissions=False` for small fragments that check no role (the bell): they skip loading the
    user's permissions, which every page's shell needs."""
    if view is None:
        return lambda view: staff_required(view, permissions=permissions)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            if getattr(request, "htmx", False):
                # A fragment request after the session ended: send the whole page to the login form
                # (and back here afterwards) instead of swapping the login page into a table.
                back = request.htmx.current_url_abs_path or request.get_full_path()
                return HttpResponseClientRedirect(redirect_to_login(back)["Location"])
            return redirect_to_login(request.get_full_path())
        if not (user.is_active and user.is_staff):
            raise PermissionDenied
        if permissions:
            load_permissions(user)  # one query for the role checks every page makes, instead of two
        response = view(request, *args, **kwargs)
        # Pages and their htmx partials share URLs: caches and the back button must not mix them up.
        patch_vary_headers(response, ["HX-Request"])
        return response

    return wrapper


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
