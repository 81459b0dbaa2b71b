"""The per-process configuration copies of kefu.core.config_cache and their shared version."""

import threading

import pytest
from django.core.cache import cache
from django.db import transaction

from kefu.core import config_cache
from kefu.sla.models import SlaPolicy
from kefu.sla.tests.factories import SlaPolicyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_local_copies():
    config_cache.clear_local()
    yield
    config_cache.clear_local()


def _policy_names() -> tuple[str, ...]:
    return tuple(SlaPolicy.objects.order_by("pk").values_list("name", flat=True))


class CountingLoader:
    def __init__(self, load):
        self.load, self.calls = load, 0

    def __call__(self):
        self.calls += 1
        return self.load()


def test_a_copy_is_loaded_once_and_reused_while_the_version_stays():
    """Two uses with no change in between read the database once."""
    loader = CountingLoader(lambda: "value")
    assert config_cache.get("test.value", loader) == "value"
    assert config_cache.get("test.value", loader) == "value"
    assert loader.calls == 1


def test_a_change_made_by_another_process_is_seen(django_capture_on_commit_callbacks):
    """Another process changes a row and bumps the shared version: this process's copy is reloaded."""
    with django_capture_on_commit_callbacks(execute=True):
        policy = SlaPolicyFactory(name="old")
    assert config_cache.get("test.policies", _policy_names) == ("old",)
    # The other process: its write (a plain UPDATE here, so no signal of this process fires) and its bump.
    SlaPolicy.objects.filter(pk=policy.pk).update(name="new")
    assert config_cache.get("test.policies", _policy_names) == ("old",)  # nothing told this process yet
    cache.incr(config_cache.VERSION_KEY)
    assert config_cache.get("test.policies", _policy_names) == ("new",)


