"""Whatever a signed notification holds, reading it never raises: each part it cannot use is a
problem with its path, and what it returns fits the columns it is stored in."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from mostrador.connectors.whatsapp import notifications
from mostrador.connectors.whatsapp.notifications import MAX_ID, MAX_NAME, MAX_PHONE

KEYS = st.sampled_from([
    "id", "type", "from", "from_user_id", "user_id", "wa_id", "text", "body", "caption", "messages", "statuses",
    "contacts", "metadata", "phone_number_id", "value", "changes", "field", "errors", "timestamp", "profile",
    "name", "context", "image", "location", "latitude", "longitude", "interactive", "button_reply", "reaction",
    "emoji", "message_id", "system", "order", "product_items", "status", "recipient_id", "error_data",
    "edit", "revoke", "original_message_id", "message", "message_echoes", "to", "event", "customer",
    "message_template_name", "message_template_language", "reason", "phone_number", "referral",
])
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=25,
)


def placed(v) -> list[dict]:
    """`v` at each level of a notification, around otherwise well-formed parts."""
    def value(**parts):
        return {"object": "whatsapp_business_account",
                "entry": [{"changes": [{"field": "messages", "value": {"metadata": {"phone_number_id": "1"}, **parts}}]}]}

    message = {"from": "56911111111", "id": "wamid.A", "type": "text", "text": {"body": "hola"}}
    return [
        {"object": "whatsapp_business_account", "entry": v},
        {"object": "whatsapp_business_account", "entry": [v]},
        {"object": "whatsapp_business_account", "entry": [{"changes": v}]},
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": v}]}]},
        value(messages=v, statuses=v, contacts=v, errors=v),
        value(messages=[v, message], statuses=[v], contacts=[v], errors=[v]),
        value(metadata=v, messages=[message]),
        value(messages=[{**message, "type": "text", "text": v, "context": v, "timestamp": v, "errors": v}]),
        value(messages=[{**message, "type": v if isinstance(v, str) else "image", "image": v, "referral": v}], contacts=[{"wa_id": "56911111111", "profile": v}]),
        value(messages=[{**message, "type": "interactive", "interactive": v}]),
        value(messages=[{**message, "type": "system", "system": v}]),
        value(messages=[{**message, "type": "order", "order": v}]),
        value(messages=[{**message, "type": "location", "location": v}]),
        value(statuses=[{"id": "wamid.B", "status": "read", "errors": v, "recipient_id": v, "timestamp": v}]),
        value(messages=[{**message, "type": "edit", "edit": v}, {**message, "type": "revoke", "revoke": v}]),
        value(messages=[{"id": "wamid.S", "type": "system", "system": v}]),
        {"entry": [{"id": v, "changes": [{"field": "smb_message_echoes", "value": {
            "metadata": {"phone_number_id": "1"}, "message_echoes": [v, {**message, "to": v}]}}]}]},
        {"entry": [{"id": v, "changes": [{"field": "message_template_status_update", "value": v}]}]},
        {"entry": [{"id": "1", "changes": [{"field": "account_update", "value": v}]}]},
    ]


@settings(max_examples=400, deadline=None)
@given(ANY_JSON)
def test_reading_never_raises_and_what_it_returns_fits(v):
    for body in placed(v):
        try:
            data = notifications.load(json.dumps(body).encode())
        except notifications.NotWhatsAppNotification:
            continue
        batches, problems, notices = notifications.read(data)
        assert all(n.kind in ("template", "account") and len(n.code) <= 40 for n in notices)
        assert all(isinstance(p, str) for p in problems)
        for batch in batches:
            for m in batch.messages:
                assert isinstance(m.external_id, str) and 0 < len(m.external_id) <= MAX_ID
                assert isinstance(m.contact_external_id, str) and 0 < len(m.contact_external_id) <= MAX_ID
                assert len(m.contact_phone) <= MAX_PHONE and len(m.contact_name) <= MAX_NAME
                assert isinstance(m.text, str) and m.type in {
                    "text", "image", "audio", "video", "document", "sticker", "location", "contacts",
                    "interactive_reply", "reaction", "unsupported",
                }
            for s in batch.statuses:
                assert isinstance(s.external_id, str) and isinstance(s.status, str)
            for e in batch.edits:
                assert isinstance(e.external_id, str) and 0 < len(e.external_id) <= MAX_ID and isinstance(e.text, str)
            for m in batch.echoes:
                assert isinstance(m.external_id, str) and 0 < len(m.contact_external_id) <= MAX_ID


def test_nul_characters_are_dropped_everywhere():
    raw = json.dumps({"entry": [{"changes": [{"value": {"metadata": {"phone_number_id": "1"}, "messages": [
        {"from": "569", "id": "wamid.N", "type": "text", "text": {"body": "a\u0000b"}, "referral": {"headline": "x\u0000"}},
    ]}}]}]}).encode()
    [batch], _, _ = notifications.read(notifications.load(raw))
    [m] = batch.messages
    assert m.text == "ab" and m.payload == {"referral": {"headline": "x"}}
