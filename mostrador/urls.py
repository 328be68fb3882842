from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from mostrador.api.main import api
from mostrador.core.health import healthz
from mostrador.intake.views import channel_health
from mostrador.intake.webhook import webhook

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("webhooks/<str:channel>", webhook, name="webhook"),
    path("webhooks/<str:channel>/<str:route>", webhook, name="webhook"),
    path("channels/", channel_health, name="channel-health"),
    path("ai/", include("mostrador.bots.urls")),
    path("login/", auth_views.LoginView.as_view(template_name="auth/login.html", redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("mostrador.inbox.urls")),
]

if settings.MOSTRADOR_SANDBOX:
    urlpatterns.insert(0, path("sandbox/", include("mostrador.connectors.sandbox.urls")))
