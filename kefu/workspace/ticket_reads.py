"""The ticket page's reads, compiled once per process (kefu.core.prepared) and run with each ticket's ids.

Profiled (issue 7): building and compiling these querysets cost the page more CPU than running them —
the timeline with its attachments' prefetch 1.6 ms, the ticket with its customer, assignee and clock 1.7 ms,
against 0.1–0.4 ms each when prepared. Each gives exactly the rows its queryset gives.
"""

from collections import defaultdict

from django.db.models import QuerySet

from kefu.accounts.permissions import team_ids
from kefu.core.errors import NotFound
from kefu.core.prepared import prepared
from kefu.customers.models import Identity
from kefu.surveys.models import Survey
from kefu.tickets.access import viewers_among, visible_tickets
from kefu.tickets.models import Attachment, Message, Tag, Ticket

# A message's author shows only a name: the rest of the user row is not read.
_UNSHOWN_AUTHOR_COLUMNS = (
    "author__password",
    "author__last_login",
    "author__date_joined",
    "author__hire_date",
    "author__skills",
)
_TICKET_RELATED = ("customer__organization", "assignee", "sla")
_MENU_RELATED = ("category", "priority", "team")


@prepared(int)
def _ticket_with_menus(pk: int) -> QuerySet[Ticket]:
    return Ticket.objects.select_related(*_TICKET_RELATED, *_MENU_RELATED).filter(pk=pk)


@prepared(int)
def _ticket_alone(pk: int) -> QuerySet[Ticket]:
    return Ticket.objects.select_related(*_TICKET_RELATED).filter(pk=pk)


def visible_ticket(user, pk: int, *, menus_joined: bool) -> Ticket:
    """The ticket with its customer (and organization), assignee and SLA clock, if `user` may see it; a 404
    otherwise. Read by id, then checked with `tickets.access`'s rule on the row (`viewers_among`), so the
    statement is the same for everyone and compiled once. `menus_joined` also joins category, priority and team."""
    ticket = (_ticket_with_menus if menus_joined else _ticket_alone).first(pk)
    if not user.has_perm("tickets.view_all_tickets") and user.has_perm("tickets.view_ticket"):
        # The page's other lists filter by the user's teams too (visible_tickets): read once, kept on the user.
        team_ids(user)
    if ticket is None or not viewers_among([user], ticket):
        raise NotFound()
    return ticket


@prepared(int)
def _tag_names(ticket_id: int) -> QuerySet:
    return Tag.objects.filter(tickets__id=ticket_id).values_list("name", flat=True)


def tag_names(ticket: Ticket) -> list[str]:
    """The ticket's tag names, in alphabetical order."""
    return sorted(_tag_names.all(ticket.pk))


@prepared(int)
def _messages(ticket_id: int) -> QuerySet[Message]:
    return (
        Message.objects.filter(ticket_id=ticket_id).select_related("author").defer(*_UNSHOWN_AUTHOR_COLUMNS)
    )


@prepared(int)
def _attachments(ticket_id: int) -> QuerySet[Attachment]:
    return Attachment.objects.filter(message__ticket_id=ticket_id).order_by("pk")


def timeline(ticket: Ticket) -> list[Message]:
    """The ticket's messages in order with their authors, each with `files`: its attachments (two queries)."""
    messages = _messages.all(ticket.pk)
    files: dict[int, list[Attachment]] = defaultdict(list)
    for attachment in _attachments.all(ticket.pk):
        files[attachment.message_id].append(attachment)
    for message in messages:
        message.files = files.get(message.pk, [])
    return messages


def _others_among(tickets: QuerySet[Ticket], customer_id: int, ticket_id: int) -> QuerySet[Ticket]:
    return (
        tickets.filter(customer_id=customer_id)
        .exclude(pk=ticket_id)
        .only("id", "subject", "status", "created_at")  # all the side list shows
        .order_by("-created_at")[:10]
    )


@prepared(int, int)
def _others_of_all(customer_id: int, ticket_id: int) -> QuerySet[Ticket]:
    return _others_among(Ticket.objects.all(), customer_id, ticket_id)


def other_tickets(user, ticket: Ticket) -> list[Ticket]:
    """The customer's ten newest other tickets that `user` may see. For those who see every ticket,
    `visible_tickets` adds no condition, so their statement is always the same one, compiled once."""
    if user.has_perm("tickets.view_all_tickets"):
        return _others_of_all.all(ticket.customer_id, ticket.pk)
    return list(_others_among(visible_tickets(user), ticket.customer_id, ticket.pk))


@prepared(int)
def _identities(customer_id: int) -> QuerySet[Identity]:
    return Identity.objects.filter(customer_id=customer_id)


def identities_of(customer) -> list[Identity]:
    """The customer's identities: those prefetched with it (the customer page), else one prepared query."""
    prefetched = getattr(customer, "_prefetched_objects_cache", {})
    if "identities" in prefetched:
        return list(customer.identities.all())
    return _identities.all(customer.pk)


@prepared(int)
def _latest_answer(ticket_id: int) -> QuerySet[Survey]:
    return Survey.objects.answered().filter(ticket_id=ticket_id).order_by("-solved_at")[:1]


def latest_answer(ticket: Ticket) -> Survey | None:
    """`kefu.surveys.services.latest_answer_of` (the ticket's most recent answered survey), by a prepared
    query: compiling it cost a solved ticket's page ~0.4 ms. No query for a ticket never solved."""
    if ticket.solved_at is None and not ticket.reopened_count:
        return None
    return _latest_answer.first(ticket.pk)
