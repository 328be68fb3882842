"""The one home for writes. Views, the API, connectors, bots and jobs call these; nothing else
changes a conversation. Each action runs in one transaction, records an event row for every
change and publishes realtime events only after commit. Actions never commit partway."""

from .actor import ActionConflict, ActionInvalid, ActionRefused, Actor
from .contacts import define_contact_field, merge_contacts, update_contact
from .delivery import attach_media, hold_sends, mark_seen, retry_message
from .inbound import InboundMessage, edit_customer_messages, receive_customer_message
from .inboxes import record_channel_error, replace_templates
from .lifecycle import close_inactive, expire_ai_window, handoff, record_ai_turn_started, reopen, resolve, set_ai
from .organise import add_note, add_tag, assign, remember_bot_state, set_field, set_priority, set_tags, transfer
from .outbound import OutboundContent, record_delivery, send_message
from .starting import start_conversation

__all__ = [
    "ActionConflict",
    "ActionInvalid",
    "ActionRefused",
    "Actor",
    "InboundMessage",
    "OutboundContent",
    "add_note",
    "close_inactive",
    "edit_customer_messages",
    "add_tag",
    "remember_bot_state",
    "set_field",
    "attach_media",
    "hold_sends",
    "mark_seen",
    "record_channel_error",
    "replace_templates",
    "retry_message",
    "assign",
    "expire_ai_window",
    "handoff",
    "receive_customer_message",
    "record_ai_turn_started",
    "record_delivery",
    "reopen",
    "resolve",
    "send_message",
    "set_ai",
    "set_priority",
    "set_tags",
    "start_conversation",
    "transfer",
    "define_contact_field",
    "update_contact",
    "merge_contacts",
]
