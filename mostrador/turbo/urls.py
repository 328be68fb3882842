from django.urls import path

from . import screens

urlpatterns = [
    path("", screens.page, name="turbo-page"),
    path("<int:inbox_id>/", screens.save, name="turbo-save"),
]
