"""The agent's ticket queue: parsing its filters and building one query for a page of rows.

Cost stays flat whatever the number of tickets: the options the filter menus offer come from the process's
copy of the configuration (kefu.workspace.menus, no query), the page itself is one query plus one each for the rows' tag names and customers' names,
and pages are cut with LIMIT/OFFSET reading one row past the page to know whether a next page exists, so
there is never a COUNT(*) over every ticket. A search adds two statements: the full-text index's matching
ids (at most `tickets.search.CANDIDATES`), then those the filters keep.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Case, F, IntegerField, OrderBy, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Team
from kefu.core.prepared import PreparedQuery
from kefu.customers.models import Customer
from kefu.tickets.access import sees_every_ticket, visible_tickets
from kefu.tickets.models import (
    OPEN_STATUSES,
    Category,
    Channel,
    Priority,
    Status,
    Ticket,
)
from kefu.tickets.search import filter_tickets

from .menus import STAFF_COLUMNS, Menus, menus
from .rows import severity_labels, status_labels, ticket_link_maker
from .widgets import use_fast_widgets

PAGE_SIZE = 50
MAX_PAGE = 2000

VIEW_MINE = "mine"
VIEW_UNASSIGNED = "unassigned"
VIEW_OPEN = "open"
VIEW_ALL = "all"
VIEWS = [
    (VIEW_MINE, _("My open tickets")),
    (VIEW_UNASSIGNED, _("Unassigned in my teams")),
    (VIEW_OPEN, _("All open tickets")),
    (VIEW_ALL, _("All I can see")),
]

_STATUS_ORDER = Case(
    *[When(status=code, then=Value(i)) for i, code in enumerate(Status.values)], output_field=IntegerField()
)
SORTS = {
    "updated": (_("Recently updated"), [F("updated_at").desc(), F("id").desc()]),
    "created": (_("Newest"), [F("created_at").desc(), F("id").desc()]),
    "oldest": (_("Oldest"), [F("created_at").asc(), F("id").asc()]),
    "priority": (
        _("Priority"),
        # The rank copied onto the ticket (no join; tickets without a priority hold -1, so they come last).
        [F("priority_rank").desc(), F("updated_at").desc(), F("id").desc()],
    ),
    "status": (_("Status"), [_STATUS_ORDER.asc(), F("updated_at").desc(), F("id").desc()]),
}

NONE = "none"
ME = "me"


@dataclass
class QueueOptions:
    """What the filter menus offer: the process's copy of the configuration (kefu.workspace.menus), no query."""

    categories: list[Category]
    priorities: list[Priority]
    teams: list[Team]
    staff: list
    tags: list[str]
    tag_options_html: str = ""  # the tags' <option> lines, ready-made
    staff_options_html: str = ""  # the staff's <option> lines, ready-made
    source: Menus | None = None  # the process's copy these came from (kefu.workspace.menus)

    @classmethod
    def load(cls, user) -> "QueueOptions":
        current = menus()
        return cls(
            categories=current.active_categories,
            priorities=list(current.priorities),
            teams=list(current.teams),
            staff=list(current.staff),
            tags=list(current.tags),
            tag_options_html=current.tag_options_html,
            staff_options_html=current.staff_options_html,
            source=current,
        )


