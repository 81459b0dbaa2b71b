from django.urls import path

from . import views

app_name = "email_channel"
urlpatterns = [
    path("", views.mailboxes, name="mailboxes"),
    path("new/", views.mailbox_edit, name="mailbox_create"),
    path("<int:pk>/", views.mailbox_edit, name="mailbox_edit"),
    path("<int:pk>/test/", views.mailbox_test, name="mailbox_test"),
    path("<int:pk>/delete/", views.mailbox_delete, name="mailbox_delete"),
    path("quarantine/", views.quarantine, name="quarantine"),
    path("quarantine/<int:pk>/raw/", views.quarantine_raw, name="quarantine_raw"),
    path("quarantine/<int:pk>/reprocess/", views.quarantine_reprocess, name="quarantine_reprocess"),
    path("messages/<int:pk>/original/", views.original, name="original"),
]
