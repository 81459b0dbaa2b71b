"""Each team's assignment strategy: manual, round-robin, fewest open tickets, best skill match; the cap."""

import pytest
from django.utils import translation

from kefu.accounts import roles
from kefu.accounts.models import AssignmentStrategy, Level, Presence
from kefu.customers.models import Tier
from kefu.routing import rules
from kefu.routing.rules import Candidate, Need
from kefu.routing.services import assignment
from kefu.tests.factories import CategoryFactory, CustomerFactory, TicketFactory, UserFactory
from kefu.tickets.models import Message, MessageKind, Status
from kefu.workspace.timeline import describe_event


@pytest.fixture
def online(agent, teammate):
    for user in (agent, teammate):
        user.presence = Presence.ONLINE
        user.save(update_fields=["presence"])
    return agent, teammate


def _team(team, strategy, cap=0):
    team.assignment_strategy = strategy
    team.max_open_per_agent = cap
    team.save()
    return team


def _assign(ticket):
    return assignment.assign_new_ticket(ticket_id=ticket.pk)


# --- pure choices ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cursor", "expected"),
    [(0, 3), (3, 5), (5, 9), (9, 3), (4, 5)],
    ids=["start", "next", "last", "wrap", "gap"],
)
def test_round_robin_takes_the_next_agent_after_the_cursor_and_wraps(cursor, expected):
    pool = [Candidate(9, 0), Candidate(3, 0), Candidate(5, 0)]
    assert rules.round_robin(pool, cursor).pk == expected


def test_least_open_breaks_ties_round_robin():
    pool = [Candidate(1, 2), Candidate(2, 1), Candidate(3, 1)]
    assert rules.least_open(pool, 0).pk == 2
    assert rules.least_open(pool, 2).pk == 3


@pytest.mark.parametrize(
    ("skills", "level", "need", "score"),
    [
        ({}, Level.L1, Need(), 5),
        ({"languages": ["en"]}, Level.L1, Need(language="en"), 15),
        ({"languages": ["en"]}, Level.L1, Need(language="zh-hans"), None),
        (
            {"categories": ["billing"], "channels": ["email"]},
            Level.L1,
            Need(category="billing", channel="email"),
            25,
        ),
        ({}, Level.L3, Need(tier="normal"), 3),
        ({}, Level.L1, Need(tier="svip"), -10),
        ({}, Level.L2, Need(tier="vip"), 5),
    ],
)
def test_skill_score(skills, level, need, score):
    assert rules.skill_score(Candidate(1, 0, level, skills), need) == score


def test_nobody_fitting_falls_back_to_the_least_loaded():
    pool = [
        Candidate(1, 3, Level.L1, {"languages": ["zh-hans"]}),
        Candidate(2, 1, Level.L1, {"languages": ["ja"]}),
    ]
    picked, reason = rules.choose(AssignmentStrategy.SKILLS, pool, cursor=0, need=Need(language="en"))
    assert (picked.pk, reason) == (2, AssignmentStrategy.LEAST_OPEN)


# --- with the database -----------------------------------------------------------------------------


def test_a_manual_team_leaves_new_tickets_in_the_queue(front_line, online, customer):
    ticket = TicketFactory(team=front_line, customer=customer)

    assert _assign(ticket) is None
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_round_robin_alternates_between_the_online_members(front_line, online, customer):
    agent, teammate = online
    _team(front_line, AssignmentStrategy.ROUND_ROBIN)
    tickets = [TicketFactory(team=front_line, customer=customer) for _ in range(4)]

    for ticket in tickets:
        _assign(ticket)

    assignees = [t.assignee for t in (_reload(t) for t in tickets)]
    assert assignees == [agent, teammate, agent, teammate]
    front_line.refresh_from_db()
    assert front_line.assignment_cursor == teammate.pk


def test_online_members_whose_roles_only_read_tickets_are_never_given_one(front_line, customer):
    """An analyst, QA inspector or trainer in a team could not even reply: routing skips them, but not
    someone who also holds a working role."""
    reader = UserFactory(roles=[roles.ANALYST], teams=[front_line], presence=Presence.ONLINE)
    inspector = UserFactory(roles=[roles.QA_INSPECTOR], teams=[front_line], presence=Presence.ONLINE)
    both = UserFactory(roles=[roles.TRAINER, roles.AGENT], teams=[front_line], presence=Presence.ONLINE)
    _team(front_line, AssignmentStrategy.ROUND_ROBIN)
    tickets = [TicketFactory(team=front_line, customer=customer) for _ in range(3)]

    for ticket in tickets:
        _assign(ticket)

    assignees = {_reload(t).assignee for t in tickets}
    assert both in assignees and reader not in assignees and inspector not in assignees


