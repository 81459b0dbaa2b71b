"""Reactions of the routing domain to ticket and presence events (wired in kefu.config.listeners)."""

from kefu.accounts.events import PresenceChanged, UserDeactivated
from kefu.accounts.models import Presence, Team
from kefu.core.events import handles_many
from kefu.routing import services
from kefu.routing.services import assignment, escalation
from kefu.sla.events import TicketEscalated
from kefu.tickets.events import TicketAssigned, TicketCreated, TicketUpdated
from kefu.tickets.models import OPEN_STATUSES, Ticket


def _tickets_created(events: list[TicketCreated]) -> None:
    services.route_new_tickets(ticket_ids=[event.ticket_id for event in events])


@handles_many(_tickets_created)
def ticket_created(event: TicketCreated) -> None:
    """Intake rules, then the classifier; a retried event finds the ticket already routed and does nothing."""
    services.route_new_ticket(ticket_id=event.ticket_id)


# --- assignment ---------------------------------------------------------------------------------------


def _fill_pools_of_new_tickets(events: list[TicketCreated]) -> None:
    """Each team of the new tickets serves its pool once (oldest first), not once per ticket."""
    assignment.fill_pools_of(ticket_ids=[event.ticket_id for event in events])


@handles_many(_fill_pools_of_new_tickets)
def fill_pool_of_new_ticket(event: TicketCreated) -> None:
    """Serve the team's pool oldest first: the new ticket gets an agent unless older ones wait."""
    team = assignment.team_of_ticket(event.ticket_id)
    if team is not None:
        assignment.fill_pool(team=team)


def ticket_moved_or_done(event: TicketUpdated) -> None:
    """A ticket moved team: route it there; a ticket solved or closed: its agent has room again."""
    if "team" not in event.fields and "status" not in event.fields:
        return
    row = Ticket.objects.filter(pk=event.ticket_id).values_list("status", "team_id", "assignee_id").first()
    if row is None or row[1] is None:
        return
    status, team_id, assignee_id = row
    if ("team" in event.fields and assignee_id is None) or status not in OPEN_STATUSES:
        assignment.fill_pool(team_id=team_id)


def agent_assigned(event: TicketAssigned) -> None:
    """A person assigned the ticket (a supervisor may exceed the cap): spill the agent's excess."""
    if event.actor_id is not None and event.assignee_id is not None:
        assignment.rebalance_agent(user_id=event.assignee_id, keep=event.ticket_id)


def presence_changed(event: PresenceChanged) -> None:
    """Offline: give back unstarted tickets; online: serve the pools of the agent's teams."""
    if event.presence == Presence.OFFLINE:
        assignment.release_agent(user_id=event.user_id, reason="offline")
    elif event.presence == Presence.ONLINE:
        for team_id in Team.objects.filter(members=event.user_id).values_list("pk", flat=True):
            assignment.fill_pool(team_id=team_id)


def user_deactivated(event: UserDeactivated) -> None:
    """A deactivated agent's unstarted tickets go back to the pool."""
    assignment.release_agent(user_id=event.user_id, reason="deactivated")


def ticket_escalated(event: TicketEscalated) -> None:
    """An escalated ticket goes to its new level's people (before the escalation is notified)."""
    escalation.route_escalation(escalation_id=event.escalation_id)
