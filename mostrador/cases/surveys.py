"""CSAT (1–5) and NPS (0–10) surveys, sent as a system message when a case closes.

The customer's answer (a tapped option, or a message that is only a number in range, within the
survey's validity) is stored on the closed case and does not reopen the chat: it is claimed before
the attention rule sees it. Anything else reopens the chat as usual; a comment written after the
score is kept with it.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mostrador.connectors.base import connector_class
from mostrador.inbox.actions import ActionRefused, Actor, OutboundContent, send_message
from mostrador.inbox.actions.outbound import window_closes_at
from mostrador.inbox.actions.record import record_event
from mostrador.inbox.inbox_settings import InvalidSettings
from mostrador.inbox.language import contact_language
from mostrador.inbox.models import EventKind
from mostrador.rules.cases import HandledBy

from . import rollups
from .models import Case

VALID_FOR = timedelta(hours=24)
SCALES = {"csat": range(1, 6), "nps": range(0, 11)}
# A score, maybe out of its scale ("4/5"), maybe followed by its reason ("9, muy amables").
ANSWER = re.compile(r"^\s*(\d{1,2})(?:\s*/\s*(?:5|10))?(?:\s*[.,;:!)\-–—]+\s*|\s+|$)(.*)$", re.DOTALL)
# A message this soon after a tapped score is taken as its reason too.
COMMENT_WITHIN = timedelta(minutes=10)


def clean_flag(key: str):
    def clean(value):
        if not isinstance(value, bool):
            raise InvalidSettings(f"settings.{key} must be true or false")
        return value, {}

    return clean


def send_survey(case: Case, conv) -> None:
    """Ask the customer how it went, once per case, where the inbox asks and someone answered."""
    kind = "csat" if conv.inbox.setting("csat_enabled") else "nps" if conv.inbox.setting("nps_enabled") else ""
    if not kind or case.survey_sent_at or case.handled_by == HandledBy.NONE:
        return
    closes = window_closes_at(conv)
    if closes is not None and timezone.now() >= closes:
        return  # only a template could reach the customer now, and a survey is not worth one
    with translation.override(contact_language(conv.contact)):
        text, interactive = _question(kind, connector_class(conv.inbox.channel).capabilities)
    try:
        send_message(conv, Actor.system(), OutboundContent(text=text, interactive=interactive))
    except ActionRefused:
        return
    case.survey_kind, case.survey_sent_at = kind, timezone.now()
    case.save(update_fields=["survey_kind", "survey_sent_at"])


def _question(kind: str, can) -> tuple[str, dict | None]:
    scale = SCALES[kind]
    if kind == "csat":
        text = _("Thanks for writing to us! How would you rate our service, from 1 (bad) to 5 (excellent)?")
        labels = {1: _("1 · Bad"), 2: _("2 · Poor"), 3: _("3 · OK"), 4: _("4 · Good"), 5: _("5 · Excellent")}
    else:
        text = _("How likely are you to recommend us to a friend, from 0 (not at all) to 10 (certainly)? Reply with the number.")
        labels = {n: str(n) for n in scale}
    options = [{"id": f"{kind}:{n}", "title": labels[n][: can.button_title_max]} for n in scale]
    if can.interactive and len(options) <= can.max_buttons:
        return text, {"buttons": options}
    if can.interactive and len(options) <= can.max_list_rows:
        rows = [{"id": o["id"], "title": labels[int(o["id"].split(":")[1])][: can.row_title_max]} for o in options]
        return text, {"button": _("Rate")[:20], "sections": [{"title": "", "rows": rows}]}
    return text, None


def claim_answer(conv, message) -> bool:
    """A hook claimer: take the customer's survey answer so it reopens nothing."""
    if not conv.resolved:
        return False
    case = (
        Case.objects.filter(conversation_id=conv.pk, closed_at__isnull=False, survey_sent_at__gte=timezone.now() - VALID_FOR)
        .order_by("-closed_at")
        .first()
    )
    if case is None:
        return False
    answered = case.csat if case.survey_kind == "csat" else case.nps
    score, comment = _answer(case.survey_kind, message)
    if answered is None and score is not None:
        setattr(case, case.survey_kind, score)
        case.survey_comment = comment
        case.save(update_fields=[case.survey_kind, "survey_comment"])
        rollups.record_score(case, case.survey_kind, score)
        record_event(conv, EventKind.SURVEY_ANSWERED, Actor.customer(), message.created_at,
                     data={"case_id": case.pk, "kind": case.survey_kind, "score": score, "message_id": message.pk})
        return True
    if answered is not None and not case.survey_comment and message.text.strip() and _just_answered(conv, case, message):
        # Words right after a tapped score are most likely its reason: kept with it. The chat
        # still reopens as for any other message, in case they are a new question.
        case.survey_comment = message.text.strip()[:2000]
        case.save(update_fields=["survey_comment"])
    return False


def _just_answered(conv, case: Case, message) -> bool:
    scored = conv.events.filter(kind=EventKind.SURVEY_ANSWERED, data__case_id=case.pk).order_by("-created_at").first()
    return scored is not None and message.created_at - scored.created_at <= COMMENT_WITHIN


def _answer(kind: str, message) -> tuple[int | None, str]:
    """(score, comment) of a survey answer: a tapped option, or a message that starts with a
    number in the scale ("5", "4/5", "9, muy amables"); (None, "") for anything else."""
    scale = SCALES.get(kind)
    if scale is None:
        return None, ""
    payload = message.payload if isinstance(message.payload, str) else ""
    comment = ""
    if payload.startswith(f"{kind}:"):
        raw = payload.split(":", 1)[1]
    else:
        match = ANSWER.match(message.text or "") if message.type == "text" else None
        raw, comment = (match.group(1), match.group(2).strip()[:2000]) if match else ("", "")
    if raw.isdigit() and int(raw) in scale:
        return int(raw), comment
    return None, ""
