"""The supervisor dashboard: the center's core KPIs on one page, refreshed every minute."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from kefu.accounts.decorators import staff_required
from kefu.core.clock import now

from .kpis import center_dashboard

# Who sees the whole center: the roles that may see every ticket (supervisors, senior agents,
# QA inspectors, analysts, trainers, admins). An agent's own figures belong on their queue.
DASHBOARD_PERMISSION = "tickets.view_all_tickets"


def _dashboard_context(request: HttpRequest) -> dict:
    if not request.user.has_perm(DASHBOARD_PERMISSION):
        raise PermissionDenied
    data = center_dashboard(now=now(), zone=timezone.get_current_timezone())
    return {"kpi": data, "generated_at": now()}


@require_GET
@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "analytics/dashboard.html", _dashboard_context(request))


@require_GET
@staff_required
def dashboard_panel(request: HttpRequest) -> HttpResponse:
    """The figures alone, for the page's once-a-minute htmx refresh."""
    return render(request, "analytics/dashboard.html#panel", _dashboard_context(request))
