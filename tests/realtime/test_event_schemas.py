import pytest

from mostrador.realtime import events


def test_events_carry_exactly_their_schema():
    e = events.make(events.MESSAGE_CREATED, conversation_id=1, inbox_id=2, message_id=3, author_kind="customer")
    assert set(e) == events.SCHEMAS[events.MESSAGE_CREATED]
    with pytest.raises(ValueError):
        events.make(events.MESSAGE_CREATED, conversation_id=1, inbox_id=2, message_id=3, author_kind="x", text="leak")
