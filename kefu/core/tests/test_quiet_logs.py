"""The console log stays readable: an expected 403 is one line without a traceback, and the embedded mode's
in-memory broker does not make kombu warn "No hostname was supplied"."""

import io
import logging

import pytest
from django.conf import settings
from kombu import Connection


@pytest.fixture
def console():
    """What the configured console handler writes, for the length of a test."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.mark.django_db
def test_a_refused_page_is_one_line_in_the_log_without_a_traceback(client, agent, console):
    client.force_login(agent)

    assert client.get("/manage/users/").status_code == 403

    lines = [line for line in console.getvalue().splitlines() if line.strip()]
    assert len(lines) == 1 and "Forbidden (Permission denied): /manage/users/" in lines[0], lines
    assert "Traceback" not in console.getvalue()


def test_the_embedded_broker_makes_kombu_warn_about_nothing(caplog):
    with caplog.at_level(logging.WARNING, logger="kombu.connection"):
        Connection(settings.EMBEDDED_BROKER_URL).info()

    assert caplog.records == []
