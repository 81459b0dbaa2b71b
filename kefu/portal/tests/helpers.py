"""Small helpers the portal tests share."""

import re

from django.conf import settings
from django.core import mail

LINK = re.compile(r"(/portal/login/link/[^/\s]+/)")


def link_path_in_mail(index: int = -1) -> str:
    """The site-relative path of the login link in a sent mail (the last one by default)."""
    message = mail.outbox[index]
    assert settings.SITE_URL + "/portal/login/link/" in message.body
    return LINK.search(message.body).group(1)