class QueueFilterForm(forms.Form):
    """The query string of the queue. Every value is checked; a bad one answers 400 with the reason."""

    view = forms.ChoiceField(label=_("View"), choices=VIEWS, required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.TypedChoiceField(label=_("Category"), coerce=str, required=False)
    priority = forms.TypedChoiceField(label=_("Priority"), coerce=str, required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    tag = forms.CharField(label=_("Tag"), max_length=50, required=False)
    q = forms.CharField(label=_("Search"), max_length=200, required=False, strip=True)
    sort = forms.ChoiceField(label=_("Sort"), required=False)
    page = forms.IntegerField(label=_("Page"), min_value=1, max_value=MAX_PAGE, required=False)

    def __init__(self, data, *, options: QueueOptions):
        view = (data or {}).get("view") or VIEW_MINE
        shared = _shared_fields(options, view == VIEW_ALL) if options.source is not None else None
        if shared is not None:
            self.base_fields = {}  # nothing to copy: the fields are the shared ones set below
            super().__init__(data)
            self.fields = shared
            self.options = options
            return
        super().__init__(data)
        self.options = options
        blank_status = _("Any status") if view == VIEW_ALL else _("Open statuses")
        self.fields["status"].choices = [("", blank_status), ("open", _("Any open status")), *Status.choices]
        self.fields["category"].choices = [
            ("", _("All categories")),
            *[(str(c.pk), c.label) for c in options.categories],
        ]
        self.fields["priority"].choices = [
            ("", _("All priorities")),
            *[(str(p.pk), p.label) for p in options.priorities],
        ]
        self.fields["channel"].choices = [("", _("All channels")), *Channel.choices]
        self.fields["team"].choices = [
            ("", _("All teams")),
            (NONE, _("No team")),
            *[(str(t.pk), str(t)) for t in options.teams],
        ]
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            (ME, _("Me")),
            (NONE, _("Nobody")),
            *[(str(u.pk), u.name) for u in options.staff],
        ]
        self.fields["sort"].choices = [(k, label) for k, (label, _order) in SORTS.items()]
        use_fast_widgets(self)
        for name, form_field in self.fields.items():
            form_field.widget.attrs.setdefault("aria-label", str(form_field.label))
            form_field.widget.attrs.setdefault("id", f"filter-{name}")

    def error_text(self) -> str:
        """All errors in one translated sentence per field, for the error notice."""
        parts = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else name
            parts.append(f"{label}: {' '.join(errors)}")
        return "; ".join(parts)


_shared_by_language: dict[tuple[str | None, bool], dict[str, forms.Field]] = {}
_shared_source: list = [None]  # the menus copy the shared fields were built from


def _shared_fields(options: QueueOptions, view_all: bool) -> dict[str, forms.Field]:
    """The filter form's fields with their menus, built once per language, menus copy and kind of view, and
    shared by the forms of every request that follows (read only: validating and rendering change nothing
    in them). Copying and filling eleven fields for each request cost ~0.3 ms of a queue page (issue 7)."""
    if _shared_source[0] is not options.source:
        _shared_by_language.clear()
        _shared_source[0] = options.source
    key = (get_language(), view_all)
    fields = _shared_by_language.get(key)
    if fields is None:
        built = QueueFilterForm(
            {"view": VIEW_ALL if view_all else VIEW_MINE}, options=replace(options, source=None)
        )
        fields = _shared_by_language[key] = built.fields
    return fields


@dataclass
class QueuePage:
    tickets: list[Ticket]
    page: int
    has_next: bool
    search_capped: bool = False  # the words are in more tickets than a search reads (see tickets.search)

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def filtered_tickets(user, data: dict, options: QueueOptions) -> tuple[QuerySet[Ticket], bool]:
    """The visible tickets matching cleaned filter `data`, ordered, not yet sliced; and whether a search in
    them was capped (its words are in very many tickets)."""
    qs = visible_tickets(user)
    view = data.get("view") or VIEW_MINE
    status = data.get("status")
    if view == VIEW_MINE:
        qs = qs.filter(assignee_id=user.pk)
    elif view == VIEW_UNASSIGNED:
        # A subquery, not a list read beforehand: one statement fewer on every queue page.
        qs = qs.filter(assignee__isnull=True, team_id__in=user.teams.values("id"))
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    elif view != VIEW_ALL:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if data.get("category"):
        qs = qs.filter(category_id=int(data["category"]))
    if data.get("priority"):
        qs = qs.filter(priority_id=int(data["priority"]))
    if data.get("channel"):
        qs = qs.filter(channel=data["channel"])
    qs = _filter_people(qs, user, data)
    if data.get("tag"):
        qs = qs.filter(tags__name=data["tag"])
    capped = False
    order = SORTS.get(data.get("sort") or "updated", SORTS["updated"])[1]
    if data.get("q"):
        qs, capped = filter_tickets(qs, data["q"])  # the full-text index, see kefu.tickets.search
        order = [_sorted_not_walked(term) for term in order]
    return qs.order_by(*order), capped


def _sorted_not_walked(term: OrderBy) -> OrderBy:
    """The same order in a form no index serves: a search leaves at most a few thousand known ids, which
    the database sorts at once. Given an index on the sort column, PostgreSQL would rather walk it over
    every ticket, hoping to meet those ids early (measured on 1M tickets: 26,000 rows read for a page)."""
    if isinstance(term.expression, F):
        column = Coalesce(term.expression, term.expression)
        return OrderBy(
            column, descending=term.descending, nulls_first=term.nulls_first, nulls_last=term.nulls_last
        )
    return term


def _filter_people(qs: QuerySet[Ticket], user, data: dict) -> QuerySet[Ticket]:
    team = data.get("team")
    if team == NONE:
        qs = qs.filter(team__isnull=True)
    elif team:
        qs = qs.filter(team_id=int(team))
    assignee = data.get("assignee")
    if assignee == ME:
        qs = qs.filter(assignee_id=user.pk)
    elif assignee == NONE:
        qs = qs.filter(assignee__isnull=True)
    elif assignee:
        qs = qs.filter(assignee_id=int(assignee))
    return qs


# Columns a row never shows: not read, so no JSON parsing, decryption or date conversion per row.
_UNSHOWN_COLUMNS = (
    "custom_fields",
    "external_id",
    "first_response_at",
    "solved_at",
    "closed_at",
    "last_customer_message_at",
)


def queue_page(user, data: dict, options: QueueOptions) -> QueuePage:
    """One page of rows with everything they show; reads PAGE_SIZE + 1 rows instead of counting."""
    page = data.get("page") or 1
    prepared_rows = _prepared_page(user, data, page)
    if prepared_rows is not None:
        rows, capped = prepared_rows, False
    else:
        filtered, capped = filtered_tickets(user, data, options)
        rows = list(_page_of(filtered, page))
    _attach_tag_names(rows[:PAGE_SIZE])
    _attach_customer_names(rows[:PAGE_SIZE])
    _attach_menu_objects(rows[:PAGE_SIZE], options)
    _prepare_rows(rows[:PAGE_SIZE])
    return QueuePage(
        tickets=rows[:PAGE_SIZE],
        page=page,
        has_next=len(rows) > PAGE_SIZE,
        search_capped=capped,
    )


def _page_of(filtered: QuerySet[Ticket], page: int) -> QuerySet[Ticket]:
    """The rows of one page (and one past it) of the filtered, ordered tickets, with what a row shows."""
    start = (page - 1) * PAGE_SIZE
    return (
        filtered
        # Category, priority, team and assignee come from the menus' lists (see _attach_menu_objects):
        # on PostgreSQL, planning the seven-table join took ten times longer than running it. Customers'
        # names come by a second query (_attach_customer_names): joined, SQLite drove the loop from the
        # customers table and read every ticket for the unassigned view (134 ms of CPU at 100,000 tickets).
        .select_related("sla").defer(*_UNSHOWN_COLUMNS)[start : start + PAGE_SIZE + 1]
    )


# The filters a prepared page query takes as parameters, in order, with their types (see _prepared_page).
_PARAMETERS = (("status", str), ("category", int), ("priority", int), ("channel", str), ("tag", str))


class _SeesAll:
    """A stand-in for a user who sees every ticket, with the sample id a prepared query is built with."""

    is_authenticated = is_active = is_staff = True

    def __init__(self, pk: int):
        self.pk = pk

    def has_perm(self, perm: str) -> bool:
        return perm == "tickets.view_all_tickets"


def _prepared_page(user, data: dict, page: int) -> list[Ticket] | None:
    """The page's rows from a query compiled once per process for its shape, or None for the shapes it does
    not take (a search, the unassigned view, a user who sees only some tickets).

    Profiled (issue 7): building and compiling the page's queryset cost ~0.6 ms of CPU, more than running
    it. The shape is what decides the SQL (view, sort, page, which filters are set, "open" statuses, no team,
    nobody, me); the values are bound per request. The rows are exactly those `filtered_tickets` gives."""
    view = data.get("view") or VIEW_MINE
    if data.get("q") or view == VIEW_UNASSIGNED:
        return None
    if not sees_every_ticket(user):
        return None  # visible_tickets adds a condition (or gives none): the general path
    values: list = []
    present: list[str] = []
    for name, kind in _PARAMETERS:
        value = data.get(name)
        if value and not (name == "status" and value == "open"):
            values.append(kind(value))
            present.append(name)
    team, assignee = data.get("team") or "", data.get("assignee") or ""
    if team and team != NONE:
        values.append(int(team))
    if assignee and assignee not in (ME, NONE):
        values.append(int(assignee))
    needs_user = view == VIEW_MINE or assignee == ME
    if needs_user:
        values.append(int(user.pk))
    shape = (
        view,
        data.get("status") == "open",
        tuple(present),
        team if team in ("", NONE) else "id",
        assignee if assignee in ("", ME, NONE) else "id",
        needs_user,
        data.get("sort") or "updated",
        page,
    )
    return _page_query(shape).all(*values)


@lru_cache(maxsize=128)  # shapes: a few views × sorts × filters × the first pages in use
def _page_query(shape: tuple) -> PreparedQuery:
    view, any_open, present, team, assignee, needs_user, sort, page = shape
    kinds = [kind for name, kind in _PARAMETERS if name in present]
    kinds += [int] * ((team == "id") + (assignee == "id") + needs_user)

    def build(*values) -> QuerySet[Ticket]:
        given = iter(values)
        data = {"view": view, "sort": sort, "status": "open" if any_open else ""}
        data.update({name: next(given) for name, _kind in _PARAMETERS if name in present})
        data["team"] = next(given) if team == "id" else team
        data["assignee"] = next(given) if assignee == "id" else assignee
        stand_in = _SeesAll(next(given) if needs_user else 0)
        filtered, _capped = filtered_tickets(stand_in, data, None)
        return _page_of(filtered, page)

    return PreparedQuery(build, tuple(kinds))


def _per_count(build: Callable[..., QuerySet]) -> Callable[[list[int]], list]:
    """`build(*ids)`'s rows for a list of ids, from a prepared query (kefu.core.prepared) per number of ids:
    a page's look-ups by its rows' ids were compiled anew on every request, which cost more than running them
    (issue 7). A page has at most PAGE_SIZE rows, so at most that many statements are kept."""
    compiled: dict[int, PreparedQuery] = {}

    def rows(ids: list[int]) -> list:
        query = compiled.get(len(ids))
        if query is None:
            query = compiled.setdefault(len(ids), PreparedQuery(build, (int,) * len(ids)))
        return query.all(*ids)

    return rows


_tag_pairs = _per_count(
    lambda *ticket_ids: (
        Ticket.tags.through.objects.filter(ticket_id__in=ticket_ids)
        .order_by("tag__name")
        .values_list("ticket_id", "tag__name")
    )
)
_customer_names = _per_count(
    lambda *customer_ids: Customer.objects.filter(pk__in=customer_ids).order_by().values_list("pk", "name")
)


def _attach_tag_names(tickets: list[Ticket]) -> None:
    """`tag_names` on each row, in alphabetical order, read as pairs of (ticket, name) in one query: a
    prefetch built a Tag object per link and its query per page (twice the CPU, issue 7)."""
    names: dict[int, list[str]] = {ticket.pk: [] for ticket in tickets}
    if names:
        for ticket_id, name in _tag_pairs(list(names)):
            names[ticket_id].append(name)
    for ticket in tickets:
        ticket.tag_names = names[ticket.pk]


def _attach_customer_names(tickets: list[Ticket]) -> None:
    """`customer_name` on each row (all a row shows of its customer), read in one query of two columns."""
    ids = {ticket.customer_id for ticket in tickets}
    names = dict(_customer_names(list(ids))) if ids else {}
    for ticket in tickets:
        ticket.customer_name = names.get(ticket.customer_id, "")


def _attach_menu_objects(tickets: list[Ticket], options: QueueOptions) -> None:
    """Give each row its category, priority, team and assignee from the lists the filter menus loaded.

    A row whose object is not in the menus (an inactive category or assignee) gets it from one query per
    kind, and only then.
    """
    user_model = get_user_model()
    kinds = (
        ("category", options.categories, Category.objects.all()),
        ("priority", options.priorities, Priority.objects.all()),
        ("team", options.teams, Team.objects.all()),
        ("assignee", options.staff, user_model.objects.only(*STAFF_COLUMNS)),
    )
    for name, known, queryset in kinds:
        attname = f"{name}_id"
        by_pk = {obj.pk: obj for obj in known}
        missing = {getattr(t, attname) for t in tickets} - set(by_pk) - {None}
        if missing:
            by_pk.update({obj.pk: obj for obj in queryset.filter(pk__in=missing)})
        for ticket in tickets:
            # What `ticket.<name> = obj` leaves (the id is already obj's), without the descriptor's checks:
            # 200 assignments a page cost ~0.2 ms (issue 7).
            ticket._state.fields_cache[name] = by_pk.get(getattr(ticket, attname))


def _prepare_rows(tickets: list[Ticket]) -> None:
    """Give each row what it shows as ready text, computed once per page instead of once per row.

    Profiled (issue 7): per row, `get_status_display` rebuilt and hashed the translated choices,
    `{% url %}` ran the resolver, `ticket.tags.all` built a queryset, the labels of priority, category
    and team asked for the active language, and every `{{ ticket.pk }}` went through number formatting.
    """
    labels, severities = status_labels(), severity_labels()
    select_sentence = gettext("Select ticket #%(number)s")
    link = ticket_link_maker()
    names: dict[tuple[str, int], str] = {}  # label of each priority, category, team and assignee, once

    def name_of(kind: str, obj) -> str:
        key = (kind, obj.pk)
        if key not in names:
            names[key] = obj.label if kind in ("priority", "category") else str(obj)
        return names[key]

    for ticket in tickets:
        number = str(ticket.pk)
        ticket.number_text = number
        ticket.select_label = select_sentence % {"number": number}
        ticket.status_label = labels.get(ticket.status, ticket.status)
        ticket.severity_label = severities.get(ticket.severity, ticket.severity)
        ticket.url = link(ticket.pk)
        ticket.priority_label = name_of("priority", ticket.priority) if ticket.priority else ""
        ticket.category_label = name_of("category", ticket.category) if ticket.category else ""
        ticket.team_label = name_of("team", ticket.team) if ticket.team else ""
        ticket.assignee_label = name_of("assignee", ticket.assignee) if ticket.assignee else ""