def test_least_open_gives_the_ticket_to_the_agent_with_fewer_open_tickets(front_line, online, customer):
    agent, teammate = online
    _team(front_line, AssignmentStrategy.LEAST_OPEN)
    TicketFactory.create_batch(2, team=front_line, customer=customer, assignee=agent)
    TicketFactory(team=front_line, customer=customer, assignee=teammate)
    TicketFactory(team=front_line, customer=customer, assignee=teammate, status=Status.SOLVED)  # not open
    ticket = TicketFactory(team=front_line, customer=customer)

    _assign(ticket)

    assert _reload(ticket).assignee == teammate


def test_skills_prefer_the_agent_who_speaks_the_customers_language(front_line, online):
    agent, teammate = online
    _team(front_line, AssignmentStrategy.SKILLS)
    agent.skills = {"languages": ["zh-hans"]}
    agent.save()
    teammate.skills = {"languages": ["en", "zh-hans"], "categories": ["billing"]}
    teammate.save()
    english = CustomerFactory(language="en")
    ticket = TicketFactory(team=front_line, customer=english, category=CategoryFactory(code="billing"))

    _assign(ticket)

    assert _reload(ticket).assignee == teammate


def test_skills_give_key_accounts_to_a_senior_agent(front_line, online):
    agent, teammate = online
    _team(front_line, AssignmentStrategy.SKILLS)
    teammate.level = Level.L3
    teammate.save()
    key_account = CustomerFactory(tier=Tier.SVIP)
    ordinary = CustomerFactory()
    vip_ticket = TicketFactory(team=front_line, customer=key_account)
    plain_ticket = TicketFactory(team=front_line, customer=ordinary)

    _assign(vip_ticket)
    _assign(plain_ticket)

    assert _reload(vip_ticket).assignee == teammate
    assert _reload(plain_ticket).assignee == agent  # the expert is kept free for what needs one


def test_the_cap_stops_automatic_assignment(front_line, online, customer):
    agent, teammate = online
    _team(front_line, AssignmentStrategy.ROUND_ROBIN, cap=1)
    first, second, third = (TicketFactory(team=front_line, customer=customer) for _ in range(3))

    _assign(first)
    _assign(second)
    assert _assign(third) is None

    assert {_reload(first).assignee, _reload(second).assignee} == {agent, teammate}
    assert _reload(third).assignee is None


def test_the_cap_counts_open_tickets_of_every_team(front_line, other_team, online, customer):
    agent, teammate = online
    _team(front_line, AssignmentStrategy.LEAST_OPEN, cap=2)
    TicketFactory.create_batch(2, team=other_team, customer=customer, assignee=agent)
    ticket = TicketFactory(team=front_line, customer=customer)
    TicketFactory.create_batch(2, team=front_line, customer=customer, assignee=teammate)

    assert _assign(ticket) is None


def test_only_unassigned_new_or_open_tickets_of_the_team_are_assigned(
    front_line, other_team, online, customer
):
    agent, _teammate = online
    _team(front_line, AssignmentStrategy.ROUND_ROBIN)
    pending = TicketFactory(team=front_line, customer=customer, status=Status.PENDING)
    taken = TicketFactory(team=front_line, customer=customer, assignee=agent)
    no_team = TicketFactory(team=None, customer=customer)

    assert _assign(pending) is None
    assert _assign(taken) is None
    assert _assign(no_team) is None


def test_the_timeline_says_who_was_chosen_and_by_which_strategy(front_line, online, customer):
    agent, _teammate = online
    _team(front_line, AssignmentStrategy.ROUND_ROBIN)
    ticket = TicketFactory(team=front_line, customer=customer)

    _assign(ticket)

    event = Message.objects.get(ticket=ticket, kind=MessageKind.EVENT, event_type="assigned")
    assert event.author is None
    with translation.override("en"):
        assert describe_event(event) == "System assigned the ticket to 王芳 (Round-robin)"
    with translation.override("zh-hans"):
        assert "轮流分配" in describe_event(event)


def test_a_supervisor_still_assigns_by_hand_in_an_automatic_team(
    front_line, online, customer, django_capture_on_commit_callbacks
):
    agent, teammate = online
    supervisor = UserFactory(roles=[roles.SUPERVISOR], teams=[front_line])
    _team(front_line, AssignmentStrategy.ROUND_ROBIN, cap=1)
    TicketFactory(team=front_line, customer=customer, assignee=agent, status=Status.OPEN)
    ticket = TicketFactory(team=front_line, customer=customer)

    from kefu.tickets.services import assign_ticket

    with django_capture_on_commit_callbacks(execute=True):
        assign_ticket(ticket=ticket, actor=supervisor, assignee=agent)

    assert _reload(ticket).assignee == agent  # past the cap, and it stays


def test_a_new_ticket_is_assigned_when_it_is_created(
    front_line, online, customer, django_capture_on_commit_callbacks
):
    _team(front_line, AssignmentStrategy.ROUND_ROBIN)
    from kefu.tickets.services import create_ticket

    with django_capture_on_commit_callbacks(execute=True):
        ticket = create_ticket(
            customer=customer, subject="发票", text="请开发票", channel="web", team=front_line
        )

    assert _reload(ticket).assignee in online


def _reload(ticket):
    ticket.refresh_from_db()
    return ticket
