from functools import wraps
from importlib import import_module

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.urls import include, path
from django.views.i18n import set_language

from mostrador.accounts import first_run
from mostrador.api.main import api
from mostrador.connectors.base import channels, connector_class
from mostrador.core.health import healthz
from mostrador.core.installable import manifest, service_worker
from mostrador.intake.views import channel_health
from mostrador.intake.webhook import webhook

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("manifest.webmanifest", manifest, name="manifest"),
    path("sw.js", service_worker, name="service-worker"),
    path("api/v1/", api.urls),
    path("webhooks/<str:channel>", webhook, name="webhook"),
    path("webhooks/<str:channel>/<str:route>", webhook, name="webhook"),
    path("channels/", channel_health, name="channel-health"),
    path("ai/", include("mostrador.bots.urls")),
    path("quotes/", include("mostrador.quotes.urls")),
    path("team/", include("mostrador.teamwork.urls")),
    path("reports/", include("mostrador.reports.urls")),
    path("canned/", include("mostrador.canned.urls")),
    path("search/", include("mostrador.search.urls")),
    path("push/", include("mostrador.push.urls")),
    path("catchup/", include("mostrador.catchup.urls")),
    path("turbo/", include("mostrador.turbo.urls")),
    path("login/", auth_views.LoginView.as_view(template_name="auth/login.html", redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", first_run.change_password, name="password-change"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("mostrador.inbox.urls")),
]


def _sandbox_only(view):
    """A sandbox page answers 404 unless the installation runs the sandboxes (MOSTRADOR_SANDBOX),
    read per request so a test or a settings change needs no new URL list."""

    @wraps(view)
    def gated(request, *args, **kwargs):
        if not settings.MOSTRADOR_SANDBOX:
            raise Http404("The sandbox is switched off.")
        return view(request, *args, **kwargs)

    return gated


for channel in channels():
    if module := connector_class(channel).sandbox_urls:
        patterns = import_module(module).urlpatterns
        for pattern in patterns:
            pattern.callback = _sandbox_only(pattern.callback)
        urlpatterns.insert(0, path("sandbox/", include(patterns)))
