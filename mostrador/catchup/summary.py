"""A chat's summary for a person coming back to it after a while: what happened since they
last looked (customer messages, fields collected, a hand-off, notes, transfers, resolves),
built from the chat's own events. Shown once above the timeline, until they look again."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from mostrador.inbox import hooks
from mostrador.inbox.models import ConversationEvent, EventKind, Message, Note
from mostrador.inbox.queries import visible_conversations

from .models import LastLook


def away_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "MOSTRADOR_CATCHUP_AFTER_SECONDS", 3600))


def remember_look(opened: hooks.ConversationOpened) -> None:
    LastLook.objects.update_or_create(user=opened.user, conversation=opened.conversation, defaults={"at": opened.now})


def panel(conversation, user) -> hooks.Panel | None:
    look = LastLook.objects.filter(user=user, conversation=conversation).values_list("at", flat=True).first()
    if look is None or timezone.now() - look < away_after():
        return None
    lines = lines_since(conversation, look, user)
    if not lines:
        return None
    # The inbox's AI may write it in words; that answer comes a moment later (`written`).
    return hooks.Panel("catchup/_summary.html", {"since": look, "lines": lines, "conversation_id": conversation.pk,
                                                  "since_ms": int(look.timestamp() * 1000)})


WRITTEN_KEPT = 600  # seconds a written summary is kept for the same chat, person and moment
FARTHEST_BACK = timedelta(days=60)


@login_required
@require_GET
def written(request, conversation_id: int):
    """The summary in the words of the inbox's AI (a fragment), or nothing (204)."""
    conversation = visible_conversations(request.user).select_related("inbox").filter(pk=conversation_id).first()
    raw = request.GET.get("since", "")
    if conversation is None or not raw.isdigit() or len(raw) > 15:
        raise Http404
    since = datetime.fromtimestamp(int(raw) / 1000, tz=dt_timezone.utc)
    if not timezone.now() - FARTHEST_BACK < since <= timezone.now():
        raise Http404
    # A new message since makes it another summary.
    key = f"catchup:{conversation.pk}:{conversation.last_message_id}:{request.user.pk}:{raw}:{translation.get_language()}"
    text = cache.get(key)
    if text is None:
        found = hooks.summary_writers.collect(conversation, since, lines_since(conversation, since, request.user))
        text = found[0] if found else ""
        cache.set(key, text, WRITTEN_KEPT)
    if not text:
        return HttpResponse(status=204)
    return render(request, "catchup/_written.html", {"text": text})


def lines_since(conversation, since, user) -> list[str]:
    """What happened in the chat after `since`, one short line per kind of thing."""
    lines: list[str] = []
    messages = Message.objects.filter(conversation=conversation, created_at__gt=since)
    by_author = dict(messages.values("author_kind").annotate(n=Count("id")).values_list("author_kind", "n"))
    if by_author.get("customer"):
        lines.append(_("The customer wrote %(n)s messages.") % {"n": by_author["customer"]} if by_author["customer"] > 1
                     else _("The customer wrote once."))
    if by_author.get("ai"):
        lines.append(_("The AI answered %(n)s times.") % {"n": by_author["ai"]} if by_author["ai"] > 1 else _("The AI answered once."))
    if by_author.get("agent"):
        lines.append(_("The team replied %(n)s times.") % {"n": by_author["agent"]} if by_author["agent"] > 1 else _("The team replied once."))
    events = ConversationEvent.objects.filter(conversation=conversation, created_at__gt=since).select_related("actor").order_by("created_at")
    fields: dict[str, str] = {}
    for event in events:
        who = event.actor.name if event.actor else (event.bot_name or _("Automation"))
        if event.kind == EventKind.FIELD_SET:
            fields[event.data.get("name", "")] = str(event.data.get("to", ""))
        elif event.kind == EventKind.HANDOFF:
            reason = event.data.get("reason") or _("no reason given")
            lines.append(_("The AI handed it to people: %(reason)s") % {"reason": reason})
        elif event.kind == EventKind.ASSIGNED and event.data.get("transfer"):
            lines.append(_("%(who)s transferred it.") % {"who": who})
        elif event.kind == EventKind.RESOLVED:
            lines.append(_("%(who)s marked it resolved.") % {"who": who})
        elif event.kind == EventKind.REOPENED:
            lines.append(_("It was reopened."))
    if fields:
        lines.append(_("Collected: %(fields)s") % {"fields": ", ".join(f"{k} {v}" for k, v in fields.items())})
    notes = Note.objects.filter(conversation=conversation, created_at__gt=since).exclude(author=user).select_related("author")
    for note in notes.order_by("-created_at")[:3]:
        lines.append(_("Note by %(who)s: “%(text)s”") % {"who": note.author.name if note.author else "—", "text": note.text[:140]})
    return lines
