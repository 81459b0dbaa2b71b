"""The ticket page: its timeline, the reply box, the field panel, macros and the customer side panel."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.accounts.models import Team
from kefu.core.errors import InvalidInput, NotFound
from kefu.tickets import rules
from kefu.tickets.access import get_visible_ticket, visible_tickets
from kefu.tickets.links import links_for
from kefu.tickets.models import Attachment, Category, CustomField, Macro, Priority, Status, Ticket
from kefu.tickets.services import TicketChanges, add_note, add_reply, apply_macro, update_ticket

from ..forms import FieldOptions, ReplyForm, TicketFieldsForm, raise_for
from ..rows import status_labels, ticket_link_maker, ticket_page_urls
from ..widgets import use_fast_widgets
from .common import render_fragments, staff_required, wants_partial
from .customers import identity_context

TEMPLATE = "workspace/ticket.html"
# The parts of the page an action may have changed; the first is the request's own target.
AFTER_REPLY = ["timeline", "reply_box", "header", "fields"]
AFTER_FIELDS = ["fields", "header", "timeline"]
AFTER_MACRO = ["reply_text", "header", "fields", "timeline"]
LIVE_PARTS = {"timeline": ["timeline", "header"], "fields": ["fields"]}
# Content types a browser could run if it ever ignored Content-Disposition: always sent as plain bytes.
_RISKY_TYPES = (
    "text/html",
    "image/svg",
    "application/xhtml",
    "text/xml",
    "application/xml",
    "text/javascript",
)


# A message's author shows only a name: the rest of the user row is not read.
_UNSHOWN_AUTHOR_COLUMNS = (
    "author__password",
    "author__last_login",
    "author__date_joined",
    "author__hire_date",
    "author__skills",
)


def load_ticket(request: HttpRequest, pk: int, *, menus_joined: bool = True) -> Ticket:
    """The ticket if the user may see it (404 otherwise), with what the page shows of it.

    `menus_joined=False` leaves out category, priority and team, which the page takes from its field menus
    (`ticket_context` loads them anyway): on PostgreSQL, planning the seven-table join cost more than running it.
    """
    related = ["customer__organization", "assignee", "sla"]
    if menus_joined:
        related += ["category", "priority", "team"]
    return get_visible_ticket(request.user, pk, Ticket.objects.select_related(*related))


def visible_macros(user):
    return Macro.objects.filter(Q(is_shared=True) | Q(owner_id=user.pk)).order_by("name")


def field_options(user, ticket: Ticket) -> FieldOptions:
    staff = get_user_model().objects.filter(is_active=True, is_staff=True)
    if not user.has_perm("tickets.assign_ticket"):
        staff = staff.filter(Q(teams=ticket.team_id) | Q(pk=user.pk) | Q(pk=ticket.assignee_id)).distinct()
    return FieldOptions(
        categories=list(Category.objects.filter(Q(is_active=True) | Q(pk=ticket.category_id))),
        priorities=list(Priority.objects.all()),
        teams=list(Team.objects.all()),
        assignees=list(staff.order_by("display_name", "username")),
        custom_fields=list(CustomField.objects.filter(is_active=True)),
    )


def ticket_context(
    request: HttpRequest, ticket: Ticket, *, form: TicketFieldsForm | None = None, reply_text: str = ""
) -> dict:
    """Everything the page and its partials show, in a fixed number of queries."""
    user = request.user
    tag_names = sorted(ticket.tags.values_list("name", flat=True))
    timeline = list(
        ticket.messages.select_related("author")
        .defer(*_UNSHOWN_AUTHOR_COLUMNS)
        .prefetch_related("attachments")
    )
    can_work = user.has_perm("tickets.change_ticket")
    if form is None:
        form = TicketFieldsForm(ticket=ticket, options=field_options(user, ticket), tag_names=tag_names)
    use_fast_widgets(form)
    _attach_menu_objects(ticket, form.options)
    other_tickets = list(
        visible_tickets(user)
        .filter(customer_id=ticket.customer_id)
        .exclude(pk=ticket.pk)
        .only("id", "subject", "status", "created_at")  # all the side list shows
        .order_by("-created_at")[:10]
    )
    _label_other_tickets(other_tickets)
    return {
        "ticket": ticket,
        "customer": ticket.customer,
        "tag_names": tag_names,
        "timeline": timeline,
        "can_work": can_work,
        "form": form,
        "status_choices": [
            (code, label, rules.can_change_status(ticket.status, code)) for code, label in Status.choices
        ],
        "macros": list(visible_macros(user)) if user.has_perm("tickets.view_macro") else [],
        "reply_text": reply_text,
        "other_tickets": other_tickets,
        "ticket_links": links_for(user, ticket),
        "ticket_urls": ticket_page_urls(ticket.pk),
        **identity_context(user, ticket.customer, revealed=False),
    }


def _attach_menu_objects(ticket: Ticket, options: FieldOptions) -> None:
    """Category, priority and team from the menus' lists (which always hold the ticket's own), not a join."""
    for name, objects in (
        ("category", options.categories),
        ("priority", options.priorities),
        ("team", options.teams),
    ):
        wanted = getattr(ticket, f"{name}_id")
        found = next((obj for obj in objects if obj.pk == wanted), None)
        if wanted is None or found is not None:
            setattr(ticket, name, found)


def _label_other_tickets(tickets: list[Ticket]) -> None:
    """Status label and link of each row of the side list, with one translation table and one reverse()."""
    labels, link = status_labels(), ticket_link_maker()
    for other in tickets:
        other.status_label = labels.get(other.status, other.status)
        other.url = link(other.pk)


@require_GET
@staff_required
def ticket_page(request: HttpRequest, pk: int) -> HttpResponse:
    """`/agent/tickets/<pk>/`; a ticket the user may not see is a 404."""
    ticket = load_ticket(request, pk, menus_joined=False)
    part = request.GET.get("part")
    if wants_partial(request) and part in LIVE_PARTS:
        # A live hint said someone else changed the ticket: refresh that part of the page.
        return render_fragments(request, TEMPLATE, LIVE_PARTS[part], ticket_context(request, ticket))
    return render(request, TEMPLATE, ticket_context(request, ticket))


def _after_change(
    request: HttpRequest, ticket: Ticket, parts: list[str], notice: str, *, reply_text: str = ""
) -> HttpResponse:
    if not wants_partial(request):
        messages.success(request, notice)
        return redirect("workspace:ticket", pk=ticket.pk)
    ticket = load_ticket(request, ticket.pk)
    response = render_fragments(
        request, TEMPLATE, parts, ticket_context(request, ticket, reply_text=reply_text)
    )
    flash = render_to_string("core/_flash.html", {"notice": notice, "level": "success"}, request=request)
    response.content += flash.encode()
    return response


@require_POST
@staff_required
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    """A public reply or an internal note, with attachments and optionally a new status."""
    ticket = load_ticket(request, pk)
    form = ReplyForm(request.POST, request.FILES)
    raise_for(form)
    text, status = form.cleaned_data["text"], form.cleaned_data["status"] or None
    with transaction.atomic():
        if form.cleaned_data["kind"] == "reply":
            add_reply(ticket=ticket, actor=request.user, text=text, attachments=form.uploads, status=status)
            notice = _("Reply sent.")
        else:
            add_note(ticket=ticket, actor=request.user, text=text, attachments=form.uploads)
            if status:
                update_ticket(ticket=ticket, actor=request.user, changes=TicketChanges(status=status))
            notice = _("Note added.")
    return _after_change(request, ticket, AFTER_REPLY, notice)


@require_POST
@staff_required
def update_fields(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the field panel: only the fields the agent changed are sent to the service."""
    ticket = load_ticket(request, pk)
    tag_names = sorted(ticket.tags.values_list("name", flat=True))
    form = TicketFieldsForm(
        request.POST, ticket=ticket, options=field_options(request.user, ticket), tag_names=tag_names
    )
    raise_for(form)
    update_ticket(ticket=ticket, actor=request.user, changes=form.changes())
    return _after_change(request, ticket, AFTER_FIELDS, _("Ticket saved."))


