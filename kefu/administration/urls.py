from django.urls import path

from kefu.connectors.webchat import manage as chat_sites

from . import calendar_views, routing_views, sla_views, views

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
    path("routing/", routing_views.rules, name="routing_rules"),
    path("routing/new/", routing_views.rule_edit, name="routing_rule_create"),
    path("routing/test/", routing_views.rule_test, name="routing_test"),
    path("routing/retrain/", routing_views.retrain, name="routing_retrain"),
    path("routing/training/", routing_views.training, name="routing_training"),
    path("routing/<int:pk>/", routing_views.rule_edit, name="routing_rule_edit"),
    path("routing/<int:pk>/delete/", routing_views.rule_delete, name="routing_rule_delete"),
    path("routing/<int:pk>/move/", routing_views.rule_move, name="routing_rule_move"),
    path("calendars/", calendar_views.calendar_list, name="calendars"),
    path("calendars/new/", calendar_views.calendar_edit, name="calendar_create"),
    path("calendars/<int:pk>/", calendar_views.calendar_edit, name="calendar_edit"),
    path("calendars/<int:pk>/delete/", calendar_views.calendar_delete, name="calendar_delete"),
    path("sla/", sla_views.policy_list, name="sla_policies"),
    path("sla/new/", sla_views.policy_edit, name="sla_policy_create"),
    path("sla/<int:pk>/", sla_views.policy_edit, name="sla_policy_edit"),
    path("sla/<int:pk>/active/", sla_views.policy_active, name="sla_policy_active"),
    path("sla/<int:pk>/move/", sla_views.policy_move, name="sla_policy_move"),
    path("sla/<int:pk>/delete/", sla_views.policy_delete, name="sla_policy_delete"),
    path("chat-sites/", chat_sites.sites, name="chat_sites"),
    path("chat-sites/new/", chat_sites.site_edit, name="chat_site_create"),
    path("chat-sites/<int:pk>/", chat_sites.site_edit, name="chat_site_edit"),
    path("<slug:section>/", views.config_list, name="config"),
    path("<slug:section>/new/", views.config_edit, name="config_create"),
    path("<slug:section>/<int:pk>/", views.config_edit, name="config_edit"),
    path("<slug:section>/<int:pk>/delete/", views.config_delete, name="config_delete"),
]
