"""The queue's tickets as a CSV file: what supervisors and analysts take to Excel or a BI tool.

The same filters as the queue (`filtered_tickets`: the tickets the user may see), at most EXPORT_LIMIT rows,
streamed in chunks so a large export holds neither the rows nor the file in memory. Only what the queue
shows of a customer (the name) goes out: addresses and phone numbers stay behind their permission. Cells
a spreadsheet would run as a formula (=, +, -, @ …: a customer can write any subject) are quoted.
"""

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime, tzinfo

from django.utils import translation
from django.utils.translation import gettext as _

from kefu.tickets.models import Channel, Status

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


def header() -> list[str]:
    return [
        _("Number"),
        _("Subject"),
        _("Status"),
        _("Priority"),
        _("Category"),
        _("Channel"),
        _("Team"),
        _("Assignee"),
        _("Customer"),
        _("Created"),
        _("First response"),
        _("Solved"),
        _("Updated"),
    ]


def csv_lines(tickets, *, language: str, zone: tzinfo) -> Iterator[str]:
    """The file line by line: a byte-order mark (so Excel reads the Chinese as UTF-8), the header, the rows.

    The language and time zone are the request's, given here: the lines are made while the response streams,
    after the view (and the middleware that set them) returned."""
    buffer = _Line()
    writer = csv.writer(buffer)
    yield "\ufeff"
    with translation.override(language):
        writer.writerow(header())
        yield buffer.take()
        values = tickets[:EXPORT_LIMIT].values_list(*_COLUMNS).iterator(chunk_size=2000)
        for row in rows(values, english=language.startswith("en"), zone=zone):
            writer.writerow(row)
            yield buffer.take()


def rows(values: Iterable[tuple], *, english: bool, zone: tzinfo) -> Iterator[list[str]]:
    statuses, channels = dict(Status.choices), dict(Channel.choices)
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
            str(statuses.get(status, status)),
            _name(priority, priority_en, english),
            _name(category, category_en, english),
            str(channels.get(channel, channel)),
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
