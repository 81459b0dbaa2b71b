"""The background job of a transaction's events is shown in monitoring by its events, not its raw arguments."""

from celery.app.task import Task

from kefu.core import tasks


def test_a_queued_job_names_its_events_and_tickets_for_monitoring(monkeypatch):
    monkeypatch.setitem(tasks.run_listener_batch.app.conf, "task_always_eager", False)  # sent to a broker
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


def test_in_the_embedded_layout_a_job_runs_at_once_without_celerys_eager_machinery(monkeypatch):
    """No tracer, signals or result per job (~0.4 ms each); what it does is what the task does."""
    from celery.signals import task_prerun

    ran, traced = [], []
    monkeypatch.setattr("kefu.core.events.run_queued_batch", ran.append)

    def trace(**kwargs):
        traced.append(kwargs)

    task_prerun.connect(trace, weak=False)
    try:
        result = tasks.run_listener_batch.delay([["kefu.tickets.events.TicketCreated", {"ticket_id": 7}, []]])
    finally:
        task_prerun.disconnect(trace)

    assert ran == [[["kefu.tickets.events.TicketCreated", {"ticket_id": 7}, []]]]
    assert traced == [] and result is None


def test_in_the_embedded_layout_a_failing_job_is_logged_not_raised(monkeypatch, caplog):
    """As Celery's eager mode: the change is committed; the caller must not run the listeners again."""

    def fail(jobs):
        raise RuntimeError("broken listener set-up")

    monkeypatch.setattr("kefu.core.events.run_queued_batch", fail)

    tasks.run_listener_batch.delay([])

    assert "background job kefu.core.run_listener_batch failed" in caplog.text
