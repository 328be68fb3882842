"""The routes bot: a menu and keyword bot that runs offline (see bots/routes/flow.py)."""

from __future__ import annotations

from functools import cached_property

from django.utils.translation import gettext as _

from mostrador.bots import faq
from mostrador.bots.routes import flow
from mostrador.connectors.base import connector_class

from .base import Agent, Trial


def handoff_reason(decision: flow.Handoff) -> str:
    if decision.code == "route_done":
        return _("Route “%(route)s” complete.") % {"route": decision.detail}
    if decision.code == "invalid_answer":
        return _("Could not validate “%(field)s” after several tries.") % {"field": decision.detail}
    return _("The customer did not pick any menu option.")


class RoutesAgent(Agent):
    kind = "routes"

    @cached_property
    def flow_config(self) -> flow.Config:
        # Built once per turn, not once per message.
        return flow.load_config(self.config)

    def _faq(self, text: str) -> str | None:
        return faq.answer_for(self.inbox.pk, text, self.config.get("faq_min_confidence", faq.DEFAULT_MIN_CONFIDENCE))

    def _step(self, state: flow.State, text: str, choice: str | None) -> flow.Outcome:
        return flow.step(self.flow_config, state, flow.Incoming(text, choice), taps=self.taps, faq=self._faq)

    @cached_property
    def taps(self) -> flow.Taps | None:
        can = connector_class(self.inbox.channel).capabilities
        if not can.interactive:
            return None
        return flow.Taps(can.max_buttons, can.max_list_rows, can.button_title_max, can.row_title_max)

    def take_turn(self, turn, message_id):
        state = flow.State.load(turn.conv.bot_state)
        pending = turn.new_customer_messages()
        if not pending:
            return False
        for message in pending:
            choice = message.payload if isinstance(message.payload, str) else None
            outcome = self._step(state, message.text, choice)
            state = outcome.state
            turn.remember({**state.dump(), "last_message_id": message.pk, "matched_by": outcome.matched_by or turn.conv.bot_state.get("matched_by")})
            for decision in outcome.decisions:
                if isinstance(decision, flow.Say):
                    turn.say(decision.text, decision.interactive)
                elif isinstance(decision, flow.SetField):
                    turn.set_field(decision.name, decision.value)
                elif isinstance(decision, flow.AddTag):
                    turn.add_tag(decision.name)
                elif isinstance(decision, flow.Handoff):
                    route = self.flow_config.route(decision.route)
                    turn.handoff(
                        handoff_reason(decision),
                        wants=route.title if route else "",
                        team_id=decision.team_id,
                        route=decision.route or "",
                        asks=quote_request(route) if route and decision.code == "route_done" else None,
                    )
                    return True
        return True

    def trial(self, text: str) -> Trial:
        outcome = self._step(flow.State(), text, None)
        trial = Trial()
        for decision in outcome.decisions:
            if isinstance(decision, flow.Say):
                options = [b["title"] for b in (decision.interactive or {}).get("buttons", [])]
                options += [r["title"] for s in (decision.interactive or {}).get("sections", []) for r in s["rows"]]
                trial.replies.append(decision.text + (f"  [{' | '.join(options)}]" if options else ""))
            elif isinstance(decision, flow.SetField):
                trial.actions.append(_("Set %(name)s = %(value)s") % {"name": decision.name, "value": decision.value})
            elif isinstance(decision, flow.AddTag):
                trial.actions.append(_("Tag “%(tag)s”") % {"tag": decision.name})
            elif isinstance(decision, flow.Handoff):
                trial.actions.append(_("Hand off: %(reason)s") % {"reason": handoff_reason(decision)})
        if outcome.matched_by:
            trial.actions.insert(0, _("Matched by %(what)s") % {"what": outcome.matched_by})
        return trial


# What a quote request takes from the answers, by the validation each answer went through.
QUOTE_FIELDS = {"cl_plate": "plate", "vin": "vin", "side": "side"}


def quote_request(route: flow.Route) -> dict | None:
    """A finished route that creates a quote asks people for one, saying which conversation
    fields hold the vehicle's plate, VIN and side."""
    if not route.creates_quote:
        return None
    fields = {QUOTE_FIELDS[q.validate]: q.field for q in route.questions if q.validate in QUOTE_FIELDS}
    return {"quote": {"title": route.title, "fields": fields}}
