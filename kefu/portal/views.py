"""Pages of the customer portal. Each view parses input, calls one service and renders; nothing else."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kefu.accounts.language import set_language_cookie
from kefu.core.errors import DomainError, InvalidInput
from kefu.customers.models import Customer
from kefu.surveys.services import open_survey_of
from kefu.tickets.models import Attachment, CustomField, Message, MessageKind, Ticket

from . import rules, services
from .forms import LoginLinkForm, ReplyForm, SignupForm, TicketForm

PAGE_SIZE = 20
MAX_PK = 2**63 - 1
# A request bigger than every allowed attachment together is refused before Django parses it.
MAX_REQUEST_BYTES = settings.ATTACHMENT_MAX_BYTES * services.MAX_ATTACHMENTS + 2 * 1024 * 1024


def _url(name: str, fallback: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return fallback


def _agent_home() -> str:
    return _url("workspace:home", "/agent/")


def customer_required(view: Callable) -> Callable:
    """Anonymous visitors go to the portal login, staff to the agent workspace; the view gets the customer."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        if user.is_staff:
            return redirect(_agent_home())
        customer = Customer.objects.filter(user=user).first()
        if customer is None:
            return render(request, "portal/no_profile.html", status=403)
        try:
            return view(request, customer, *args, **kwargs)
        except Http404:
            # Someone else's ticket or file, or a number that does not exist: the same page, in the portal.
            return render(request, "portal/not_found.html", status=404)

    return wrapper


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _too_large(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_REQUEST_BYTES
    except ValueError:
        return False


def _form_error(form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


def _own_ticket(customer: Customer, pk: int) -> Ticket:
    if pk > MAX_PK:
        raise Http404()
    ticket = Ticket.objects.select_related("category").filter(pk=pk, customer=customer).first()
    if ticket is None:
        raise Http404()
    return ticket


# --- signing in --------------------------------------------------------------------------------------


def login_page(request: HttpRequest) -> HttpResponse:
    """Both ways in: password (posted to the shared login) and a link by e-mail."""
    if request.user.is_authenticated:
        return redirect(_agent_home() if request.user.is_staff else reverse("portal:home"))
    return render(request, "portal/login.html", _login_context(request, LoginLinkForm()))


def _login_context(request: HttpRequest, link_form: LoginLinkForm) -> dict:
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    return {
        "link_form": link_form,
        "password_login_url": _url("accounts:login", "/accounts/login/"),
        "next": next_url or reverse("portal:home"),
    }


@require_POST
def request_login_link(request: HttpRequest) -> HttpResponse:
    form = LoginLinkForm(request.POST)
    if form.is_valid():
        try:
            services.request_login_link(email=form.cleaned_data["email"], client_ip=_client_ip(request))
        except services.Throttled as exc:
            form.add_error(None, str(exc.message))
            return render(request, "portal/login.html", _login_context(request, form), status=429)
        except InvalidInput as exc:
            _form_error(form, exc)
        else:
            return render(request, "portal/link_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "portal/login.html", _login_context(request, form), status=400)


@require_http_methods(["GET", "POST"])
def login_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (mail scanners that open links must not use them up); POST signs in."""
    try:
        if request.method == "GET":
            user = services.check_login_token(token=token)
            return render(request, "portal/link_confirm.html", {"link_user": user})
        user = services.redeem_login_token(token=token)
    except services.LinkInvalid:
        return render(request, "portal/link_invalid.html", status=400)
    backends = settings.AUTHENTICATION_BACKENDS
    backend = "django.contrib.auth.backends.ModelBackend"
    login(request, user, backend=backend if backend in backends else backends[0])
    messages.success(request, _("You are signed in."))
    return redirect("portal:home")


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_agent_home() if request.user.is_staff else reverse("portal:home"))
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.sign_up(
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password"],
                    language=request.LANGUAGE_CODE,
                    client_ip=_client_ip(request),
                )
            except services.Throttled as exc:
                form.add_error(None, str(exc.message))
                status = 429
            except InvalidInput as exc:
                _form_error(form, exc)
            else:
                return render(request, "portal/signup_done.html", {"email": form.cleaned_data["email"]})
    return render(request, "portal/signup.html", {"form": form}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:login")


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Pick the page language; a signed-in customer's choice is also kept for the mails we send them."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = reverse("portal:home")
    response = HttpResponseRedirect(next_url)
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated and not request.user.is_staff:
        services.set_language(user=request.user, language=language)
    set_language_cookie(response, language)
    return response


# --- tickets -----------------------------------------------------------------------------------------


@customer_required
def ticket_list(request: HttpRequest, customer: Customer) -> HttpResponse:
    """The customer's own tickets, most recently updated first."""
    tickets = (
        Ticket.objects.filter(customer=customer).select_related("category").order_by("-updated_at", "-id")
    )
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(t, *rules.customer_status(t.status)) for t in page]
    return render(request, "portal/ticket_list.html", {"customer": customer, "page": page, "rows": rows})


def _visible_custom_fields() -> list[CustomField]:
    return list(CustomField.objects.filter(is_active=True, customer_visible=True))


@customer_required
@require_http_methods(["GET", "POST"])
def ticket_new(request: HttpRequest, customer: Customer) -> HttpResponse:
    fields = _visible_custom_fields()
    if request.method == "GET":
        form = TicketForm(initial={"form_token": services.new_form_token()}, custom_fields=fields)
        return render(request, "portal/ticket_new.html", {"form": form})
    if _too_large(request):
        form = TicketForm(initial={"form_token": services.new_form_token()}, custom_fields=fields)
        return render(
            request,
            "portal/ticket_new.html",
            {"form": form, "upload_error": _too_large_message()},
            status=413,
        )
    form = TicketForm(request.POST, request.FILES, custom_fields=fields)
    if form.is_valid():
        data = form.cleaned_data
        try:
            submission = services.submit_ticket(
                customer=customer,
                subject=data["subject"],
                text=data["text"],
                form_token=data["form_token"],
                category=data["category"],
                custom_fields=form.custom_field_values(),
                attachments=data["attachments"],
            )
        except InvalidInput as exc:
            _form_error(form, exc)
        else:
            if submission.duplicate:
                messages.info(request, _("This form was already sent; here is the ticket it created."))
            else:
                messages.success(
                    request,
                    _("Thank you. Your ticket #%(number)s was received.") % {"number": submission.ticket.pk},
                )
            return redirect("portal:ticket", pk=submission.ticket.pk)
    return render(request, "portal/ticket_new.html", {"form": form}, status=400)


def _too_large_message() -> str:
    from django.template.defaultfilters import filesizeformat

    return _("The upload is too large. Each file may be at most %(size)s.") % {
        "size": filesizeformat(settings.ATTACHMENT_MAX_BYTES)
    }


def _timeline(ticket: Ticket) -> list[Message]:
    """Only what the customer may read: their messages, public replies, and the solved/closed events."""
    closing = Q(kind=MessageKind.EVENT, event_type="status_changed", event_data__new__in=["solved", "closed"])
    timeline = list(
        Message.objects.filter(ticket=ticket)
        .filter(Q(kind__in=[MessageKind.CUSTOMER, MessageKind.REPLY]) | closing)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    for message in timeline:
        if message.kind == MessageKind.EVENT:
            message.portal_text = rules.status_event_text(
                message.event_data.get("new", ""), bool(message.event_data.get("by_customer"))
            )
    return timeline


def _render_detail(request, customer, ticket, reply_form, status=200, upload_error="") -> HttpResponse:
    label, tone = rules.customer_status(ticket.status)
    return render(
        request,
        "portal/ticket_detail.html",
        {
            "customer": customer,
            "ticket": ticket,
            "timeline": _timeline(ticket),
            "status_label": label,
            "status_tone": tone,
            "can_close": rules.can_close(ticket.status),
            "form": reply_form,
            "custom_fields": _custom_field_rows(ticket),
            "upload_error": upload_error,
            "survey": open_survey_of(ticket),  # "rate this service" while a solved ticket's survey is open
        },
        status=status,
    )


def _custom_field_rows(ticket: Ticket) -> list[tuple[str, object]]:
    """Only the custom fields customers fill and see, with the values stored on the ticket."""
    if not ticket.custom_fields:
        return []
    rows = []
    for spec in _visible_custom_fields():
        value = ticket.custom_fields.get(spec.key)
        if value not in (None, ""):
            rows.append((spec.label, value))
    return rows


@customer_required
def ticket_detail(request: HttpRequest, customer: Customer, pk: int) -> HttpResponse:
    ticket = _own_ticket(customer, pk)
    return _render_detail(
        request, customer, ticket, ReplyForm(initial={"form_token": services.new_form_token()})
    )


@customer_required
@require_POST
def ticket_reply(request: HttpRequest, customer: Customer, pk: int) -> HttpResponse:
    ticket = _own_ticket(customer, pk)
    if _too_large(request):
        form = ReplyForm(initial={"form_token": services.new_form_token()})
        return _render_detail(request, customer, ticket, form, status=413, upload_error=_too_large_message())
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            message = services.reply_to_ticket(
                ticket=ticket,
                customer=customer,
                user=request.user,
                text=form.cleaned_data["text"],
                form_token=form.cleaned_data["form_token"],
                attachments=form.cleaned_data["attachments"],
            )
        except InvalidInput as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Your reply was sent."))
            return redirect(f"{reverse('portal:ticket', args=[ticket.pk])}#message-{message.pk}")
    return _render_detail(request, customer, ticket, form, status=400)


@customer_required
@require_POST
def ticket_close(request: HttpRequest, customer: Customer, pk: int) -> HttpResponse:
    ticket = _own_ticket(customer, pk)
    if rules.can_close(ticket.status):
        services.close_ticket(ticket=ticket, customer=customer)
        messages.success(request, _("Thank you. The ticket is marked as solved; write again to reopen it."))
    return redirect("portal:ticket", pk=ticket.pk)


@customer_required
def attachment_download(request: HttpRequest, customer: Customer, pk: int) -> HttpResponse:
    """A file of a public message on one of the customer's own tickets; anything else is 404."""
    if pk > MAX_PK:
        raise Http404()
    attachment = Attachment.objects.filter(
        pk=pk, message__ticket__customer=customer, message__kind__in=[MessageKind.CUSTOMER, MessageKind.REPLY]
    ).first()
    if attachment is None:
        raise Http404()
    try:
        handle = attachment.file.open("rb")
    except (OSError, ValueError):
        raise Http404()
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type or "application/octet-stream",
    )
