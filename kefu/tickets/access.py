"""Who may see and work which ticket. One place for the rule, used by pages, the API and sockets.

Staff with `tickets.view_all_tickets` see every ticket. Other staff with `tickets.view_ticket` see the
tickets of their teams, tickets assigned to them, and tickets not yet routed to any team. Customers see
only their own tickets, and only through the portal. A ticket a user may not see answers 404.
"""

from django.db.models import Q, QuerySet

from kefu.accounts.permissions import is_active_staff, load_permissions_of, load_team_ids, team_ids
from kefu.core.errors import NotAllowed, NotFound

from .models import Ticket


def sees_every_ticket(user) -> bool:
    """Whether `visible_tickets` leaves a query set as it is for this user (pages may then skip it)."""
    return is_active_staff(user, "tickets.view_all_tickets")


def visible_tickets(user, queryset: QuerySet[Ticket] | None = None) -> QuerySet[Ticket]:
    qs = Ticket.objects.all() if queryset is None else queryset
    if sees_every_ticket(user):
        return qs
    if not (user and user.is_authenticated and user.is_active and user.is_staff):
        return qs.none()
    if not user.has_perm("tickets.view_ticket"):
        return qs.none()
    # Read once per request (kept on the user object): pages ask this several times.
    return qs.filter(Q(team_id__in=team_ids(user)) | Q(assignee_id=user.pk) | Q(team__isnull=True))


def can_view_ticket(user, ticket: Ticket) -> bool:
    return visible_tickets(user, Ticket.objects.filter(pk=ticket.pk)).exists()


def viewers_among(users, ticket: Ticket) -> list:
    """Those of `users` who may see `ticket` — `can_view_ticket`'s rule, checked on the row as given (just
    read by the caller) rather than asked per user: all their permissions in one query, and the teams of
    those it depends on in another (none for the assignee, a ticket without team, or view-all roles)."""
    staff = [u for u in users if u is not None and u.is_authenticated and u.is_active and u.is_staff]
    load_permissions_of(staff)
    seen, by_team = [], []
    for user in staff:
        if user.has_perm("tickets.view_all_tickets"):
            seen.append(user)
        elif user.has_perm("tickets.view_ticket"):
            if ticket.team_id is None or ticket.assignee_id == user.pk:
                seen.append(user)
            else:
                by_team.append(user)
    load_team_ids(by_team)
    seen += [user for user in by_team if ticket.team_id in team_ids(user)]
    ids = {user.pk for user in seen}
    return [user for user in staff if user.pk in ids]


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
