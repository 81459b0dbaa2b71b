"""Pure rules about tickets: status transitions, reopen counting, macro variables. No ORM here."""

import re
from collections.abc import Mapping

from .models import OPEN_STATUSES, Status

FINAL_STATUSES = (Status.SOLVED, Status.CLOSED)

# Closed is the end of the road for a ticket's status menu; a customer writing again reopens it
# through `reopen_on_customer_message`, not through a status change by an agent.
_ALLOWED: dict[str, set[str]] = {
    Status.NEW: {Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED, Status.CLOSED},
    Status.OPEN: {Status.PENDING, Status.ON_HOLD, Status.SOLVED, Status.CLOSED},
    Status.PENDING: {Status.OPEN, Status.ON_HOLD, Status.SOLVED, Status.CLOSED},
    Status.ON_HOLD: {Status.OPEN, Status.PENDING, Status.SOLVED, Status.CLOSED},
    Status.SOLVED: {Status.OPEN, Status.CLOSED},
    Status.CLOSED: {Status.OPEN},
}


def can_change_status(old: str, new: str) -> bool:
    return old == new or new in _ALLOWED.get(old, set())


def is_reopen(old: str, new: str) -> bool:
    return old in FINAL_STATUSES and new in OPEN_STATUSES


def status_after_customer_message(current: str) -> str:
    """A customer writing to a ticket makes it need an agent again."""
    if current == Status.NEW:
        return Status.NEW
    return Status.OPEN


def status_after_reply(current: str, requested: str | None) -> str:
    """An agent's public reply leaves the ticket waiting on the customer unless told otherwise."""
    if requested:
        return requested
    if current in (Status.NEW, Status.OPEN):
        return Status.PENDING
    return current


_VARIABLE = re.compile(r"\{\{\s*([a-z_]+)\.([a-z_]+)\s*\}\}")


def render_macro_text(template: str, variables: Mapping[str, Mapping[str, object]]) -> str:
    """Fill `{{ customer.name }}`-style variables; unknown ones are left visible so the agent notices."""

    def replace(match: re.Match) -> str:
        group, key = match.group(1), match.group(2)
        value = variables.get(group, {}).get(key)
        return match.group(0) if value is None else str(value)

    return _VARIABLE.sub(replace, template)
