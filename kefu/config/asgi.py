"""ASGI entry: websockets (and, in the single-process demo layout, plain HTTP too)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.config.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from kefu.config.warmup import warm_up  # noqa: E402

warm_up()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import re_path  # noqa: E402

from kefu.connectors.webchat.routing import websocket_urlpatterns as chat_websocket_urlpatterns  # noqa: E402
from kefu.realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": URLRouter(
            [
                *chat_websocket_urlpatterns,  # the widget's origin is checked per site by its consumer
                re_path(
                    r"", AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
                ),
            ]
        ),
    }
)
