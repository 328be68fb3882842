"""An agent on any OpenAI-compatible Chat Completions endpoint (OpenAI, Azure OpenAI's v1 API,
Ollama, vLLM, llama.cpp's server), with tool calls for the actions it may take."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
from django.utils import timezone
from django.utils.translation import gettext as _

from mostrador.bots.turn import AgentFailed, AgentRetry, AgentTimeout
from mostrador.core import outbound

from .base import Agent, Trial

# Tool-call rounds in one turn: enough to set a few fields, then answer.
MAX_ROUNDS = 6
RETRY_STATUSES = {408, 409, 429, 500, 502, 503, 504}


def _tool(name: str, description: str, properties: dict | None = None, required: list | None = None) -> dict:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {"type": "object", "properties": properties or {}, "required": required or []},
        },
    }


class LlmAgent(Agent):
    kind = "llm"

    # The wire ---------------------------------------------------------------------------------

    def _complete(self, messages: list[dict], tools: list[dict], deadline=None) -> dict:
        """One Chat Completions call. Rate limits, 5xx and network errors raise AgentRetry: the
        turn is tried again as a later job (take_turn), never by sleeping here."""
        cfg = self.config
        key = self.inbox.secret("ai_api_key")
        headers = {"Content-Type": "application/json"}
        if key:
            # Bearer for OpenAI and most servers; api-key for Azure OpenAI.
            headers.update({"Authorization": f"Bearer {key}", "api-key": key})
        body = {"model": cfg["model"], "messages": messages, "temperature": cfg.get("temperature", 0.2)}
        if tools:
            body.update(tools=tools, tool_choice="auto")
        url = cfg["base_url"] + "/chat/completions"
        attempts = cfg.get("max_retries", 2) + 1
        timeout = cfg.get("timeout_seconds", 20)
        if deadline is not None:
            left = (deadline - timezone.now()).total_seconds()
            if left <= 0:
                raise AgentTimeout("the AI window ran out")
            timeout = min(timeout, left)
        try:
            response = outbound.post(url, json=body, headers=headers, timeout=timeout)
        except httpx.TimeoutException:
            raise AgentTimeout(f"no answer from {url} within {timeout:.0f} s") from None
        except httpx.HTTPError as error:
            raise AgentRetry(f"{type(error).__name__}: {error}", attempts) from None
        if response.status_code < 300:
            try:
                return response.json()
            except ValueError:
                raise AgentFailed("the model's answer is not JSON") from None
        problem = f"HTTP {response.status_code}: {_error_text(response)}"
        if response.status_code in RETRY_STATUSES:
            raise AgentRetry(problem, attempts)
        raise AgentFailed(problem)

    def write(self, instructions: str, text: str, timeout: float) -> str:
        """One answer in words, without tools (a summary). Raises what `_complete` raises."""
        messages = [{"role": "system", "content": instructions}, {"role": "user", "content": text}]
        deadline = timezone.now() + timedelta(seconds=timeout)
        reply = _first_message(self._complete(messages, [], deadline))
        return (reply.get("content") or "").strip()

    # The turn ---------------------------------------------------------------------------------

    def tools(self) -> list[dict]:
        handoff_props = {"reason": {"type": "string", "description": "Why a person must take over."}}
        if self.config.get("write_summary", True):
            handoff_props["summary"] = {
                "type": "string",
                "description": "One or two sentences for the seller: what the customer wants.",
            }
        tools = [
            _tool("handoff_to_human", "Give the conversation to a person on the team.", handoff_props, ["reason"]),
            _tool(
                "set_field",
                "Save a fact about this conversation (for example the plate, chassis number or side).",
                {"name": {"type": "string"}, "value": {"type": "string"}},
                ["name", "value"],
            ),
            _tool("add_tag", "Tag the conversation.", {"tag": {"type": "string"}}, ["tag"]),
        ]
        if self.inbox.setting("ai_can_resolve"):
            tools.append(_tool("resolve", "Mark the conversation resolved: the customer needs nothing more."))
        return tools

    def _context(self, conv) -> str:
        contact = conv.contact
        lines = [
            f"Now: {timezone.localtime().isoformat(timespec='minutes')}",
            f"Customer: {contact.name or '-'} ({contact.phone or 'no phone'})",
        ]
        if conv.fields:
            lines.append("Fields already known: " + json.dumps(conv.fields, ensure_ascii=False))
        tags = list(conv.tags.values_list("name", flat=True))
        if tags:
            lines.append("Tags: " + ", ".join(tags))
        return "\n".join(lines)

    def _messages(self, turn) -> list[dict]:
        system = (self.config.get("system_prompt") or "").strip()
        out = [{"role": "system", "content": (system + "\n\n" + self._context(turn.conv)).strip()}]
        for m in turn.history(self.config.get("history_limit", 20)):
            text = m.text or (f"[{m.type}]" if m.type != "text" else "")
            if not text:
                continue
            if m.author_kind == "customer":
                out.append({"role": "user", "content": text})
            elif m.author_kind == "ai":
                out.append({"role": "assistant", "content": text})
            elif m.author_kind == "agent":
                out.append({"role": "assistant", "content": f"[{_('Seller')}] {text}"})
        return out

    def take_turn(self, turn, message_id):
        if message_id is not None and any(m.pk > message_id for m in turn.new_customer_messages()):
            return False  # a newer message of the same wait has its own job, which answers both
        messages = self._messages(turn)
        tools = self.tools()
        newest = turn.new_customer_messages()
        for _round in range(MAX_ROUNDS):
            reply = self._complete(messages, tools, deadline=turn.deadline)
            message = _first_message(reply)
            calls = message.get("tool_calls") or []
            text = (message.get("content") or "").strip()
            if text:
                turn.say(text)
            if not calls:
                break
            messages.append({"role": "assistant", "content": message.get("content"), "tool_calls": calls})
            for call in calls:
                result = self._run_tool(turn, call)
                messages.append({"role": "tool", "tool_call_id": call.get("id", ""), "content": result})
            if turn.finished:
                break
        if newest:
            turn.remember({"last_message_id": newest[-1].pk})

    def _run_tool(self, turn, call: dict) -> str:
        function = call.get("function") or {}
        name = function.get("name", "")
        try:
            args = json.loads(function.get("arguments") or "{}")
        except ValueError:
            return "error: arguments are not valid JSON"
        if not isinstance(args, dict):
            return "error: arguments must be an object"
        if name == "handoff_to_human":
            turn.handoff(str(args.get("reason") or _("The AI asked for a person.")), wants=str(args.get("summary") or ""))
            return "ok: a person will take over"
        if name == "set_field" and args.get("name"):
            turn.set_field(str(args["name"]), str(args.get("value", "")))
            return "ok"
        if name == "add_tag" and args.get("tag"):
            turn.add_tag(str(args["tag"]))
            return "ok"
        if name == "resolve" and self.inbox.setting("ai_can_resolve"):
            turn.resolve()
            return "ok: resolved"
        return f"error: unknown tool {name!r}"

    def trial(self, text: str) -> Trial:
        system = (self.config.get("system_prompt") or "").strip()
        messages = [{"role": "system", "content": system or "-"}, {"role": "user", "content": text}]
        trial = Trial()
        try:
            message = _first_message(self._complete(messages, self.tools()))
        except (AgentFailed, AgentTimeout) as error:
            trial.error = str(error)
            return trial
        if message.get("content"):
            trial.replies.append(message["content"].strip())
        for call in message.get("tool_calls") or []:
            function = call.get("function") or {}
            trial.actions.append(f"{function.get('name')}({function.get('arguments') or ''})")
        return trial


def _first_message(reply: dict) -> dict:
    try:
        message = reply["choices"][0]["message"]
    except (KeyError, IndexError, TypeError):
        raise AgentFailed("the model's answer has no choices[0].message") from None
    if not isinstance(message, dict):
        raise AgentFailed("the model's answer has no message")
    return message


def _error_text(response: httpx.Response) -> str:
    """The model server's own error message (OpenAI's shape); never a raw body, which people
    would read in the hand-off reason."""
    try:
        return str(response.json().get("error", {}).get("message", ""))[:200]
    except (ValueError, AttributeError):
        return response.reason_phrase
