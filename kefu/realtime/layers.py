"""The in-memory channel layer of the single-process setup (no Redis), fit for thousands of sockets.

Channels' own `InMemoryChannelLayer` scans every channel and every group membership for expired entries
on each send and each receive: with a thousand sockets that scan was the largest cost of a chat message
(each message wakes several sockets, each of which receives again). Here it runs at most once a second,
and a group send puts the message on each member's queue directly instead of one task per member.
"""

import time

from channels import layers
from channels.exceptions import ChannelFull

CLEAN_EVERY = 1.0  # seconds; expiry is 60 s for messages and a day for group memberships


class InMemoryChannelLayer(layers.InMemoryChannelLayer):
    _cleaned_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._cleaned_at < CLEAN_EVERY:
            return
        self._cleaned_at = now
        super()._clean_expired()

    async def group_send(self, group: str, message: dict) -> None:
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        for channel in list(self.groups.get(group, ())):
            try:
                await self.send(channel, message)
            except ChannelFull:
                pass
