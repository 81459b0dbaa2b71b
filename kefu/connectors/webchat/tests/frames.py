"""Waiting for frames by what they say, not by how quickly they come."""

from channels.testing.websocket import WebsocketCommunicator

from kefu.realtime.tests.sockets import frames_until_quiet, next_frame


async def frames_until(communicator: WebsocketCommunicator, done) -> list[dict]:
    """Every frame up to the one for which `done(frames so far)` is true (each read waits up to 10 s)."""
    frames: list[dict] = []
    while not done(frames):
        frames.append(await communicator.receive_json_from(timeout=10))
    return frames


async def then_nothing_more(communicator: WebsocketCommunicator, kind: str) -> list[dict]:
    """Frames of `kind` that arrive after the expected ones (an empty list proves no duplicate)."""
    return [f for f in await frames_until_quiet(communicator) if f["type"] == kind]


__all__ = ["frames_until", "next_frame", "then_nothing_more"]
