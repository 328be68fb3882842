from django.urls import path

from . import views

urlpatterns = [
    path("", views.agents, name="ai-agents-home"),
    path("<int:inbox_id>/", views.agents, name="ai-agents"),
    path("<int:inbox_id>/try", views.try_message, name="ai-try"),
]
