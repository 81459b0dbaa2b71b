"""The public help center, mounted by the portal at /portal/help/."""

from django.urls import path, re_path

from . import views

app_name = "help"
urlpatterns = [
    path("", views.help_home, name="home"),
    path("search/", views.help_search, name="search"),
    path("suggest/", views.help_suggest, name="suggest"),
    path("c/<slug:slug>/", views.help_category, name="category"),
    path("a/<int:pk>/", views.help_article, name="article"),
    path("a/<int:pk>/rate/", views.help_rate, name="rate"),
    re_path(r"^files/(?P<key>[A-Za-z0-9_-]{20,40})/$", views.help_file, name="file"),
]
