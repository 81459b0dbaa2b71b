"""The widget's websocket URL; mounted by kefu.config.asgi outside the same-host origin check
(the widget runs on customers' sites; the consumer checks the origin against the site's allowed origins)."""

from django.urls import path

from .consumers import VisitorConsumer

websocket_urlpatterns = [
    path("ws/chat/<str:site_key>/", VisitorConsumer.as_asgi()),
]
