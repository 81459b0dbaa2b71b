from django.urls import include, path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.ticket_list, name="home"),
    path("login/", views.login_page, name="login"),
    path("login/link/", views.request_login_link, name="request_link"),
    path("login/link/<str:token>/", views.login_link, name="login_link"),
    path("signup/", views.signup, name="signup"),
    path("logout/", views.logout_view, name="logout"),
    path("language/", views.switch_language, name="language"),
    path("tickets/new/", views.ticket_new, name="ticket_new"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/reply/", views.ticket_reply, name="reply"),
    path("tickets/<int:pk>/close/", views.ticket_close, name="close"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("help/", include("kefu.knowledge.urls")),  # the public help center (kefu.knowledge)
]
