"""The background job of a transaction's events is shown in monitoring by its events, not its raw arguments."""

from celery.app.task import Task

from kefu.core import tasks


def test_a_queued_job_names_its_events_and_tickets_for_monitoring(monkeypatch):
    sent = {}
    monkeypatch.setattr(
        Task, "apply_async", lambda self, args=None, kwargs=None, **options: sent.update(options)
    )
    jobs = [
        ["kefu.tickets.events.TicketCreated", {"ticket_id": 7}, ["kefu.sla.listeners.ticket_created"]],
        [
            "kefu.tickets.events.MessageAdded",
            {"ticket_id": 7, "message_id": 3},
            ["kefu.sla.listeners.message_added"],
        ],
    ]

    tasks.run_listener_batch.delay(jobs)

    assert sent["argsrepr"] == "[TicketCreated(7), MessageAdded(7)]" and sent["kwargsrepr"] == "{}"
