"""Build the demo: configuration, teams, staff in every role, customers and a believable ticket history.

This is seed data, not domain flow: rows are written directly with `bulk_create` in one transaction
(no events, no audit trail), which keeps a full demo well under a few seconds on SQLite.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Case, DateTimeField, Value, When

from kefu.accounts.models import Team, User
from kefu.accounts.roles import ROLE_PERMISSIONS, sync_roles
from kefu.core import clock, config_cache
from kefu.core.crypto import lookup_hash
from kefu.customers.models import Customer, Identity, Organization, Tier
from kefu.customers.rules import normalize_identity
from kefu.sla import rules as sla_rules
from kefu.sla import services as sla_services
from kefu.sla.models import TicketSla
from kefu.sla.services import ensure_default_policies
from kefu.surveys.demo import ensure_demo_surveys
from kefu.tickets.models import (
    AuthorKind,
    Category,
    Channel,
    CustomField,
    Macro,
    Message,
    MessageKind,
    Priority,
    Severity,
    Status,
    Tag,
    Ticket,
    TicketSearchEntry,
    priority_rank_of,
)
from kefu.tickets.search import index_tickets

from . import data, scenarios
from .chat import ensure_chat_site
from .knowledge import KNOWLEDGE_AUTHOR, ensure_knowledge
from .quality import ensure_quality

DAY = 86400


@dataclass
class Configuration:
    """The configuration rows the demo and the seeder hang tickets on, keyed by code/name/username."""

    categories: dict[str, Category]
    priorities: dict[str, Priority]
    tags: dict[str, Tag]
    teams: dict[str, Team]
    staff: dict[str, User]
    team_members: dict[str, list[User]]
    new_logins: list[str] = field(default_factory=list)  # demo staff created by this call


@dataclass
class DemoResult:
    created: bool
    counts: dict[str, int] = field(default_factory=dict)


# --- configuration ---------------------------------------------------------------------------------


def ensure_configuration() -> Configuration:
    """Create whatever demo configuration is missing (categories … macros, staff, teams); never duplicates."""
    with transaction.atomic():
        if Group.objects.filter(name__in=ROLE_PERMISSIONS).count() < len(ROLE_PERMISSIONS):
            sync_roles()
        categories = _ensure_categories()
        priorities = _ensure_priorities()
        tags = _ensure_tags()
        _ensure_custom_fields()
        staff, new_logins = _ensure_staff()
        teams = _ensure_teams(staff)
        _ensure_macros(staff, teams)
        ensure_default_policies()
        members = {
            name: list(team.members.filter(is_active=True).order_by("id")) for name, team in teams.items()
        }
    return Configuration(categories, priorities, tags, teams, staff, members, new_logins)


def _ensure_categories() -> dict[str, Category]:
    found = {}
    for position, (code, name, name_en) in enumerate(data.CATEGORIES):
        found[code], _ = Category.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "position": position}
        )
    return found


def _ensure_priorities() -> dict[str, Priority]:
    has_default = Priority.objects.filter(is_default=True).exists()
    found = {}
    for code, name, name_en, rank, color, is_default in data.PRIORITIES:
        found[code], _ = Priority.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "rank": rank,
                "color": color,
                "is_default": is_default and not has_default,
            },
        )
    return found


def _ensure_tags() -> dict[str, Tag]:
    existing = set(Tag.objects.filter(name__in=data.TAGS).values_list("name", flat=True))
    Tag.objects.bulk_create([Tag(name=name) for name in data.TAGS if name not in existing])
    config_cache.changed()  # bulk_create sends no signal: running processes reload their menus
    return {tag.name: tag for tag in Tag.objects.filter(name__in=data.TAGS)}


def _ensure_custom_fields() -> None:
    for position, (key, name, name_en, kind, choices, visible) in enumerate(data.CUSTOM_FIELDS):
        CustomField.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "name_en": name_en,
                "kind": kind,
                "choices": choices,
                "customer_visible": visible,
                "position": position,
            },
        )


def _ensure_staff() -> tuple[dict[str, User], list[str]]:
    existing = {u.username: u for u in User.objects.filter(username__in=[s.username for s in data.STAFF])}
    missing = [s for s in data.STAFF if s.username not in existing]
    if missing:
        # One (slow, Argon2) hash for every demo login: they share the public demo password anyway.
        password = make_password(data.DEMO_PASSWORD)
        today = clock.now().date()
        groups = {g.name: g for g in Group.objects.filter(name__in=ROLE_PERMISSIONS)}
        for spec in missing:
            user = User.objects.create(
                username=spec.username,
                password=password,
                email=f"{spec.username}@kefu.example.com",
                first_name=spec.first_name,
                last_name=spec.last_name,
                display_name=spec.display_name,
                level=spec.level,
                hire_date=today - timedelta(days=spec.hired_days_ago),
                skills=spec.skills,
                presence=spec.presence,
                language=spec.language,
                timezone="Asia/Shanghai",
                is_staff=True,
                is_superuser=spec.username == "admin",
            )
            user.groups.add(groups[spec.role])
            existing[spec.username] = user
    return existing, [s.username for s in missing]


def _ensure_teams(staff: dict[str, User]) -> dict[str, Team]:
    has_default = Team.objects.filter(is_default=True).exists()
    teams = {}
    for spec in data.TEAMS:
        team, created = Team.objects.get_or_create(
            name=spec.name,
            defaults={
                "name_en": spec.name_en,
                "description": spec.description,
                "lead": staff.get(spec.lead),
                "is_default": spec.is_default and not has_default,
            },
        )
        if created:
            team.members.add(*[staff[u] for u in spec.members if u in staff])
        teams[spec.name] = team
    return teams


def _ensure_macros(staff: dict[str, User], teams: dict[str, Team]) -> None:
    existing = set(
        Macro.objects.filter(name__in=[m.name for m in data.MACROS]).values_list("name", flat=True)
    )
    rows = []
    for spec in data.MACROS:
        if spec.name in existing:
            continue
        actions = dict(spec.actions)
        if "team" in actions:  # macros name a team by id
            actions["team"] = teams[actions["team"]].pk
        owner = staff.get(spec.owner) if spec.owner else None
        rows.append(
            Macro(name=spec.name, body=spec.body, actions=actions, is_shared=owner is None, owner=owner)
        )
    Macro.objects.bulk_create(rows)
    config_cache.changed()


# --- demo content ----------------------------------------------------------------------------------


def demo_exists() -> bool:
    """The demo content is there once the portal customer is (it is created in the same transaction)."""
    return Customer.objects.filter(user__username=data.PORTAL_USERNAME).exists()


def build_demo(*, tickets: int = 1000, customers: int = 200, seed: int = 2026) -> DemoResult:
    """Create the whole demo once; a second call finds it and creates nothing."""
    with transaction.atomic():
        config = ensure_configuration()
        if demo_exists():
            _ensure_sla_clocks(clock.now())  # a demo built before tickets had clocks gets them now
            ensure_knowledge(config.staff[KNOWLEDGE_AUTHOR])  # ... and one built before the help center
            ensure_chat_site()  # ... and one built before the chat site
            ensure_quality(config.staff[data.QUALITY_INSPECTOR])  # ... and one built before quality inspection
            ensure_demo_surveys()  # ... and one built before satisfaction surveys
            created = False
        else:
            created = True
            rng = random.Random(seed)
            now = clock.now()
            people = _create_customers(rng, customers, now)
            portal_customer = _create_portal_customer(now)
            counts = _create_tickets(rng, config, people, portal_customer, tickets, now)
            counts["sla_clocks"] = _ensure_sla_clocks(now)
            counts.update(ensure_knowledge(config.staff[KNOWLEDGE_AUTHOR]))
            ensure_chat_site()
            counts.update(ensure_quality(config.staff[data.QUALITY_INSPECTOR]))
            counts["surveys"] = ensure_demo_surveys()
    # The tickets were bulk-created past the services: give them their full-text search entries (also for a
    # demo built before tickets were searchable). Batches commit on their own, outside the build's transaction.
    if not TicketSearchEntry.objects.exists():
        index_tickets()
    if not created:
        return DemoResult(created=False)
    counts.update(staff=len(config.staff), teams=len(config.teams), customers=len(people) + 1)
    return DemoResult(created=True, counts=counts)


def _ensure_sla_clocks(now: datetime) -> int:
    """SLA clocks for tickets that have none (bulk-created demo tickets, open or done); never twice.

    Their history is filled in as it would have happened: a warning, breach or escalation counts when its
    moment came before the ticket reached that target (its first response, its solve) or, for a target not
    reached yet, before `now`. Those past moments are marked as handled, so the first sweep raises no late
    alarms, and the dashboard's "within SLA" shares count the demo's solved tickets as met or breached.
    """
    clocks = []
    for ticket in Ticket.objects.filter(sla__isnull=True).order_by("pk"):
        sla = sla_services.apply_policy(ticket=ticket, now=now)
        if sla is None:
            continue
        answered = ticket.first_response_at or now
        finished = (ticket.solved_at or ticket.closed_at or now) if sla.resolution_met else now
        for flag, moment, reached in (
            ("first_response_warned", sla.first_response_warn_at, answered),
            ("first_response_breached", sla.first_response_due, answered),
            ("resolution_warned", sla.resolution_warn_at, finished),
            ("resolution_breached", sla.resolution_due, finished),
            ("escalated", sla.escalation_due, finished),
        ):
            setattr(sla, flag, getattr(sla, flag) or (moment is not None and moment <= reached))
        sla.next_deadline = (
            None if sla.paused_since else sla_rules.next_deadline(sla_services.pending_moments(sla))
        )
        clocks.append(sla)
    TicketSla.objects.bulk_update(
        clocks,
        [
            "first_response_warned",
            "first_response_breached",
            "resolution_warned",
            "resolution_breached",
            "escalated",
            "next_deadline",
        ],
        batch_size=500,
    )
    return len(clocks)


def _chinese_name(rng: random.Random) -> tuple[str, str]:
    surname, s_py = rng.choice(data.SURNAMES)
    given, g_py = rng.choice(data.GIVEN_NAMES)
    return surname + given, f"{s_py}{g_py}"


def _english_name(rng: random.Random) -> tuple[str, str]:
    first, last = rng.choice(data.EN_FIRST), rng.choice(data.EN_LAST)
    return f"{first} {last}", f"{first}.{last}".lower()


def _phone(rng: random.Random, used: set[str]) -> str:
    while True:
        phone = rng.choice(data.PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if phone not in used:
            used.add(phone)
            return phone


def _id_number(rng: random.Random) -> str:
    """A fictional 18-digit resident ID with a valid ISO 7064 check digit."""
    born = date(1965, 1, 1) + timedelta(days=rng.randrange(365 * 40))
    body = rng.choice(data.ID_REGIONS) + born.strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def _create_customers(rng: random.Random, count: int, now: datetime) -> list[Customer]:
    orgs = [Organization.objects.get_or_create(name=name)[0] for name in data.ORGANIZATIONS]
    people, identities, used_emails, used_phones = [], [], set(), {data.PORTAL_PHONE}
    for i in range(count):
        english = rng.random() < 0.18
        name, handle = _english_name(rng) if english else _chinese_name(rng)
        roll = rng.random()
        tier = Tier.SVIP if roll < 0.05 else Tier.VIP if roll < 0.15 else Tier.NORMAL
        customer = Customer(
            name=name,
            tier=tier,
            language="en" if english else "zh-hans",
            organization=rng.choice(orgs) if rng.random() < (0.6 if tier != Tier.NORMAL else 0.2) else None,
            tags=rng.choice(data.CUSTOMER_TAGS) if rng.random() < 0.2 else [],
            notes=rng.choice(data.VIP_NOTES) if tier != Tier.NORMAL else "",
            id_number=_id_number(rng) if not english and rng.random() < 0.25 else "",
        )
        people.append(customer)
        kinds = []
        has_email = english or rng.random() < 0.7
        if has_email:
            email = f"{handle}{rng.randrange(10, 999)}@{rng.choice(data.EMAIL_DOMAINS)}"
            while email in used_emails:
                email = f"{handle}{rng.randrange(1000, 9999)}@{rng.choice(data.EMAIL_DOMAINS)}"
            used_emails.add(email)
            kinds.append(("email", email))
        if not has_email or rng.random() < 0.7:
            kinds.append(("phone", _phone(rng, used_phones)))
        if not english and rng.random() < 0.1:
            kinds.append(("wechat", f"oWx{i:04d}{rng.randrange(16**12):012x}"))
        identities.append(kinds)
    Customer.objects.bulk_create(people, batch_size=500)
    _add_identities(
        [
            _identity(c, kind, value)
            for c, kinds in zip(people, identities, strict=True)
            for kind, value in kinds
        ]
    )
    # auto_now_add stamped them all "now": spread the customers over the past year and a bit.
    joined = {c.pk: now - timedelta(days=rng.uniform(91, 500)) for c in people}
    if joined:
        Customer.objects.filter(pk__in=joined).update(
            created_at=Case(
                *[When(pk=pk, then=Value(when)) for pk, when in joined.items()],
                output_field=DateTimeField(),
            )
        )
    return people


def _identity(customer: Customer, kind: str, value: str) -> Identity:
    return Identity(
        customer=customer, kind=kind, value=value, lookup=lookup_hash(normalize_identity(kind, value))
    )


def _create_portal_customer(now: datetime) -> Customer:
    user = User.objects.filter(username=data.PORTAL_USERNAME).first()
    if user is None:
        user = User.objects.create(
            username=data.PORTAL_USERNAME,
            password=make_password(data.DEMO_PASSWORD),
            email=data.PORTAL_EMAIL,
            display_name=data.PORTAL_NAME,
            last_name=data.PORTAL_NAME[0],
            first_name=data.PORTAL_NAME[1:],
            language="zh-hans",
            timezone="Asia/Shanghai",
        )
    customer = Customer.objects.create(name=data.PORTAL_NAME, user=user, tier=Tier.NORMAL, language="zh-hans")
    _add_identities(
        [_identity(customer, "email", data.PORTAL_EMAIL), _identity(customer, "phone", data.PORTAL_PHONE)]
    )
    return customer


def _add_identities(identities: list[Identity]) -> None:
    """Store them, leaving out any address a customer already in the database has (identities are unique)."""
    taken = set(
        Identity.objects.filter(lookup__in=[i.lookup for i in identities]).values_list("kind", "lookup")
    )
    Identity.objects.bulk_create([i for i in identities if (i.kind, i.lookup) not in taken], batch_size=500)


# --- tickets and conversations ---------------------------------------------------------------------

_CHANNELS = [Channel.WEB, Channel.EMAIL, Channel.CHAT, Channel.WECHAT, Channel.PHONE, Channel.API]
_CHANNEL_WEIGHTS_ZH = [22, 20, 22, 20, 14, 2]
_CHANNEL_WEIGHTS_EN = [35, 50, 12, 0, 2, 1]


def _pick_status(rng: random.Random, age_days: float) -> str:
    if age_days < 1:
        options = [(Status.NEW, 35), (Status.OPEN, 35), (Status.PENDING, 15), (Status.SOLVED, 15)]
    elif age_days < 7:
        options = [
            (Status.NEW, 5),
            (Status.OPEN, 28),
            (Status.PENDING, 20),
            (Status.ON_HOLD, 10),
            (Status.SOLVED, 30),
            (Status.CLOSED, 7),
        ]
    else:
        options = [
            (Status.OPEN, 4),
            (Status.PENDING, 4),
            (Status.ON_HOLD, 3),
            (Status.SOLVED, 12),
            (Status.CLOSED, 77),
        ]
    return rng.choices([s for s, _ in options], weights=[w for _, w in options])[0]


def _pick_priority(rng: random.Random, category: str, vip: bool) -> str:
    order = ["low", "normal", "high", "urgent"]
    weights = [0, 40, 40, 20] if category == "complaint" else [15, 65, 15, 5]
    code = rng.choices(order, weights=weights)[0]
    if vip and code != "urgent" and rng.random() < 0.5:
        code = order[order.index(code) + 1]
    return code


def ticket_vars(
    rng: random.Random, *, name: str, agent: str, english: bool, when: datetime
) -> dict[str, str]:
    """Values for a scenario's placeholders: a product, an order number, a courier and so on."""
    product = rng.choice(data.PRODUCTS)
    courier = rng.choice(data.COURIERS)
    bought = when - timedelta(days=rng.randint(3, 200))
    return {
        "name": name,
        "agent": agent,
        "product": product.en if english else product.zh,
        "model": product.model,
        "order": f"DD{bought:%Y%m%d}{rng.randrange(10**6):06d}",
        "bought": bought.date().isoformat(),
        "days": str(rng.randint(3, 12)),
        "amount": str(rng.choice([59, 99, 129, 199, 299, 399, 599, 899, 1299, 1999, 2999, 3999])),
        "courier": courier[1] if english else courier[0],
        "tracking": f"SF{rng.randrange(10**12):012d}",
    }


