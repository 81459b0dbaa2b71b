"""The one gate of staff pages (`accounts.decorators.staff_required`): login page, 403, portal, permissions."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from kefu.accounts.decorators import staff_required

pytestmark = pytest.mark.django_db


@staff_required
def page(request):
    return HttpResponse("staff page")


@staff_required(any_perm=["tickets.view_all_tickets", "accounts.manage_users"])
def supervisors_page(request):
    return HttpResponse("supervisors page")


@staff_required(customers_to_portal=True)
def profile_page(request):
    return HttpResponse("profile")


def _get(user, *, htmx: bool = False, path: str = "/agent/somewhere/?view=all"):
    headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver/agent/"} if htmx else {}
    request = RequestFactory().get(path, headers=headers)
    request.user = user if user is not None else AnonymousUser()
    request.htmx = HtmxDetails(request)
    return request


def test_an_anonymous_visitor_goes_to_the_login_page_and_back():
    response = page(_get(None))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/agent/somewhere/%3Fview%3Dall"


def test_an_anonymous_htmx_fragment_request_sends_the_whole_page_to_the_login_form():
    response = page(_get(None, htmx=True))

    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/agent/"


def test_a_customer_gets_403_or_the_portal_where_the_page_says_so(customer_user):
    with pytest.raises(PermissionDenied):
        page(_get(customer_user))

    response = profile_page(_get(customer_user))

    assert response.status_code == 302 and response["Location"] == "/portal/"


def test_inactive_staff_get_403(agent):
    agent.is_active = False

    with pytest.raises(PermissionDenied):
        page(_get(agent))


def test_staff_enter_and_the_answer_varies_on_htmx(agent):
    response = page(_get(agent))

    assert response.content == b"staff page"
    assert "HX-Request" in response["Vary"]


def test_a_page_that_names_permissions_needs_one_of_them(agent, supervisor):
    with pytest.raises(PermissionDenied):
        supervisors_page(_get(agent))

    assert supervisors_page(_get(supervisor)).content == b"supervisors page"
