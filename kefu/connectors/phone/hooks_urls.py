"""The CTI webhook, mounted at /connectors/phone/ (no session, no CSRF: signed by the line's secret)."""

from django.urls import path

from . import views

app_name = "phone_hooks"
urlpatterns = [
    path("<str:key>/events/", views.events, name="events"),
]
