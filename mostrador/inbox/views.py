"""The seller's web UI: a two-pane inbox rendered on the server, refreshed by htmx when the
realtime socket says something changed. Every write goes through the actions."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mostrador.accounts.models import Role, Team, User
from mostrador.connectors.base import connector_class
from mostrador.inbox import actions, hooks, policy
from mostrador.inbox.actions.actor import ActionRefused
from mostrador.inbox.actions.outbound import window_closes_at
from mostrador.inbox.jobs import sync_templates as sync_templates_job
from mostrador.inbox.listing import MOST_CHANGED, PAGE, TABS, changed_rows, id_param, list_filters, list_query, marked, tab_counts
from mostrador.inbox.media import store_upload
from mostrador.inbox.models import ContactField, Conversation, Inbox, Priority, Tag, TemplateStatus
from mostrador.inbox.queries import (
    BadCursor,
    ListFilters,
    ai_answers,
    conversation_list,
    pending_total,
    visible_conversations,
    visible_inboxes,
)
from mostrador.inbox.timeline import timeline

MOST_SHOWN = 2000  # rows a live refresh re-draws at most, for a seller who scrolled far


def _filters(request) -> tuple[ListFilters, dict]:
    return list_filters(request.GET, request.user.pk)


def _rows(request, filters: ListFilters, now, *, limit: int, cursor: str | None):
    """One page of the list's rows, with their marks, and the cursor of the next."""
    rows, next_cursor = conversation_list(request.user, filters, limit=limit, cursor=cursor, now=now)
    return marked(rows, filters), next_cursor


def _list_context(request) -> dict:
    # The list, its counts and its inbox menu each ask what the person sees; nothing in drawing
    # them changes it, so it is worked out once.
    policy.remember_scope(request.user)
    now = timezone.now()
    filters, selected = _filters(request)
    # A live refresh re-draws as many rows as the seller has on screen (she may have scrolled
    # past the first page), so older rows do not vanish under her.
    shown = id_param(request.GET.get("shown")) or 0
    rows, next_cursor = _rows(request, filters, now, limit=min(max(PAGE, shown), MOST_SHOWN), cursor=None)
    return {
        "rows": rows,
        "counts": tab_counts(request.user, filters, now),
        "tabs": TABS,
        "now": now,
        "selected": selected,
        "inboxes": visible_inboxes(request.user).order_by("name"),
        "teams": Team.objects.order_by("name"),
        "next_cursor": next_cursor,
        "list_query": list_query(selected),
    }


@login_required
@require_GET
def list_rows(request):
    """What became of some chats (`ids`) in the list the page shows: the rows of those still in it,
    as they are now, and the tabs with their counts. A live change is patched into the rows the
    page holds instead of the whole list being drawn again for every open tab."""
    ids = [i for i in map(id_param, request.GET.get("ids", "").split(",")) if i is not None]
    if not ids or len(ids) > MOST_CHANGED:
        return HttpResponse(_("Name between 1 and %(most)s conversations.") % {"most": MOST_CHANGED}, status=400)
    filters, selected = _filters(request)
    policy.remember_scope(request.user)
    return HttpResponse(changed_rows(request.user, filters, selected, ids, timezone.now(), open_id=id_param(request.GET.get("open"))))


@login_required
@require_GET
def list_more(request):
    """The list's next rows after a cursor (keyset: the same order, never an offset)."""
    filters, selected = _filters(request)
    try:
        rows, next_cursor = _rows(request, filters, timezone.now(), limit=PAGE, cursor=request.GET.get("cursor") or None)
    except BadCursor:
        return HttpResponse(_("That list position is not one this page gave."), status=400)
    context = {"rows": rows, "next_cursor": next_cursor, "selected": selected, "list_query": list_query(selected),
               "now": timezone.now(), "open_id": id_param(request.GET.get("open"))}
    return render(request, "inbox/_rows_page.html", context)


def _visible(request, conversation_id: int) -> Conversation:
    conv = (
        visible_conversations(request.user)
        .select_related("inbox", "contact", "assignee", "team")
        .filter(pk=conversation_id)
        .first()
    )
    if conv is None:
        raise Http404
    return conv


