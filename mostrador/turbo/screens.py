"""The page where admins keep each inbox's priority rules (¡Turbo!): one table per inbox, a row
per rule (a keyword the customer writes, a tag, or a field's value; the priority it gives; the
reason the row shows), and an empty row to add one."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mostrador.inbox.actions.inboxes import update_inbox
from mostrador.inbox.hooks import TopbarItem
from mostrador.inbox.inbox_settings import InvalidSettings
from mostrador.inbox.models import Inbox
from mostrador.rules import turbo

from .wiring import MOST_RULES, parsed, stored


def menu_item(user) -> TopbarItem | None:
    if not user.is_admin:
        return None
    return TopbarItem("turbo", _("Priority rules"), reverse("turbo-page"), menu=True)


def _admin(request) -> None:
    if not request.user.is_admin:
        raise PermissionDenied


@login_required
def page(request, failed: dict | None = None):
    _admin(request)
    inboxes = []
    for inbox in Inbox.objects.order_by("name"):
        mine = failed if failed and failed["inbox"] == inbox.pk else None
        inboxes.append({
            "inbox": inbox,
            "rows": mine["rows"] if mine else [parsed(rule) for rule in inbox.setting("priority_rules") or []],
            "error": mine["error"] if mine else "",
        })
    context = {"inboxes": inboxes, "kinds": turbo.KINDS, "saved": request.GET.get("saved"), "most": MOST_RULES}
    return render(request, "turbo/page.html", context, status=422 if failed else 200)


@login_required
@require_POST
def save(request, inbox_id: int):
    """The inbox's rules as the table now has them: rows left blank are not rules."""
    _admin(request)
    inbox = get_object_or_404(Inbox, pk=inbox_id)
    post = request.POST
    rows = [
        turbo.Rule(kind if kind in turbo.KINDS else "keyword", value.strip(), 2 if priority == "2" else 1, reason.strip(), field.strip())
        for kind, value, field, priority, reason in zip(
            post.getlist("kind"), post.getlist("value"), post.getlist("field"), post.getlist("priority"),
            post.getlist("reason"), strict=False,
        )
        if value.strip() or field.strip()
    ]
    try:
        update_inbox(inbox, raw_settings={"priority_rules": [stored(row) for row in rows]})
    except InvalidSettings as error:
        return page(request, failed={"inbox": inbox.pk, "rows": rows, "error": str(error)})
    return HttpResponseRedirect(reverse("turbo-page") + f"?saved={inbox.pk}#inbox-{inbox.pk}")
