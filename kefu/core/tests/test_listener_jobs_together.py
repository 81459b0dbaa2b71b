"""Many background jobs run together (kefu.core.events.run_queued_batches) do what each would do alone."""

import logging
from dataclasses import dataclass

from kefu.core.events import Event, handles_many, run_queued_batches

PATH = "kefu.core.tests.test_listener_jobs_together"
ran: list[tuple] = []


@dataclass(frozen=True, kw_only=True)
class Opened(Event):
    ticket_id: int


@dataclass(frozen=True, kw_only=True)
class Written(Event):
    ticket_id: int
    words: tuple = ()


def _route_many(events: list[Opened]) -> None:
    ran.append(("route together", tuple(event.ticket_id for event in events)))


@handles_many(_route_many)
def route(event: Opened) -> None:
    ran.append(("route", event.ticket_id))


def index(event: Written) -> None:
    ran.append(("index", event.ticket_id, event.words))


def _broken_many(events: list[Opened]) -> None:
    raise RuntimeError("the bulk statement failed")


@handles_many(_broken_many)
def clock(event: Opened) -> None:
    ran.append(("clock", event.ticket_id))


def _new_ticket_job(ticket_id: int, first: str = "route") -> list:
    return [
        [f"{PATH}.Opened", {"ticket_id": ticket_id}, [f"{PATH}.{first}"]],
        [f"{PATH}.Written", {"ticket_id": ticket_id, "words": ["hi"]}, [f"{PATH}.index"]],
    ]


def test_jobs_of_one_shape_run_each_listener_once_for_all_and_keep_each_tickets_order():
    ran.clear()

    run_queued_batches([_new_ticket_job(1), _new_ticket_job(2), _new_ticket_job(3)])

    # the bulk form ran once for the three tickets; the other listener for each, after it, with its fields
    assert ran == [
        ("route together", (1, 2, 3)),
        ("index", 1, ("hi",)),
        ("index", 2, ("hi",)),
        ("index", 3, ("hi",)),
    ]


def test_a_later_job_about_a_ticket_of_the_group_runs_after_the_group():
    ran.clear()
    later = [[f"{PATH}.Written", {"ticket_id": 1, "words": ["again"]}, [f"{PATH}.index"]]]

    run_queued_batches([_new_ticket_job(1), later, _new_ticket_job(2)])

    assert ran == [
        ("route together", (1, 2)),
        ("index", 1, ("hi",)),
        ("index", 2, ("hi",)),
        ("index", 1, ("again",)),
    ]


def test_a_job_of_its_own_shape_runs_alone_in_its_place():
    ran.clear()
    lone = [[f"{PATH}.Written", {"ticket_id": 9}, [f"{PATH}.index"]]]

    run_queued_batches([lone, _new_ticket_job(1), _new_ticket_job(2)])

    assert ran[0] == ("route together", (1, 2))
    assert ("index", 9, ()) in ran and len(ran) == 4


def test_a_failing_bulk_form_is_logged_and_the_listener_runs_for_each_event(caplog):
    ran.clear()

    with caplog.at_level(logging.ERROR, logger="kefu.core.events"):
        run_queued_batches([_new_ticket_job(1, first="clock"), _new_ticket_job(2, first="clock")])

    assert ran[:2] == [("clock", 1), ("clock", 2)]
    assert "one by one" in caplog.text