def _pane_context(request, conv: Conversation, error: str = "") -> dict:
    now = timezone.now()
    # Whom the chat may be given to: the people who work its inbox, and supervisors.
    members = (
        User.objects.filter(is_active=True)
        .filter(Q(role__in=[Role.ADMIN, Role.SUPERVISOR]) | Q(pk__in=policy.inbox_people(conv.inbox).values("pk")))
        .order_by("name")
    )
    closes = window_closes_at(conv)
    return {
        "conv": conv,
        "state": conv.state(now).value,
        "entries": timeline(conv, reaching=id_param(request.GET.get("msg"))),
        "now": now,
        "members": members,
        "teams": Team.objects.order_by("name"),
        "priorities": Priority.choices,
        "tags": list(conv.tags.order_by("name").values_list("name", flat=True)),
        "tag_options": list(Tag.objects.order_by("name").values_list("name", flat=True)[:200]),
        # The transfer form starts open when the right-click menu asked for it.
        "transfer_open": request.GET.get("transfer") == "1",
        "error": error,
        "window_closes_at": closes,
        "window_open": closes is None or now < closes,
        "templates": conv.inbox.templates.filter(status=TemplateStatus.APPROVED),
        "panels": hooks.conversation_panels.collect(conv, request.user),
        # The AI holds this chat's waits, and nothing will answer them (no agent, no bot token).
        "ai_answers_nobody": conv.ai_enabled and not conv.resolved and not ai_answers(conv.inbox),
        "handoff_answered": _answered_since_handoff(conv),
        **_contact_context(request, conv),
        "has_templates": connector_class(conv.inbox.channel).capabilities.templates,
        # Contact reasons offered beside "Mark resolved": the tags this inbox's chats use.
        "reasons": [] if conv.resolved else list(
            Tag.objects.filter(conversations__inbox_id=conv.inbox_id).distinct().order_by("name").values_list("name", flat=True)[:12]
        ),
    }


def _contact_context(request, conv: Conversation) -> dict:
    """The contact panel: its custom fields with their values, and the person's other chats."""
    values = conv.contact.fields or {}
    fields = [{"name": f.name, "label": f.label, "type": f.type, "options": f.options or [], "value": values.get(f.name)}
              for f in ContactField.objects.order_by("label")]
    others = visible_conversations(request.user).filter(contact_id=conv.contact_id).exclude(pk=conv.pk).select_related("inbox")
    return {
        "contact_fields": fields,
        "contact_tags": sorted(conv.contact.tags.values_list("name", flat=True)),
        "other_conversations": others.order_by("-last_activity_at")[:20],
        "contact_open": request.GET.get("contact") == "1" or request.POST.get("contact") == "1",
    }


@login_required
@require_POST
def contact(request, conversation_id: int):
    """The contact panel's form: the chat's contact, edited in place."""
    post = request.POST
    changes: dict = {key: post[key] for key in ("name", "phone", "email", "language") if key in post}
    if "tags" in post:
        changes["tags"] = [t.strip() for t in post["tags"].split(",") if t.strip()]
    fields = {key.split(":", 1)[1]: value for key, value in post.items() if key.startswith("field:")}
    if fields:
        changes["fields"] = fields
    return _act(request, conversation_id, lambda c, a: actions.update_contact(c.contact, a, changes))


@login_required
@require_GET
def merge_candidates(request, conversation_id: int):
    """Contacts the chat's contact may be merged with: by name, email or phone, among those the
    person sees (a rare task, so a plain lookup rather than the search index)."""
    conv = _visible(request, conversation_id)
    query = request.GET.get("q", "").strip()[:100]
    found: list = []
    if len(query) >= 2:
        digits = "".join(ch for ch in query if ch.isdigit())
        match = Q(name__icontains=query) | Q(email__icontains=query)
        if len(digits) >= 4:
            match |= Q(phone__contains=digits)
        found = list(policy.visible_contacts(request.user).filter(match).exclude(pk=conv.contact_id).order_by("-pk")[:8])
        # One who also writes in an inbox this contact writes in cannot be merged (one chat per
        # person and inbox): say so beside them instead of letting the merge be refused.
        ours = Conversation.objects.filter(contact_id=conv.contact_id).values("inbox_id")
        shared = dict(
            Conversation.objects.filter(contact__in=found, inbox_id__in=ours).values_list("contact_id", "inbox__name")
        )
        for other in found:
            other.shared_inbox = shared.get(other.pk)
    return render(request, "inbox/_merge_candidates.html", {"conv": conv, "candidates": found, "query": query})


