"""Test isolation for every Kefu test: side effects stay inside the test run.

The database is pytest-django's choice (SQLite by default, PostgreSQL when DATABASE_URL says so).
Append shared fixtures below; keep this block first.
"""

import runpy
import sys
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Compile changed translation catalogs first (as `make install` does): tests assert Chinese texts."""
    if hasattr(config, "workerinput"):
        return  # an xdist worker: the controller has compiled them already
    script = Path(__file__).resolve().parent.parent / "scripts" / "compile_messages.py"
    if script.exists() and runpy.run_path(str(script))["main"](["--quiet"]) != 0:
        sys.stderr.write("kefu/conftest.py: some translation catalogs did not compile (see above)\n")


@pytest.fixture(scope="session")
def _media_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session", autouse=True)
def _celery_eager() -> None:
    """Jobs run in-process right after the commit that queued them, whatever REDIS_URL says."""
    from kefu.config.celery import app

    app.conf.task_always_eager = True


@pytest.fixture(autouse=True)
def _isolated_side_effects(settings, _media_root: Path) -> None:
    """Uploads go to a temp dir, mail to the locmem outbox, pushes to the in-memory layer, a fresh cache."""
    from django.core.cache import cache

    settings.MEDIA_ROOT = str(_media_root)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(_media_root)},
        },
    }
    # Mail needs nothing here: Django's test set-up already sends it to the locmem outbox (mailoutbox).
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # Argon2 is deliberately slow (~50 ms to 1 s per user on a busy box); tests are not about hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # Counters such as login-failure limits live in the cache: a private one, emptied for every test.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


@pytest.fixture(autouse=True)
def _no_timed_refreshes(monkeypatch) -> None:
    """Per-process copies that a running process refreshes on a timer are not refreshed during tests: on a
    slow box such a refresh fell inside one statement-counted run and not in another (CI failed on it).
    - the tokenizer's look at the shared product dictionary (`knowledge.search.sync_user_dictionary`, every
      2 s; tests of the dictionary sync it with `force=True`);
    - configuration copies with a process-local cache (`core.config_cache.LOCAL_MAX_AGE`, 10 s: only the other
      process of the embedded set-up needs it; within a process the shared version reloads them).
    """
    from kefu.core import config_cache
    from kefu.knowledge import search

    monkeypatch.setattr(search, "RECHECK_SECONDS", float("inf"))
    monkeypatch.setattr(config_cache, "LOCAL_MAX_AGE", float("inf"))
