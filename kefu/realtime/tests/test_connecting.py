"""Only active staff get an agent socket; everyone else is closed with 4401 so browsers stop retrying."""

import pytest

from .sockets import TIMEOUT, connected, run, socket

pytestmark = pytest.mark.django_db(transaction=True)


def test_anonymous_socket_is_closed_with_4401():
    async def scenario():
        communicator = socket(None)
        await communicator.connect(timeout=TIMEOUT)

        closed = await communicator.receive_output(timeout=TIMEOUT)

        assert closed == {"type": "websocket.close", "code": 4401}

    run(scenario)


def test_portal_customer_is_closed_with_4401(customer_user, login):
    cookie = login(customer_user)

    async def scenario():
        communicator = socket(cookie)
        await communicator.connect(timeout=TIMEOUT)

        closed = await communicator.receive_output(timeout=TIMEOUT)

        assert closed["code"] == 4401

    run(scenario)


def test_deactivated_agent_is_closed_with_4401(agent, login):
    cookie = login(agent)
    agent.is_active = False
    agent.save()

    async def scenario():
        communicator = socket(cookie)
        await communicator.connect(timeout=TIMEOUT)

        closed = await communicator.receive_output(timeout=TIMEOUT)

        assert closed["code"] == 4401

    run(scenario)


def test_agent_is_greeted_with_her_own_user_id(agent, login):
    cookie = login(agent)

    async def scenario():
        communicator = socket(cookie)
        accepted, _ = await communicator.connect(timeout=TIMEOUT)

        hello = await communicator.receive_json_from(timeout=TIMEOUT)

        assert accepted
        assert hello == {"type": "hello", "user": agent.pk}
        await communicator.disconnect()

    run(scenario)


def test_socket_from_a_foreign_origin_is_refused(agent, login):
    cookie = login(agent)

    async def scenario():
        communicator = socket(cookie, origin="https://evil.example.com")

        accepted, _ = await communicator.connect(timeout=TIMEOUT)

        assert not accepted

    run(scenario)


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        "[1, 2]",
        '{"type": "watch"}',
        '{"type": "watch", "ticket": -3}',
        '{"type": "dance", "ticket": 1}',
    ],
)
def test_malformed_frame_gets_an_error_and_the_socket_stays_open(agent, login, frame):
    cookie = login(agent)

    async def scenario():
        communicator = await connected(cookie)

        await communicator.send_to(text_data=frame)
        error = await communicator.receive_json_from(timeout=TIMEOUT)
        await communicator.send_json_to({"type": "ping"})
        pong = await communicator.receive_json_from(timeout=TIMEOUT)

        assert error["type"] == "error"
        assert error["error"] == "invalid"
        assert error["message"]
        assert pong == {"type": "pong"}
        await communicator.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("zh-hans", "该工单不存在，或您无权查看。"),
        ("en", "This ticket does not exist or you may not see it."),
    ],
)
def test_error_message_is_in_the_agents_language(
    outsider, other_team_ticket, ticket, login, language, message
):
    outsider.language = language
    outsider.save()
    cookie = login(outsider)

    async def scenario():
        communicator = await connected(cookie)

        await communicator.send_json_to({"type": "watch", "ticket": ticket.pk})
        error = await communicator.receive_json_from(timeout=TIMEOUT)

        assert error["message"] == message
        await communicator.disconnect()

    run(scenario)