@login_required
@require_POST
def merge_contact(request, conversation_id: int):
    """This chat's contact takes in another one (chosen among the candidates)."""
    chosen = policy.visible_contacts(request.user).filter(pk=id_param(request.POST.get("other"))).first()
    if chosen is None:
        raise Http404
    return _act(request, conversation_id, lambda c, a: actions.merge_contacts(c.contact, chosen, a))


def _answered_since_handoff(conv: Conversation) -> bool:
    """Whether a person wrote to the customer after the AI handed the chat over: the hand-off
    box then folds to its first line."""
    try:
        at = datetime.fromisoformat((conv.handoff_summary or {}).get("at") or "")
    except ValueError:
        return False
    return conv.messages.filter(direction="out", author_kind="agent", created_at__gte=at).exists()


@login_required
@require_GET
def inbox_page(request, conversation_id: int | None = None):
    pane = _pane_context(request, _opened(request, conversation_id)) if conversation_id is not None else {}
    return _whole_page(request, pane, conversation_id)


def _whole_page(request, pane: dict, open_id: int | None) -> HttpResponse:
    """The inbox page: the list, and the open conversation's pane (its context) if any."""
    context = {**_list_context(request), **pane, "open_id": open_id, "row_menu": hooks.row_menu.collect(request.user)}
    return render(request, "inbox/page.html", context)


@login_required
@require_GET
def counters(request):
    """The top bar's numbers, for the page's script to keep them live. Every tab asks when its
    socket opens again; what the person sees is worked out once for all the numbers."""
    policy.remember_scope(request.user)
    numbers = {"pending": pending_total(request.user)}
    numbers.update({item.key: item.count for item in hooks.topbar_items.collect(request.user) if item.count is not None})
    return JsonResponse(numbers)


@login_required
@require_GET
def list_pane(request):
    context = _list_context(request)
    try:
        context["open_id"] = int(request.GET.get("open", ""))
    except ValueError:
        context["open_id"] = None
    return render(request, "inbox/_list.html", context)


@login_required
@require_GET
def conversation_pane(request, conversation_id: int):
    return render(request, "inbox/_conversation.html", _pane_context(request, _opened(request, conversation_id)))


def pane(request, conversation_id: int, error: str = "") -> HttpResponse:
    """The conversation pane as it is now, for an action that answers with it (a capability's
    form in the pane, too). Raises Http404 for a conversation the person may not see."""
    return render(request, "inbox/_conversation.html", _pane_context(request, _visible(request, conversation_id), error))


def _opened(request, conversation_id: int) -> Conversation:
    # Drawing a chat is not seeing it: it may be a tab in the background. The page's script says
    # when the person is looking (`seen`), and only then does the customer get the read receipt.
    return _visible(request, conversation_id)


@login_required
@require_POST
def seen(request, conversation_id: int):
    """The person is looking at the chat (its page visible and focused): its customer messages
    are seen, and the customer gets the read receipt. It stays pending."""
    actions.mark_seen(_visible(request, conversation_id), actions.Actor.person(request.user))
    return HttpResponse(status=204)


def _act(request, conversation_id: int, do) -> HttpResponse:
    conv = _visible(request, conversation_id)
    error = ""
    try:
        do(conv, actions.Actor.person(request.user))
    except ActionRefused as exc:
        error = str(exc)
    conv = _visible(request, conversation_id)
    context = _pane_context(request, conv, error)
    # The composer stays in the mode it was used in: a second note must not go to the customer.
    context["note_mode"] = request.POST.get("mode") == "note"
    if error:
        # What the person wrote is handed back in the composer, not lost with the refusal.
        context["draft"] = request.POST.get("text", "")
    if not request.headers.get("HX-Request"):
        # A plain form post (the page's scripts had not started): answer with the whole page.
        return _whole_page(request, context, conv.pk)
    # No list refresh is requested here: the pane swap and the realtime event already refresh it.
    return render(request, "inbox/_conversation.html", context)


