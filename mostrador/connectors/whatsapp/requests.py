"""Build Cloud API `/messages` request bodies from our outbound messages (Meta's documented shapes)."""

from __future__ import annotations

from mostrador.connectors.base import callback_data_of

CAPTIONED = ("image", "video", "document")


def recipient_fields(external_id: str) -> dict:
    # Phone numbers go in `to`; customers known only by a business-scoped user id ("CL.1234…")
    # are addressed through `recipient`.
    if "." in external_id:
        return {"recipient": external_id}
    return {"to": external_id}


def message_body(message, recipient: str, media_id: str | None = None) -> dict:
    body: dict = {"messaging_product": "whatsapp", "recipient_type": "individual", **recipient_fields(recipient)}
    kind = message.type
    if kind == "template":
        body["type"] = "template"
        body["template"] = template_object(message.payload["template"])
    elif kind == "interactive":
        body["type"] = "interactive"
        body["interactive"] = interactive_object(message.text, message.payload["interactive"])
    elif kind in ("image", "video", "audio", "document", "sticker"):
        media = message.media or {}
        obj: dict = {"id": media_id} if media_id else {"link": media["link"]}
        if kind in CAPTIONED and message.text:
            obj["caption"] = message.text
        if kind == "document" and media.get("filename"):
            obj["filename"] = media["filename"]
        body["type"] = kind
        body[kind] = obj
    else:
        body["type"] = "text"
        body["text"] = {"body": message.text, "preview_url": "http://" in message.text or "https://" in message.text}
    if message.reply_to_id and message.reply_to and message.reply_to.external_id:
        body["context"] = {"message_id": message.reply_to.external_id}
    # Comes back in this send's statuses: a send whose answer we lost is still matched to it.
    body["biz_opaque_callback_data"] = callback_data_of(message)
    return body


def template_object(template: dict) -> dict:
    obj: dict = {"name": template["name"], "language": {"code": template["language"]}}
    params = template.get("params") or []
    if params:
        obj["components"] = [{"type": "body", "parameters": [{"type": "text", "text": str(p)} for p in params]}]
    return obj


def interactive_object(text: str, spec: dict) -> dict:
    obj: dict = {"body": {"text": text}}
    if spec.get("header"):
        obj["header"] = {"type": "text", "text": spec["header"]}
    if spec.get("footer"):
        obj["footer"] = {"text": spec["footer"]}
    if spec.get("buttons"):
        obj["type"] = "button"
        obj["action"] = {
            "buttons": [{"type": "reply", "reply": {"id": b["id"], "title": b["title"]}} for b in spec["buttons"]]
        }
    else:
        obj["type"] = "list"
        obj["action"] = {
            "button": spec.get("button") or "Opciones",
            "sections": [_section(section) for section in spec["sections"]],
        }
    return obj


def _section(section: dict) -> dict:
    # A title is required only when there are several sections; an empty one is refused.
    rows = [{k: row[k] for k in ("id", "title", "description") if row.get(k)} for row in section["rows"]]
    return {"title": section["title"], "rows": rows} if section.get("title") else {"rows": rows}


def read_receipt_body(wamid: str) -> dict:
    return {"messaging_product": "whatsapp", "status": "read", "message_id": wamid}
