from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "kefu.realtime"
    label = "realtime"