@dataclass
class _Step:
    gap: float  # seconds after the previous step
    kind: str
    text: str = ""
    author: User | None = None
    event_type: str = ""
    event_data: dict = field(default_factory=dict)
    mark: str = ""  # "first_response", "solved" or "closed": the ticket column this step's time fills


def _conversation(
    rng: random.Random,
    status: str,
    scenario: scenarios.Scenario,
    values: dict,
    agent: User | None,
    english: bool,
) -> list[_Step]:
    """The timeline of one ticket, ending in `status`."""
    text = {key: getattr(scenario, key).format_map(values) for key in scenario._fields}
    steps = [_Step(0, MessageKind.CUSTOMER, text["opening"])]
    if status == Status.NEW or agent is None:
        if rng.random() < 0.25:
            nudges = scenarios.NUDGES_EN if english else scenarios.NUDGES_ZH
            steps.append(_Step(rng.uniform(600, 4 * 3600), MessageKind.CUSTOMER, rng.choice(nudges)))
        return steps
    steps.append(
        _Step(
            rng.uniform(20, 1800),
            MessageKind.EVENT,
            event_type="assigned",
            event_data={"assignee_id": agent.pk, "assignee_name": agent.name},
        )
    )
    steps.append(_Event(agent, Status.NEW, Status.OPEN, gap=rng.uniform(5, 120)))
    steps.append(
        _Step(rng.uniform(120, 6 * 3600), MessageKind.REPLY, text["reply"], agent, mark="first_response")
    )
    if rng.random() < 0.3:
        steps.append(_Step(rng.uniform(30, 900), MessageKind.NOTE, text["note"], agent))
    if status == Status.PENDING:
        steps.append(_Event(agent, Status.OPEN, Status.PENDING, gap=1))
    elif status == Status.ON_HOLD:
        notes = scenarios.HOLD_NOTES_EN if english else scenarios.HOLD_NOTES_ZH
        steps.append(_Step(rng.uniform(60, 3600), MessageKind.NOTE, rng.choice(notes), agent))
        steps.append(_Event(agent, Status.OPEN, Status.ON_HOLD, gap=1))
    elif status == Status.OPEN:
        if rng.random() < 0.6:
            steps.append(_Step(rng.uniform(600, DAY), MessageKind.CUSTOMER, text["follow_up"]))
    else:
        if rng.random() < 0.7:
            steps.append(_Step(rng.uniform(600, DAY), MessageKind.CUSTOMER, text["follow_up"]))
        steps.append(_Step(rng.uniform(600, 2 * DAY), MessageKind.REPLY, text["resolution"], agent))
        steps.append(_Event(agent, Status.OPEN, Status.SOLVED, gap=2, mark="solved"))
        if status == Status.CLOSED:
            steps.append(
                _Event(None, Status.SOLVED, Status.CLOSED, gap=rng.uniform(DAY, 7 * DAY), mark="closed")
            )
    return steps


