"""The admin form for an inbox's AI, as Django forms: the inbox's AI settings, the agent's own
fields, and repeated rows (routes, each route's questions, FAQ entries) named `prefix-N-field` as
Django's formsets name them. Rows are found by their prefix in the posted data, so a row added in
the browser needs no bookkeeping field, and blank or ticked-for-deletion rows are dropped.

The forms clean what people type (numbers, comma lists, a team); the agent's rules (unique keys,
known validations, URLs) stay in agent_settings, whose message is shown when it refuses."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mostrador.accounts.models import Team
from mostrador.bots.routes.validators import VALIDATORS

MAX_SECONDS = 366 * 86400


def _words(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


class AiForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs.update({"data-testid": "agent-kind", "data-kind-switch": ""})
        self.fields["api_key"].widget.attrs["autocomplete"] = "off"
        self.fields["secret"].widget.attrs["autocomplete"] = "off"

    ai_enabled = forms.BooleanField(required=False, label=_("AI on by default for new conversations"))
    ai_window_seconds = forms.IntegerField(min_value=1, max_value=MAX_SECONDS, label=_("AI window (seconds)"))
    ai_can_resolve = forms.BooleanField(required=False, label=_("The AI may mark conversations resolved"))
    kind = forms.ChoiceField(
        required=False,
        label=pgettext_lazy("the kind of AI agent", "Agent"),
        choices=[
            ("", _("None (only bots using the API)")),
            ("routes", _("Menu and keywords (offline)")),
            ("llm", _("Language model (OpenAI-compatible)")),
            ("webhook", _("External agent (webhook)")),
        ],
    )
    name = forms.CharField(required=False, max_length=100, label=_("Name shown on its messages"))
    # The routes bot
    greeting = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Greeting"))
    menu = forms.ChoiceField(
        required=False,
        label=_("Show the menu as"),
        choices=[
            ("buttons", _("Buttons (WhatsApp: up to 3 routes; Telegram: up to 10)")),
            ("list", _("A list (up to 10 routes)")),
            ("text", _("Numbered text")),
        ],
    )
    faq_min_confidence = forms.FloatField(
        required=False, min_value=0, max_value=1,
        label=_("Answer only when at least this share of the customer's words match (0 to 1)"),
    )
    # A language model
    base_url = forms.CharField(required=False, max_length=2000, label=_("Base URL (OpenAI, Azure, Ollama, vLLM, llama.cpp…)"))
    model = forms.CharField(required=False, max_length=200, label=_("Model"))
    api_key = forms.CharField(required=False, max_length=4000, widget=forms.PasswordInput, label=_("API key"))
    system_prompt = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6}), label=_("Instructions (system prompt)"))
    llm_timeout_seconds = forms.IntegerField(required=False, min_value=1, max_value=300, label=_("Timeout (seconds)"))
    max_retries = forms.IntegerField(required=False, min_value=0, max_value=5, label=_("Retries"))
    write_summary = forms.BooleanField(required=False, label=_("The model writes the hand-off summary"))
    # An external agent
    url = forms.CharField(required=False, max_length=2000, label=_("URL that receives the events"))
    secret = forms.CharField(required=False, max_length=4000, widget=forms.PasswordInput, label=_("Signing secret"))
    webhook_timeout_seconds = forms.IntegerField(required=False, min_value=1, max_value=60, label=_("Timeout (seconds)"))


class RouteForm(forms.Form):
    key = forms.CharField(max_length=40, label=_("Key"))
    title = forms.CharField(max_length=60, label=_("Title in the menu"))
    keywords = forms.CharField(required=False, label=_("Keywords (comma separated; accents and capitals do not matter)"))
    team = forms.ModelChoiceField(Team.objects.order_by("name"), required=False, label=_("Hand off to team"))
    tags = forms.CharField(required=False, label=_("Tags"))
    done_text = forms.CharField(required=False, label=_("Message before handing off"))
    creates_quote = forms.BooleanField(required=False, label=_("Create a quote request with the answers"))


class QuestionForm(forms.Form):
    field = forms.CharField(max_length=40, label=_("Field"))
    prompt = forms.CharField(max_length=4000, label=_("Question"))
    validate = forms.ChoiceField(choices=[(v, v) for v in VALIDATORS], initial="text", label=_("Validation"))


class FaqForm(forms.Form):
    question = forms.CharField(max_length=4000, label=_("Question"))
    answer = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 2}), label=_("Answer"))
    keywords = forms.CharField(required=False, label=_("Other words customers use (comma separated)"))


class Invalid(ValueError):
    """What a person typed cannot be read (a word where a number goes…)."""


def rows(data, prefix: str, form_class: type[forms.Form]) -> list[forms.Form]:
    """The bound forms of every `prefix-N-…` row posted, in order, without blank or deleted ones."""
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)-")
    indexes = sorted({int(m.group(1)) for key in data if (m := pattern.match(key))})
    found = []
    for index in indexes:
        row_prefix = f"{prefix}-{index}"
        if data.get(f"{row_prefix}-DELETE") or data.get(f"{row_prefix}-delete"):
            continue
        names = [f"{row_prefix}-{name}" for name in form_class.base_fields]
        if not any(str(data.get(name, "")).strip() for name in names if not name.endswith("-validate")):
            continue
        found.append(form_class(data, prefix=row_prefix))
    return found


def _clean(form: forms.Form, where: str) -> dict:
    if not form.is_valid():
        field, problems = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else ""
        raise Invalid(f"{where}{' · ' + str(label) if label else ''}: {problems[0]}")
    return form.cleaned_data


def settings_from_post(data) -> dict:
    """The inbox settings an admin asked for. Secrets left blank keep their stored value."""
    main = _clean(AiForm(data), str(_("AI settings")))
    settings = {key: main[key] for key in ("ai_enabled", "ai_can_resolve", "ai_window_seconds")}
    kind, name = main["kind"], main["name"].strip()
    agent: dict | None
    if kind == "routes":
        agent = {"kind": kind, "name": name, "greeting": main["greeting"].strip(), "menu": main["menu"] or "buttons",
                 "faq_min_confidence": 0.6 if main["faq_min_confidence"] is None else main["faq_min_confidence"],
                 "routes": _routes(data), "faq": _faq(data)}
    elif kind == "llm":
        agent = {"kind": kind, "name": name, "base_url": main["base_url"].strip(), "model": main["model"].strip(),
                 "system_prompt": main["system_prompt"], "write_summary": main["write_summary"],
                 "timeout_seconds": main["llm_timeout_seconds"] or 20,
                 "max_retries": 2 if main["max_retries"] is None else main["max_retries"]}
        if main["api_key"]:
            agent["api_key"] = main["api_key"]
    elif kind == "webhook":
        agent = {"kind": kind, "name": name, "url": main["url"].strip(), "timeout_seconds": main["webhook_timeout_seconds"] or 10}
        if main["secret"]:
            agent["secret"] = main["secret"]
    else:
        agent = None
    settings["ai_agent"] = agent
    return settings


def _routes(data) -> list[dict]:
    routes = []
    for number, form in enumerate(rows(data, "route", RouteForm), 1):
        route = _clean(form, str(_("Route %(number)s")) % {"number": number})
        questions = [
            _clean(q, str(_("Route %(number)s, question %(question)s")) % {"number": number, "question": n})
            for n, q in enumerate(rows(data, f"{form.prefix}-question", QuestionForm), 1)
        ]
        routes.append({
            "key": route["key"].strip(), "title": route["title"].strip(), "keywords": _words(route["keywords"]),
            "team_id": route["team"].pk if route["team"] else None, "tags": _words(route["tags"]),
            "questions": [{"field": q["field"].strip(), "prompt": q["prompt"].strip(), "validate": q["validate"]} for q in questions],
            "done_text": route["done_text"].strip(), "creates_quote": route["creates_quote"],
        })
    return routes


def _faq(data) -> list[dict]:
    entries = []
    for number, form in enumerate(rows(data, "faq", FaqForm), 1):
        f = _clean(form, str(_("Frequent question %(number)s")) % {"number": number})
        entries.append({"question": f["question"].strip(), "answer": f["answer"].strip(), "keywords": _words(f["keywords"])})
    return entries


def initial(settings: dict) -> dict:
    """The stored settings as the forms' initial values, to render the page."""
    agent = settings.get("ai_agent") or {}
    main = {
        "ai_enabled": settings.get("ai_enabled"), "ai_window_seconds": settings.get("ai_window_seconds"),
        "ai_can_resolve": settings.get("ai_can_resolve"), "kind": agent.get("kind", ""), "name": agent.get("name", ""),
        "greeting": agent.get("greeting", ""), "menu": agent.get("menu", "buttons"),
        "faq_min_confidence": agent.get("faq_min_confidence", 0.6),
        "base_url": agent.get("base_url", ""), "model": agent.get("model", ""),
        "system_prompt": agent.get("system_prompt", ""), "write_summary": agent.get("write_summary", True),
        "max_retries": agent.get("max_retries", 2), "url": agent.get("url", ""),
        "llm_timeout_seconds": agent.get("timeout_seconds", 20) if agent.get("kind") == "llm" else 20,
        "webhook_timeout_seconds": agent.get("timeout_seconds", 10) if agent.get("kind") == "webhook" else 10,
    }
    routes = []
    for index, route in enumerate([*agent.get("routes", []), {}] if agent.get("kind") == "routes" else [{}]):
        prefix = f"route-{index}"
        form = RouteForm(prefix=prefix, initial={
            "key": route.get("key", ""), "title": route.get("title", ""), "keywords": ", ".join(route.get("keywords", [])),
            "team": route.get("team_id"), "tags": ", ".join(route.get("tags", [])), "done_text": route.get("done_text", ""),
            "creates_quote": route.get("creates_quote", False),
        })
        questions = [
            QuestionForm(prefix=f"{prefix}-question-{n}", initial=q)
            for n, q in enumerate([*route.get("questions", []), {"validate": "text"}])
        ]
        routes.append({"form": form, "questions": questions, "saved": bool(route)})
    faq = [
        {"form": FaqForm(prefix=f"faq-{n}", initial={**entry, "keywords": ", ".join(entry.get("keywords", []))}), "saved": bool(entry)}
        for n, entry in enumerate([*agent.get("faq", []), {}])
    ]
    return {"form": AiForm(initial=main), "routes": routes, "faq": faq}


def bound(data) -> dict:
    """The page's forms filled with what was posted (after a refusal), errors and all, with one
    blank row more of each kind, so nothing the admin typed is lost."""

    def next_index(prefix: str) -> int:
        pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)-")
        return max((int(m.group(1)) for key in data if (m := pattern.match(key))), default=-1) + 1

    routes = []
    for form in rows(data, "route", RouteForm):
        questions = rows(data, f"{form.prefix}-question", QuestionForm)
        blank = QuestionForm(prefix=f"{form.prefix}-question-{next_index(form.prefix + '-question')}", initial={"validate": "text"})
        routes.append({"form": form, "questions": [*questions, blank], "saved": True})
    new_route = f"route-{next_index('route')}"
    routes.append({"form": RouteForm(prefix=new_route), "saved": False,
                   "questions": [QuestionForm(prefix=f"{new_route}-question-0", initial={"validate": "text"})]})
    faq = [{"form": form, "saved": True} for form in rows(data, "faq", FaqForm)]
    faq.append({"form": FaqForm(prefix=f"faq-{next_index('faq')}"), "saved": False})
    return {"form": AiForm(data), "routes": routes, "faq": faq}
