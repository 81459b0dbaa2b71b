from django.conf import settings
from django.http import HttpRequest


def kefu(request: HttpRequest) -> dict:
    """Values every page needs: where websockets live and the supported languages."""
    return {"KEFU_WEBSOCKET_URL": settings.WEBSOCKET_URL, "KEFU_SITE_URL": settings.SITE_URL}
