from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    path("report/", views.report, name="report"),  # no token is this short: tokens are 32 characters
    path("<str:token>/", views.answer, name="answer"),
]
