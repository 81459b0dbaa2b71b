"""Linking a ticket to another one ("related") from the ticket page, and removing such a link."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from kefu.core.errors import InvalidInput, NotFound
from kefu.tickets.access import get_visible_ticket
from kefu.tickets.models import LinkKind, TicketLink
from kefu.tickets.services import link_tickets, unlink_tickets

from .common import staff_required, wants_partial


@require_POST
@staff_required
def link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link this ticket to the ticket whose number the agent typed, as related."""
    ticket = get_visible_ticket(request.user, pk)
    raw = request.POST.get("number", "").strip().lstrip("#")
    if not raw.isdecimal() or len(raw) > 18:
        raise InvalidInput(_("Enter a ticket number."), field="number")
    try:
        other = get_visible_ticket(request.user, int(raw))
    except NotFound:
        message = _("There is no ticket #%(number)s that you may see.") % {"number": int(raw)}
        raise NotFound(message) from None
    link_tickets(ticket=ticket, other=other, kind=LinkKind.RELATED, actor=request.user)
    messages.success(request, _("Linked to ticket #%(number)s.") % {"number": other.pk})
    return _back_to(request, ticket.pk)


@require_POST
@staff_required
def unlink(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    """Remove a link of this ticket (either direction) that an agent made."""
    ticket = get_visible_ticket(request.user, pk)
    found = (
        TicketLink.objects.touching(ticket.pk).select_related("source", "target").filter(pk=link_pk).first()
    )
    if found is None:
        raise NotFound()
    unlink_tickets(link=found, actor=request.user)
    messages.success(request, _("Link removed."))
    return _back_to(request, ticket.pk)


def _back_to(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The ticket page again. The forms post through htmx so that a refusal shows on the page (the reply
    draft stays); their success reloads the page, without htmx a plain redirect."""
    if wants_partial(request):
        return HttpResponseClientRedirect(reverse("workspace:ticket", args=[ticket_id]))
    return redirect("workspace:ticket", pk=ticket_id)
