from django.urls import path

from . import summary

urlpatterns = [
    path("c/<int:conversation_id>/written", summary.written, name="catchup-written"),
]
