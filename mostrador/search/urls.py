from django.urls import path

from . import screens

urlpatterns = [
    path("ui", screens.results, name="search-results"),
]
