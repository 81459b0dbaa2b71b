"""Pages of the e-mail channel: mailbox management and quarantine under /manage/email/ (administrators only),
and "show original" of an incoming mail for anyone who can see its ticket. Views parse; services write."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.core.errors import DomainError
from kefu.tickets.access import can_view_ticket
from kefu.tickets.models import Message

from . import services
from .fetch import MailboxError, check_connection
from .forms import MailboxForm
from .models import Mailbox, ProcessedMail, QuarantinedMail
from .original import headers_of, raw_text

PAGE_SIZE = 50


def admin_only(view):
    """Administrators (or superusers) only; others get 403, anonymous visitors the login page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not services.can_manage_mailboxes(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@admin_only
def mailboxes(request: HttpRequest) -> HttpResponse:
    """Every mailbox with its state; one query whatever the number of mailboxes."""
    rows = Mailbox.objects.select_related("team").order_by("name")
    waiting = QuarantinedMail.objects.filter(resolved=False).count()
    return render(
        request, "email_channel/mailboxes.html", {"mailboxes": rows, "waiting": waiting, "nav": "email"}
    )


@admin_only
def mailbox_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    mailbox = get_object_or_404(Mailbox, pk=pk) if pk is not None else None
    form = MailboxForm(request.POST or None, instance=mailbox)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_mailbox(
                actor=request.user, values=form.service_values(), secrets=form.secrets(), mailbox=mailbox
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Mailbox %(name)s was saved.") % {"name": saved.name})
            return HttpResponseRedirect(reverse("email_channel:mailbox_edit", args=[saved.pk]))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "email_channel/mailbox_form.html",
        {"form": form, "mailbox": mailbox, "nav": "email"},
        status=status,
    )


@admin_only
@require_POST
def mailbox_test(request: HttpRequest, pk: int) -> HttpResponse:
    """Connect, log in and open the folder now; the result (or the clear reason it failed) is flashed."""
    mailbox = get_object_or_404(Mailbox, pk=pk)
    try:
        result = check_connection(mailbox)
    except MailboxError as exc:
        failed = _("Connection test failed: %(error)s") % {"error": exc.message}
        if exc.detail:  # the system's own words, for whoever needs to dig further
            failed = format_html('{}<br><small class="muted">{}</small>', failed, exc.detail)
        messages.error(request, failed)
    else:
        messages.success(request, result)
    return HttpResponseRedirect(reverse("email_channel:mailbox_edit", args=[mailbox.pk]))


@admin_only
@require_POST
def mailbox_delete(request: HttpRequest, pk: int) -> HttpResponse:
    mailbox = get_object_or_404(Mailbox, pk=pk)
    services.delete_mailbox(actor=request.user, mailbox=mailbox)
    messages.success(request, _("Mailbox %(name)s was deleted.") % {"name": mailbox.name})
    return HttpResponseRedirect(reverse("email_channel:mailboxes"))


@admin_only
def quarantine(request: HttpRequest) -> HttpResponse:
    """Mail Kefu could not read, newest first; resolved ones only on request. The raw bytes are not loaded."""
    show = request.GET.get("show", "open")
    qs = QuarantinedMail.objects.select_related("mailbox").defer("raw")
    if show != "all":
        qs = qs.filter(resolved=False)
    page = Paginator(qs.order_by("-received_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "email_channel/quarantine.html",
        {"page": page, "show": show, "query": f"show={show}", "nav": "email_quarantine"},
    )


@admin_only
def quarantine_raw(request: HttpRequest, pk: int) -> HttpResponse:
    """The kept source as a download (never rendered by the browser)."""
    held = get_object_or_404(QuarantinedMail, pk=pk)
    response = HttpResponse(bytes(held.raw), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="quarantine-{held.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@admin_only
@require_POST
def quarantine_reprocess(request: HttpRequest, pk: int) -> HttpResponse:
    held = get_object_or_404(QuarantinedMail, pk=pk)
    try:
        result = services.reprocess_quarantined(actor=request.user, quarantined=held)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("Mail #%(id)s was stored on ticket #%(ticket)s.") % {"id": held.pk, "ticket": result.ticket.pk},
        )
    return HttpResponseRedirect(reverse("email_channel:quarantine"))


@login_required
def original(request: HttpRequest, pk: int) -> HttpResponse:
    """Headers and raw source of one incoming mail, as escaped text; for whoever may see its ticket."""
    message = get_object_or_404(Message.objects.select_related("ticket"), pk=pk)
    if not (request.user.is_staff and can_view_ticket(request.user, message.ticket)):
        raise Http404
    processed = ProcessedMail.objects.filter(message=message).only("raw", "mail_id").first()
    if processed is None:
        raise Http404
    raw = bytes(processed.raw)
    if request.GET.get("download"):
        response = HttpResponse(raw, content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="message-{message.pk}.eml"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
    return render(
        request,
        "email_channel/original.html",
        {
            "message": message,
            "ticket": message.ticket,
            "headers": headers_of(raw),
            "source": raw_text(raw),
            "kept": bool(raw),
            "mail_id": processed.mail_id,
        },
    )
