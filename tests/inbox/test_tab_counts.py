"""Tab counts: the working queues are exact, history stops at a cap so refreshes stay cheap."""

from django.utils import timezone

from mostrador.inbox.models import Contact, Conversation
from mostrador.inbox.queries import COUNT_CAP, ListFilters, state_counts
from mostrador.inbox.templatetags.mostrador import count_label


def test_history_tabs_stop_at_the_cap_while_pending_stays_exact(agent, inbox):
    now = timezone.now()
    contacts = Contact.objects.bulk_create([Contact(name=f"c{i}") for i in range(COUNT_CAP + 5)])
    Conversation.objects.bulk_create(
        [Conversation(inbox=inbox, contact=c, resolved=True) for c in contacts[:COUNT_CAP + 2]]
        + [Conversation(inbox=inbox, contact=c, waiting_since=now) for c in contacts[COUNT_CAP + 2:]]
    )
    counts = state_counts(agent, ListFilters(), now)
    assert counts["pending"] == 3
    assert counts["with_ai"] == 0
    assert counts["awaiting_customer"] == 0
    assert counts["resolved"] == COUNT_CAP
    assert count_label(counts["resolved"]) == "999+"
    assert count_label(counts["pending"]) == "3"