def _Event(actor: User | None, old: str, new: str, *, gap: float, mark: str = "") -> _Step:  # noqa: N802
    return _Step(
        gap,
        MessageKind.EVENT,
        author=actor,
        event_type="status_changed",
        event_data={"old": str(old), "new": str(new)},
        mark=mark,
    )


def _place(steps: list[_Step], created: datetime, now: datetime) -> list[datetime]:
    """Absolute times for the steps; squeezed so the last one is still in the past."""
    offsets, total = [], 0.0
    for step in steps:
        total += step.gap
        offsets.append(total)
    room = (now - created).total_seconds() * 0.95
    scale = min(1.0, room / total) if total else 1.0
    return [created + timedelta(seconds=o * scale) for o in offsets]


def _create_tickets(
    rng, config: Configuration, people: list[Customer], portal: Customer, count: int, now: datetime
) -> dict[str, int]:
    # A few customers write often, most once or twice.
    weights = [rng.paretovariate(1.6) for _ in people]
    owners = rng.choices(people, weights=weights, k=max(0, count - 6)) + [portal] * min(6, count)
    tickets, timelines = [], []
    for customer in owners:
        ticket, steps = _make_ticket(rng, config, customer, now, portal=customer is portal)
        tickets.append(ticket)
        timelines.append(steps)
    Ticket.objects.bulk_create(tickets, batch_size=500)
    messages, links = [], []
    through = Ticket.tags.through
    for ticket, (steps, times, tags) in zip(tickets, timelines, strict=True):
        author = portal.user if ticket.customer_id == portal.pk else None
        for step, when in zip(steps, times, strict=True):
            messages.append(_message(ticket, step, when, author))
        links.extend(through(ticket_id=ticket.pk, tag_id=config.tags[name].pk) for name in tags)
    Message.objects.bulk_create(messages, batch_size=1000)
    through.objects.bulk_create(links, batch_size=1000)
    return {"tickets": len(tickets), "messages": len(messages)}