@login_required
@require_POST
def reply(request, conversation_id: int):
    if request.POST.get("mode") == "note":
        # The page's script posts notes to `note`; without it (not started yet) the form comes
        # here, and a note must still never reach the customer.
        return note(request, conversation_id)
    return _act(request, conversation_id, lambda c, a: actions.send_message(c, a, _composed(request)))


def _composed(request) -> actions.OutboundContent:
    post = request.POST
    reply_to = int(post["reply_to"]) if post.get("reply_to", "").isdigit() else None
    if post.get("template"):
        name, _, language = post["template"].partition("|")
        params = [p.strip() for p in post.getlist("param")]
        return actions.OutboundContent(template_name=name, template_language=language, template_params=params)
    upload = request.FILES.get("file")
    if upload:
        return actions.OutboundContent(text=post.get("text", ""), media=store_upload(upload), reply_to_id=reply_to)
    return actions.OutboundContent(text=post.get("text", ""), reply_to_id=reply_to)


@login_required
@require_POST
def retry(request, conversation_id: int, message_id: int):
    def do(conv, actor):
        message = conv.messages.filter(pk=message_id).first()
        if message is None:
            raise Http404
        actions.retry_message(message, actor)

    return _act(request, conversation_id, do)


@login_required
@require_POST
def sync_templates(request, conversation_id: int):
    conv = _visible(request, conversation_id)
    sync_templates_job.enqueue(conv.inbox_id)
    return render(request, "inbox/_conversation.html", _pane_context(request, conv))


@login_required
@require_POST
def note(request, conversation_id: int):
    return _act(request, conversation_id, lambda c, a: actions.add_note(c, a, request.POST.get("text", "")))


@login_required
@require_POST
def resolve(request, conversation_id: int):
    reason = request.POST.get("reason", "")
    return _act(request, conversation_id, lambda conv, actor: actions.resolve(conv, actor, reason=reason))


@login_required
@require_POST
def reopen(request, conversation_id: int):
    return _act(request, conversation_id, actions.reopen)


@login_required
@require_POST
def toggle_ai(request, conversation_id: int):
    enabled = request.POST.get("enabled") == "on"
    return _act(request, conversation_id, lambda c, a: actions.set_ai(c, a, enabled))


@login_required
@require_POST
def assign(request, conversation_id: int):
    raw = request.POST.get("user_id", "")
    user = User.objects.filter(pk=int(raw), is_active=True).first() if raw.isdigit() else None
    return _act(request, conversation_id, lambda c, a: actions.assign(c, a, user=user, team=c.team))


@login_required
@require_POST
def priority(request, conversation_id: int):
    raw = request.POST.get("priority", "")
    if raw not in {str(value) for value in Priority.values}:
        return HttpResponse(_("Unknown priority."), status=400)
    return _act(request, conversation_id, lambda c, a: actions.set_priority(c, a, int(raw)))


@login_required
@require_POST
def team(request, conversation_id: int):
    """The chat's team, without changing who holds it."""
    team_id = id_param(request.POST.get("team_id"))
    chosen = Team.objects.filter(pk=team_id).first() if team_id else None
    if team_id and chosen is None:
        raise Http404
    return _act(request, conversation_id, lambda c, a: actions.assign(c, a, user=c.assignee, team=chosen))


@login_required
@require_POST
def tags(request, conversation_id: int):
    """Add tags (comma-separated) or take one off."""
    added = [name.strip() for name in request.POST.get("add", "").split(",") if name.strip()]
    removed = request.POST.get("remove", "")

    def do(conv, actor):
        names = [name for name in conv.tags.values_list("name", flat=True) if name != removed]
        actions.set_tags(conv, actor, names + added)

    return _act(request, conversation_id, do)


