"""The demo's chat site: the widget works at once on Kefu's own demo page (/chat/demo/?site=KEY)."""

from urllib.parse import urlsplit

from django.conf import settings

from kefu.accounts.models import Team
from kefu.chat.models import ChatSite

DEMO_SITE_NAME = "演示网站"
_LOOPBACK_TWINS = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}


def demo_origins() -> list[str]:
    """The origin the demo page is served from (SITE_URL), and its loopback twin, so either address works."""
    parts = urlsplit(settings.SITE_URL)
    origins = [f"{parts.scheme}://{parts.netloc}".lower()]
    host = (parts.hostname or "").lower()
    if host in _LOOPBACK_TWINS:
        twin = _LOOPBACK_TWINS[host] + (f":{parts.port}" if parts.port else "")
        origins.append(f"{parts.scheme}://{twin}")
    return origins


def ensure_chat_site() -> ChatSite:
    """The one demo chat site (created once; a demo built before it existed gets it on the next run)."""
    site = ChatSite.objects.filter(name=DEMO_SITE_NAME).first()
    if site is None:
        site = ChatSite.objects.create(
            name=DEMO_SITE_NAME,
            allowed_origins=demo_origins(),
            team=Team.objects.filter(is_default=True).first(),
            prechat_form={"fields": ["name", "email"], "required": []},
            bot_enabled=True,  # the demo's FAQ lets the bot answer common questions first
        )
    return site
