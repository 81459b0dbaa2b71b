"""The ticket queue and its bulk actions."""

from django.conf import settings
from django.contrib import messages
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.core.errors import NotFound
from kefu.tickets.access import visible_tickets
from kefu.tickets.models import Status
from kefu.tickets.services import bulk_update

from .. import export as exports
from ..forms import BulkForm, raise_for
from ..menus import load_staff
from ..queue import SORTS, VIEWS, QueueFilterForm, QueueOptions, QueuePage, filtered_tickets, queue_page
from ..rows import queue_rows_html
from .common import staff_required, wants_partial

TEMPLATE = "workspace/queue.html"


def _queue_context(request: HttpRequest, params: QueryDict, options: QueueOptions) -> tuple[dict, int]:
    form = QueueFilterForm(params, options=options)
    if form.is_valid():
        data, page, error, status = form.cleaned_data, None, "", 200
        page = queue_page(request.user, data, options)
    else:
        data, page, error, status = {}, QueuePage(tickets=[], page=1, has_next=False), form.error_text(), 400
    view = data.get("view") or "mine"
    status_code = data.get("status") or ""
    bulk_allowed = request.user.has_perm("tickets.bulk_change_ticket")
    title = dict(VIEWS).get(view, VIEWS[0][1])
    if view == "all" and status_code in Status.values:
        title = Status(status_code).label
    context = {
        "title": title,
        "form": form,
        "options": options,
        "page": page,
        "error": error,
        "current_view": view,
        "current_status": data.get("status") or "",
        "views": VIEWS,
        "statuses": Status.choices,
        "sorts": [(key, label) for key, (label, _order) in SORTS.items()],
        "current_sort": data.get("sort") or "updated",
        "query": params.urlencode(),
        "refresh_url": reverse("workspace:home") + ("?" + params.urlencode() if params else ""),
        "bulk_allowed": bulk_allowed,
        "rows_html": queue_rows_html(page.tickets, bulk_allowed=bulk_allowed),
        "can_work": request.user.has_perm("tickets.change_ticket"),
        "can_export": exports.may_export(request.user),
    }
    return context, status


@require_GET
@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    """`/agent/`: the agent's views of the tickets they may see, filtered, sorted and paged."""
    options = QueueOptions.load(request.user)
    context, status = _queue_context(request, request.GET, options)
    if wants_partial(request):
        if status != 200:
            # Keep the rows on screen and say what is wrong with the filter.
            response = render(request, "core/_error.html", {"message": context["error"]}, status=status)
            response["HX-Retarget"] = "#flash"
            response["HX-Reswap"] = "innerHTML"
            response["HX-Push-Url"] = "false"
            return response
        return render(request, f"{TEMPLATE}#results", context)
    return render(request, TEMPLATE, context, status=status)


@require_GET
@staff_required
def export(request: HttpRequest) -> HttpResponse:
    """`/agent/export.csv?<the queue's filters>`: those tickets as CSV (EXPORT_LIMIT at most), for the roles
    that see every ticket and report on them; each export is audited with its filters."""
    exports.require_export(request.user)  # before the filters: no hint of what they would give
    options = QueueOptions.load(request.user)
    form = QueueFilterForm(request.GET, options=options)
    if not form.is_valid():
        return HttpResponse(form.error_text(), status=400, content_type="text/plain; charset=utf-8")
    tickets, capped = filtered_tickets(request.user, form.cleaned_data, options)
    zone = timezone.get_current_timezone()
    lines = exports.export_tickets(
        user=request.user,
        tickets=tickets,
        capped=capped,
        filters=request.GET.urlencode(),
        language=get_language() or settings.LANGUAGE_CODE,
        zone=zone,
    )
    if isinstance(request, ASGIRequest):  # the embedded server: stream it there too, not read it all first
        lines = exports.in_chunks(lines)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.now().astimezone(zone).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="kefu-tickets-{stamp}.csv"'
    return response


@require_POST
@staff_required
def bulk(request: HttpRequest) -> HttpResponse:
    """Apply one change (assignee, status, tag) to the selected tickets, all or nothing."""
    options = QueueOptions.load(request.user)
    # Fresh objects (the services cache permissions on them), only those who may be handed tickets.
    form = BulkForm(request.POST, staff=load_staff(workers_only=True))
    raise_for(form)
    ids = form.cleaned_data["ticket"]
    tickets = list(visible_tickets(request.user).filter(pk__in=ids).order_by("pk"))
    if len(tickets) != len(set(ids)):
        raise NotFound(_("Some of the selected tickets do not exist or you may not see them."))
    bulk_update(tickets=tickets, actor=request.user, changes=form.changes(request.user))
    notice = ngettext("%(count)d ticket updated.", "%(count)d tickets updated.", len(tickets)) % {
        "count": len(tickets)
    }
    params = QueryDict(form.cleaned_data.get("query") or "")
    if not wants_partial(request):
        messages.success(request, notice)
        return redirect(reverse("workspace:home") + ("?" + params.urlencode() if params else ""))
    request.GET = params  # the re-rendered rows and their links follow the filters on screen
    context, _status = _queue_context(request, params, options)
    body = render_to_string(f"{TEMPLATE}#results", context, request=request)
    flash = render_to_string("core/_flash.html", {"notice": notice, "level": "success"}, request=request)
    return HttpResponse(body + flash)
