"""Who may see and work which ticket. One place for the rule, used by pages, the API and sockets.

Staff with `tickets.view_all_tickets` see every ticket. Other staff with `tickets.view_ticket` see the
tickets of their teams, tickets assigned to them, and tickets not yet routed to any team. Customers see
only their own tickets, and only through the portal. A ticket a user may not see answers 404.
"""

from django.db.models import Q, QuerySet

from kefu.accounts.permissions import team_ids
from kefu.core.errors import NotAllowed, NotFound

from .models import Ticket


def visible_tickets(user, queryset: QuerySet[Ticket] | None = None) -> QuerySet[Ticket]:
    qs = Ticket.objects.all() if queryset is None else queryset
    if not (user and user.is_authenticated and user.is_active and user.is_staff):
        return qs.none()
    if user.has_perm("tickets.view_all_tickets"):
        return qs
    if not user.has_perm("tickets.view_ticket"):
        return qs.none()
    # Read once per request (kept on the user object): pages ask this several times.
    return qs.filter(Q(team_id__in=team_ids(user)) | Q(assignee_id=user.pk) | Q(team__isnull=True))


def can_view_ticket(user, ticket: Ticket) -> bool:
    return visible_tickets(user, Ticket.objects.filter(pk=ticket.pk)).exists()


def can_work_ticket(user, ticket: Ticket) -> bool:
    """Reply, add notes and change fields: a working role that can see the ticket."""
    return user.has_perm("tickets.change_ticket") and can_view_ticket(user, ticket)


def get_visible_ticket(user, pk, queryset: QuerySet[Ticket] | None = None) -> Ticket:
    try:
        return visible_tickets(user, queryset).get(pk=pk)
    except (Ticket.DoesNotExist, ValueError, TypeError):
        raise NotFound()


def require_work(user, ticket: Ticket) -> None:
    if not user.has_perm("tickets.change_ticket"):
        raise NotAllowed()
    if not can_view_ticket(user, ticket):
        raise NotFound()
