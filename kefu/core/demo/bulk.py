"""Bulk seeding for benchmarks: many tickets, each with a short conversation, written as fast as possible.

PostgreSQL gets COPY (psycopg 3) for customers, tickets, messages and ticket tags; SQLite gets one
`executemany` INSERT per table and batch (the ORM's `bulk_create` spends ~8x longer building SQL than the
database needs to store the rows). Ids are assigned here, one batch per transaction with the tables locked,
and the id sequences are moved past them afterwards, so ordinary inserts keep working. Values are adapted
for the database here, so every column of the models must be known: fields this module does not fill get
their default. Seeded rows bypass the services on purpose: no events, no audit trail, no search indexing.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max

from kefu.core import clock
from kefu.core.crypto import encrypt, lookup_hash
from kefu.customers.models import Customer, Identity, Tier
from kefu.customers.rules import normalize_identity
from kefu.tickets.models import AuthorKind, Message, MessageKind, Status, Ticket

from . import data, scenarios
from .build import Configuration, ensure_configuration, ticket_vars

# The columns this module fills; any other column of the table gets its field default.
TICKET_FIELDS = (
    "id",
    "subject",
    "status",
    "category_id",
    "priority_id",
    "priority_rank",
    "severity",
    "channel",
    "team_id",
    "assignee_id",
    "customer_id",
    "custom_fields",
    "created_at",
    "updated_at",
    "first_response_at",
    "solved_at",
    "closed_at",
    "last_customer_message_at",
    "message_count",
)
MESSAGE_FIELDS = (
    "id",
    "ticket_id",
    "kind",
    "author_kind",
    "author_id",
    "body_text",
    "event_type",
    "event_data",
    "channel",
    "created_at",
)

_STATUS_BY_AGE = [  # (younger than days, statuses, weights)
    (1, [Status.NEW, Status.OPEN, Status.PENDING, Status.SOLVED], [35, 35, 15, 15]),
    (
        7,
        [Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED, Status.CLOSED],
        [5, 28, 20, 10, 30, 7],
    ),
    (10**9, [Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED, Status.CLOSED], [4, 4, 3, 12, 77]),
]
_CHANNELS = ["web", "email", "chat", "wechat", "phone", "api"]
_CHANNEL_WEIGHTS = [22, 24, 22, 17, 13, 2]
_PRIORITY_CODES = ["low", "normal", "high", "urgent"]
_PRIORITY_WEIGHTS = [15, 65, 15, 5]
_VARIANTS = 12  # pre-rendered texts per scenario: enough variety, no formatting cost per ticket
_NAME = "\x00"  # placeholder for the customer's name inside pre-rendered texts


@dataclass
class SeedResult:
    tickets: int
    messages: int
    tag_links: int
    customers: int
    seconds: float
    new_logins: list[str]

    @property
    def rows(self) -> int:
        return self.tickets + self.messages + self.tag_links


@dataclass
class _Batch:
    tickets: list[tuple]
    messages: list[tuple]
    tag_links: list[tuple[int, int]]


def seed(
    *,
    tickets: int,
    customers: int | None = None,
    batch: int = 10_000,
    days: int = 365,
    rng_seed: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> SeedResult:
    """Create `tickets` tickets (2–4 messages each) for `customers` new customers (0: reuse existing ones)."""
    started = time.perf_counter()
    say = progress or (lambda _line: None)
    rng = random.Random(rng_seed)
    config = ensure_configuration()
    if customers is None:
        customers = max(1, tickets // 10)
    writer = _Writer()
    people = _create_customers(rng, writer, customers, say) if customers else _existing_customers()
    if not people:
        raise ValueError("no customers to seed tickets for: pass --customers with a positive number")
    generator = _Generator(rng, writer, config, people, days=days)
    done = messages = links = 0
    tick = time.perf_counter()
    through = Ticket.tags.through
    while done < tickets:
        size = min(batch, tickets - done)
        with transaction.atomic():
            first_ticket, first_message = writer.reserve_ids(Ticket, Message)
            rows = generator.batch(size, first_ticket, first_message)
            writer.insert(Ticket, TICKET_FIELDS, rows.tickets)
            writer.insert(Message, MESSAGE_FIELDS, rows.messages)
            writer.insert(through, ("ticket_id", "tag_id"), rows.tag_links, defaults=False)
            writer.reset_sequences(Ticket, Message)
        done += size
        messages += len(rows.messages)
        links += len(rows.tag_links)
        elapsed = time.perf_counter() - tick
        say(
            f"  {done:>11,} / {tickets:,} tickets   {done / elapsed:>9,.0f} tickets/s   "
            f"{(done + messages + links) / elapsed:>10,.0f} rows/s"
        )
    return SeedResult(
        done,
        messages,
        links,
        len(people) if customers else 0,
        time.perf_counter() - started,
        config.new_logins,
    )


# --- customers ------------------------------------------------------------------------------------


CUSTOMER_FIELDS = ("id", "name", "tier", "language", "created_at", "updated_at")
IDENTITY_FIELDS = ("customer_id", "kind", "value", "lookup", "created_at")


def _create_customers(
    rng: random.Random, writer: _Writer, count: int, say: Callable[[str], None]
) -> list[tuple[int, str, bool]]:
    """New customers with an e-mail (all) and a phone (half); returns (id, name, english) per customer."""
    made: list[tuple[int, str, bool]] = []
    chunk = 10_000
    tick = time.perf_counter()
    now = writer.dt(clock.now())
    for start in range(0, count, chunk):
        with transaction.atomic():
            (first_id,) = writer.reserve_ids(Customer)
            people, identities = [], []
            for pk in range(first_id, first_id + min(chunk, count - start)):
                english = rng.random() < 0.1
                if english:
                    name = f"{rng.choice(data.EN_FIRST)} {rng.choice(data.EN_LAST)}"
                else:
                    name = rng.choice(data.SURNAMES)[0] + rng.choice(data.GIVEN_NAMES)[0]
                roll = rng.random()
                tier = Tier.SVIP if roll < 0.03 else Tier.VIP if roll < 0.1 else Tier.NORMAL
                people.append((pk, name, tier, "en" if english else "zh-hans", now, now))
                # Derived from the id, so unique without a look-up; example.net and "170" numbers reach nobody.
                identities.append(_identity(pk, "email", f"seed{pk}@example.net", now))
                if rng.random() < 0.5:
                    identities.append(_identity(pk, "phone", f"170{pk:08d}", now))
            writer.insert(Customer, CUSTOMER_FIELDS, people)
            writer.insert(Identity, IDENTITY_FIELDS, identities)
            writer.reset_sequences(Customer)
        made.extend((pk, name, language == "en") for pk, name, _tier, language, _c, _u in people)
        say(
            f"  {len(made):>11,} / {count:,} customers   {len(made) / (time.perf_counter() - tick):>9,.0f} /s"
        )
    return made


def _identity(customer_id: int, kind: str, value: str, now) -> tuple:
    # The value column is encrypted at rest, like every identity the application writes.
    return (customer_id, kind, encrypt(value), lookup_hash(normalize_identity(kind, value)), now)


def _existing_customers(limit: int = 200_000) -> list[tuple[int, str, bool]]:
    rows = Customer.objects.order_by("-id").values_list("id", "name", "language")[:limit]
    return [(pk, name, language == "en") for pk, name, language in rows]


# --- generating rows ------------------------------------------------------------------------------


class _Generator:
    """Makes ticket, message and tag rows; everything slow (formatting, weights) is prepared once."""

    def __init__(
        self,
        rng: random.Random,
        writer: _Writer,
        config: Configuration,
        people: list[tuple[int, str, bool]],
        *,
        days: int,
    ) -> None:
        self.rng = rng
        self.people = people
        self.span = max(1, days) * 86400
        self.now = clock.now()
        self.dt = writer.dt
        self.json = writer.json
        self.categories = list(data.CATEGORY_WEIGHTS)
        self.category_cum = _cumulative(data.CATEGORY_WEIGHTS.values())
        self.channel_cum = _cumulative(_CHANNEL_WEIGHTS)
        self.priority_cum = _cumulative(_PRIORITY_WEIGHTS)
        self.status_cum = [(age, statuses, _cumulative(w)) for age, statuses, w in _STATUS_BY_AGE]
        self.category_ids = {code: config.categories[code].pk for code in self.categories}
        self.priorities = [
            (config.priorities[code].pk, config.priorities[code].rank) for code in _PRIORITY_CODES
        ]
        self.team = {code: config.teams[name] for code, name in data.CATEGORY_TEAM.items()}
        self.agents = {
            code: [u.pk for u in config.team_members[name]] or [None]
            for code, name in data.CATEGORY_TEAM.items()
        }
        agent_names = {u.pk: u.name for members in config.team_members.values() for u in members}
        self.assigned = {
            pk: self.json({"assignee_id": pk, "assignee_name": agent_names[pk]}) for pk in agent_names
        }
        self.tag_ids = {
            code: [config.tags[t].pk for t in names] for code, names in data.CATEGORY_TAGS.items()
        }
        self.events = {
            (old, new): self.json({"old": str(old), "new": str(new)})
            for old, new in [
                (Status.NEW, Status.OPEN),
                (Status.OPEN, Status.PENDING),
                (Status.OPEN, Status.ON_HOLD),
                (Status.OPEN, Status.SOLVED),
                (Status.OPEN, Status.CLOSED),
                (Status.SOLVED, Status.CLOSED),
            ]
        }
        self.empty = self.json({})
        self.texts = self._render_texts()

    def _render_texts(self) -> dict[tuple[str, bool], list[tuple[str, ...]]]:
        texts: dict[tuple[str, bool], list[tuple[str, ...]]] = {}
        for english, by_category in ((False, scenarios.SCENARIOS_ZH), (True, scenarios.SCENARIOS_EN)):
            for code, options in by_category.items():
                rendered = []
                for scenario in options:
                    for _ in range(_VARIANTS):
                        values = ticket_vars(self.rng, name=_NAME, agent="", english=english, when=self.now)
                        values["agent"] = "Kefu" if english else "小美"
                        rendered.append(
                            tuple(getattr(scenario, k).format_map(values) for k in scenario._fields)
                            + (values["order"], values["model"])
                        )
                texts[(code, english)] = rendered
        return texts

    def batch(self, size: int, first_ticket: int, first_message: int) -> _Batch:
        out = _Batch([], [], [])
        message_id = first_message
        for ticket_id in range(first_ticket, first_ticket + size):
            message_id = self._ticket(out, ticket_id, message_id)
        return out

    def _ticket(self, out: _Batch, ticket_id: int, message_id: int) -> int:
        rng, dt = self.rng, self.dt
        customer_id, customer_name, english = self.people[int(rng.random() * len(self.people))]
        age = self.span * rng.random() ** 1.3
        created = self.now - timedelta(seconds=age)
        status = self._status(age / 86400)
        category = self.categories[_pick(rng, self.category_cum)]
        agent = rng.choice(self.agents[category]) if status != Status.NEW else None
        if agent is None:
            status = Status.NEW
        channel = _CHANNELS[_pick(rng, self.channel_cum)]
        subject, opening, reply, follow_up, resolution, note, order, model = rng.choice(
            self.texts[(category, english)]
        )
        steps = self._steps(
            status,
            agent,
            opening,
            reply.replace(_NAME, customer_name),
            follow_up,
            resolution.replace(_NAME, customer_name),
            note,
            english,
        )
        # Spread the steps over at most 90% of the ticket's age so every time is in the past.
        total = sum(s[0] for s in steps)
        scale = min(1.0, age * 0.9 / total) if total else 1.0
        at = created
        first_response = solved = closed = last_customer = None
        count = 0
        for gap, kind, author_kind, author, text, event_type, event_data, mark in steps:
            at = at + timedelta(seconds=gap * scale)
            if kind == MessageKind.CUSTOMER:
                last_customer = at
            elif kind == MessageKind.REPLY and first_response is None:
                first_response = at
            if kind != MessageKind.EVENT:
                count += 1
            elif mark == Status.SOLVED:
                solved = at
            elif mark == Status.CLOSED:
                closed = at
            out.messages.append(
                (
                    message_id,
                    ticket_id,
                    kind,
                    author_kind,
                    author,
                    text,
                    event_type,
                    event_data,
                    channel if kind in (MessageKind.CUSTOMER, MessageKind.REPLY) else "",
                    dt(at),
                )
            )
            message_id += 1
        solved = solved or closed
        fields = (
            {"order_number": order, "product_model": model} if category in ("order", "after_sales") else {}
        )
        team = self.team[category]
        out.tickets.append(
            (
                ticket_id,
                subject.replace(_NAME, customer_name)[:255],
                status,
                self.category_ids[category],
                *self.priorities[_pick(rng, self.priority_cum)],  # priority_id, priority_rank
                "normal",
                channel,
                team.pk,
                agent,
                customer_id,
                self.json(fields),
                dt(created),
                dt(at),
                dt(first_response),
                dt(solved),
                dt(closed),
                dt(last_customer),
                count,
            )
        )
        tags = self.tag_ids[category]
        roll = rng.random()
        if roll < 0.5:
            out.tag_links.append((ticket_id, tags[int(roll * 2 * len(tags))]))
        elif roll < 0.6 and len(tags) > 1:
            out.tag_links.extend((ticket_id, t) for t in rng.sample(tags, 2))
        return message_id

    def _status(self, age_days: float) -> str:
        for younger_than, statuses, cum in self.status_cum:
            if age_days < younger_than:
                return statuses[_pick(self.rng, cum)]
        return Status.CLOSED

    def _steps(self, status, agent, opening, reply, follow_up, resolution, note, english) -> list[tuple]:
        """2–4 timeline rows: (gap s, kind, author kind, author id, text, event type, event data, status set)."""
        r = self.rng.random
        customer = (0, MessageKind.CUSTOMER, AuthorKind.CUSTOMER, None, opening, "", self.empty, "")

        def says(text, gap):
            return (gap, MessageKind.CUSTOMER, AuthorKind.CUSTOMER, None, text, "", self.empty, "")

        def agent_says(kind, text, gap):
            return (gap, kind, AuthorKind.AGENT, agent, text, "", self.empty, "")

        def event(old, new, gap, by=agent):
            kind = AuthorKind.AGENT if by else AuthorKind.SYSTEM
            return (gap, MessageKind.EVENT, kind, by, "", "status_changed", self.events[(old, new)], new)

        if status == Status.NEW:
            nudge = self.rng.choice(scenarios.NUDGES_EN if english else scenarios.NUDGES_ZH)
            return [customer, says(nudge, 600 + r() * 14400)]
        first = agent_says(MessageKind.REPLY, reply, 120 + r() * 21600)
        if status == Status.OPEN:
            assigned = (
                20 + r() * 1800,
                MessageKind.EVENT,
                AuthorKind.SYSTEM,
                None,
                "",
                "assigned",
                self.assigned[agent],
                "",
            )
            steps = [customer, assigned, first]
            return steps + [says(follow_up, 600 + r() * 86400)] if r() < 0.5 else steps
        if status == Status.PENDING:
            steps = [customer, first]
            if r() < 0.3:
                steps.append(agent_says(MessageKind.NOTE, note, 30 + r() * 900))
            return steps + [event(Status.OPEN, Status.PENDING, 1)]
        if status == Status.ON_HOLD:
            steps = [customer, first, agent_says(MessageKind.NOTE, note, 60 + r() * 3600)]
            return steps + [event(Status.OPEN, Status.ON_HOLD, 1)] if r() < 0.4 else steps
        solve = agent_says(MessageKind.REPLY, resolution, 600 + r() * 172800)
        if status == Status.SOLVED:
            steps = [customer, first, solve] if r() < 0.6 else [customer, solve]
            return steps + [event(Status.OPEN, Status.SOLVED, 2)]
        if r() < 0.5:  # closed straight away by the agent
            return [customer, solve, event(Status.OPEN, Status.CLOSED, 2)]
        # solved, then closed by the system a few days later
        return [
            customer,
            solve,
            event(Status.OPEN, Status.SOLVED, 2),
            event(Status.SOLVED, Status.CLOSED, 86400 + r() * 518400, by=None),
        ]


def _cumulative(weights) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _pick(rng: random.Random, cum: list[float]) -> int:
    x = rng.random() * cum[-1]
    for i, edge in enumerate(cum):
        if x < edge:
            return i
    return len(cum) - 1


# --- writing --------------------------------------------------------------------------------------


class _Writer:
    """Adapts values for the current database and inserts rows: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        if self.vendor == "postgresql":
            self.dt = _same  # psycopg sends aware datetimes as timestamptz
            self.json = lambda value: json.dumps(value, ensure_ascii=False)
        elif self.vendor == "sqlite":
            self.dt = _sqlite_datetime
            self.json = json.dumps  # what Django's JSONField stores
            with connection.cursor() as cursor:
                # A bigger page cache for this connection only: index updates stop re-reading pages.
                cursor.execute("PRAGMA cache_size = -262144")
        else:
            self.dt = lambda value: None if value is None else connection.ops.adapt_datetimefield_value(value)
            self.json = json.dumps

    def defaults(self, model: type[models.Model], filled: tuple[str, ...]) -> tuple:
        """Values for the columns a row does not fill (fields other apps may add later), adapted."""
        values = []
        for f in self._rest(model, filled):
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = clock.now()
            else:
                value = f.get_default()
            if isinstance(f, models.JSONField):
                value = self.json(value)
            elif isinstance(value, datetime):
                value = self.dt(value)
            values.append(value)
        return tuple(values)

    def insert(
        self, model: type[models.Model], filled: tuple[str, ...], rows: list[tuple], *, defaults: bool = True
    ) -> None:
        if not rows:
            return
        by_attname = {f.attname: f.column for f in model._meta.concrete_fields}
        columns = [by_attname[name] for name in filled]
        if defaults:
            extra = self.defaults(model, filled)
            columns += [f.column for f in self._rest(model, filled)]
            if extra:
                rows = [row + extra for row in rows]
        table = connection.ops.quote_name(model._meta.db_table)
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})", rows)

    def reserve_ids(self, *tables: type[models.Model]) -> list[int]:
        """The next free id of each table; the tables stay locked for writers until the transaction ends."""
        if self.vendor == "postgresql":
            names = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in tables)
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")
        # On SQLite the IMMEDIATE transaction already holds the write lock.
        return [(m.objects.aggregate(m=Max("id"))["m"] or 0) + 1 for m in tables]

    def reset_sequences(self, *tables: type[models.Model]) -> None:
        """Move id sequences past the ids written here (PostgreSQL; SQLite follows max(id) by itself)."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(tables))
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)

    @staticmethod
    def _rest(model: type[models.Model], filled: tuple[str, ...]) -> list[models.Field]:
        return [f for f in model._meta.concrete_fields if f.attname not in filled and not f.primary_key]


def _same(value):
    return value


def _sqlite_datetime(value: datetime | None) -> str | None:
    """What Django's SQLite backend stores for an aware datetime: naive UTC in ISO format."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return str(value.replace(tzinfo=None))
