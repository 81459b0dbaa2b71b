"""Reading a ticket's links to other tickets, in both directions, as its page and the API show them."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from kefu.core.prepared import prepared

from .access import visible_tickets
from .models import LinkKind, Status, Ticket, TicketLink


@dataclass(frozen=True)
class ShownLink:
    """One link seen from `ticket`'s side: what the other ticket is to it."""

    pk: int
    kind: str
    outgoing: bool  # this ticket is the link's source (the follow-up, or the one an agent linked from)
    other: Ticket

    @property
    def label(self) -> str:
        if self.kind == LinkKind.FOLLOW_UP:
            return _("Follow-up of") if self.outgoing else _("Followed up by")
        return _("Related to")

    @property
    def other_status_label(self) -> str:
        return str(Status(self.other.status).label) if self.other.status in Status.values else self.other.status


# Compiled once (kefu.core.prepared): every ticket page asks it, and building it cost more than running it.
@prepared(int)
def _links_touching(ticket_id: int):
    return (
        TicketLink.objects.touching(ticket_id)
        .select_related("source", "target")
        .only(
            "kind", "source_id", "target_id",
            "source__id", "source__subject", "source__status",
            "target__id", "target__subject", "target__status",
        )  # fmt: skip
    )


def links_for(user, ticket: Ticket) -> list[ShownLink]:
    """The ticket's links whose other ticket `user` may see: one query when it has none (most tickets),
    and the visibility check of the other tickets only when it has some."""
    rows = _links_touching.all(ticket.pk)
    if not rows:
        return []
    others = {link.target_id if link.source_id == ticket.pk else link.source_id for link in rows}
    allowed = set(visible_tickets(user, Ticket.objects.filter(pk__in=others)).values_list("pk", flat=True))
    shown = []
    for link in rows:
        outgoing = link.source_id == ticket.pk
        other = link.target if outgoing else link.source
        if other.pk in allowed:
            shown.append(ShownLink(link.pk, link.kind, outgoing, other))
    return shown
