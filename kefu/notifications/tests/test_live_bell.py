"""A new notification reaches all the recipient's open tabs at once, and nobody else's."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from kefu.notifications.models import Kind
from kefu.notifications.services import mark_read, notify
from kefu.realtime.tests.sockets import connected, frames_until_quiet, next_frame, run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _empty_layer():
    """Group memberships of the in-memory layer must not leak into other tests."""
    yield
    layer = get_channel_layer()
    if hasattr(layer, "flush"):
        async_to_sync(layer.flush)()


def test_a_notification_pushes_a_bell_hint_to_the_recipients_sockets_only(
    ticket, agent, teammate, supervisor, session_cookie
):
    wang_cookie, li_cookie = session_cookie(agent), session_cookie(teammate)

    async def scenario():
        wang = await connected(wang_cookie)
        li = await connected(li_cookie)

        await database_sync_to_async(notify)(
            recipients=[agent], kind=Kind.ESCALATED, ticket=ticket, actor=supervisor
        )

        assert await next_frame(wang, "notifications.changed") == {"type": "notifications.changed"}
        assert "notifications.changed" not in [f["type"] for f in await frames_until_quiet(li)]
        await wang.disconnect()
        await li.disconnect()

    run(scenario)


def test_reading_them_updates_the_other_tabs(ticket, agent, supervisor, session_cookie):
    cookie = session_cookie(agent)
    notify(recipients=[agent], kind=Kind.ESCALATED, ticket=ticket, actor=supervisor)

    async def scenario():
        tab = await connected(cookie)
        assert await database_sync_to_async(mark_read)(user=agent) == 1
        assert (await next_frame(tab, "notifications.changed"))["type"] == "notifications.changed"
        await tab.disconnect()

    run(scenario)
