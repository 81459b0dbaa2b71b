"""The queue of background listener jobs, drained by the worker many at a time.

A Celery message per new ticket cost the request ~1.5 ms of CPU (building, serializing and publishing
the message) and the worker as much again (receiving, acknowledging, tracing one task), and every job ran
alone. So with Redis, a request's job is one `RPUSH` onto a list, in the same round trip as a `SET NX` of
a "a drain is scheduled or running" flag; only a request that sets the flag sends a Celery task
(`drain_listener_jobs`). The task takes up to BATCH jobs at a time and runs them together
(kefu.core.events.run_queued_batches): one configuration check, and each listener once over all its events
when it can take them in bulk. Under load the flag stays set while the drain runs, so requests send no task
at all. When the queue is empty the drain clears the flag and looks once more: a job pushed before the
flag was cleared is then still found (by this drain, which sets the flag again), and one pushed after sets
the flag and schedules a new drain itself. No job is left behind.

At least once, like Celery's late acknowledgement: a claimed batch is copied, in the same Lua call that
takes it, to an in-flight list registered with its time; it is deleted when the batch is done. A drain
puts batches in flight for longer than STALE_SECONDS (their worker died) back on the queue; the listeners
are idempotent, so a batch run twice changes nothing the second time.

Without Redis (the embedded mode, tests) nothing here is used: jobs run at once in the process.
"""

import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable

from django.conf import settings

log = logging.getLogger(__name__)

QUEUE = "kefu:listener-jobs"
SCHEDULED = "kefu:listener-jobs:scheduled"
IN_FLIGHT = "kefu:listener-jobs:in-flight"  # a sorted set: in-flight list name → when it was claimed
SCHEDULED_TTL = 30  # seconds: a lost drain task is replaced by the next push after this
BATCH = 100  # jobs run together
ROUNDS = 20  # batches one drain task runs before it hands over to a new task
STALE_SECONDS = 15 * 60
LINGER_SECONDS = 0.2  # how long a drain that emptied the queue waits for the next job before it ends
GATHER_SECONDS = 0.1  # how long a batch short of BATCH waits for more jobs to join it before it runs

# Take up to ARGV[1] jobs off the queue and keep a copy in flight, registered with the time ARGV[2]; the
# flag (KEYS[4]) says a drain runs, for ARGV[3] more seconds.
_CLAIM = """
redis.call('SET', KEYS[4], '1', 'EX', tonumber(ARGV[3]))
local items = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #items > 0 then
  redis.call('LTRIM', KEYS[1], #items, -1)
  redis.call('RPUSH', KEYS[2], unpack(items))
  redis.call('ZADD', KEYS[3], ARGV[2], KEYS[2])
end
return items
"""

# Queue one job (ARGV[1]) and set the "a drain is scheduled" flag (KEYS[2]) unless it is set: one command
# (cheaper for the request than a two-command pipeline); returns whether this call set the flag.
_PUSH = """
redis.call('RPUSH', KEYS[1], ARGV[1])
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', tonumber(ARGV[2])) then return 1 end
return 0
"""

# Put an in-flight list (KEYS[1]) back at the head of the queue (KEYS[2]) and forget it.
_REQUEUE = """
local items = redis.call('LRANGE', KEYS[1], 0, -1)
for i = #items, 1, -1 do redis.call('LPUSH', KEYS[2], items[i]) end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[3], KEYS[1])
return #items
"""

_local = threading.local()


def enabled() -> bool:
    """Jobs go through the Redis list: a Redis broker and a worker, not eager in-process execution."""
    return not settings.CELERY_TASK_ALWAYS_EAGER and settings.CELERY_BROKER_URL.startswith(
        ("redis://", "rediss://", "unix://")
    )


def _client():
    client = getattr(_local, "client", None)
    if client is None or getattr(_local, "pid", None) != os.getpid():  # a forked process needs its own
        import redis

        client = _local.client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        _local.pid = os.getpid()
        _local.push = client.register_script(_PUSH)
        _local.claim = client.register_script(_CLAIM)
        _local.requeue = client.register_script(_REQUEUE)
    return client


