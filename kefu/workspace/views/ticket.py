"""The ticket page: its timeline, the reply box, the field panel, macros and the customer side panel."""

from functools import lru_cache

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from kefu.accounts.models import Team
from kefu.accounts.permissions import ticket_workers
from kefu.core.errors import InvalidInput, NotFound
from kefu.tickets import rules
from kefu.tickets.access import visible_tickets
from kefu.tickets.links import links_for
from kefu.tickets.models import Attachment, Macro, Severity, Status, Ticket
from kefu.tickets.services import (
    TicketChanges,
    add_note,
    add_reply,
    apply_macro,
    macro_changes,
    macro_text,
    update_ticket,
)

from .. import ticket_reads
from ..forms import FieldOptions, ReplyForm, TicketFieldsForm, raise_for
from ..menus import Menus, menus
from ..rows import channel_labels, severity_labels, status_labels, ticket_link_maker, ticket_page_urls
from ..widgets import use_fast_widgets
from .common import render_fragments, staff_required, wants_partial
from .customers import identity_context

TEMPLATE = "workspace/ticket.html"
# The parts of the page an action may have changed; the first is the request's own target.
AFTER_REPLY = ["timeline", "reply_box", "header", "fields"]
AFTER_FIELDS = ["fields", "header", "timeline"]
# A macro only fills the reply form (text, status, pending actions): nothing else of the page changed.
AFTER_MACRO = ["reply_text", "reply_status", "macro_pending"]
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


def load_ticket(request: HttpRequest, pk: int, *, menus_joined: bool = True) -> Ticket:
    """The ticket if the user may see it (404 otherwise), with what the page shows of it.

    `menus_joined=False` leaves out category, priority and team, which the page takes from its field menus
    (`ticket_context` loads them anyway): on PostgreSQL, planning the seven-table join cost more than running it.
    """
    return ticket_reads.visible_ticket(request.user, pk, menus_joined=menus_joined)


def visible_macros(user):
    return Macro.objects.filter(Q(is_shared=True) | Q(owner_id=user.pk)).order_by("name")


def assignee_choices(user, ticket: Ticket):
    """Who the assignee menu offers: active staff whose role works tickets (`tickets.change_ticket`, as
    `can_work_ticket` and the assignment service require), the ticket's team members first, and the current
    assignee whatever their role (so the menu shows them). Without `tickets.assign_ticket`: only the team's
    members and oneself. One query."""
    restricted = not user.has_perm("tickets.assign_ticket")
    sql, params = _assignee_statement(connections[DEFAULT_DB_ALIAS].vendor, restricted)
    values = {_TEAM: ticket.team_id, _ASSIGNEE: ticket.assignee_id, _USER: user.pk}
    return get_user_model().objects.raw(sql, [values.get(p, p) if type(p) is int else p for p in params])


# Stand-ins for the request's values in the assignee statement, swapped for them at each use (no real id).
_TEAM, _ASSIGNEE, _USER = -987_654_321_001, -987_654_321_002, -987_654_321_003


@lru_cache(maxsize=8)
def _assignee_statement(_vendor: str, restricted: bool) -> tuple[str, tuple]:
    """The assignee menu's SQL, built by the ORM once per process: building and compiling the query cost
    seven times more than running it (issue 7). A missing team or assignee becomes `= NULL`, which, like
    the ORM's `IS NULL` there, matches nobody."""
    users = get_user_model()
    in_team = Team.members.through.objects.filter(team_id=_TEAM, user_id=OuterRef("pk"))
    staff = (
        users.objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(pk__in=ticket_workers()) | Q(pk=_ASSIGNEE))
        .annotate(in_team=Exists(in_team))
    )
    if restricted:
        staff = staff.filter(Q(in_team=True) | Q(pk=_USER) | Q(pk=_ASSIGNEE))
    sql, params = staff.order_by(F("in_team").desc(), "display_name", "username").query.sql_with_params()
    return sql, tuple(params)


