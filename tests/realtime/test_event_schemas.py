import re

import pytest

from mostrador.realtime import events


def test_events_carry_exactly_their_schema():
    e = events.make(events.MESSAGE_CREATED, conversation_id=1, inbox_id=2, message_id=3, author_kind="customer")
    assert set(e) == events.SCHEMAS[events.MESSAGE_CREATED]
    with pytest.raises(ValueError):
        events.make(events.MESSAGE_CREATED, conversation_id=1, inbox_id=2, message_id=3, author_kind="x", text="leak")


def test_every_page_says_which_live_events_move_no_counter_or_only_pendientes(client, agent, inbox):
    """The page decides from these whether a frame needs its top-bar counters fetched; each
    capability declares its own events, so the page keeps no list of them."""
    client.force_login(agent)
    body = client.get("/").content.decode()
    leave = set(re.search(r'data-leave-counters="([^"]*)"', body).group(1).split())
    only_pending = set(re.search(r'data-only-pending="([^"]*)"', body).group(1).split())
    assert "availability.changed" in leave
    assert {"message.created", "message.updated", "conversation.changed:message", "conversation.changed:resolved"} <= only_pending
    # An assignment or a note (which may mention someone) moves other counters: not declared.
    assert not {"conversation.changed:assigned", "conversation.changed:note", "note.created"} & only_pending
    assert not leave & only_pending
