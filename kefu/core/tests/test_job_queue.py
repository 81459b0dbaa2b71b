"""With Redis, each transaction's background job is pushed onto a list and a worker drains it in batches."""

import json
import threading
import uuid

import pytest

from kefu.core import job_queue, tasks

REDIS = "redis://127.0.0.1:6379/12"


@pytest.fixture
def queue(settings, monkeypatch):
    """The queue on a private Redis database and keys; drains scheduled are counted, not sent."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS).ping()
    except redis.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = REDIS
    prefix = f"kefu-test:{uuid.uuid4().hex}"
    monkeypatch.setattr(job_queue, "QUEUE", f"{prefix}:jobs")
    monkeypatch.setattr(job_queue, "SCHEDULED", f"{prefix}:scheduled")
    monkeypatch.setattr(job_queue, "IN_FLIGHT", f"{prefix}:in-flight")
    monkeypatch.setattr(job_queue, "_local", threading.local())
    monkeypatch.setattr(job_queue, "LINGER_SECONDS", 0)  # drains end when the queue is empty (but see below)
    monkeypatch.setattr(job_queue, "GATHER_SECONDS", 0)  # and run what they find at once (but see below)
    scheduled: list[int] = []
    monkeypatch.setattr(tasks.drain_listener_jobs, "delay", lambda: scheduled.append(1))
    yield scheduled
    client = redis.Redis.from_url(REDIS)
    client.delete(*(client.keys(f"{prefix}*") or [f"{prefix}:none"]))


def _job(n: int) -> list:
    return [["kefu.tickets.events.TicketCreated", {"ticket_id": n}, []]]


def test_many_pushes_schedule_one_drain_which_runs_them_all_in_batches_in_order(queue):
    for n in range(5):
        job_queue.push(_job(n))
    assert queue == [1]  # one drain scheduled, not five
    batches: list[list] = []

    ran = job_queue.drain(batches.append, batch=2)

    assert ran == 5
    assert [[job[0][1]["ticket_id"] for job in batch] for batch in batches] == [[0, 1], [2, 3], [4]]
    assert job_queue.pending() == 0


def test_a_job_pushed_while_a_drain_runs_is_not_left_behind(queue):
    job_queue.push(_job(1))
    seen: list[int] = []

    def run(jobs: list) -> None:
        seen.extend(job[0][1]["ticket_id"] for job in jobs)
        if len(seen) == 1:
            job_queue.push(_job(2))  # a request commits meanwhile

    job_queue.drain(run)

    assert seen == [1, 2]
    assert len(queue) == 1  # the running drain took it: no other drain was scheduled for it


def test_a_drain_waits_a_moment_for_the_next_job_and_runs_it_without_another_drain(queue, monkeypatch):
    """At a steady moderate rate the worker runs one drain, not a Celery task per job."""
    monkeypatch.setattr(job_queue, "LINGER_SECONDS", 5.0)  # far longer than the push below takes to come
    job_queue.push(_job(1))
    seen: list[int] = []
    pusher: list[threading.Thread] = []

    def run(jobs: list) -> None:
        seen.extend(job[0][1]["ticket_id"] for job in jobs)
        if len(seen) == 1:  # the next request commits a little after the queue was emptied
            pusher.append(threading.Timer(0.1, job_queue.push, [_job(2)]))
            pusher[0].start()

    job_queue.drain(run, rounds=2)
    pusher[0].join()

    assert seen == [1, 2]
    assert queue == [1]  # the push found the drain's flag set: nothing more scheduled
    client = job_queue._client()
    assert job_queue.pending() == 0 and not client.zcard(job_queue.IN_FLIGHT)  # nothing left in flight


def test_a_short_batch_waits_a_moment_for_more_jobs_to_join_it(queue, monkeypatch):
    """Jobs coming at a moderate rate run in batches of several, not one by one (a batch's cost is mostly
    per batch)."""
    monkeypatch.setattr(job_queue, "GATHER_SECONDS", 2.0)  # far longer than the pushes below take to come
    job_queue.push(_job(1))
    pushes = [threading.Timer(0.05 * n, job_queue.push, [_job(n + 1)]) for n in (1, 2)]
    for push in pushes:
        push.start()
    batches: list[list] = []

    job_queue.drain(batches.append, batch=3)  # finds job 1 alone; jobs 2 and 3 come while it gathers
    for push in pushes:
        push.join()

    assert [[job[0][1]["ticket_id"] for job in batch] for batch in batches] == [[1, 2, 3]]


def test_a_job_taken_by_a_waiting_drain_whose_worker_dies_is_queued_again(queue, monkeypatch):
    monkeypatch.setattr(job_queue, "LINGER_SECONDS", 5.0)
    job_queue.push(_job(1))
    job_queue.drain(lambda jobs: None, rounds=1)  # takes job 1; the queue is empty
    threading.Timer(0.1, job_queue.push, [_job(2)]).start()

    def die(jobs: list) -> None:
        raise SystemExit("worker killed")

    with pytest.raises(SystemExit):
        job_queue.drain(die, rounds=1)  # waits, gets job 2, dies running it

    assert job_queue.requeue_stale(older_than=0) == 1
    batches: list[list] = []
    monkeypatch.setattr(job_queue, "LINGER_SECONDS", 0)
    job_queue.drain(batches.append)
    assert batches == [[_job(2)]]


def test_a_drain_that_finds_a_job_its_push_did_not_schedule_for_runs_it(queue):
    # given a job pushed while the flag was set, just before the drain found the queue empty and cleared it
    job_queue.push(_job(1))
    job_queue.drain(lambda jobs: None)
    job_queue._client().rpush(job_queue.QUEUE, json.dumps(_job(2)))  # its SET NX failed: nothing scheduled
    job_queue._client().set(job_queue.SCHEDULED, b"1")
    seen: list[list] = []

    job_queue.drain(seen.append)

    assert seen == [[_job(2)]]
    assert not job_queue._client().exists(job_queue.SCHEDULED)  # idle again: the next push schedules a drain


def test_a_batch_whose_worker_died_is_queued_again_and_runs_once_more(queue):
    job_queue.push(_job(7))

    def die(jobs: list) -> None:
        raise SystemExit("worker killed")

    with pytest.raises(SystemExit):
        job_queue.drain(die)
    assert job_queue.pending() == 0  # in flight, not lost
    assert job_queue.requeue_stale(older_than=3600) == 0  # not stale yet

    assert job_queue.requeue_stale(older_than=0) == 1
    batches: list[list] = []
    job_queue.drain(batches.append)
    assert batches == [[_job(7)]]


def test_without_redis_the_queue_is_not_used(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert not job_queue.enabled()


def noted(event) -> None:
    """A background listener for the test below (background listeners are imported back by path)."""


@pytest.mark.django_db
def test_a_committed_emit_pushes_its_job_onto_the_queue(
    queue, monkeypatch, django_capture_on_commit_callbacks
):
    from kefu.core import events
    from kefu.tickets.events import TicketCreated

    monkeypatch.setattr(events, "_listeners", events.defaultdict(list))
    monkeypatch.setattr(events, "_background", set())
    events.subscribe(TicketCreated, noted, background=True)

    with django_capture_on_commit_callbacks(execute=True):
        events.emit(TicketCreated(ticket_id=3))

    batches: list[list] = []
    job_queue.drain(batches.append)
    path = "kefu.core.tests.test_job_queue.noted"
    assert batches == [[[["kefu.tickets.events.TicketCreated", {"ticket_id": 3}, [path]]]]]


def test_the_schedule_drains_the_queue_even_when_no_push_does():
    from kefu.config.celery import app

    assert app.conf.beat_schedule["core-drain-listener-jobs"]["task"] == tasks.drain_listener_jobs.name
