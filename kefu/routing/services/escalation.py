"""Tiered service: an escalated ticket moves to the people of its new level (L1 → L2 → supervisor).

L2 is the team's own senior agents, or — when the team names an L2 team (`Team.escalation_team`) — that
team, whose members all serve L2: the ticket moves there. The supervisor level is the team's supervisors
and its lead. Among those, the team's strategy picks (manual teams: the least loaded), only people on
shift and online; nobody on shift at the supervisor level means the team lead takes it anyway. With
nobody at all the ticket stays with its agent (or waits in the L2 team's queue) and the escalation's
notifications still reach the level. The agent who had it is told where it went (`handover_params`, sent
by kefu.notifications) — by ticket number and names only, since moving to an L2 team may take their access.

A supervisor who names the assignee while escalating (kefu.sla.services.escalate_ticket) decides
instead, and anyone who reassigns the ticket before this runs wins: routing then leaves it alone.

Concurrency: the escalation row is claimed with a conditional update (a retried event routes nothing
twice); then the lock order of assignment holds: team → ticket → agent.
"""

from datetime import datetime

from django.db import transaction

from kefu.accounts.models import AssignmentStrategy, Team, User
from kefu.core import clock
from kefu.sla.models import Escalation, Level
from kefu.sla.services import DONE_STATUSES, current_level
from kefu.tickets import services as tickets
from kefu.tickets.models import Ticket

from ..rules import LEAST_OPEN, SKILLS, Need, choose
from . import assignment

EVENT = "escalation_routed"  # the timeline event (kefu.routing.texts.escalation_routed_text)


def route_escalation(*, escalation_id: int, now: datetime | None = None) -> Escalation | None:
    """Hand an escalated ticket to its new level's people, once; None when it was routed before."""
    with transaction.atomic():
        if not Escalation.objects.filter(pk=escalation_id, routed_at__isnull=True).update(
            routed_at=clock.now()
        ):
            return None
        escalation = Escalation.objects.select_related("from_assignee", "ticket__team").get(pk=escalation_id)
        source = escalation.ticket.team
        if source is None:
            return escalation  # no team, no level's people: the notifications go to every supervisor
        target = _target_team(source, escalation.to_level)
        target = Team.objects.select_for_update().get(pk=target.pk)
        ticket = Ticket.objects.select_for_update().get(pk=escalation.ticket_id)
        if not _still_ours(ticket, escalation):
            return escalation
        moved = target.pk != ticket.team_id
        if moved:
            ticket = tickets.update_ticket(
                ticket=ticket, actor=None, changes=tickets.TicketChanges(team=target)
            )
        agent, reason = _pick(target, ticket, escalation, now=now)
        if agent is not None:
            ticket = tickets.assign_by_routing(ticket=ticket, assignee=agent, reason=reason)
            Team.objects.filter(pk=target.pk).update(assignment_cursor=agent.pk)
            Escalation.objects.filter(pk=escalation.pk).update(to_assignee=agent)
        elif moved and ticket.assignee_id:
            # The L2 team's queue, not an L1 agent outside that team, holds it until someone comes online.
            ticket = tickets.assign_by_routing(ticket=ticket, assignee=None, reason="escalated")
        _record(ticket, escalation, agent, target if moved else None)
    return escalation


def _target_team(team: Team, level: str) -> Team:
    if level == Level.L2 and team.escalation_team_id:
        return team.escalation_team
    return team


def _still_ours(ticket: Ticket, escalation: Escalation) -> bool:
    """Open, still at this escalation's level, and nobody (a supervisor) chose another person meanwhile."""
    return (
        ticket.status not in DONE_STATUSES
        and current_level(ticket) == escalation.to_level
        and ticket.assignee_id == escalation.from_assignee_id
    )


def _pick(
    team: Team, ticket: Ticket, escalation: Escalation, *, now: datetime | None
) -> tuple[User | None, str]:
    """The level's person by the team's strategy (locked); the team lead at the top when nobody is on shift."""
    people = assignment.level_people(team, escalation.to_level)
    exclude = [escalation.from_assignee_id] if escalation.from_assignee_id else []
    pool = assignment.candidates(team, now=now or clock.now(), exclude=exclude, among=people, cap=False)
    strategy = team.assignment_strategy
    if strategy == AssignmentStrategy.MANUAL:
        strategy = LEAST_OPEN  # an escalation is handed over, not left for someone to pick
    need = assignment.need_of(ticket) if strategy == SKILLS else Need()
    picked, reason = choose(strategy, pool, cursor=team.assignment_cursor, need=need)
    if picked is not None:
        return User.objects.select_for_update().get(pk=picked.pk), reason
    lead = team.lead
    if escalation.to_level == Level.SUPERVISOR and lead and lead.is_active and lead.pk not in exclude:
        return User.objects.select_for_update().get(pk=lead.pk), ""  # the timeline's next event says why
    return None, ""


def _record(ticket: Ticket, escalation: Escalation, agent: User | None, moved_to: Team | None) -> None:
    previous = escalation.from_assignee
    tickets.record_system_event(
        ticket=ticket,
        event_type=EVENT,
        data={
            "level": escalation.to_level,
            "assignee_id": getattr(agent, "pk", None),
            "assignee_name": agent.name if agent else "",
            "previous_name": previous.name if previous else "",
            "team": tickets.names_of(moved_to) if moved_to else "",
        },
    )


def handover_params(escalation: Escalation, ticket: Ticket) -> dict | None:
    """What the agent who had an escalated ticket is told of where it went; None when it is still theirs.

    Only the ticket's number, the level and the names of its new team and assignee — never its subject or
    the escalation's reason — so the notice may reach an agent who can no longer open the ticket.
    `ticket` is read after routing, with `team` and `assignee` selected.
    """
    if escalation.from_assignee_id is None or ticket.assignee_id == escalation.from_assignee_id:
        return None
    team = ticket.team if ticket.team_id else None
    if team is None and not ticket.assignee_id:
        return None  # nowhere to name (taken off a team-less ticket): the level's notification covers it
    return {
        "handover": True,
        "number": ticket.pk,
        "to": escalation.to_level,
        "team": team.name if team else "",
        "team_en": team.name_en if team else "",
        "assignee": ticket.assignee.name if ticket.assignee_id else "",
    }
