"""Admin pages to create an inbox of any installed channel and to change its settings, its
credentials and who works it. The channel part of the form comes from the channel's connector."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from mostrador.connectors.base import channels, connector_class
from mostrador.inbox.actions.inboxes import create_inbox, issue_integration_token, update_inbox
from mostrador.inbox.inbox_forms import inbox_form
from mostrador.inbox.inbox_settings import InvalidSettings
from mostrador.inbox.models import Inbox


def _admin(request) -> None:
    if not request.user.is_admin:
        raise PermissionDenied


@login_required
def new_inbox(request, channel: str):
    _admin(request)
    if channel not in channels():
        raise Http404
    form = inbox_form(channel, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                inbox = create_inbox(form.cleaned_data["name"], channel, form.settings())
                inbox.members.set(form.cleaned_data["members"])
        except InvalidSettings as error:
            form.add_error(None, str(error))
        else:
            return redirect(f"{_edit_url(inbox)}?created=1")
    return _page(request, form, None, channel)


@login_required
def edit_inbox(request, inbox_id: int):
    _admin(request)
    inbox = get_object_or_404(Inbox, pk=inbox_id)
    if request.method == "POST":
        form = inbox_form(inbox.channel, request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    update_inbox(inbox, name=form.cleaned_data["name"], raw_settings=form.settings())
                    inbox.members.set(form.cleaned_data["members"])
            except InvalidSettings as error:
                form.add_error(None, str(error))
            else:
                return redirect(f"{_edit_url(inbox)}?saved=1")
    else:
        current = inbox.effective_settings
        initial = {key: current.get(key) for key in form_keys(inbox.channel)}
        form = inbox_form(inbox.channel, initial={**initial, "name": inbox.name, "members": inbox.members.all()})
    return _page(request, form, inbox, inbox.channel)


@login_required
@require_POST
def integration_tokens(request, inbox_id: int):
    """Make (`label`) or revoke (`revoke` = its id) one of an api inbox's integration tokens."""
    _admin(request)
    inbox = get_object_or_404(Inbox, pk=inbox_id, channel="api")
    if request.POST.get("revoke"):
        inbox.integration_tokens.filter(pk=request.POST["revoke"]).delete()
    else:
        _, raw = issue_integration_token(inbox, request.user, request.POST.get("label", ""))
        request.session["new_integration_token"] = raw
    return redirect(f"{_edit_url(inbox)}#integration-tokens")


def form_keys(channel: str) -> list[str]:
    form = inbox_form(channel)
    return [key for key in form.fields if key not in form.secret_fields]


def _edit_url(inbox: Inbox) -> str:
    from django.urls import reverse

    return reverse("inbox-edit", args=[inbox.pk])


def _page(request, form, inbox: Inbox | None, channel: str):
    connector = connector_class(channel)
    path = connector.webhook_path(inbox) if inbox else None
    return render(
        request,
        "inbox/inbox_form.html",
        {
            "form": form,
            "inbox": inbox,
            "channel_label": connector.label or channel,
            "common_fields": [form[key] for key in ("name", "wait_target_seconds", "ai_window_seconds", "case_close_after_seconds", "ai_enabled")],
            "channel_fields": [form[key] for key in form.channel_fields],
            "teamwork_fields": [form[key] for key in ("assignment", "capacity", "visibility")],
            "secrets_set": inbox.secrets_set if inbox else [],
            "unreadable_secrets": inbox.unreadable_secrets if inbox else [],
            "webhook_url": request.build_absolute_uri(path) if path else "",
            "created": request.GET.get("created"),
            "saved": request.GET.get("saved"),
            "integration_tokens": inbox.integration_tokens.order_by("pk") if inbox and channel == "api" else None,
            # A token just made is shown once, on the page the admin lands on after making it.
            "new_token": request.session.pop("new_integration_token", None) if inbox else None,
        },
        status=422 if form.errors else 200,
    )
