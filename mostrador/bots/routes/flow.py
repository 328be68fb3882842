"""The routes bot's conversation flow, as a pure function of its settings, its saved state and
one customer message. It decides; the AI turn applies the decisions through the actions.

A turn goes: pick a route (a tapped menu option, a menu number or a keyword), or answer from the
FAQ, or show the menu; once on a route, ask its questions one by one, validating each answer;
then hand off to the route's team. Anything the bot cannot settle ends in a hand-off, never in
silence.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Callable

from mostrador.rules.text import contains_phrase, fold

from .validators import CHOICES, VALIDATORS

ROUTE_PREFIX = "route:"
ANSWER_PREFIX = "answer:"
# WhatsApp allows three reply buttons, and ten rows in a list.


@dataclass(frozen=True)
class Taps:
    """What the channel can show as taps (its connector's capabilities): menus beyond these
    limits are sent as numbered text."""

    max_buttons: int
    max_list_rows: int
    button_title_max: int = 20
    row_title_max: int = 24


@dataclass(frozen=True)
class Question:
    field: str
    prompt: str
    validate: str = "text"
    retry_prompt: str = ""


@dataclass(frozen=True)
class Route:
    key: str
    title: str
    keywords: tuple[str, ...] = ()
    team_id: int | None = None
    tags: tuple[str, ...] = ()
    questions: tuple[Question, ...] = ()
    done_text: str = ""
    creates_quote: bool = False


@dataclass(frozen=True)
class Config:
    greeting: str
    routes: tuple[Route, ...]
    menu: str = "buttons"  # "buttons" | "list" | "text"
    menu_button: str = "Ver opciones"
    not_understood: str = "No entendí tu respuesta."
    # How many answers the bot may fail to understand before a person takes over.
    max_misses: int = 2

    def route(self, key: str | None) -> Route | None:
        return next((r for r in self.routes if r.key == key), None)


@dataclass(frozen=True)
class State:
    route: str | None = None
    asking: str | None = None
    menu_shown: bool = False
    misses: int = 0

    @classmethod
    def load(cls, raw: dict | None) -> State:
        raw = raw or {}
        return cls(**{k: raw[k] for k in ("route", "asking", "menu_shown", "misses") if k in raw})

    def dump(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Incoming:
    text: str = ""
    # What a tapped button or list row carries back (its id).
    choice: str | None = None


# Decisions -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Say:
    text: str
    # {"buttons": [...]} or {"button", "sections"}: the shape outbound messages take.
    interactive: dict | None = None


@dataclass(frozen=True)
class SetField:
    name: str
    value: str


@dataclass(frozen=True)
class AddTag:
    name: str


@dataclass(frozen=True)
class Handoff:
    # A code, not prose: the reason is worded in the team's language where it is shown.
    # "no_route" | "invalid_answer" (detail: field) | "route_done" (detail: route title)
    code: str
    detail: str = ""
    team_id: int | None = None
    route: str | None = None


@dataclass
class Outcome:
    state: State
    decisions: list = field(default_factory=list)
    # Which route or keyword brought the customer, for the routes report.
    matched_by: str | None = None


FaqLookup = Callable[[str], "str | None"]


def step(config: Config, state: State, message: Incoming, *, taps: Taps | None, faq: FaqLookup) -> Outcome:
    """Decide the bot's answer to one customer message."""
    route = config.route(state.route)
    if route is not None and state.asking:
        return _answer(config, state, route, message, taps)
    chosen, matched_by = _choose_route(config, state, message)
    if chosen is not None:
        out = Outcome(State(route=chosen.key), [AddTag(t) for t in chosen.tags], matched_by)
        return _next_question(config, out, chosen, taps)
    if message.text.strip():
        answer = faq(message.text)
        if answer:
            return Outcome(state, [Say(answer)], "faq")
    if not state.menu_shown:
        return Outcome(State(menu_shown=True), [_menu(config, config.greeting, taps)])
    misses = state.misses + 1
    if misses >= config.max_misses:
        return Outcome(State(), [Handoff("no_route")])
    return Outcome(State(menu_shown=True, misses=misses), [_menu(config, config.not_understood, taps)])


def _choose_route(config: Config, state: State, message: Incoming) -> tuple[Route | None, str | None]:
    if message.choice and message.choice.startswith(ROUTE_PREFIX):
        route = config.route(message.choice[len(ROUTE_PREFIX):])
        if route:
            return route, f"menu:{route.key}"
    text = fold(message.text).strip().rstrip(".)")
    if state.menu_shown and text.isdigit() and 1 <= int(text) <= len(config.routes):
        route = config.routes[int(text) - 1]
        return route, f"menu:{route.key}"
    for route in config.routes:
        for keyword in route.keywords:
            if contains_phrase(message.text, keyword):
                return route, f"keyword:{keyword}"
    return None, None


def _answer(config: Config, state: State, route: Route, message: Incoming, taps: Taps | None) -> Outcome:
    question = next((q for q in route.questions if q.field == state.asking), None)
    if question is None:  # the route was edited mid-conversation
        return _next_question(config, Outcome(State(route=route.key)), route, taps)
    given = message.choice[len(ANSWER_PREFIX):] if message.choice and message.choice.startswith(ANSWER_PREFIX) else message.text
    value = VALIDATORS.get(question.validate, VALIDATORS["text"])(given)
    if value is None:
        misses = state.misses + 1
        if misses >= config.max_misses:
            return Outcome(
                State(),
                [Handoff("invalid_answer", question.field, route.team_id, route.key)],
            )
        retry = question.retry_prompt or f"{config.not_understood} {question.prompt}"
        return Outcome(State(route=route.key, asking=question.field, misses=misses), [_ask(retry, question, taps)])
    out = Outcome(State(route=route.key), [SetField(question.field, value)])
    return _next_question(config, out, route, taps, answered=question.field)


def _next_question(config: Config, out: Outcome, route: Route, taps: Taps | None, answered: str | None = None) -> Outcome:
    fields = [q.field for q in route.questions]
    start = fields.index(answered) + 1 if answered in fields else 0
    if start < len(route.questions):
        question = route.questions[start]
        out.state = State(route=route.key, asking=question.field)
        out.decisions.append(_ask(question.prompt, question, taps))
        return out
    if route.done_text:
        out.decisions.append(Say(route.done_text))
    out.state = State()
    out.decisions.append(Handoff("route_done", route.title, route.team_id, route.key))
    return out


def _ask(prompt: str, question: Question, taps: Taps | None) -> Say:
    choices = CHOICES.get(question.validate)
    if taps and choices and len(choices) <= taps.max_buttons:
        buttons = [{"id": ANSWER_PREFIX + value, "title": title[: taps.button_title_max]} for value, title in choices]
        return Say(prompt, {"buttons": buttons})
    return Say(prompt)


def _menu(config: Config, lead: str, taps: Taps | None) -> Say:
    routes = config.routes
    if taps and config.menu != "text" and routes:
        if config.menu == "buttons" and len(routes) <= taps.max_buttons:
            buttons = [{"id": ROUTE_PREFIX + r.key, "title": r.title[: taps.button_title_max]} for r in routes]
            return Say(lead, {"buttons": buttons})
        if len(routes) <= taps.max_list_rows:
            rows = [{"id": ROUTE_PREFIX + r.key, "title": r.title[: taps.row_title_max]} for r in routes]
            button = config.menu_button[: taps.button_title_max]
            return Say(lead, {"button": button, "sections": [{"title": config.menu_button[: taps.row_title_max], "rows": rows}]})
    lines = [lead, ""] + [f"{i}. {r.title}" for i, r in enumerate(routes, 1)]
    return Say("\n".join(lines).strip())


def load_config(raw: dict) -> Config:
    """Build the flow's config from `settings.ai_agent` (already validated)."""
    routes = tuple(
        Route(
            key=r["key"],
            title=r["title"],
            keywords=tuple(r.get("keywords", ())),
            team_id=r.get("team_id"),
            tags=tuple(r.get("tags", ())),
            questions=tuple(
                Question(q["field"], q["prompt"], q.get("validate", "text"), q.get("retry_prompt", ""))
                for q in r.get("questions", ())
            ),
            done_text=r.get("done_text", ""),
            creates_quote=bool(r.get("creates_quote", False)),
        )
        for r in raw.get("routes", ())
    )
    return Config(
        greeting=raw.get("greeting") or "¡Hola! ¿En qué te podemos ayudar?",
        routes=routes,
        menu=raw.get("menu", "buttons"),
        menu_button=raw.get("menu_button") or "Ver opciones",
        not_understood=raw.get("not_understood") or "No entendí tu respuesta.",
        max_misses=raw.get("max_misses", 2),
    )
