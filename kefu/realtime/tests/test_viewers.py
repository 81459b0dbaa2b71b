"""The shared viewer list: one entry per socket, counted per user, forgotten when heartbeats stop."""

import pytest

from kefu.realtime import viewers

TICKET = 41


@pytest.fixture
def clock(monkeypatch):
    """A settable wall clock for the viewer store."""
    now = {"t": 1_000_000.0}
    monkeypatch.setattr(viewers, "_now", lambda: now["t"])
    return now


def test_two_tabs_of_one_user_count_once_and_reply_if_either_does(clock):
    viewers.join(TICKET, connection="tab-1", user_id=7, name="王芳")

    change = viewers.join(TICKET, connection="tab-2", user_id=7, name="王芳", replying=True)

    assert change.viewers == [viewers.Viewer(id=7, name="王芳", replying=True)]


def test_second_tab_of_a_present_user_changes_nothing_for_the_others(clock):
    viewers.join(TICKET, connection="tab-1", user_id=7, name="王芳")

    change = viewers.join(TICKET, connection="tab-2", user_id=7, name="王芳")

    assert not change.changed


def test_viewers_are_listed_in_the_order_they_arrived(clock):
    viewers.join(TICKET, connection="a", user_id=8, name="李娜")
    clock["t"] += 1
    viewers.join(TICKET, connection="b", user_id=7, name="王芳")
    clock["t"] += 1

    viewers.join(TICKET, connection="a", user_id=8, name="李娜", replying=True)  # a heartbeat keeps her place

    assert [v.name for v in viewers.viewers(TICKET)] == ["李娜", "王芳"]


def test_socket_that_stops_sending_heartbeats_drops_out_after_the_ttl(clock):
    viewers.join(TICKET, connection="lost", user_id=8, name="李娜")
    viewers.join(TICKET, connection="alive", user_id=7, name="王芳")
    clock["t"] += viewers.ENTRY_TTL - 1
    viewers.join(TICKET, connection="alive", user_id=7, name="王芳")  # only 王芳's heartbeat arrives

    clock["t"] += 2
    change = viewers.join(TICKET, connection="alive", user_id=7, name="王芳")

    assert change.changed
    assert [v.name for v in change.viewers] == ["王芳"]


def test_last_viewer_leaving_empties_the_ticket(clock):
    viewers.join(TICKET, connection="tab-1", user_id=7, name="王芳")

    change = viewers.leave(TICKET, connection="tab-1")

    assert change.changed
    assert viewers.viewers(TICKET) == []


def test_leaving_twice_is_harmless(clock):
    viewers.leave(TICKET, connection="never-joined")

    assert viewers.viewers(TICKET) == []
