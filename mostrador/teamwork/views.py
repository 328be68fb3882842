"""Teamwork's screens: Menciones, the notification centre, the availability switch, whom a note
may @mention, and the admin pages for teams and people."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mostrador.accounts.models import Availability, Role, Team, User
from mostrador.inbox import policy
from mostrador.inbox.actions import ActionInvalid, ActionRefused

from . import people
from .availability import set_availability
from .models import Notification
from .notices import mentionable, open_mentions, told_read

NOTICES_SHOWN = 30


@login_required
@require_GET
def mentions(request):
    found = open_mentions(request.user).select_related("conversation__contact", "conversation__inbox", "note", "by")
    return render(request, "teamwork/mentions.html", {"mentions": found.order_by("-created_at")[:200]})


@login_required
@require_POST
def availability(request):
    """The top bar's switch. Answers with the switch itself (htmx) or goes back (no script)."""
    wanted = request.POST.get("availability", "")
    if wanted not in Availability.values:
        return HttpResponse(_("Unknown availability."), status=400)
    set_availability(request.user, wanted)
    if request.headers.get("HX-Request"):
        return render(request, "teamwork/_availability.html", {"user": request.user})
    return redirect(request.POST.get("next") or "inbox")


@login_required
@require_GET
def notifications(request):
    """The notification centre's list (the bell's drop-down), newest first."""
    return _notice_list(request)


def _notice_list(request):
    notices = (
        Notification.objects.filter(user=request.user)
        .select_related("conversation__contact", "actor")
        .order_by("-created_at", "-pk")[:NOTICES_SHOWN]
    )
    return render(request, "teamwork/_notices.html", {"notices": notices})


@login_required
@require_GET
def notification(request, notification_id: int):
    """One notification in words, for the browser's own notification."""
    notice = Notification.objects.select_related("conversation__contact", "actor").filter(pk=notification_id, user=request.user).first()
    if notice is None:
        raise Http404
    return JsonResponse({"title": notice_title(notice), "body": notice.text, "url": f"/c/{notice.conversation_id}"})


def notice_title(notice: Notification) -> str:
    who = notice.actor.name if notice.actor else _("Automation")
    contact = str(notice.conversation.contact)
    return {
        "assigned": _("%(who)s gave you the chat with %(contact)s"),
        "transferred": _("%(who)s transferred the chat with %(contact)s to you"),
        "mentioned": _("%(who)s mentioned you in the chat with %(contact)s"),
        "pending": _("%(contact)s is waiting for your answer"),
    }.get(notice.kind, "%(contact)s") % {"who": who, "contact": contact}


@login_required
@require_POST
def read_all(request):
    if Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now()):
        told_read(request.user.pk)
    return _notice_list(request)


@login_required
@require_POST
def preferences(request):
    """Browser notifications and sound, each on or off, for this person."""
    person = request.user
    person.notify_browser = request.POST.get("notify_browser") == "on"
    person.notify_sound = request.POST.get("notify_sound") == "on"
    person.save(update_fields=["notify_browser", "notify_sound"])
    return render(request, "teamwork/_bell.html", {"user": person, "item": _bell_item(person)})


def _bell_item(person):
    from .screens import notifications_item

    return notifications_item(person)


@login_required
@require_GET
def people_to_mention(request, conversation_id: int):
    """Whom `@` offers in a note on this chat."""
    conv = policy.visible_conversations(request.user).select_related("inbox").filter(pk=conversation_id).first()
    if conv is None:
        raise Http404
    people = [p for p in mentionable(conv) if p.pk != request.user.pk]
    return JsonResponse({"people": [{"id": p.pk, "name": p.name, "availability": p.availability} for p in people]})


# --- admin: teams and people --------------------------------------------------------------------


def _admin(request) -> None:
    if not policy.may_configure(request.user):
        raise PermissionDenied


@login_required
def teams(request):
    _admin(request)
    error = ""
    if request.method == "POST":
        error = _save_team(request)
        if not error:
            return redirect("teamwork-teams")
    context = {
        "teams": Team.objects.prefetch_related("members").order_by("name"),
        "people": User.objects.filter(is_active=True).prefetch_related("teams").order_by("name"),
        "roles": Role.choices,
        "error": error,
    }
    return render(request, "teamwork/teams.html", context, status=422 if error else 200)


def _save_team(request) -> str:
    post = request.POST
    verb = post.get("verb")
    team_id = post.get("team_id") or ""
    team = Team.objects.filter(pk=team_id).first() if team_id.isdigit() else None
    if team_id and team is None:
        return _("That team no longer exists.")
    try:
        if verb == "delete":
            if team is not None:
                people.delete_team(team)
        elif verb == "person":
            _save_person(request)
        else:
            members = [int(i) for i in post.getlist("members") if i.isdigit()]
            people.save_team(team, name=post.get("name", ""), member_ids=members)
    except ActionRefused as refused:
        return str(refused)
    return ""


def _save_person(request) -> None:
    post = request.POST
    person = User.objects.filter(pk=post.get("user_id") or 0, is_active=True).first()
    if person is None:
        raise ActionInvalid(_("That person no longer exists."), code="invalid")
    capacity = post.get("capacity", "").strip()
    if capacity and (not capacity.isdigit() or not 1 <= int(capacity) <= 10_000):
        raise ActionInvalid(_("Capacity is a whole number from 1 up, or blank for the inbox's."), code="invalid")
    people.update_person(request.user, person, role=post.get("role", person.role), capacity=int(capacity) if capacity else None)
