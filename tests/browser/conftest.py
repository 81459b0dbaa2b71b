"""End-to-end fixtures: Debian's Chromium driven by Playwright against Kefu served over ASGI in this process.

- `chromium`: one headless Chromium for the whole session (never downloaded: /usr/bin/chromium, or
  KEFU_CHROMIUM). Every browser test is skipped, saying why, when it is missing or KEFU_SKIP_BROWSER is set.
- `kefu_server`: `kefu.config.asgi.application` (pages and websockets, as `kefu serve` runs it without Redis)
  under uvicorn in a thread, on a free port. Being in this process, it uses the test database
  (SQLite or PostgreSQL, whatever pytest-django set up) and the isolated settings below, so a test creates
  its data with the factories and the server sees it; `transactional_db` makes the data committed.
- `browser_page(locale=..., user=...)`: a fresh browser context (its own cookies: one person) and a page.
  `user=` logs that person in by session cookie; tests that are about logging in use the form instead.
  Uncaught JavaScript errors, CSP violations and failed static files fail the test.
- `screenshot(page, name)`: a PNG under var/screenshots/ for humans to look at; never asserted.
- `translated(msgid, language)`: what the server shows for a message id, so assertions hold whatever the
  wording in the catalogs (and a zh-Hans assertion can check that the string is translated at all).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("KEFU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
EXPECT_TIMEOUT_MS = 10_000  # a busy two-core box; the tests still finish in seconds when all is well
ACTION_TIMEOUT_MS = 15_000


HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items) -> None:
    # WhiteNoise hands Django a file iterator; under ASGI Django warns that it reads it synchronously.
    quiet = pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators")
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(quiet)


# --- the database ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory) -> None:
    """On SQLite, a file test database instead of the shared in-memory one.

    The server answers from several threads at once (pages, the websocket consumer); an in-memory
    shared-cache database fails such readers with "database table is locked", a WAL file does not.
    When a non-browser test has already created the in-memory database in this session, it stays.
    """
    db = settings.DATABASES["default"]
    name = str(db.get("NAME", ""))
    if not db["ENGINE"].endswith("sqlite3") or (db.get("TEST") or {}).get("NAME") or "mode=memory" in name:
        return
    db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("browser-db") / "e2e.sqlite3")


@pytest.fixture(autouse=True)
def _isolated_side_effects(settings, tmp_path: Path) -> None:
    """Uploads in a temp dir, pushes through the in-memory layer, a private cache, jobs in-process."""
    from django.core.cache import cache

    from kefu.config.celery import app

    app.conf.task_always_eager = True
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.WEBSOCKET_URL = ""  # pages open their socket on the server that served them
    cache.clear()


# --- the browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    """One headless Chromium for the session."""
    if os.environ.get("KEFU_SKIP_BROWSER"):
        pytest.skip(f"browser tests skipped: KEFU_SKIP_BROWSER={os.environ['KEFU_SKIP_BROWSER']}")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(
            f"browser tests need Chromium at {CHROMIUM}: apt-get install -y chromium fonts-wqy-microhei"
        )
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright, _orm_beside(asyncio.get_running_loop()):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def _orm_beside(playwright_loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    """Let the test thread use the ORM while Playwright's sync API keeps its event loop "running" there.

    Django refuses ORM calls in a thread with a running loop ("You cannot call this from an async
    context"). Playwright's loop is no async context of Kefu's, so Django's check looks past that one loop
    only; the server's loop (uvicorn, another thread) stays guarded, so an ORM call in a consumer's async
    code still fails these tests as it would fail in production. DJANGO_ALLOW_ASYNC_UNSAFE would hide that.
    """
    import django.utils.asyncio as django_asyncio

    real = django_asyncio.get_running_loop

    def get_running_loop() -> asyncio.AbstractEventLoop:
        loop = real()
        if loop is playwright_loop:
            raise RuntimeError("only Playwright's loop is running in this thread")
        return loop

    django_asyncio.get_running_loop = get_running_loop
    try:
        yield
    finally:
        django_asyncio.get_running_loop = real


# --- the server -----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _close_server_connections() -> None:
    """PostgreSQL refuses to drop the test database while a server thread still holds a connection."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture
def kefu_server(transactional_db, chromium) -> Iterator[str]:
    """Kefu's ASGI application (HTTP and websockets) on a free port; yields its base URL."""
    import uvicorn
    from django.db import connections

    from kefu.config.asgi import application

    db_settings = connections["default"].settings_dict
    conn_max_age = db_settings.get("CONN_MAX_AGE", 0)
    db_settings["CONN_MAX_AGE"] = 0  # each request closes its connection: none left behind in a thread
    port = _free_port()
    config = uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"kefu-e2e-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    if not server.started:
        server.should_exit = True
        pytest.fail(f"uvicorn did not start on 127.0.0.1:{port}")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        db_settings["CONN_MAX_AGE"] = conn_max_age
        _close_server_connections()


# --- pages ----------------------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def session_cookie(user) -> str:
    """A logged-in session for `user`, as the login form would leave it."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def browser_page(chromium, kefu_server, request) -> Iterator[Callable]:
    """`browser_page(locale="zh-CN", user=None)` -> a Page in a context of its own (one person's browser)."""
    contexts = []
    problems: list[str] = []
    for stale in SCREENSHOTS.glob(f"FAILED-{request.node.name}-*.png"):
        stale.unlink()  # from an earlier run of this test

    def watch(page, label: str) -> None:
        page.on("pageerror", lambda error: problems.append(f"{label}: JavaScript error: {error}"))

        def console(message) -> None:
            if message.type == "error" and "Content Security Policy" in message.text:
                problems.append(f"{label}: CSP violation: {message.text}")

        def response(resp) -> None:
            if "/static/" in resp.url and resp.status >= 400:
                problems.append(f"{label}: {resp.status} for {resp.url}")

        page.on("console", console)
        page.on("response", response)

    def make(locale: str = "zh-CN", user=None, viewport: dict | None = None):
        context = chromium.new_context(
            base_url=kefu_server, locale=locale, timezone_id="Asia/Shanghai",
            viewport=viewport or {"width": 1280, "height": 860},
        )  # fmt: skip
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        if user is not None:
            cookie = session_cookie(user)
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": kefu_server}])
        contexts.append(context)
        page = context.new_page()
        watch(page, f"{getattr(user, 'username', 'anonymous')}@{locale}")
        return page

    yield make

    failed = getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
    for index, context in enumerate(contexts):
        if failed:
            for number, page in enumerate(context.pages):
                _save(page, f"FAILED-{request.node.name}-{index}-{number}")
        context.close()
    if problems and not failed:
        pytest.fail("the browser reported problems:\n" + "\n".join(problems), pytrace=False)


def _save(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    except Exception as exc:  # a closed or crashed page must not hide the real failure
        print(f"screenshot {name} failed: {exc}")  # noqa: T201


@pytest.fixture
def screenshot() -> Callable:
    """`screenshot(page, "name")` saves var/screenshots/name.png for people to look at."""
    return _save


@pytest.fixture
def translated() -> Callable[[str, str], str]:
    """`translated("Log in", "zh-hans")` -> the text the server renders for that message in that language."""
    from django.utils import translation

    def get(msgid: str, language: str) -> str:
        with translation.override(language):
            return str(translation.gettext(msgid))

    return get