def field_options(user, ticket: Ticket, current: Menus | None = None) -> FieldOptions:
    """The field menus: configuration from the process's copy (kefu.workspace.menus); only the assignees,
    which depend on roles, are read per request."""
    current = current or menus()
    return FieldOptions(
        categories=[c for c in current.categories if c.is_active or c.pk == ticket.category_id],
        priorities=list(current.priorities),
        teams=list(current.teams),
        assignees=list(assignee_choices(user, ticket)),
        custom_fields=list(current.custom_fields),
    )


def ticket_context(
    request: HttpRequest,
    ticket: Ticket,
    *,
    form: TicketFieldsForm | None = None,
    reply_text: str = "",
    reply_status: str = "",
    pending_macro: Macro | None = None,
) -> dict:
    """Everything the page and its partials show, in a fixed number of queries.

    `reply_text`, `reply_status`, `pending_macro`: what a macro filled into the reply form (not yet sent)."""
    user = request.user
    tag_names = ticket_reads.tag_names(ticket)
    timeline = ticket_reads.timeline(ticket)
    can_work = user.has_perm("tickets.change_ticket")
    configuration = menus()  # one read of the shared configuration version for the whole page
    if form is None:
        form = TicketFieldsForm(
            ticket=ticket, options=field_options(user, ticket, configuration), tag_names=tag_names
        )
    use_fast_widgets(form)
    _attach_menu_objects(ticket, form.options)
    other_tickets = ticket_reads.other_tickets(user, ticket)
    _label_other_tickets(other_tickets)
    channels = channel_labels()
    for message in timeline:
        message.channel_label = channels.get(message.channel, message.channel)
    return {
        "ticket": ticket,
        # What get_status_display and the like print, without their per-call choices table (issue 7).
        "ticket_labels": {
            "status": status_labels().get(ticket.status, ticket.status),
            "severity": severity_labels().get(ticket.severity, ticket.severity),
            "channel": channels.get(ticket.channel, ticket.channel),
        },
        "customer": ticket.customer,
        "tag_names": tag_names,
        "timeline": timeline,
        "can_work": can_work,
        "form": form,
        "macros": configuration.macros_of(user) if user.has_perm("tickets.view_macro") else [],
        **reply_form_context(ticket, reply_text, reply_status, pending_macro),
        "other_tickets": other_tickets,
        "ticket_links": links_for(user, ticket),
        "survey_answer": ticket_reads.latest_answer(ticket),  # no query unless the ticket was ever solved
        **identity_context(user, ticket.customer, revealed=False),
    }