def _make_ticket(rng, config: Configuration, customer: Customer, now: datetime, *, portal: bool):
    english = customer.language == "en"
    age_days = 90 * rng.random() ** 1.8  # more recent tickets than old ones: a live queue to work on
    created = now - timedelta(days=age_days)
    category = rng.choices(list(data.CATEGORY_WEIGHTS), weights=list(data.CATEGORY_WEIGHTS.values()))[0]
    status = _pick_status(rng, age_days)
    team_name = data.CATEGORY_TEAM[category]
    if customer.is_vip and category != "technical" and rng.random() < 0.5:
        team_name = data.VIP_TEAM
    members = config.team_members.get(team_name) or [None]
    agent = None if status == Status.NEW else rng.choice(members)
    if agent is None:
        status = Status.NEW
    scenario = rng.choice((scenarios.SCENARIOS_EN if english else scenarios.SCENARIOS_ZH)[category])
    values = ticket_vars(
        rng, name=customer.name, agent=agent.name if agent else "", english=english, when=created
    )
    steps = _conversation(rng, status, scenario, values, agent, english)
    times = _place(steps, created, now)
    ticket = Ticket(
        subject=scenario.subject.format_map(values)[:255],
        status=status,
        category=config.categories[category],
        priority=config.priorities[_pick_priority(rng, category, customer.is_vip)],
        severity=Severity.MAJOR if category == "complaint" and rng.random() < 0.25 else Severity.NORMAL,
        channel=Channel.WEB
        if portal
        else rng.choices(_CHANNELS, weights=_CHANNEL_WEIGHTS_EN if english else _CHANNEL_WEIGHTS_ZH)[0],
        team=config.teams[team_name],
        assignee=agent,
        customer=customer,
        custom_fields=_custom_fields(rng, category, values),
        created_at=created,
        updated_at=times[-1],
        message_count=sum(1 for s in steps if s.kind != MessageKind.EVENT),
        last_customer_message_at=max(
            t for s, t in zip(steps, times, strict=True) if s.kind == MessageKind.CUSTOMER
        ),
    )
    # Written without the services: the copy of the priority's rank the queue sorts by is filled here.
    ticket.priority_rank = priority_rank_of(ticket.priority)
    for step, when in zip(steps, times, strict=True):
        if step.mark == "first_response":
            ticket.first_response_at = when
        elif step.mark == "solved":
            ticket.solved_at = when
        elif step.mark == "closed":
            ticket.closed_at = when
    tags = rng.sample(
        data.CATEGORY_TAGS[category], k=min(len(data.CATEGORY_TAGS[category]), rng.choice([0, 1, 1, 2]))
    )
    if customer.is_vip:
        tags.append("VIP")
    return ticket, (steps, times, tags)


