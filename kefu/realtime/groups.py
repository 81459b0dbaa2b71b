"""The names of the Channels groups Kefu pushes to. Nothing else spells a group name.

Group names may hold ASCII letters, digits, hyphens, underscores and periods, under 100 characters.
"""

# Every connected staff socket: hints that ticket lists may have changed (no ticket ids: outsiders are in it).
QUEUE = "queue"


def ticket(ticket_id: int) -> str:
    """The sockets watching one ticket; a socket joins only after the access check."""
    return f"ticket.{int(ticket_id)}"


def user(user_id: int) -> str:
    """Every socket of one staff user (all their tabs): personal notifications."""
    return f"user.{int(user_id)}"


def chat(conversation_id: int) -> str:
    """The visitor sockets of one live chat (the agent is reached through their `user` group)."""
    return f"chat.{int(conversation_id)}"


def chat_staff(conversation_id: int) -> str:
    """Supervisors who joined one live chat (its agent is reached through their `user` group)."""
    return f"chat-staff.{int(conversation_id)}"


# Every visitor socket whose chat waits in the queue: their place in it may have changed.
CHAT_WAITING = "chat-waiting"
