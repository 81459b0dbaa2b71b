"""Chat attachments on the wire: frames with a capability URL, and the signed link that serves the file.

A file's URL carries a signature of its message id, so neither a visitor nor anyone else reaches another
chat's files by counting ids.
"""

from django.core import signing
from django.urls import reverse

from kefu.chat.models import ChatMessage

FILE_SALT = "kefu.chat.file"


def file_token(message_id: int) -> str:
    return signing.Signer(salt=FILE_SALT).sign(str(message_id))


def message_id_from(token: str) -> int | None:
    try:
        value = signing.Signer(salt=FILE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


def frame(message: ChatMessage) -> dict:
    """The message as sockets send it; an attachment gets its signed URL (relative to Kefu's host)."""
    data = message.as_json()
    if message.has_attachment:
        data["file"]["url"] = reverse("webchat:file", args=[file_token(message.pk)])
    return data
