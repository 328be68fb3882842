"""Admin pages for the AI: pick and configure each inbox's agent, and try it on a message."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mostrador.bots.agent_form import Invalid, bound, initial, settings_from_post
from mostrador.bots.routes.validators import VALIDATORS
from mostrador.inbox.actions.inboxes import update_inbox
from mostrador.inbox.inbox_settings import InvalidSettings
from mostrador.inbox.models import Inbox
from mostrador.inbox.queries import ai_answers


def _admin(request) -> None:
    if not request.user.is_admin:
        raise PermissionDenied


def _page(request, inbox: Inbox, forms: dict, *, error: str = "", saved: bool = False):
    return render(
        request,
        "bots/agents.html",
        {
            "inboxes": Inbox.objects.order_by("name"),
            "inbox": inbox,
            "kind": forms["form"]["kind"].value() or "",
            "validators": list(VALIDATORS),
            "secrets_set": inbox.secrets_set,
            # AI on by default with nothing to answer: every new chat would wait the AI window.
            "answers_nobody": inbox.setting("ai_enabled") and not ai_answers(inbox),
            "error": error,
            "saved": saved,
            **forms,
        },
        status=422 if error else 200,
    )


@login_required
def agents(request, inbox_id: int | None = None):
    _admin(request)
    if inbox_id is None:
        first = Inbox.objects.order_by("name").first()
        if first is None:
            return render(request, "bots/agents.html", {"inboxes": [], "inbox": None})
        return redirect("ai-agents", inbox_id=first.pk)
    inbox = get_object_or_404(Inbox, pk=inbox_id)
    if request.method == "POST":
        try:
            update_inbox(inbox, raw_settings=settings_from_post(request.POST))
        except (Invalid, InvalidSettings) as error:
            return _page(request, inbox, bound(request.POST), error=str(error))
        inbox.refresh_from_db()
        return _page(request, inbox, initial(inbox.effective_settings), saved=True)
    return _page(request, inbox, initial(inbox.effective_settings))


@login_required
@require_POST
def try_message(request, inbox_id: int):
    """Run the saved agent on one message, without a conversation: nothing is sent or stored."""
    _admin(request)
    from mostrador.bots.agents import agent_for
    from mostrador.bots.agents.base import Trial

    inbox = get_object_or_404(Inbox, pk=inbox_id)
    text = request.POST.get("text", "").strip()
    if not inbox.setting("ai_agent"):
        trial = Trial(error=_("This inbox has no AI agent yet. Save one first."))
    elif not text:
        trial = Trial(error=_("Write a message to try."))
    else:
        trial = agent_for(inbox).trial(text)
    return render(request, "bots/_trial.html", {"trial": trial, "text": text})