def push(jobs: list) -> None:
    """Queue one transaction's job (see kefu.core.events); schedule a drain unless one is scheduled."""
    _client()
    job = json.dumps(jobs, ensure_ascii=False, separators=(",", ":"))
    if _local.push(keys=[QUEUE, SCHEDULED], args=[job, SCHEDULED_TTL]):
        _schedule_drain()


def _schedule_drain() -> None:
    from kefu.core.tasks import drain_listener_jobs

    try:
        drain_listener_jobs.delay()
    except Exception:
        # The job is stored: the flag expires and the next push (or the periodic drain) schedules one.
        log.exception("could not schedule a drain of the listener jobs")


def drain(run: Callable[[list], None], *, batch: int = BATCH, rounds: int = ROUNDS) -> int:
    """Run the queued jobs, `batch` at a time, with `run(jobs)`; returns how many ran."""
    client = _client()
    requeue_stale()
    done = 0
    for _ in range(rounds):
        in_flight = f"{IN_FLIGHT}:{uuid.uuid4().hex}"
        keys = [QUEUE, in_flight, IN_FLIGHT, SCHEDULED]
        items = _local.claim(keys=keys, args=[batch, time.time(), SCHEDULED_TTL]) or _linger(client, keys, batch)
        if items and len(items) < batch and GATHER_SECONDS > 0:
            # A batch's statements are mostly per batch, not per job: a new ticket's jobs cost the worker
            # 3-4 ms of CPU in batches of 1-3 (a moderate rate), 1.2 ms in batches of 10, 0.5 ms in 100s.
            # So a short batch waits a moment for more to join it; the background work comes that much later.
            time.sleep(GATHER_SECONDS)
            items += _local.claim(keys=keys, args=[batch - len(items), time.time(), SCHEDULED_TTL])
        if not items:
            if _still_wanted(client):
                continue
            return done
        run([json.loads(item) for item in items])
        client.pipeline(transaction=False).delete(in_flight).zrem(IN_FLIGHT, in_flight).execute()
        done += len(items)
    if _still_wanted(client):
        _schedule_drain()  # more keeps coming: a new task goes on, so other kinds of task get their turn
    return done


def _linger(client, keys: list[str], batch: int) -> list:
    """The queue is empty: wait up to LINGER_SECONDS for the next job (and take what came with it) before the
    drain ends. At a steady moderate rate one drain then takes the jobs as they come instead of a Celery task
    per job, whose receiving, acknowledging and tracing cost the worker several times the job itself. The
    flag stays set meanwhile, so pushes schedule nothing."""
    if LINGER_SECONDS <= 0:
        return []
    queue, in_flight, registry, scheduled = keys
    # Registered before the move, so a job moved into a worker that dies here is queued again (requeue_stale).
    client.zadd(registry, {in_flight: time.time()})
    first = client.blmove(queue, in_flight, LINGER_SECONDS, "LEFT", "RIGHT")
    if first is None:
        client.zrem(registry, in_flight)
        return []
    rest = _local.claim(keys=keys, args=[batch - 1, time.time(), SCHEDULED_TTL]) if batch > 1 else []
    return [first, *rest]


def _still_wanted(client) -> bool:
    """Whether this drain must go on (asked when the queue looked empty, or its rounds are used up): the flag
    is cleared, unless a job is waiting whose push saw the flag still set (and so scheduled nothing): then
    the flag is this drain's again. A push after the clearing schedules a drain of its own."""
    client.delete(SCHEDULED)
    return bool(client.llen(QUEUE)) and bool(client.set(SCHEDULED, b"1", nx=True, ex=SCHEDULED_TTL))


def requeue_stale(*, older_than: float = STALE_SECONDS) -> int:
    """Put back on the queue the batches claimed longer ago than `older_than` seconds and never finished."""
    client = _client()
    stale = client.zrangebyscore(IN_FLIGHT, "-inf", time.time() - older_than)
    moved = sum(_local.requeue(keys=[name, QUEUE, IN_FLIGHT]) for name in stale)
    if moved:
        log.warning("%d listener jobs of a lost worker are queued again", moved)
    return moved


def pending() -> int:
    """Jobs waiting in the queue (for the benchmark and monitoring)."""
    return int(_client().llen(QUEUE))
