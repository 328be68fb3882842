"""Saved answers on screen: the page to keep them (with CSV in and out), the "/" picker's list
for one chat, and what they add to every page (the picker's script) and to the settings menu."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mostrador.accounts.models import Team
from mostrador.inbox.actions import ActionRefused
from mostrador.inbox.hooks import TopbarItem
from mostrador.inbox.listing import id_param
from mostrador.inbox.policy import visible_inboxes
from mostrador.inbox.queries import visible_conversations

from . import service

MOST_IMPORTED = 2_000_000  # bytes of CSV
VARIABLES = ["{{contact.first_name}}", "{{contact.name}}", "{{agent.name}}", "{{inbox.name}}", "{{fields.patente}}"]


def menu_item(user) -> TopbarItem:
    return TopbarItem("canned", _("Saved answers"), reverse("canned-page"), menu=True)


def script(user) -> str:
    return "canned/canned.js"


def style(user) -> str:
    return "canned/canned.css"


@login_required
@require_GET
def offers(request, conversation_id: int):
    """Every answer this person may use in this chat, filled in for it (the "/" picker)."""
    conv = visible_conversations(request.user).select_related("contact", "inbox").filter(pk=conversation_id).first()
    if conv is None:
        raise Http404
    return JsonResponse({
        "manage_url": reverse("canned-page"),
        "words": {"missing": _("Complete before sending:"), "manage": _("Manage saved answers"),
                  "accept": _("Tab completes"), "dismiss": _("Esc dismisses")},
        # Text expansion: their frequent sentences (saved answers are offered too, below).
        "phrases": service.phrases(request.user),
        "answers": [
            {"shortcode": o.canned.shortcode, "text": o.filled.text, "missing": list(o.filled.missing),
             "language": o.canned.language, "scope": o.canned.scope}
            for o in service.offers(conv, request.user)
        ],
    })


@login_required
def page(request, canned_id: int | None = None):
    """The answers this person may use, by scope; a form for a new one (or the one chosen)."""
    user = request.user
    editing = service.usable(user).filter(pk=canned_id).first() if canned_id else None
    if canned_id and editing is None:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            scope = _scope_from(request)
            fields = {"shortcode": request.POST.get("shortcode", ""), "text": request.POST.get("text", ""),
                      "language": request.POST.get("language", ""), "scope": scope}
            if editing is not None:
                service.update(user, editing, **fields)
            else:
                service.create(user, **fields)
            return redirect("canned-page")
        except ActionRefused as exc:
            error = str(exc)
    return _page(request, editing=editing, error=error, form=request.POST if error else None)


def _page(request, status: int = 200, **context) -> HttpResponse:
    user = request.user
    answers = service.usable(user).select_related("team", "inbox", "owner").order_by("shortcode", "language", "pk")
    for canned in answers:
        canned.changeable = service.may_change(user, canned)
    return render(request, "canned/page.html", {
        "answers": answers,
        "may_share": service.may_share(user),
        "teams": Team.objects.order_by("name"),
        "inboxes": visible_inboxes(user).order_by("name"),
        "variables": VARIABLES,
        **context,
    }, status=status)


def _scope_from(request) -> service.Scope:
    kind = request.POST.get("scope", "personal")
    if kind == "team":
        return service.Scope(team_id=id_param(request.POST.get("team_id")))
    if kind == "inbox":
        return service.Scope(inbox_id=id_param(request.POST.get("inbox_id")))
    if kind == "everyone":
        return service.Scope()
    return service.Scope(owner_id=request.user.pk)


@login_required
@require_POST
def delete(request, canned_id: int):
    canned = service.usable(request.user).filter(pk=canned_id).first()
    if canned is None:
        raise Http404
    try:
        service.delete(request.user, canned)
    except ActionRefused as exc:
        return HttpResponse(str(exc), status=403)
    return redirect("canned-page")


@login_required
@require_GET
def export_csv(request):
    response = HttpResponse(service.to_csv(service.usable(request.user)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="respuestas-rapidas.csv"'
    return response


@login_required
@require_POST
def import_csv(request):
    upload = request.FILES.get("file")
    error, done = "", None
    if upload is None:
        error = _("Choose a CSV file.")
    elif upload.size > MOST_IMPORTED:
        error = _("The file is larger than 2 MB.")
    else:
        try:
            content = upload.read().decode("utf-8-sig")
            done = service.import_csv(request.user, content)
        except UnicodeDecodeError:
            error = _("The file is not UTF-8 text.")
        except ActionRefused as exc:
            error = str(exc)
    return _page(request, status=400 if error or (done and done.errors) else 200, error=error, imported=done)

