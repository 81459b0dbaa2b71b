from django.urls import path

from . import views

app_name = "phone_channel"
urlpatterns = [
    path("", views.lines, name="lines"),
    path("new/", views.line_edit, name="line_create"),
    path("<int:pk>/", views.line_edit, name="line_edit"),
    path("<int:pk>/secret/", views.line_secret, name="line_secret"),
    path("<int:pk>/delete/", views.line_delete, name="line_delete"),
]
