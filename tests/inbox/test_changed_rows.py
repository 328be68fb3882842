"""A live change patched into the list: the rows of the chats that changed, for those still in the
list the page shows (and the person may see), each with its place in the list's order, and the
tabs with their counts."""

import re
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mostrador.inbox import actions
from mostrador.inbox.actions.inboxes import create_inbox
from mostrador.inbox.models import Conversation
from mostrador.inbox.queries import ORDERINGS, sort_key
from tests.conftest import customer_says


def rows_of(html: str) -> dict[str, str]:
    """Row id -> its sort key, as the page reads them."""
    return dict(re.findall(r'data-id="(\d+)" data-sort="([\d.]+)"', html))


def test_the_rows_of_changed_chats_that_are_still_in_the_list(agent, inbox):
    waiting = customer_says(inbox.pk, "¿Tienen stock?", who="a")["conversation_id"]
    answered = customer_says(inbox.pk, "Hola", who="b")["conversation_id"]
    actions.send_message(Conversation.objects.get(pk=answered), actions.Actor.person(agent), actions.OutboundContent(text="¡Hola!"))
    elsewhere = create_inbox("Otra tienda", "api", {})
    hidden = customer_says(elsewhere.pk, "secreto", who="c")["conversation_id"]
    seller = Client()
    seller.force_login(agent)

    page = seller.get("/ui/list/rows", {"tab": "pending", "scope": "all", "ids": f"{waiting},{answered},{hidden}"})
    assert page.status_code == 200
    html = page.content.decode()
    # The answered chat left Pendientes, and the other inbox's chat is not hers to see.
    assert list(rows_of(html)) == [str(waiting)]
    assert "secreto" not in html
    # The tabs come along, counted as the list counts them.
    assert re.search(r'data-count="pending">1<', html) and re.search(r'data-count="awaiting_customer">1<', html)

    awaiting = seller.get("/ui/list/rows", {"tab": "awaiting_customer", "ids": f"{waiting},{answered}"}).content.decode()
    assert list(rows_of(awaiting)) == [str(answered)]


def test_asking_for_no_rows_or_too_many_is_refused(agent, inbox):
    seller = Client()
    seller.force_login(agent)
    assert seller.get("/ui/list/rows", {"ids": ""}).status_code == 400
    assert seller.get("/ui/list/rows", {"ids": ",".join(str(i) for i in range(1, 60))}).status_code == 400
    assert seller.get("/ui/list/rows", {"ids": "x,;DROP"}).status_code == 400


def micros(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC))


# No deadline: the first example pays for the models' first use, over 200 ms on a busy machine.
@settings(deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), moments, moments, st.integers(1, 10**12)), min_size=2, max_size=30, unique_by=lambda t: t[3]))
def test_sort_keys_order_rows_as_each_list_does(rows):
    now = timezone.now()
    convs = [
        Conversation(pk=pk, priority=priority, waiting_since=since, last_activity_at=activity, ai_deadline=now + timedelta(seconds=pk % 600))
        for priority, since, activity, pk in rows
    ]
    for state, ordering in ORDERINGS.items():
        def by_list(conv, ordering=ordering):
            return tuple(
                (-value if desc else value)
                for field, desc in ordering
                for value in [micros(getattr(conv, field)) if isinstance(getattr(conv, field), datetime) else getattr(conv, field)]
            )

        assert sorted(convs, key=lambda c: sort_key(c, state)) == sorted(convs, key=by_list)


