from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="language"),
    path("profile/", views.profile, name="profile"),
    path("profile/password/", views.change_password, name="password"),
    path("profile/api-token/", views.api_token, name="api_token"),
]
