"""The admin form for an inbox's AI: turns the posted fields into `settings` for update_inbox,
and the stored settings back into rows to edit. Validation stays in agent_settings."""

from __future__ import annotations


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _int(value: str, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _float(value: str, default: float) -> float:
    try:
        return float(str(value).replace(",", "."))
    except (TypeError, ValueError):
        return default


def _rows(post, prefix: str, names: tuple[str, ...]) -> list[dict]:
    """Repeated fieldsets `prefix-N-name`, in order, without the deleted or blank ones."""
    indexes = sorted({int(k.split("-")[1]) for k in post if k.startswith(prefix + "-") and k.split("-")[1].isdigit()})
    rows = []
    for i in indexes:
        row = {name: post.get(f"{prefix}-{i}-{name}", "").strip() for name in names}
        if post.get(f"{prefix}-{i}-delete") or not any(row.values()):
            continue
        rows.append(row)
    return rows


def questions_text(questions: list[dict]) -> str:
    return "\n".join(f"{q['field']} | {q['prompt']} | {q.get('validate', 'text')}" for q in questions)


def _questions(text: str) -> list[dict]:
    out = []
    for line in _lines(text):
        parts = [p.strip() for p in line.split("|")]
        out.append({"field": parts[0], "prompt": parts[1] if len(parts) > 1 else "",
                    "validate": parts[2] if len(parts) > 2 and parts[2] else "text"})
    return out


def settings_from_post(post) -> dict:
    """The inbox settings an admin asked for. Secrets left blank keep their stored value."""
    settings = {
        "ai_enabled": bool(post.get("ai_enabled")),
        "ai_can_resolve": bool(post.get("ai_can_resolve")),
        "ai_window_seconds": _int(post.get("ai_window_seconds"), 300),
    }
    kind = post.get("kind", "")
    name = post.get("name", "").strip()
    if kind == "routes":
        agent = {
            "kind": kind, "name": name,
            "greeting": post.get("greeting", "").strip(),
            "menu": post.get("menu", "buttons"),
            "faq_min_confidence": _float(post.get("faq_min_confidence"), 0.6),
            "routes": [
                {"key": r["key"], "title": r["title"], "keywords": _csv(r["keywords"]),
                 "team_id": _int(r["team"]), "tags": _csv(r["tags"]), "questions": _questions(r["questions"]),
                 "done_text": r["done"]}
                for r in _rows(post, "route", ("key", "title", "keywords", "team", "tags", "questions", "done"))
            ],
            "faq": [
                {"question": f["question"], "answer": f["answer"], "keywords": _csv(f["keywords"])}
                for f in _rows(post, "faq", ("question", "answer", "keywords"))
            ],
        }
    elif kind == "llm":
        agent = {
            "kind": kind, "name": name,
            "base_url": post.get("base_url", "").strip(), "model": post.get("model", "").strip(),
            "system_prompt": post.get("system_prompt", ""),
            "timeout_seconds": _int(post.get("timeout_seconds"), 20), "max_retries": _int(post.get("max_retries"), 2),
            "write_summary": bool(post.get("write_summary")),
        }
        if post.get("api_key"):
            agent["api_key"] = post["api_key"]
    elif kind == "webhook":
        agent = {"kind": kind, "name": name, "url": post.get("url", "").strip(),
                 "timeout_seconds": _int(post.get("timeout_seconds"), 10)}
        if post.get("secret"):
            agent["secret"] = post["secret"]
    else:
        agent = None
    settings["ai_agent"] = agent
    return settings
