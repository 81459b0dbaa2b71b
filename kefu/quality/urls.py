from django.urls import path, register_converter

from kefu.workspace.urls import IdConverter

from . import views

# A database id: digits, short enough for a 64-bit column (longer ones are a 404, not a 500).
register_converter(IdConverter, "quality_id")

app_name = "quality"
urlpatterns = [
    path("", views.home, name="home"),
    path("draw/", views.draw, name="draw"),
    path("draw/<quality_id:pk>/release/", views.release, name="release"),
    path("tickets/<quality_id:pk>/review/", views.review, name="review"),
    path("reviews/", views.reviews, name="reviews"),
]