@require_POST
@staff_required
def assign_me(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = load_ticket(request, pk)
    update_ticket(ticket=ticket, actor=request.user, changes=TicketChanges(assignee=request.user))
    return _after_change(request, ticket, AFTER_FIELDS, _("The ticket is now yours."))


@require_POST
@staff_required
def macro(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply a macro's actions and put its text (variables filled) into the reply box after what is typed."""
    ticket = load_ticket(request, pk)
    raw = request.POST.get("macro", "")
    if not raw.isdecimal() or len(raw) > 18:
        raise InvalidInput(_("Choose a macro."))
    chosen = visible_macros(request.user).filter(pk=int(raw)).first()
    if chosen is None:
        raise NotFound(_("This macro does not exist."))
    text = apply_macro(ticket=ticket, actor=request.user, macro=chosen)
    typed = request.POST.get("text", "").rstrip()[:50_000]
    combined = f"{typed}\n\n{text}" if typed else text
    if not wants_partial(request):
        ticket = load_ticket(request, ticket.pk)
        return render(request, TEMPLATE, ticket_context(request, ticket, reply_text=combined))
    notice = _("Macro “%(name)s” applied.") % {"name": chosen.name}
    return _after_change(request, ticket, AFTER_MACRO, notice, reply_text=combined)


@require_GET
@staff_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """Download a file of a ticket the user may see; never served straight from MEDIA."""
    found = (
        Attachment.objects.select_related("message")
        .filter(pk=pk, message__ticket__in=visible_tickets(request.user).values("pk"))
        .first()
    )
    if found is None:
        raise NotFound(_("This file does not exist or you may not see it."))
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise NotFound(_("This file is no longer stored."))
    content_type = found.content_type or "application/octet-stream"
    if content_type.startswith(_RISKY_TYPES):
        content_type = "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=found.filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response
