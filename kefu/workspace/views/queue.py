"""The ticket queue and its bulk actions."""

from functools import lru_cache

from django.conf import settings
from django.contrib import messages
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
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
        "nav": _navigation(reverse("workspace:home"), view, data.get("status") or "", get_language()),
        "filter_menus": _filter_menus(form, options, view, valid=status == 200),
        "can_work": request.user.has_perm("tickets.change_ticket"),
        "can_export": exports.may_export(request.user),
    }
    return context, status


@lru_cache(maxsize=64)
def _navigation(queue_url: str, view: str, status: str, _language: str | None) -> dict[str, SafeString]:
    """The side bar's links to the views and statuses and the bulk bar's status options, as the template's
    loops printed them: the same for everyone who reads a language, so written once per view and status
    (their loops' lookups, lazy labels and escapes were ~0.3 ms of every queue page, issue 7)."""
    url = conditional_escape(queue_url)
    views = "".join(
        f'<a href="{url}?view={conditional_escape(code)}"'
        f"{_CURRENT if view == code and not status else ''}>{conditional_escape(label)}</a>"
        for code, label in VIEWS
    )
    statuses = "".join(
        f'<a href="{url}?view=all&amp;status={conditional_escape(code)}"'
        f"{_CURRENT if view == 'all' and status == code else ''}>{conditional_escape(label)}</a>"
        for code, label in Status.choices
    )
    options = "".join(
        f'<option value="{conditional_escape(code)}">{conditional_escape(label)}</option>'
        for code, label in Status.choices
    )
    return {"views": mark_safe(views), "statuses": mark_safe(statuses), "status_options": mark_safe(options)}


_CURRENT = ' aria-current="page"'
FILTER_MENUS = ("status", "category", "priority", "channel", "team", "assignee", "sort")
_filter_menus_cache: dict[tuple, dict[str, str]] = {}
_filter_menus_source: list = [None]  # the menus copy the cached entries were rendered from
_FILTER_MENUS_KEPT = 128  # entries; the staff menu can be tens of kilobytes


def _filter_menus(form: QueueFilterForm, options: QueueOptions, view: str, *, valid: bool) -> dict[str, str]:
    """The filter bar's <select> menus, rendered by their widgets; for a valid filter, kept per language,
    menus copy, view and chosen values (they show nothing else): rendering them cost ~0.4 ms a page."""
    values = tuple(form[name].value() for name in FILTER_MENUS)
    if not valid or options.source is None:
        return {name: str(form[name]) for name in FILTER_MENUS}
    if _filter_menus_source[0] is not options.source or len(_filter_menus_cache) >= _FILTER_MENUS_KEPT:
        _filter_menus_cache.clear()
        _filter_menus_source[0] = options.source
    key = (get_language(), view, values)
    menus_html = _filter_menus_cache.get(key)
    if menus_html is None:
        menus_html = _filter_menus_cache[key] = {name: str(form[name]) for name in FILTER_MENUS}
    return menus_html


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
