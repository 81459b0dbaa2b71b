"""Ready-made text for lists of tickets (queue rows, the ticket page's side lists): computed once per list.

Profiled (issue 7): per row, `{% url %}` ran the resolver and `get_status_display` rebuilt and hashed the
translated choices. A list asks here once for its link maker and its label tables instead.
"""

from collections.abc import Callable

from django.urls import reverse

from kefu.tickets.models import Severity, Status

_URL_SENTINEL = 987654321987654321  # a ticket id no real ticket has, replaced by each row's id


def ticket_link_maker() -> Callable[[int], str]:
    """`link(pk)` → the ticket page's URL, with one `reverse()` for the whole list."""
    link, marker = reverse("workspace:ticket", args=[_URL_SENTINEL]), str(_URL_SENTINEL)
    return lambda pk: link.replace(marker, str(pk))


def status_labels() -> dict[str, str]:
    """Status code → its label in the active language."""
    return {code: str(label) for code, label in Status.choices}


def severity_labels() -> dict[str, str]:
    """Severity code → its label in the active language."""
    return {code: str(label) for code, label in Severity.choices}
