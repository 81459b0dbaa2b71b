"""Checking and storing attachments: size and type limits, sanitized names, Django's storage API."""

import mimetypes
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from kefu.core.errors import InvalidInput

from .models import Attachment, Message

_UNSAFE = re.compile(r"[^\w.\- ()\[\]]+", re.UNICODE)


@dataclass(frozen=True)
class IncomingFile:
    """A file arriving from any channel: a name, its bytes and (if known) its content type."""

    name: str
    content: bytes
    content_type: str = ""
    content_id: str = ""

    @property
    def size(self) -> int:
        return len(self.content)


def sanitize_filename(name: str) -> str:
    """Keep letters (Chinese too), digits and a few marks; no paths, no control characters."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").split("/")[-1]
    name = _UNSAFE.sub("_", name).strip(" ._")
    if not name:
        name = "attachment"
    stem, dot, ext = name.rpartition(".")
    if dot and len(name) > 150:
        name = stem[: 150 - len(ext) - 1] + "." + ext
    return name[:150]


def check_file(name: str, size: int) -> None:
    """Refuse files over the size limit or of a forbidden type, saying why."""
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    if ext in {e.lower() for e in settings.ATTACHMENT_FORBIDDEN_EXTENSIONS}:
        raise InvalidInput(_("Files of type .%(ext)s are not allowed: %(name)s") % {"ext": ext, "name": name},
                           field="attachments")
    if size > settings.ATTACHMENT_MAX_BYTES:
        raise InvalidInput(
            _("%(name)s is too large (%(size)s); the limit is %(limit)s.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES)},
            field="attachments",
        )


def check_files(files) -> None:
    for f in files:
        check_file(sanitize_filename(f.name), f.size)


def store_attachments(message: Message, files) -> list[Attachment]:
    """Store uploaded (Django UploadedFile) or incoming (IncomingFile) files on a message."""
    stored = []
    for f in files:
        name = sanitize_filename(f.name)
        check_file(name, f.size)
        content_type = (getattr(f, "content_type", "") or mimetypes.guess_type(name)[0] or "application/octet-stream")
        attachment = Attachment(
            message=message, filename=name, content_type=content_type[:100], size=f.size,
            content_id=getattr(f, "content_id", "")[:255],
        )
        django_file = ContentFile(f.content, name=name) if isinstance(f, IncomingFile) else File(f, name=name)
        attachment.created_at = message.created_at
        attachment.file.save(name, django_file, save=False)
        attachment.save()
        stored.append(attachment)
    return stored
