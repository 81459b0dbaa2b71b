"""Ready-made text for lists of tickets (queue rows, the ticket page's side lists): computed once per list.

Profiled (issue 7): per row, `{% url %}` ran the resolver and `get_status_display` rebuilt and hashed the
translated choices. A list asks here once for its link maker and its label tables instead.

The queue's rows are rendered here in Python (`queue_rows_html`), not by a template loop: each of a row's
two dozen template variables cost a lookup, a localisation and a lazy-aware escape, ~9 ms of a 50-row page.
"""

from collections.abc import Callable, Iterable
from html import escape as _html_escape

from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from kefu.sla.templatetags.sla_tags import sla_clock
from kefu.tickets.models import Channel, Severity, Status

from .templatetags.workspace_tags import _URL_SENTINEL, _id_url_pattern, id_url, safe_colour, when_maker


def ticket_link_maker() -> Callable[[int], str]:
    """`link(pk)` → the ticket page's URL: `id_url` with its pattern looked up once for the whole list."""
    link, marker = _id_url_pattern("workspace:ticket", get_script_prefix(), get_urlconf()), str(_URL_SENTINEL)
    return lambda pk: link.replace(marker, str(pk))


# The ticket page's own links and form actions (each printed once or twice on the page).
TICKET_PAGE_URLS = ("ticket", "reply", "update_fields", "assign_me", "macro", "escalate")


def ticket_page_urls(pk: int) -> dict[str, str]:
    """{"reply": "/agent/tickets/7/reply/", …} for the names in TICKET_PAGE_URLS."""
    return {name: id_url(f"workspace:{name}", pk) for name in TICKET_PAGE_URLS}


def status_labels() -> dict[str, str]:
    """Status code → its label in the active language."""
    return {code: str(label) for code, label in Status.choices}


def severity_labels() -> dict[str, str]:
    """Severity code → its label in the active language."""
    return {code: str(label) for code, label in Severity.choices}


def channel_labels() -> dict[str, str]:
    """Channel code → its label in the active language."""
    return {code: str(label) for code, label in Channel.choices}


def _esc(value) -> str:
    """What `{{ value }}` prints for a string: Django's escaping (html.escape), safe strings untouched."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return _html_escape(str(value))


# The markup of one row, exactly as the template's loop printed it (whitespace included).
_ROW = (
    '\n            <tr data-queue-row="{number}">\n'
    "              {check}\n"
    '              <td class="col-num">#{number}</td>\n'
    '              <td class="col-subject">\n'
    '                <a href="{url}" data-row-link>{subject}</a>\n'
    "                {severity}\n"
    "                {tags}\n"
    "              </td>\n"
    '              <td class="col-customer truncate">{customer}</td>\n'
    '              <td><span class="badge status-{status}">{status_label}</span></td>\n'
    "              <td>{priority}</td>\n"
    '              <td class="col-optional">{category}</td>\n'
    '              <td class="col-optional nowrap">{team}</td>\n'
    '              <td class="col-optional">{assignee}</td>\n'
    '              <td class="col-sla">{sla}</td>\n'
    '              <td class="col-time">{updated}</td>\n'
    "            </tr>\n          "
)
_CHECK = (
    '<td class="col-check"><input type="checkbox" name="ticket" value="{number}" data-row-check '
    'aria-label="{label}"></td>'
)
_NO_PRIORITY = '<span class="muted">—</span>'


def queue_rows_html(tickets: Iterable, *, bulk_allowed: bool) -> SafeString:
    """The <tr> of every queue row (prepared by `queue._attach_customer_names` and `queue._prepare_rows`),
    escaped as the template would."""
    label = gettext("Unassigned")  # not inside the f-string: makemessages (xgettext) cannot see it there
    unassigned = f'<span class="muted">{_esc(label)}</span>'
    shared: dict[tuple[type, str], str] = {}
    when = when_maker()

    def once(value) -> str:
        """`_esc(value)` for what many rows repeat (status, labels of priority, category, team, assignee)."""
        key = (type(value), value)
        text = shared.get(key)
        if text is None:
            text = shared[key] = _esc(value)
        return text

    parts = []
    for ticket in tickets:
        number = _esc(ticket.number_text)
        severity = (
            f'<span class="badge severity-major">{once(ticket.severity_label)}</span>'
            if ticket.severity == "major"
            else ""
        )
        tags = ticket.tag_names
        tags_html = (
            '<span class="tags">'
            + "".join(f'<span class="tag">{_esc(name)}</span>' for name in tags)
            + "</span>"
            if tags
            else ""
        )
        priority = (
            f'<span class="badge priority" style="--tone: {once(safe_colour(ticket.priority.color))}">'
            f"{once(ticket.priority_label)}</span>"
            if ticket.priority
            else _NO_PRIORITY
        )
        parts.append(
            _ROW.format(
                number=number,
                check=_CHECK.format(number=number, label=_esc(ticket.select_label)) if bulk_allowed else "",
                url=_esc(ticket.url),
                subject=_esc(ticket.subject),
                severity=severity,
                tags=tags_html,
                customer=_esc(ticket.customer_name),
                status=once(ticket.status),
                status_label=once(ticket.status_label),
                priority=priority,
                category=once(ticket.category_label or "—"),
                team=once(ticket.team_label or "—"),
                assignee=once(ticket.assignee_label) if ticket.assignee else unassigned,
                sla=sla_clock(ticket),
                updated=when(ticket.updated_at),
            )
        )
    return mark_safe("".join(parts))