@login_required
@require_POST
def transfer(request, conversation_id: int):
    """Derivar from the pane: to a person or a team, with a note."""
    user_id, team_id = id_param(request.POST.get("user_id")), id_param(request.POST.get("team_id"))
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    team = Team.objects.filter(pk=team_id).first() if team_id else None
    note = request.POST.get("note", "")
    return _act(request, conversation_id, lambda c, a: actions.transfer(c, a, user=user, team=team, note=note))


@login_required
def new_conversation(request):
    """A person writes to a customer first: a phone number, an inbox, the first message (a
    template where the channel's window wants one)."""
    inboxes = [box for box in visible_inboxes(request.user).order_by("name") if connector_class(box.channel).capabilities.starts_by_phone]
    for box in inboxes:
        box.uses_templates = connector_class(box.channel).capabilities.templates
        box.approved_templates = list(box.templates.filter(status=TemplateStatus.APPROVED).order_by("name", "language")) if box.uses_templates else []
    error = ""
    if request.method == "POST":
        post = request.POST
        inbox = next((box for box in inboxes if str(box.pk) == post.get("inbox_id")), None)
        if inbox is None:
            raise Http404
        first = _composed(request) if post.get("template") or post.get("text", "").strip() else None
        try:
            conv = actions.start_conversation(inbox, actions.Actor.person(request.user), post.get("phone", ""), post.get("name", ""), first)
        except ActionRefused as exc:
            error = str(exc)
        else:
            return redirect("conversation", conv.pk)
    return render(request, "inbox/new_conversation.html", {"inboxes": inboxes, "error": error, "form": request.POST}, status=400 if error else 200)


# The customer simulator: an admin writes as a customer of an `api` inbox from another tab.


def _require_admin(request) -> None:
    if not request.user.is_admin:
        raise PermissionDenied(_("Only admins can use the customer simulator."))


def _sim_inbox(request) -> Inbox:
    inboxes = Inbox.objects.filter(channel="api").order_by("pk")
    raw = request.GET.get("inbox") or request.POST.get("inbox")
    inbox = inboxes.filter(pk=int(raw)).first() if raw and raw.isdigit() else inboxes.first()
    if inbox is None:
        raise Http404(_("There is no API inbox to simulate."))
    return inbox


def _sim_context(request, inbox: Inbox, customer_id: str, name: str) -> dict:
    conv = Conversation.objects.filter(inbox=inbox, contact__identities__inbox=inbox, contact__identities__external_id=customer_id).first()
    messages = list(conv.messages.order_by("created_at", "id")) if conv else []
    return {
        "inbox": inbox,
        "inboxes": Inbox.objects.filter(channel="api").order_by("pk"),
        "customer_id": customer_id,
        "customer_name": name,
        "messages": messages,
        "conversation": conv,
    }


@login_required
@require_GET
def simulator(request):
    _require_admin(request)
    inbox = _sim_inbox(request)
    customer_id = request.GET.get("customer") or f"sim-{uuid.uuid4().hex[:8]}"
    name = request.GET.get("name") or _("Test customer")
    return render(request, "inbox/simulator.html", _sim_context(request, inbox, customer_id, name))


@login_required
@require_GET
def simulator_thread(request):
    _require_admin(request)
    inbox = _sim_inbox(request)
    return render(
        request,
        "inbox/_simulator_thread.html",
        _sim_context(request, inbox, request.GET.get("customer", ""), request.GET.get("name", "")),
    )


@login_required
@require_POST
def simulator_send(request):
    _require_admin(request)
    inbox = _sim_inbox(request)
    customer_id = request.POST.get("customer", "").strip() or f"sim-{uuid.uuid4().hex[:8]}"
    name = request.POST.get("name", "").strip()
    text = request.POST.get("text", "").strip()
    if text:
        actions.receive_customer_message(
            inbox,
            actions.InboundMessage(
                contact_external_id=customer_id,
                contact_name=name,
                text=text,
                external_id=f"sim-{uuid.uuid4().hex}",
            ),
        )
    return render(request, "inbox/_simulator_thread.html", _sim_context(request, inbox, customer_id, name))

