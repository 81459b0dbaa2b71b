"""Pure rules of the portal: how a ticket's state reads to a customer. No ORM here."""

from django.utils.translation import gettext_lazy as _

# Customers do not need the agents' workflow words: "on hold" and "open" are both "in progress" to them.
_CUSTOMER_STATUS = {
    "new": (_("Received"), "info"),
    "open": (_("In progress"), "info"),
    "pending": (_("Awaiting your reply"), "warning"),
    "on_hold": (_("In progress"), "info"),
    "solved": (_("Solved"), "success"),
    "closed": (_("Closed"), "muted"),
}


def customer_status(status: str) -> tuple[str, str]:
    """The label a customer sees for a ticket status, and a tone for its badge."""
    label, tone = _CUSTOMER_STATUS.get(status, (_("In progress"), "info"))
    return str(label), tone


def can_close(status: str) -> bool:
    """A customer may mark a ticket solved while it is still open."""
    return status in {"new", "open", "pending", "on_hold"}


def status_event_text(new_status: str, by_customer: bool) -> str:
    """The one system event customers see: the ticket was solved or closed."""
    if new_status == "solved":
        return str(
            _("You marked this ticket as solved.") if by_customer else _("This ticket was marked as solved.")
        )
    return str(_("This ticket was closed."))
