"""The queue's tickets as a CSV file: what supervisors and analysts take to Excel or a BI tool.

The same filters as the queue (`filtered_tickets`: the tickets the user may see), at most EXPORT_LIMIT rows,
streamed in chunks so a large export holds neither the rows nor the file in memory. Only what the queue
shows of a customer (the name) goes out: addresses and phone numbers stay behind their permission. Cells
a spreadsheet would run as a formula (=, +, -, @ …: a customer can write any subject) are quoted.
"""

import csv
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from itertools import islice

from asgiref.sync import sync_to_async
from django.utils import translation
from django.utils.translation import gettext as _

from kefu.audit.services import record
from kefu.core.errors import InvalidInput, NotAllowed
from kefu.tickets.models import Channel, Status

EXPORT_PERMISSION = "tickets.view_all_tickets"  # supervisors, senior agents, QA, analysts, trainers, admins
EXPORT_LIMIT = 50_000
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_COLUMNS = (
    "pk",
    "subject",
    "status",
    "priority__name",
    "priority__name_en",
    "category__name",
    "category__name_en",
    "channel",
    "team__name",
    "team__name_en",
    "assignee__display_name",
    "assignee__username",
    "customer__name",
    "created_at",
    "first_response_at",
    "solved_at",
    "updated_at",
)


def may_export(user) -> bool:
    return user.has_perm(EXPORT_PERMISSION)


def require_export(user) -> None:
    if not may_export(user):
        raise NotAllowed()


def export_tickets(*, user, tickets, capped: bool, filters: str, language: str, zone: tzinfo) -> Iterator[str]:
    """The CSV lines of `tickets` (the queue's filtered tickets), the export audited with its `filters`.

    A search that read only the most recently active of its matches (`capped`) is refused: a file of those
    would look complete."""
    require_export(user)
    if capped:
        raise InvalidInput(_("These words are in very many tickets: add a word to narrow the search, then export."))
    record(actor=user, action="tickets.export", obj=user, changes={"filters": [None, filters]})
    return csv_lines(tickets, language=language, zone=zone)


def header() -> list[str]:
    return [
        _("Ticket number"),
        _("Subject"),
        _("Status"),
        _("Priority"),
        _("Category"),
        _("Channel"),
        _("Team"),
        _("Assignee"),
        _("Customer"),
        _("Created at"),
        _("First response"),
        _("Solved at"),
        _("Updated"),
    ]


def csv_lines(tickets, *, language: str, zone: tzinfo) -> Iterator[str]:
    """The file line by line: a byte-order mark (so Excel reads the Chinese as UTF-8), the header, the rows,
    and a last line saying so when more than EXPORT_LIMIT tickets match.

    Every text is put into words here, in the request's language and zone: the lines are made while the
    response streams, after the view (and the middleware that chose them) returned."""
    with translation.override(language):
        labels = _Labels(
            header=header(),
            statuses={code: str(label) for code, label in Status.choices},
            channels={code: str(label) for code, label in Channel.choices},
            more=_(
                "More than %(limit)s tickets match: this file holds the first %(limit)s. Narrow the filters to "
                "export the rest."
            )
            % {"limit": f"{EXPORT_LIMIT:,}"},
        )
    return _lines(tickets, labels, english=language.startswith("en"), zone=zone)


@dataclass(frozen=True)
class _Labels:
    header: list[str]
    statuses: dict[str, str]
    channels: dict[str, str]
    more: str


def _lines(tickets, labels: _Labels, *, english: bool, zone: tzinfo) -> Iterator[str]:
    buffer = _Line()
    writer = csv.writer(buffer)
    yield "\ufeff"
    writer.writerow(labels.header)
    yield buffer.take()
    values = tickets[: EXPORT_LIMIT + 1].values_list(*_COLUMNS).iterator(chunk_size=2000)
    for count, row in enumerate(rows(values, labels, english=english, zone=zone), start=1):
        writer.writerow([labels.more] if count > EXPORT_LIMIT else row)
        yield buffer.take()


def in_chunks(lines: Iterator[str], size: int = 500) -> AsyncIterator[str]:
    """The same lines for an ASGI server, `size` at a time, each chunk made in the request's sync thread (where
    its database connection is): given a plain iterator, Django would read the whole file into memory first."""
    next_chunk = sync_to_async(lambda: "".join(islice(lines, size)), thread_sensitive=True)

    async def chunks() -> AsyncIterator[str]:
        while chunk := await next_chunk():
            yield chunk

    return chunks()


def rows(values: Iterable[tuple], labels: _Labels, *, english: bool, zone: tzinfo) -> Iterator[list[str]]:
    statuses, channels = labels.statuses, labels.channels
    for (
        number,
        subject,
        status,
        priority,
        priority_en,
        category,
        category_en,
        channel,
        team,
        team_en,
        assignee,
        assignee_login,
        customer,
        created,
        answered,
        solved,
        updated,
    ) in values:
        yield [
            str(number),
            _safe(subject),
            statuses.get(status, status),
            _name(priority, priority_en, english),
            _name(category, category_en, english),
            channels.get(channel, channel),
            _name(team, team_en, english),
            _safe(assignee or assignee_login or ""),
            _safe(customer or ""),
            _moment(created, zone),
            _moment(answered, zone),
            _moment(solved, zone),
            _moment(updated, zone),
        ]


def _name(name: str | None, name_en: str | None, english: bool) -> str:
    return _safe((english and name_en) or name or "")


def _moment(value: datetime | None, zone: tzinfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""


def _safe(text: str) -> str:
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


class _Line:
    """A file-like target for csv.writer that hands back what was written since the last take()."""

    def __init__(self) -> None:
        self._parts: list[str] = []

    def write(self, text: str) -> int:
        self._parts.append(text)
        return len(text)

    def take(self) -> str:
        text, self._parts = "".join(self._parts), []
        return text
