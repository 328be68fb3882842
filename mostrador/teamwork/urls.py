from django.urls import path

from . import views

urlpatterns = [
    path("mentions/", views.mentions, name="teamwork-mentions"),
    path("teams/", views.teams, name="teamwork-teams"),
    path("ui/availability", views.availability, name="teamwork-availability"),
    path("ui/notifications", views.notifications, name="teamwork-notifications"),
    path("ui/notifications/read", views.read_all, name="teamwork-notifications-read"),
    path("ui/notifications/<int:notification_id>", views.notification, name="teamwork-notification"),
    path("ui/preferences", views.preferences, name="teamwork-preferences"),
    path("ui/people/<int:conversation_id>", views.people_to_mention, name="teamwork-mentionable"),
]