def test_where_many_peoples_first_pages_end_is_read_together_and_is_each_ones_own(inbox, monkeypatch, django_assert_num_queries):
    """A busy frame asks where each list's first page ends for everyone of an "own chats" inbox
    at once: the same place each person's own list puts its last row, in one statement per chunk,
    to the microsecond (SQLite hands the times back as text). Tabs catching up after a restart ask
    for the first pages' chats themselves, all read together too."""
    from mostrador.accounts.models import Role
    from mostrador.inbox import queries
    from mostrador.inbox.models import Contact
    from mostrador.inbox.policy import remember_scopes
    from mostrador.inbox.queries import ListFilters, conversation_list, first_pages_end, first_pages_ids
    from tests.conftest import make_user

    now = timezone.now()
    own = create_inbox("Propia", "api", {"visibility": "own_and_unassigned"})
    ana, beto = make_user("ana@x.test", Role.AGENT), make_user("beto@x.test", Role.AGENT)
    own.members.add(ana, beto)
    inbox.members.add(ana)
    boss = make_user("jefa@x.test", Role.SUPERVISOR)
    contacts = Contact.objects.bulk_create([Contact(name=f"c{i}") for i in range(24)])
    Conversation.objects.bulk_create([
        Conversation(
            inbox=[own, inbox][k % 2], contact=contact, assignee=[None, ana, beto][k % 3], priority=k % 2,
            waiting_since=None if k % 5 == 0 else now - timedelta(seconds=k, microseconds=k * 7),
            last_activity_at=now - timedelta(minutes=k, microseconds=k * 11), resolved=k % 7 == 0,
        )
        for k, contact in enumerate(contacts)
    ])
    asks = [(person, ListFilters(state=state)) for person in (ana, beto, boss) for state in ("pending", "all", "resolved")]
    asks.append((beto, ListFilters(inbox_id=own.pk, unassigned=True)))
    asks.append((ana, ListFilters(state="awaiting_customer", inbox_id=inbox.pk)))
    size = 3

    def first_page(person, filters):
        return conversation_list(person, filters, limit=size, cursor=None, now=now)[0]

    def own_end(person, filters):
        rows = first_page(person, filters)
        return sort_key(rows[-1], filters.state) if len(rows) == size else None

    def keys(ends):
        return [end and end.key for end in ends]

    expected = [own_end(person, filters) for person, filters in asks]
    assert None in expected and len({e for e in expected if e}) > 4  # some lists are short, the rest differ
    remember_scopes([ana, beto, boss])
    with django_assert_num_queries(4):  # one per state asked
        ends = first_pages_end(asks, size, now)
    assert keys(ends) == expected
    monkeypatch.setattr(queries, "PER_STATEMENT", 2)
    with django_assert_num_queries(7):  # 4 pending lists, 3 of all, 3 resolved, 1 awaiting: two to a statement
        assert keys(first_pages_end(asks, size, now)) == expected
    # As a filter, each end holds exactly its list's first page.
    for (person, filters), end in zip(asks, ends, strict=True):
        if end is not None:
            held = queries.filtered(person, filters).filter(queries.state_filter(filters.state, now)).filter(end.holding())
            assert set(held.values_list("pk", flat=True)) == {c.pk for c in first_page(person, filters)}
    pages = [[c.pk for c in first_page(person, filters)] for person, filters in asks]
    with django_assert_num_queries(7):
        assert first_pages_ids(asks, size, now) == pages
    monkeypatch.setattr(queries, "PER_STATEMENT", 100)
    with django_assert_num_queries(4):
        assert first_pages_ids(asks, size, now) == pages


def test_the_sellers_of_an_own_chats_inbox_have_each_their_own_page_end_read_together(inbox, django_assert_num_queries):
    """Sellers who see the same inboxes alike, their own chats aside, are asked about together:
    each still gets where her own list's first page ends, to the microsecond, as her list shows
    it; one who asks other filters, or sees other inboxes, is read as before."""
    from mostrador.accounts.models import Role
    from mostrador.inbox.models import Contact
    from mostrador.inbox.policy import remember_scopes
    from mostrador.inbox.queries import ListFilters, conversation_list, first_pages_end
    from tests.conftest import make_user

    now = timezone.now()
    own = create_inbox("Propia", "api", {"visibility": "own_and_unassigned"})
    sellers = [make_user(f"s{n}@x.test", Role.AGENT) for n in range(4)]
    own.members.add(*sellers)
    inbox.members.add(sellers[3])  # sees another inbox whole: a list of her own kind
    contacts = Contact.objects.bulk_create([Contact(name=f"c{i}") for i in range(40)])
    Conversation.objects.bulk_create([
        Conversation(
            inbox=own if k % 4 else inbox, contact=contact, priority=k % 3 == 0,
            # Seller 0 holds many chats, seller 1 a few, seller 2 none: their pages end apart.
            assignee=[None, sellers[0], sellers[0], sellers[1], None, sellers[0]][k % 6],
            waiting_since=now - timedelta(seconds=k, microseconds=k * 13),
            last_activity_at=now - timedelta(minutes=k),
        )
        for k, contact in enumerate(contacts)
    ])
    asks = [(s, ListFilters()) for s in sellers] + [(s, ListFilters(state="all")) for s in sellers[:3]]
    asks.append((sellers[2], ListFilters(unassigned=True)))
    size = 5

    def own_end(person, filters):
        rows = conversation_list(person, filters, limit=size, cursor=None, now=now)[0]
        return sort_key(rows[-1], filters.state) if len(rows) == size else None

    expected = [own_end(person, filters) for person, filters in asks]
    assert len(set(expected[:3])) == 3 and None not in expected[:3]
    remember_scopes(sellers)
    # The two lone lists together; Pendientes, where the sellers hold few chats ahead of the
    # shared page, in two queries (that page, then what each holds ahead of it); "all", where
    # they hold more than a page each ahead of it, in two more, each list read whole.
    with django_assert_num_queries(1 + 2 + 2 * 2):
        ends = first_pages_end(asks, size, now)
    assert [end and end.key for end in ends] == expected


