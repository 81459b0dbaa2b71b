from django.urls import path

from . import views

app_name = "webchat"
urlpatterns = [
    path("widget.js", views.widget_js, name="widget_js"),
    path("widget.css", views.widget_css, name="widget_css"),
    path("demo/", views.demo, name="demo"),
    path("upload/<str:site_key>/", views.upload, name="upload"),
    path("survey/<str:site_key>/", views.survey, name="survey"),
    path("files/<str:token>/", views.attachment, name="file"),
]
