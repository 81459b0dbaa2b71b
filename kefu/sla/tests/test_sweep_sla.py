"""The sweeper: only due rows, one claim per deadline, warning → breach → escalation."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection

from kefu.core.errors import InvalidInput
from kefu.sla.events import SlaBreached, SlaWarned
from kefu.sla.models import Escalation, Level, SlaEvent, SlaTarget, TicketSla
from kefu.sla.services import apply_policy, escalate_ticket, sweep_sla
from kefu.sla.tests.factories import SlaPolicyFactory
from kefu.tests.factories import CategoryFactory, TicketFactory

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 23, 9, tzinfo=SH)


@pytest.fixture
def captured(monkeypatch):
    """The SLA events emitted (listeners are Kefu's own; we only watch what was emitted)."""
    from kefu.sla import services

    seen: list = []
    original = services.emit
    monkeypatch.setattr(services, "emit", lambda event: (seen.append(event), original(event)))
    return seen


def _ticket_with_clocks(customer, **ticket_fields):
    ticket = TicketFactory(customer=customer, created_at=T0, **ticket_fields)
    return ticket, apply_policy(ticket=ticket, now=T0)


def test_sweep_warns_then_breaches_once(customer, captured):
    """At 80 % of the target a warning, at 100 % a breach; a second sweep finds nothing to do."""
    # given a ticket with a 4 h first-response target and no resolution target
    SlaPolicyFactory(resolution=None)
    ticket, _ = _ticket_with_clocks(customer)
    # when the sweeper runs at 3 h 30 and again at 4 h 1
    assert sweep_sla(now=T0 + timedelta(hours=3, minutes=30)) == 1
    assert sweep_sla(now=T0 + timedelta(hours=3, minutes=31)) == 0
    assert sweep_sla(now=T0 + timedelta(hours=4, minutes=1)) == 1
    # then one warning and one breach are recorded and emitted
    kinds = sorted(SlaEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds == [SlaEvent.Kind.BREACH, SlaEvent.Kind.WARNING]
    assert [type(e) for e in captured] == [SlaWarned, SlaBreached]
    sla = TicketSla.objects.get(ticket=ticket)
    assert sla.first_response_breached and sla.next_deadline is None


def test_late_sweep_records_warning_and_breach_together(customer):
    SlaPolicyFactory(resolution=None)
    ticket, _ = _ticket_with_clocks(customer)
    assert sweep_sla(now=T0 + timedelta(days=1)) == 1
    assert SlaEvent.objects.filter(ticket=ticket).count() == 2


def test_sweep_reads_only_due_rows(customer, django_assert_max_num_queries):
    """Tickets not yet due cost nothing: the sweep is one query when nothing is due."""
    SlaPolicyFactory()
    for _ in range(5):
        _ticket_with_clocks(customer)
    with django_assert_max_num_queries(1):
        assert sweep_sla(now=T0 + timedelta(minutes=1)) == 0


def test_breached_complaint_is_escalated_to_level_two(customer, django_capture_on_commit_callbacks):
    """A complaint missing its target goes from L1 to L2 automatically."""
    SlaPolicyFactory(categories=["complaint"], resolution=None)
    complaint = CategoryFactory(code="complaint")
    ticket, _ = _ticket_with_clocks(customer, category=complaint)
    with django_capture_on_commit_callbacks(execute=True):
        sweep_sla(now=T0 + timedelta(hours=5))
    escalation = Escalation.objects.get(ticket=ticket)
    assert (escalation.from_level, escalation.to_level) == (Level.L1, Level.L2)
    assert escalation.actor is None and escalation.reason == "sla:first_response"
    # and the ticket shows it: a tag and a system event in its timeline
    assert list(ticket.tags.values_list("name", flat=True)) == ["已升级"]
    event = ticket.messages.get(kind="event", event_type="escalated")
    assert event.author is None and event.event_data["to"] == Level.L2


def test_breached_ordinary_ticket_is_not_escalated(customer, django_capture_on_commit_callbacks):
    SlaPolicyFactory(resolution=None)
    _ticket_with_clocks(customer)
    with django_capture_on_commit_callbacks(execute=True):
        sweep_sla(now=T0 + timedelta(hours=5))
    assert not Escalation.objects.exists()


def test_major_complaint_unsolved_after_two_hours_goes_to_a_supervisor(
    customer, django_capture_on_commit_callbacks
):
    """The escalation timer sends a major complaint straight to a supervisor."""
    SlaPolicyFactory(
        severities=["major"], first_response=None, resolution=None, escalate_after=timedelta(hours=2)
    )
    ticket, sla = _ticket_with_clocks(customer, severity="major")
    assert sla.escalation_due == T0 + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        sweep_sla(now=T0 + timedelta(hours=2))
    escalation = Escalation.objects.get(ticket=ticket)
    assert escalation.to_level == Level.SUPERVISOR
    assert SlaEvent.objects.get(ticket=ticket).target == SlaTarget.ESCALATION


def test_manual_escalations_climb_the_levels(ticket, agent):
    assert escalate_ticket(ticket=ticket, actor=agent, reason="客户要求").to_level == Level.L2
    assert escalate_ticket(ticket=ticket, actor=agent, reason="仍未解决").to_level == Level.SUPERVISOR
    with pytest.raises(InvalidInput):
        escalate_ticket(ticket=ticket, actor=agent, reason="again")
    assert Escalation.objects.filter(ticket=ticket).count() == 2


def test_sla_sweep_command_runs_once(customer, capsys):
    SlaPolicyFactory()
    _ticket_with_clocks(customer)
    call_command("sla_sweep", "--once")
    assert "sla_sweep: 1 due" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_handle_the_same_deadline(customer):
    """Two sweepers at once on PostgreSQL: each due deadline is claimed by exactly one of them."""
    if connection.vendor != "postgresql":
        pytest.skip("row locking needs PostgreSQL")
    SlaPolicyFactory(resolution=None)
    for _ in range(20):
        _ticket_with_clocks(customer)
    results: list[int] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        try:
            barrier.wait()
            results.append(sweep_sla(now=T0 + timedelta(hours=3, minutes=30)))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 20
    assert SlaEvent.objects.count() == 20


def test_a_row_that_fails_does_not_hold_back_the_rest_of_its_chunk(customer, monkeypatch):
    """Rows are handled a chunk per transaction; a failing one is retried alone and stays due."""
    from kefu.sla import services

    SlaPolicyFactory(resolution=None)
    tickets = [_ticket_with_clocks(customer)[0] for _ in range(4)]
    broken = tickets[1].pk
    original = services._handle_due

    def handle(sla, now):
        if sla.ticket_id == broken:
            raise RuntimeError("boom")
        original(sla, now)

    monkeypatch.setattr(services, "_handle_due", handle)

    assert sweep_sla(now=T0 + timedelta(days=1), chunk=3) == 3
    warned = set(SlaEvent.objects.values_list("ticket_id", flat=True))
    assert warned == {t.pk for t in tickets} - {broken}
    assert TicketSla.objects.get(ticket_id=broken).next_deadline is not None  # still due next sweep


def test_a_chunk_of_due_tickets_reaches_its_listeners_as_one_background_job(
    customer, monkeypatch, django_capture_on_commit_callbacks
):
    from kefu.core import tasks

    SlaPolicyFactory(resolution=None)
    for _ in range(3):
        _ticket_with_clocks(customer)
    jobs: list = []
    monkeypatch.setattr(tasks.run_listener_batch, "delay", lambda batch: jobs.append(batch))

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_sla(now=T0 + timedelta(days=1)) == 3

    assert len(jobs) == 1 and len(jobs[0]) == 6  # a warning and a breach for each ticket
