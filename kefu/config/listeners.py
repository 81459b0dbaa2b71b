"""The composition root of domain events: which listener reacts to which event.

Read this table to know everything that happens after a ticket changes. Listeners run after the
transaction commits (see kefu.core.events.emit).
"""


def connect() -> None:
    from kefu.core.events import subscribe  # noqa: F401

    # Filled in as the layers that react arrive (realtime pushes, notifications, delivery, SLA).
