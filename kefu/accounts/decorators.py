"""The one gate in front of staff pages: who may enter, and what everyone else gets.

Anonymous visitors go to the login page (and back afterwards); an htmx fragment request whose session
ended sends the whole page there instead of swapping the login form into a table. Signed-in people who
are not active staff get 403, or the portal when a page says customers belong there. A page may also ask
for one of several permissions.
"""

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect

from .permissions import load_permissions


def staff_required(
    view: Callable | None = None,
    *,
    any_perm: Iterable[str] = (),
    permissions: bool = True,
    customers_to_portal: bool = False,
) -> Callable:
    """Active staff only: anonymous visitors go to the login page, anyone else gets 403.

    `any_perm`: staff must also hold at least one of these permissions (else 403).
    `permissions=False` for small fragments that check no role (the bell): they skip loading the user's
    permissions, which every page's shell needs.
    `customers_to_portal`: signed-in non-staff are sent to the portal instead of getting 403."""
    wanted = tuple(any_perm)
    if view is None:
        return lambda view: staff_required(
            view, any_perm=wanted, permissions=permissions, customers_to_portal=customers_to_portal
        )

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return _to_login(request)
        if not (user.is_active and user.is_staff):
            if customers_to_portal:
                return HttpResponseRedirect(_portal_home())
            raise PermissionDenied
        if permissions or wanted:
            load_permissions(user)  # one query for the role checks every page makes, instead of two
        if wanted and not any(user.has_perm(perm) for perm in wanted):
            raise PermissionDenied
        response = view(request, *args, **kwargs)
        # Pages and their htmx partials share URLs: caches and the back button must not mix them up.
        patch_vary_headers(response, ["HX-Request"])
        return response

    return wrapper


def _to_login(request: HttpRequest) -> HttpResponse:
    if getattr(request, "htmx", False):
        # A fragment request after the session ended: send the whole page to the login form
        # (and back here afterwards) instead of swapping the login page into a table.
        back = request.htmx.current_url_abs_path or request.get_full_path()
        return HttpResponseClientRedirect(redirect_to_login(back)["Location"])
    return redirect_to_login(request.get_full_path())


def _portal_home() -> str:
    try:
        return reverse("portal:home")
    except NoReverseMatch:
        return "/portal/"
