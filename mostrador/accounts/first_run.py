"""The demo's passwords are published in the README. On this machine that is fine; reached from
anywhere else, whoever signs in with one must choose their own first, or anyone who read the
README could sign in too."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http.request import split_domain_port
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
# What a person who must change their password can still reach.
OPEN_PATHS = ("/account/password/", "/logout/", "/login/", "/static/", "/i18n/", "/healthz", "/api/", "/webhooks/")


def reached_locally(request) -> bool:
    domain, _port = split_domain_port(request.get_host())
    return domain in LOCAL_HOSTS


class DemoPasswordMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.uses_demo_password
            and not request.path.startswith(OPEN_PATHS)
            and not reached_locally(request)
        ):
            return redirect(f"{reverse('password-change')}?first_run=1")
        return self.get_response(request)


class NewPasswordForm(PasswordChangeForm):
    """Django's own form (the old password, the new one twice, the validators in settings)."""

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("new_password2")
        if password and not self.has_error("new_password2") and self.user.check_password(password):
            self.add_error("new_password2", forms.ValidationError(
                _("Choose a password different from the current one."), code="same_password"
            ))
        return cleaned


@login_required
def change_password(request):
    form = NewPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        if user.uses_demo_password:
            user.uses_demo_password = False
            user.save(update_fields=["uses_demo_password"])
        update_session_auth_hash(request, user)  # stay signed in on this device
        messages.success(request, _("Your password was changed."))
        return redirect("inbox")
    return render(
        request,
        "auth/password_change.html",
        {"form": form, "first_run": request.user.uses_demo_password and not reached_locally(request)},
        status=422 if form.errors else 200,
    )