# Each chat: in the own-chats inbox, the inbox the sellers see whole, or one they do not see; held
# by nobody or by one of four sellers; waiting (and how urgently), awaiting the customer or
# resolved; when it last moved, in minutes.
own_chats = st.lists(
    st.tuples(st.sampled_from(["own", "whole", "unseen"]), st.sampled_from([None, 0, 1, 2, 3]),
              st.sampled_from(["pending", "awaiting_customer", "resolved"]), st.booleans(), st.integers(0, 50)),
    max_size=40,
)


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chats=own_chats, size=st.integers(1, 6), cap=st.integers(1, 8))
def test_the_sellers_of_an_own_chats_inbox_get_their_own_ends_and_counts_whoever_holds_what(inbox, monkeypatch, chats, size, cap):
    """Read together, the sellers of an "own chats" inbox get exactly what each one's own list
    says: its first page, where that page ends, and how many rows each history tab counts up to
    the cap, whether they hold nothing, a few chats or more than a page ahead of the chats they
    all see."""
    from mostrador.accounts.models import Role
    from mostrador.inbox import queries
    from mostrador.inbox.models import Contact
    from mostrador.inbox.policy import remember_scopes
    from mostrador.inbox.queries import ListFilters, conversation_list, first_pages_end, first_pages_ids
    from tests.conftest import make_user

    monkeypatch.setattr(queries, "COUNT_CAP", cap)
    now = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
    with transaction.atomic():
        own = create_inbox("Propia", "api", {"visibility": "own_and_unassigned"})
        unseen = create_inbox("Ajena", "api", {})
        sellers = [make_user(f"s{n}@x.test", Role.AGENT) for n in range(4)]
        own.members.add(*sellers)
        inbox.members.add(*sellers)
        contacts = Contact.objects.bulk_create([Contact(name=f"c{i}") for i in range(len(chats))])
        Conversation.objects.bulk_create([
            Conversation(
                inbox={"own": own, "whole": inbox, "unseen": unseen}[where], contact=contact,
                assignee=None if holder is None else sellers[holder], priority=int(urgent),
                waiting_since=now - timedelta(minutes=minutes, microseconds=k) if state == "pending" else None,
                resolved=state == "resolved", last_activity_at=now - timedelta(minutes=minutes, microseconds=k),
            )
            for k, (contact, (where, holder, state, urgent, minutes)) in enumerate(zip(contacts, chats, strict=True))
        ])
        remember_scopes(sellers)
        for state in ("pending", "all"):
            asks = [(seller, ListFilters(state=state)) for seller in sellers]
            pages = [conversation_list(seller, ListFilters(state=state), limit=size, cursor=None, now=now)[0] for seller in sellers]
            assert first_pages_ids(asks, size, now) == [[c.pk for c in page] for page in pages]
            expected = [sort_key(page[-1], state) if len(page) == size else None for page in pages]
            assert [end and end.key for end in first_pages_end(asks, size, now)] == expected
        history = ["awaiting_customer", "resolved", "all"]
        asks = [(seller, ListFilters(state="all")) for seller in sellers]
        assert queries.capped_counts(asks, history, now) == [queries.state_counts(s, f, now, states=history) for s, f in asks]
        transaction.set_rollback(True)
