from django.urls import path

from . import views

urlpatterns = [
    path("mentions/", views.mentions, name="teamwork-mentions"),
]