def _custom_fields(rng: random.Random, category: str, values: dict) -> dict:
    fields: dict = {}
    if category in ("order", "after_sales", "complaint"):
        fields["order_number"] = values["order"]
    if category != "suggestion" and rng.random() < 0.7:
        fields["product_model"] = values["model"]
    if category in ("after_sales", "complaint"):
        fields["purchase_date"] = values["bought"]
    return fields


def _message(ticket: Ticket, step: _Step, when: datetime, customer_user: User | None) -> Message:
    if step.kind == MessageKind.CUSTOMER:
        author_kind, author, channel = AuthorKind.CUSTOMER, customer_user, ticket.channel
    elif step.kind == MessageKind.EVENT:
        author_kind = AuthorKind.AGENT if step.author else AuthorKind.SYSTEM
        author, channel = step.author, ""
    else:
        author_kind, author = AuthorKind.AGENT, step.author
        channel = ticket.channel if step.kind == MessageKind.REPLY else ""
    return Message(
        ticket_id=ticket.pk,
        kind=step.kind,
        author_kind=author_kind,
        author=author,
        body_text=step.text,
        event_type=step.event_type,
        event_data=step.event_data,
        channel=channel,
        created_at=when,
    )


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(username, role, password, name) of every demo login, staff first, then the portal customer."""
    rows = [(s.username, s.role, data.DEMO_PASSWORD, s.display_name) for s in data.STAFF]
    rows.append((data.PORTAL_USERNAME, "customer (portal)", data.DEMO_PASSWORD, data.PORTAL_NAME))
    return rows
