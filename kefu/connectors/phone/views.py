"""The phone channel's pages: phone lines under /manage/phone/ (who manages configuration), and the
webhook a PBX/CTI system posts call events to (no session: a signature with the line's secret)."""

import json

from django.contrib import messages
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kefu.accounts.decorators import staff_required
from kefu.core import clock
from kefu.core.errors import DomainError

from . import services
from .forms import PhoneLineForm
from .models import PhoneLine
from .parse import SIGNATURE_HEADER, TIMESTAMP_HEADER, BadEvent, parse_event, signature_problem

manage_required = staff_required(any_perm=[services.MANAGE_PERMISSION])
_SHOWN_SECRET = "phone_line_secret_%s"  # session key: a new secret, shown once on the next page


def _webhook_url(request: HttpRequest, line: PhoneLine) -> str:
    return request.build_absolute_uri(reverse("phone_hooks:events", args=[line.key]))


def _curl_example(url: str) -> str:
    body = json.dumps(
        {
            "call_id": "c-10001",
            "event": "answered",
            "direction": "inbound",
            "from": "13812345678",
            "to": "4008001234",
            "extension": "801",
            "started_at": "2026-12-01T09:30:00+08:00",
        },
        separators=(",", ":"),
    )
    return (
        f"SECRET='…'; BODY='{body}'; TS=$(date +%s)\n"
        f'SIG=$(printf \'%s.%s\' "$TS" "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -r | cut -d\' \' -f1)\n'
        f"curl -X POST '{url}' \\\n"
        f"  -H 'Content-Type: application/json' \\\n"
        f'  -H "{TIMESTAMP_HEADER}: $TS" \\\n'
        f'  -H "{SIGNATURE_HEADER}: sha256=$SIG" \\\n'
        f'  --data-raw "$BODY"'
    )


@manage_required
def lines(request: HttpRequest) -> HttpResponse:
    """Every phone line with its webhook URL; one query whatever their number."""
    rows = [
        (line, _webhook_url(request, line))
        for line in PhoneLine.objects.select_related("team").order_by("name")
    ]
    return render(request, "phone_channel/lines.html", {"rows": rows, "nav": "phone"})


@manage_required
def line_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    line = get_object_or_404(PhoneLine.objects.select_related("team"), pk=pk) if pk is not None else None
    if request.method == "POST":
        form = PhoneLineForm(request.POST)
        if form.is_valid():
            try:
                saved = services.save_line(
                    actor=request.user,
                    values=form.service_values(),
                    extensions=form.cleaned_data["extensions"],
                    line=line,
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                if line is None:
                    request.session[_SHOWN_SECRET % saved.pk] = saved.secret
                messages.success(request, _("Phone line %(name)s was saved.") % {"name": saved.name})
                return HttpResponseRedirect(reverse("phone_channel:line_edit", args=[saved.pk]))
        return _form_page(request, form, line, status=400)
    form = PhoneLineForm(initial=PhoneLineForm.initial_for(line) if line else None)
    return _form_page(request, form, line)


def _form_page(
    request: HttpRequest, form: PhoneLineForm, line: PhoneLine | None, status: int = 200
) -> HttpResponse:
    context = {"form": form, "line": line, "nav": "phone"}
    if line is not None:
        url = _webhook_url(request, line)
        context |= {
            "webhook_url": url,
            "curl": _curl_example(url),
            "new_secret": request.session.pop(_SHOWN_SECRET % line.pk, ""),
            "signature_header": SIGNATURE_HEADER,
            "timestamp_header": TIMESTAMP_HEADER,
        }
    return render(request, "phone_channel/line_form.html", context, status=status)


@manage_required
@require_POST
def line_secret(request: HttpRequest, pk: int) -> HttpResponse:
    """A new webhook secret, shown once on the page this redirects to; the old one stops working."""
    line = get_object_or_404(PhoneLine, pk=pk)
    request.session[_SHOWN_SECRET % line.pk] = services.regenerate_secret(actor=request.user, line=line)
    messages.success(
        request, _("A new secret was made. Give it to the PBX now: the old one no longer works.")
    )
    return HttpResponseRedirect(reverse("phone_channel:line_edit", args=[line.pk]))


@manage_required
@require_POST
def line_delete(request: HttpRequest, pk: int) -> HttpResponse:
    line = get_object_or_404(PhoneLine, pk=pk)
    services.delete_line(actor=request.user, line=line)
    messages.success(request, _("Phone line %(name)s was deleted.") % {"name": line.name})
    return HttpResponseRedirect(reverse("phone_channel:lines"))


def _error(status: int, message: str, field: str = "") -> JsonResponse:
    body = {"error": message}
    if field:
        body["field"] = field
    return JsonResponse(body, status=status)


@csrf_exempt
def events(request: HttpRequest, key: str) -> HttpResponse:
    """POST one call event (JSON). 200 with the ticket; 403 unsigned or stale; 400 a body we cannot use."""
    if request.method != "POST":
        return _error(405, _("Only POST is allowed."))
    line = PhoneLine.objects.filter(key=key, active=True).first()
    if line is None:
        return _error(404, _("No active phone line has this URL."))
    try:
        body = request.body
    except RequestDataTooBig:
        return _error(400, _("The body is too large."))
    problem = signature_problem(
        secret=line.secret,
        timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
        signature=request.headers.get(SIGNATURE_HEADER, ""),
        body=body,
        now=clock.now(),
    )
    if problem:
        return _error(403, problem)
    try:
        event = parse_event(body)
        result = services.handle_call_event(line=line, event=event)
    except BadEvent as exc:
        return _error(400, exc.message, exc.field)
    except DomainError as exc:
        return _error(400, str(exc.message), exc.field or "")
    return JsonResponse(
        {"ok": True, "ticket": result.ticket.pk if result.ticket else None, "duplicate": result.duplicate}
    )
