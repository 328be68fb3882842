from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .notices import open_mentions


@login_required
def mentions(request):
    found = open_mentions(request.user).select_related("conversation__contact", "conversation__inbox", "note", "by").order_by("-created_at")
    return render(request, "teamwork/mentions.html", {"mentions": found[:200]})
