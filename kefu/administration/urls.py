from django.urls import path

from . import views

app_name = "administration"
urlpatterns = [
    path("", views.home, name="home"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/active/", views.user_active, name="user_active"),
    path("teams/", views.teams, name="teams"),
    path("teams/new/", views.team_edit, name="team_create"),
    path("teams/<int:pk>/", views.team_edit, name="team_edit"),
    path("audit/", views.audit, name="audit"),
    path("<slug:section>/", views.config_list, name="config"),
    path("<slug:section>/new/", views.config_edit, name="config_create"),
    path("<slug:section>/<int:pk>/", views.config_edit, name="config_edit"),
    path("<slug:section>/<int:pk>/delete/", views.config_delete, name="config_delete"),
]
