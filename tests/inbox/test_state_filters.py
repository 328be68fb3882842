"""The lists filter by state in SQL (indexed predicates); the rule derives state in Python. For any
conversations and any clock, both must put every conversation in the same list."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mostrador.inbox.actions.inboxes import create_inbox
from mostrador.inbox.models import Contact, Conversation
from mostrador.inbox.queries import state_filter
from mostrador.rules.attention import Attention, State, ai_deadline, state_at

T0 = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
moments = st.integers(min_value=0, max_value=3600).map(lambda s: T0 + timedelta(seconds=s))
attentions = st.builds(
    Attention,
    resolved=st.booleans(),
    waiting_since=st.none() | moments,
    ai_enabled=st.booleans(),
    ai_since=st.none() | moments,
)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(attentions, min_size=1, max_size=12), st.integers(1, 900), moments)
def test_sql_state_filters_agree_with_the_rule(rows, window_seconds, now):
    inbox = create_inbox("Filtros", "api", {"ai_window_seconds": window_seconds})
    window = timedelta(seconds=window_seconds)
    expected: dict[str, set[int]] = {s.value: set() for s in State}
    for a in rows:
        conv = Conversation.objects.create(
            inbox=inbox, contact=Contact.objects.create(name="c"), resolved=a.resolved,
            waiting_since=a.waiting_since, ai_enabled=a.ai_enabled, ai_since=a.ai_since,
            ai_deadline=ai_deadline(a, window),
        )
        expected[state_at(a, now, window).value].add(conv.pk)
    for state, ids in expected.items():
        found = set(Conversation.objects.filter(inbox=inbox).filter(state_filter(state, now)).values_list("pk", flat=True))
        assert found == ids, state
