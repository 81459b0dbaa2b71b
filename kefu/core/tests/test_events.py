"""Domain events: listeners run only after the transaction commits, and a failing one breaks nothing."""

import logging
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.db import transaction

from kefu.core import events
from kefu.core.events import Event, emit, subscribe


@dataclass(frozen=True, kw_only=True)
class ThingHappened(Event):
    thing_id: int


@pytest.fixture(autouse=True)
def _private_listener_table(monkeypatch):
    """Each test wires its own listeners; the app's real table is left untouched."""
    monkeypatch.setattr(events, "_listeners", events.defaultdict(list))
    monkeypatch.setattr(events, "_background", set())


@pytest.mark.django_db
def test_listeners_wait_for_the_commit(django_capture_on_commit_callbacks):
    # given a listener
    seen: list[Event] = []
    subscribe(ThingHappened, seen.append)

    # when an event is emitted inside the (test's) transaction
    with django_capture_on_commit_callbacks() as callbacks:
        emit(ThingHappened(thing_id=1))

        # then nothing ran yet
        assert seen == []

    # and the listener runs once the commit callbacks do
    assert len(callbacks) == 1
    callbacks[0]()
    assert seen == [ThingHappened(thing_id=1)]


@pytest.mark.django_db
def test_a_failing_listener_is_logged_and_the_others_still_run(django_capture_on_commit_callbacks, caplog):
    # given a listener that raises, registered before a healthy one
    def broken(event: Event) -> None:
        raise RuntimeError("push server down")

    seen: list[Event] = []
    subscribe(ThingHappened, broken)
    subscribe(ThingHappened, seen.append)

    # when the event is emitted and the transaction commits
    with caplog.at_level(logging.ERROR, logger="kefu.core.events"):
        with django_capture_on_commit_callbacks(execute=True):
            emit(ThingHappened(thing_id=2))

    # then the healthy listener ran and the failure was logged, not raised
    assert seen == [ThingHappened(thing_id=2)]
    assert "push server down" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_failing_listener_does_not_undo_the_committed_change():
    # given a listener that raises
    def broken(event: Event) -> None:
        raise RuntimeError("boom")

    subscribe(ThingHappened, broken)

    # when a change and its event commit together
    with transaction.atomic():
        group = Group.objects.create(name="committed despite the listener")
        emit(ThingHappened(thing_id=group.pk))

    # then the change is in the database
    assert Group.objects.filter(pk=group.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_listeners_never_run_when_the_transaction_rolls_back():
    # given a listener
    seen: list[Event] = []
    subscribe(ThingHappened, seen.append)

    # when the transaction that emitted the event rolls back
    with pytest.raises(ValueError), transaction.atomic():
        emit(ThingHappened(thing_id=3))
        raise ValueError("rolled back")

    # then the listener never ran
    assert seen == []


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_listeners_run_at_once():
    seen: list[Event] = []
    subscribe(ThingHappened, seen.append)

    emit(ThingHappened(thing_id=4))

    assert seen == [ThingHappened(thing_id=4)]


def test_listeners_of_a_base_event_hear_its_subclasses():
    # given a listener on the base class of all events
    heard: list[Event] = []
    subscribe(Event, heard.append)

    # then it is found for any concrete event, once, even if subscribed twice
    subscribe(Event, heard.append)
    assert events.listeners_for(ThingHappened(thing_id=5)) == [heard.append]


@dataclass(frozen=True, kw_only=True)
class ThingChanged(Event):
    thing_id: int
    fields: tuple[str, ...]


background_calls: list[tuple[str, Event]] = []


def first_background_listener(event: Event) -> None:
    background_calls.append(("first", event))


def second_background_listener(event: Event) -> None:
    background_calls.append(("second", event))


@pytest.mark.django_db
def test_background_listeners_run_together_in_one_job_in_order(
    django_capture_on_commit_callbacks, monkeypatch
):
    """One job, the event rebuilt from JSON (tuples come back as tuples), listeners in order."""
    from kefu.core import tasks

    queued: list[tuple] = []
    monkeypatch.setattr(tasks.run_listener_batch, "delay", lambda jobs: queued.extend(jobs))
    background_calls.clear()
    seen: list[Event] = []
    subscribe(ThingChanged, first_background_listener, background=True)
    subscribe(ThingChanged, seen.append)
    subscribe(ThingChanged, second_background_listener, background=True)

    with django_capture_on_commit_callbacks(execute=True):
        emit(ThingChanged(thing_id=7, fields=("status", "team")))

    # the quick listener ran in the request; the two slow ones were queued as one job
    assert seen == [ThingChanged(thing_id=7, fields=("status", "team"))]
    assert background_calls == []
    assert len(queued) == 1
    event_path, fields, listener_paths = queued[0]
    assert listener_paths == [
        f"{__name__}.first_background_listener",
        f"{__name__}.second_background_listener",
    ]
    # when the worker runs the job (its arguments as JSON turns them)
    tasks.run_listener_batch.apply(
        args=([[event_path, {"thing_id": 7, "fields": ["status", "team"]}, listener_paths]],)
    )
    # then both ran, in order, on an equal event
    expected = ThingChanged(thing_id=7, fields=("status", "team"))
    assert background_calls == [("first", expected), ("second", expected)]


@pytest.mark.django_db
def test_without_redis_background_listeners_run_at_once_after_commit(django_capture_on_commit_callbacks):
    background_calls.clear()
    subscribe(ThingHappened, first_background_listener, background=True)

    with django_capture_on_commit_callbacks(execute=True):
        emit(ThingHappened(thing_id=3))

    assert background_calls == [("first", ThingHappened(thing_id=3))]


@pytest.mark.django_db
def test_when_the_broker_is_down_the_listeners_run_here_rather_than_being_lost(
    django_capture_on_commit_callbacks, monkeypatch
):
    from kefu.core import tasks

    def broker_down(*args):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(tasks.run_listener_batch, "delay", broker_down)
    background_calls.clear()
    subscribe(ThingHappened, first_background_listener, background=True)

    with django_capture_on_commit_callbacks(execute=True):
        emit(ThingHappened(thing_id=4))

    assert background_calls == [("first", ThingHappened(thing_id=4))]


def test_a_background_listener_must_be_importable_by_name():
    with pytest.raises(ValueError, match="module-level function"):
        subscribe(ThingHappened, lambda event: None, background=True)


def test_a_job_queued_by_an_earlier_version_still_runs():
    """Jobs of one event each (`kefu.core.run_listeners`) may wait in Redis across an upgrade."""
    from kefu.core import tasks

    background_calls.clear()
    path = f"{__name__}.first_background_listener"

    tasks.run_listeners.apply(args=(f"{__name__}.ThingHappened", {"thing_id": 8}, [path]))

    assert background_calls == [("first", ThingHappened(thing_id=8))]


@pytest.fixture
def queued_jobs(monkeypatch) -> list[list]:
    """The background jobs queued (each a list of [event path, fields, listener paths]), instead of Redis."""
    from kefu.core import tasks

    jobs: list[list] = []
    monkeypatch.setattr(tasks.run_listener_batch, "delay", jobs.append)
    return jobs


def _events_in(job: list) -> list[tuple[str, dict]]:
    return [(path.rsplit(".", 1)[1], fields) for path, fields, _listeners in job]


@pytest.mark.django_db(transaction=True)
def test_the_events_of_one_transaction_are_queued_as_one_job_in_order(queued_jobs):
    # given background listeners on two events
    subscribe(ThingHappened, first_background_listener, background=True)
    subscribe(ThingChanged, second_background_listener, background=True)

    # when one transaction emits three events
    with transaction.atomic():
        emit(ThingHappened(thing_id=1))
        emit(ThingChanged(thing_id=1, fields=("status",)))
        emit(ThingHappened(thing_id=2))
        # then nothing is queued before the commit
        assert queued_jobs == []

    # then one job holds all three, in the order they were emitted, each with its listeners
    assert len(queued_jobs) == 1
    assert _events_in(queued_jobs[0]) == [
        ("ThingHappened", {"thing_id": 1}),
        ("ThingChanged", {"thing_id": 1, "fields": ("status",)}),
        ("ThingHappened", {"thing_id": 2}),
    ]
    assert [listeners for _path, _fields, listeners in queued_jobs[0]] == [
        [f"{__name__}.first_background_listener"],
        [f"{__name__}.second_background_listener"],
        [f"{__name__}.first_background_listener"],
    ]


@pytest.mark.django_db(transaction=True)
def test_each_transaction_queues_its_own_job_and_a_rolled_back_one_none(queued_jobs):
    subscribe(ThingHappened, first_background_listener, background=True)

    with transaction.atomic():
        emit(ThingHappened(thing_id=1))
    with pytest.raises(ValueError), transaction.atomic():
        emit(ThingHappened(thing_id=2))
        raise ValueError("rolled back")
    with transaction.atomic():
        emit(ThingHappened(thing_id=3))

    assert [_events_in(job) for job in queued_jobs] == [
        [("ThingHappened", {"thing_id": 1})],
        [("ThingHappened", {"thing_id": 3})],
    ]


@pytest.mark.django_db(transaction=True)
def test_an_event_of_a_rolled_back_savepoint_is_left_out_and_the_order_kept(queued_jobs):
    subscribe(ThingHappened, first_background_listener, background=True)

    # when a savepoint in the middle of a transaction rolls back, then another one is released
    with transaction.atomic():
        emit(ThingHappened(thing_id=1))
        with pytest.raises(ValueError), transaction.atomic():
            emit(ThingHappened(thing_id=2))
            raise ValueError("this part is undone")
        with transaction.atomic():
            emit(ThingHappened(thing_id=3))
        emit(ThingHappened(thing_id=4))

    # then the undone event is in no job, each committed one is in exactly one, in the order emitted
    queued = [event for job in queued_jobs for event in _events_in(job)]
    assert queued == [("ThingHappened", {"thing_id": n}) for n in (1, 3, 4)]


@pytest.mark.django_db(transaction=True)
def test_a_savepoint_rolled_back_last_does_not_lose_the_events_before_it(queued_jobs):
    subscribe(ThingHappened, first_background_listener, background=True)

    with transaction.atomic():
        emit(ThingHappened(thing_id=1))
        with pytest.raises(ValueError), transaction.atomic():
            emit(ThingHappened(thing_id=2))
            raise ValueError("this part is undone")

    assert [_events_in(job) for job in queued_jobs] == [[("ThingHappened", {"thing_id": 1})]]


@pytest.mark.django_db(transaction=True)
def test_without_redis_one_transactions_background_listeners_run_after_commit_in_order():
    """The embedded mode (Celery eager): the job runs in this process right after the commit."""
    background_calls.clear()
    subscribe(ThingHappened, first_background_listener, background=True)
    subscribe(ThingChanged, second_background_listener, background=True)

    with transaction.atomic():
        emit(ThingHappened(thing_id=5))
        emit(ThingChanged(thing_id=5, fields=("team",)))
        assert background_calls == []

    assert background_calls == [
        ("first", ThingHappened(thing_id=5)),
        ("second", ThingChanged(thing_id=5, fields=("team",))),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_bulk_transaction_queues_one_job_for_all_its_events(queued_jobs):
    """An import that opens many tickets in one transaction still queues a single job."""
    subscribe(ThingHappened, first_background_listener, background=True)

    with transaction.atomic():
        for n in range(500):
            emit(ThingHappened(thing_id=n))

    assert len(queued_jobs) == 1
    assert [fields["thing_id"] for _path, fields, _listeners in queued_jobs[0]] == list(range(500))
