"""The websocket process's cyclic GC runs on the event loop's clock: the young and middle generations four
times a second, a full collection every ten minutes, and the automatic collector never starts a slow one."""

import gc

import pytest

from kefu.core import gc_pacing


class Timer:
    def __init__(self, when, callback):
        self.when, self.callback, self.cancelled = when, callback, False

    def cancel(self):
        self.cancelled = True


class FakeLoop:
    """An event loop's call_later on a clock moved by hand (`advance` fires what falls due)."""

    def __init__(self):
        self.now = 0.0
        self.timers = []

    def call_later(self, delay, callback):
        timer = Timer(self.now + delay, callback)
        self.timers.append(timer)
        return timer

    def advance(self, seconds):
        end = self.now + seconds
        while due := [t for t in self.timers if not t.cancelled and t.when <= end + 1e-9]:
            timer = min(due, key=lambda t: t.when)
            self.timers.remove(timer)
            self.now = timer.when
            timer.callback()
        self.now = end


@pytest.fixture
def thresholds():
    """The test process's own thresholds come back after each test."""
    saved = gc.get_threshold()
    yield
    gc.set_threshold(*saved)


def _pacer(loop, collected, **kwargs):
    return gc_pacing.CollectionPacer(loop, clock=lambda: loop.now, collect=collected.append, **kwargs)


def test_young_and_middle_generations_are_collected_four_times_a_second(thresholds):
    loop, collected = FakeLoop(), []
    _pacer(loop, collected).start()

    loop.advance(10.0)

    assert collected == [1] * 40


def test_a_full_collection_comes_every_ten_minutes_in_place_of_a_tick(thresholds):
    loop, collected = FakeLoop(), []
    _pacer(loop, collected).start()

    loop.advance(1800.0)

    assert collected.count(2) == 3
    assert len(collected) == 1800 * 4  # a tick never skipped, never doubled


def test_the_automatic_collector_keeps_its_young_trigger_but_never_reaches_the_older_generations(thresholds):
    _pacer(FakeLoop(), []).start()

    young, middle, old = gc.get_threshold()
    assert young == gc_pacing.THRESHOLDS[0]
    assert middle >= 10**9 and old >= 10**9  # no automatic collection of those in a server's lifetime


def test_a_stopped_pacer_collects_no_more(thresholds):
    loop, collected = FakeLoop(), []
    pacer = _pacer(loop, collected)
    pacer.start()
    loop.advance(1.0)
    pacer.stop()
    loop.advance(10.0)

    assert collected == [1] * 4
