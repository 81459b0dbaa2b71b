"""Reading what was pushed to a test channel of the in-memory layer (shared by realtime and chat tests)."""

import asyncio

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def frames_on(channel: str, until: str, limit: int = 20) -> list[dict]:
    """Frames pushed to a test channel of the in-memory layer, up to the first of type `until` (5 s each)."""
    layer = get_channel_layer()

    async def receive():
        return await asyncio.wait_for(layer.receive(channel), timeout=5)

    frames = []
    while len(frames) < limit:
        try:
            frames.append(async_to_sync(receive)()["frame"])
        except TimeoutError:
            break
        if frames[-1]["type"] == until:
            break
    return frames
