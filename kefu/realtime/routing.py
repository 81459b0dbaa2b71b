"""Websocket URLs, mounted by kefu.config.asgi behind the origin check and the session auth stack."""

from django.urls import path

from .consumers import AgentConsumer

websocket_urlpatterns = [
    path("ws/agent/", AgentConsumer.as_asgi()),
]