def reply_form_context(
    ticket: Ticket, text: str = "", status: str = "", pending_macro: Macro | None = None
) -> dict:
    """What the reply form shows, filled (by a macro) or empty."""
    return {
        "ticket": ticket,
        "ticket_urls": ticket_page_urls(ticket.pk),
        "status_choices": [
            (code, label, rules.can_change_status(ticket.status, code))
            for code, label in status_labels().items()
        ],
        "reply_text": text,
        "reply_status": status,
        "pending_macro": pending_macro,
        "pending_macro_summary": macro_summary(pending_macro, status) if pending_macro else "",
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


def _after_change(request: HttpRequest, ticket: Ticket, parts: list[str], notice: str) -> HttpResponse:
    if not wants_partial(request):
        messages.success(request, notice)
        return redirect("workspace:ticket", pk=ticket.pk)
    ticket = load_ticket(request, ticket.pk)
    response = render_fragments(request, TEMPLATE, parts, ticket_context(request, ticket))
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
    raw_macro = request.POST.get("macro", "")
    pending_macro = chosen_macro(request, raw_macro) if raw_macro else None
    # The reply (or note) and the actions of the macro that filled it: all stored, or none.
    with transaction.atomic():
        if form.cleaned_data["kind"] == "reply":
            add_reply(ticket=ticket, actor=request.user, text=text, attachments=form.uploads, status=status)
            notice = _("Reply sent.")
        else:
            add_note(ticket=ticket, actor=request.user, text=text, attachments=form.uploads)
            if status:
                update_ticket(ticket=ticket, actor=request.user, changes=TicketChanges(status=status))
            notice = _("Note added.")
        if pending_macro is not None:
            # The status came with the reply: the macro preset the menu, and the agent had the last word.
            apply_macro(ticket=ticket, actor=request.user, macro=pending_macro, with_status=False)
    return _after_change(request, ticket, AFTER_REPLY, notice)


@require_POST
@staff_required
def update_fields(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the field panel: only the fields the agent changed are sent to the service."""
    ticket = load_ticket(request, pk)
    tag_names = ticket_reads.tag_names(ticket)
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


def chosen_macro(request: HttpRequest, raw: str) -> Macro:
    """The macro of that id among those the user may use; bad input is a 400, another's private one a 404."""
    if not raw.isdecimal() or len(raw) > 18:
        raise InvalidInput(_("Choose a macro."))
    chosen = visible_macros(request.user).filter(pk=int(raw)).first()
    if chosen is None:
        raise NotFound(_("This macro does not exist."))
    return chosen


def macro_summary(chosen: Macro, status: str = "") -> str:
    """What sending will do besides the reply. A status the macro preset in the reply form's menu is named
    too: it applies to an internal note as well (as in Zendesk), so it must not go unnoticed."""
    changes = macro_changes(chosen.actions)
    given = changes.given()
    parts = []
    if status and status == chosen.actions.get("status"):
        parts.append(_("set status %(value)s") % {"value": Status(status).label})
    if given.get("priority"):
        parts.append(_("set priority %(value)s") % {"value": given["priority"]})
    if given.get("category"):
        parts.append(_("set category %(value)s") % {"value": given["category"]})
    if given.get("severity"):
        parts.append(_("set complaint severity %(value)s") % {"value": Severity(given["severity"]).label})
    if given.get("team"):
        parts.append(_("move to team %(value)s") % {"value": given["team"]})
    if changes.add_tags:
        parts.append(_("add tags %(value)s") % {"value": ", ".join(changes.add_tags)})
    if not parts:
        return _("Macro “%(name)s”: it changes no other field.") % {"name": chosen.name}
    return _("Macro “%(name)s” — when you send: %(actions)s") % {
        "name": chosen.name,
        "actions": pgettext("between actions", "; ").join(parts),
    }


def _status_if_allowed(ticket: Ticket, status) -> str:
    """`status` if the reply form's menu offers it for this ticket, else "" (unchanged)."""
    if status in Status.values and status != ticket.status and rules.can_change_status(ticket.status, status):
        return status
    return ""


@require_POST
@staff_required
def macro(request: HttpRequest, pk: int) -> HttpResponse:
    """Fill the reply form from a macro; nothing is stored until the agent sends the reply.

    The macro's text (variables filled) goes after what is typed, its status presets the reply's status
    menu, and its other actions are summarised and carried by a hidden field, applied with the reply.
    `clear` (the summary's ✕) drops those pending actions, and the status the macro preset.
    """
    ticket = load_ticket(request, pk)
    typed = request.POST.get("text", "").rstrip()[:50_000]
    status = _status_if_allowed(ticket, request.POST.get("status", ""))
    if "clear" in request.POST:
        raw = request.POST.get("macro", "")
        # Dropping a macro deleted meanwhile is no error: there is nothing left to apply.
        valid = raw.isdecimal() and len(raw) <= 18
        dropped = visible_macros(request.user).filter(pk=int(raw)).first() if valid else None
        if dropped is not None and dropped.actions.get("status") == status:
            status = ""
        pending, text, notice = None, typed, _("The macro's actions will not be applied.")
    else:
        pending = chosen_macro(request, request.POST.get("macro", ""))
        filled = macro_text(ticket=ticket, actor=request.user, macro=pending)
        text = f"{typed}\n\n{filled}" if typed else filled
        status = _status_if_allowed(ticket, pending.actions.get("status")) or status
        notice = _("Macro “%(name)s” inserted: its actions apply when you send.") % {"name": pending.name}
    if not wants_partial(request):
        # The whole page, with the filled form: a redirect would lose it.
        context = ticket_context(request, ticket, reply_text=text, reply_status=status, pending_macro=pending)
        return render(request, TEMPLATE, context)
    context = reply_form_context(ticket, text, status, pending)
    response = render_fragments(request, TEMPLATE, AFTER_MACRO, context)
    flash = render_to_string("core/_flash.html", {"notice": notice, "level": "success"}, request=request)
    response.content += flash.encode()
    return response


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