def test_a_save_bumps_the_shared_version_and_the_next_use_reloads(django_capture_on_commit_callbacks):
    """post_save of a watched model (services, /manage forms and the Django admin all save) bumps it."""
    assert config_cache.get("test.policies", _policy_names) == ()
    before = cache.get(config_cache.VERSION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        SlaPolicyFactory(name="standard")
    assert cache.get(config_cache.VERSION_KEY) > before
    assert config_cache.get("test.policies", _policy_names) == ("standard",)


def test_a_delete_bumps_the_shared_version(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        policy = SlaPolicyFactory(name="gone")
    assert config_cache.get("test.policies", _policy_names) == ("gone",)
    with django_capture_on_commit_callbacks(execute=True):
        policy.delete()
    assert config_cache.get("test.policies", _policy_names) == ()


def test_a_flushed_cache_starts_a_new_version_and_copies_are_reloaded():
    """Tests (and a Redis restart) empty the cache: no process may keep a copy of the old version."""
    loader = CountingLoader(lambda: "value")
    config_cache.get("test.value", loader)
    cache.clear()
    config_cache.get("test.value", loader)
    assert loader.calls == 2


def test_one_check_reads_the_shared_version_once_for_a_whole_job():
    """Inside a job the version is read once: a bump by another process is seen by the next job."""
    loader = CountingLoader(lambda: "value")
    with config_cache.one_check():
        config_cache.get("test.value", loader)
        cache.incr(config_cache.VERSION_KEY)  # bumped meanwhile
        config_cache.get("test.value", loader)
        assert loader.calls == 1
    config_cache.get("test.value", loader)
    assert loader.calls == 2


def test_a_transaction_sees_its_own_uncommitted_change_and_nobody_keeps_it_after_a_rollback():
    """The writer's transaction reads its change at once; rolled back, the change is forgotten."""
    assert config_cache.get("test.policies", _policy_names) == ()
    with pytest.raises(RuntimeError), transaction.atomic():
        SlaPolicyFactory(name="draft")
        assert config_cache.get("test.policies", _policy_names) == ("draft",)
        raise RuntimeError("roll back")
    assert config_cache.get("test.policies", _policy_names) == ()


def test_an_uncommitted_change_is_not_kept_as_the_process_copy():
    """Other threads of the process must not see rows this transaction has not committed."""
    SlaPolicyFactory(name="uncommitted")  # the test's transaction never commits: its hook stays pending
    assert config_cache.get("test.policies", _policy_names) == ("uncommitted",)
    assert "test.policies" not in config_cache._values


def test_changed_bumps_for_writes_that_send_no_signal(django_capture_on_commit_callbacks):
    """QuerySet.update() sends no post_save: the writer calls changed() and the copies are reloaded."""
    with django_capture_on_commit_callbacks(execute=True):
        policy = SlaPolicyFactory(name="old")
    assert config_cache.get("test.policies", _policy_names) == ("old",)
    with django_capture_on_commit_callbacks(execute=True):
        SlaPolicy.objects.filter(pk=policy.pk).update(name="new")
        config_cache.changed()
    assert config_cache.get("test.policies", _policy_names) == ("new",)


def test_with_a_process_local_cache_copies_expire(monkeypatch):
    """locmem cannot carry the version to the scheduler process: there copies are reloaded after a while."""
    now = [1000.0]
    monkeypatch.setattr(config_cache.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(config_cache, "LOCAL_MAX_AGE", 10.0)  # kefu/conftest.py holds it off elsewhere
    loader = CountingLoader(lambda: "value")
    config_cache.get("test.value", loader)
    now[0] += config_cache.LOCAL_MAX_AGE / 2
    config_cache.get("test.value", loader)
    assert loader.calls == 1
    now[0] += config_cache.LOCAL_MAX_AGE
    config_cache.get("test.value", loader)
    assert loader.calls == 2


def test_a_savepoint_rolled_back_leaves_none_of_its_rows_in_the_transactions_reads():
    """Rule A in the transaction, rule B in a nested block that is rolled back: only A is read afterwards."""
    with transaction.atomic():
        SlaPolicyFactory(name="A")
        with pytest.raises(RuntimeError), transaction.atomic():
            SlaPolicyFactory(name="B")
            assert config_cache.get("test.policies", _policy_names) == ("A", "B")
            raise RuntimeError("roll back the nested block")
        assert config_cache.get("test.policies", _policy_names) == ("A",)


def test_a_transaction_writes_the_cache_only_once_after_its_commit(
    monkeypatch, django_capture_on_commit_callbacks
):
    """Saving many configuration rows in one transaction: no cache write inside it, one bump after commit."""
    bumps = []
    monkeypatch.setattr(config_cache, "bump", lambda: bumps.append(1))
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for name in ("one", "two", "three"):
            SlaPolicyFactory(name=name)
        assert bumps == []
    assert len([hook for hook in callbacks if getattr(hook, "func", None) is config_cache._committed]) == 1
    assert bumps == [1]


def test_a_change_outside_a_transaction_bumps_at_once(monkeypatch):
    """With no transaction open there is no commit to wait for."""
    bumps = []
    monkeypatch.setattr(config_cache, "bump", lambda: bumps.append(1))
    monkeypatch.setattr(transaction.get_connection(), "in_atomic_block", False)
    config_cache.changed()
    assert bumps == [1]


def test_a_job_holding_an_older_version_never_sets_the_process_back():
    """A thread whose job started before the last change uses the newer copies instead of dropping them."""
    loader = CountingLoader(lambda: "value")
    newer = CountingLoader(lambda: "newer")
    with config_cache.one_check():
        config_cache.get("test.value", loader)  # this job keeps the version it read first
        cache.incr(config_cache.VERSION_KEY)  # another process changed configuration
        other_thread = threading.Thread(target=config_cache.get, args=("test.value", newer))
        other_thread.start()
        other_thread.join()
        assert config_cache.get("test.value", loader) == "newer"  # the older job: the newer copy, kept
    assert config_cache.get("test.value", newer) == "newer"
    assert (loader.calls, newer.calls) == (1, 1)


def test_a_version_left_by_an_older_release_is_replaced_by_a_number():
    """Redis may still hold a version string of the previous release: bumps must keep working."""
    cache.set(config_cache.VERSION_KEY, "0f3c9a", timeout=None)
    loader = CountingLoader(lambda: "value")
    config_cache.get("test.value", loader)
    config_cache.bump()
    assert isinstance(cache.get(config_cache.VERSION_KEY), int)
    config_cache.get("test.value", loader)
    assert loader.calls == 2


def test_each_committed_change_bumps_once(monkeypatch, django_capture_on_commit_callbacks):
    """A change after an earlier one has committed gets its own after-commit bump."""
    bumps = []
    monkeypatch.setattr(config_cache, "bump", lambda: bumps.append(1))
    for name in ("first", "second"):
        with django_capture_on_commit_callbacks(execute=True):
            SlaPolicyFactory(name=name)
    assert bumps == [1, 1]


def test_settle_lets_a_test_transaction_use_the_copies_again():
    """A test's transaction never commits: once its set-up settles, reads go through the copies again."""
    SlaPolicyFactory(name="set-up")  # its after-commit hook stays pending
    loader = CountingLoader(_policy_names)
    config_cache.get("test.policies", loader)
    config_cache.get("test.policies", loader)
    assert loader.calls == 2  # read fresh while the change is uncommitted
    config_cache.settle()
    config_cache.get("test.policies", loader)
    config_cache.get("test.policies", loader)
    assert loader.calls == 3
