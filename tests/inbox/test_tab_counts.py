"""Tab counts: the working queues are exact, history stops at a cap so refreshes stay cheap."""

from django.utils import timezone

from mostrador.inbox.models import Contact, Conversation
from mostrador.inbox.queries import COUNT_CAP, ListFilters, state_counts
from mostrador.inbox.templatetags.mostrador import count_label, tab_count


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
    # As the tab bar and a live frame show them: the history tabs capped, Pendientes never.
    assert (tab_count(counts, "resolved"), tab_count(counts, "pending")) == ("999+", "3")
    assert tab_count({"pending": COUNT_CAP + 5}, "pending") == str(COUNT_CAP + 5)


def test_many_peoples_capped_counts_are_read_together_and_match_each_ones_own(inbox, monkeypatch, django_assert_num_queries):
    """A live frame counts the history tabs for everyone of an "own chats" inbox at once: the same
    numbers each person's own count gives, capped, in one statement per chunk."""
    from mostrador.accounts.models import Role, Team
    from mostrador.inbox import queries
    from mostrador.inbox.actions.inboxes import create_inbox
    from mostrador.inbox.policy import remember_scopes
    from tests.conftest import make_user

    now = timezone.now()
    own = create_inbox("Propia", "api", {"visibility": "own_and_unassigned"})
    team = Team.objects.create(name="Repuestos")
    through_team = create_inbox("Del equipo", "api", {"team_ids": [team.pk]})
    ana, beto = make_user("ana@x.test", Role.AGENT), make_user("beto@x.test", Role.AGENT)
    own.members.add(ana, beto)
    inbox.members.add(ana)
    team.members.add(beto)
    boss = make_user("jefa@x.test", Role.SUPERVISOR)
    contacts = Contact.objects.bulk_create([Contact(name=f"c{i}") for i in range(COUNT_CAP + 20)])
    made = [Conversation(inbox=inbox, contact=c, resolved=True) for c in contacts[:COUNT_CAP + 3]]
    rest = contacts[COUNT_CAP + 3:]
    for k, contact in enumerate(rest):
        box = [own, through_team][k % 2]
        made.append(Conversation(inbox=box, contact=contact, assignee=[None, ana, beto][k % 3], resolved=k % 4 == 0))
    Conversation.objects.bulk_create(made)

    asks = [(person, ListFilters(state=state)) for person in (ana, beto, boss) for state in ("all", "pending")]
    asks.append((beto, ListFilters(inbox_id=own.pk, unassigned=True)))
    capped = ["awaiting_customer", "resolved"]
    expected = [state_counts(person, filters, now, states=capped) for person, filters in asks]
    assert expected[0]["resolved"] == COUNT_CAP  # ana sees the big inbox: the cap holds
    assert expected[2]["resolved"] < COUNT_CAP  # beto does not
    remember_scopes([ana, beto, boss])  # as the frame does first, in three queries
    with django_assert_num_queries(1):
        assert queries.capped_counts(asks, capped, now) == expected
    monkeypatch.setattr(queries, "PER_STATEMENT", 3)
    with django_assert_num_queries(5):  # 14 counts, three to a statement
        assert queries.capped_counts(asks, capped, now) == expected


def test_scopes_worked_out_together_are_each_persons_own(inbox):
    from mostrador.accounts.models import Role, Team, User
    from mostrador.inbox.actions.inboxes import create_inbox
    from mostrador.inbox.policy import remember_scopes, scope_of
    from tests.conftest import make_user

    own = create_inbox("Propia", "api", {"visibility": "own_and_unassigned"})
    team = Team.objects.create(name="Repuestos")
    create_inbox("Del equipo", "api", {"team_ids": [team.pk], "visibility": "own_and_unassigned"})
    people = [make_user(f"p{k}@x.test", Role.SUPERVISOR if k == 4 else Role.AGENT) for k in range(6)]
    own.members.add(people[0], people[1])
    inbox.members.add(people[1], people[2])
    team.members.add(people[2], people[3])
    expected = {person.pk: scope_of(User.objects.get(pk=person.pk)) for person in people}
    fresh = list(User.objects.filter(pk__in=expected))
    remember_scopes(fresh)
    assert {person.pk: person.remembered_scope for person in fresh} == expected
    assert expected[people[5].pk].inbox_ids == frozenset()
    assert expected[people[4].pk].everything


def test_the_sellers_of_an_own_chats_inbox_are_counted_together_each_her_own(inbox, django_assert_num_queries):
    """Sellers whose lists differ only by whose own chats they hold are counted together, each
    with her own numbers, capped as her own count caps them: what they all see counted once,
    then what each holds, in one query, for the tabs the shared count leaves under the cap."""
    from mostrador.accounts.models import Role
    from mostrador.inbox import queries
    from mostrador.inbox.actions.inboxes import create_inbox
    from mostrador.inbox.policy import remember_scopes
    from tests.conftest import make_user

    now = timezone.now()
    own = create_inbox("Propia", "api", {"visibility": "own_and_unassigned"})
    sellers = [make_user(f"s{n}@x.test", Role.AGENT) for n in range(3)]
    own.members.add(*sellers)
    contacts = Contact.objects.bulk_create([Contact(name=f"c{i}") for i in range(COUNT_CAP + 30)])
    # The unassigned resolved chats alone pass the cap for everyone; the chats waiting on the
    # customer are some unassigned, some each seller's own, some in an inbox none of them sees.
    made = [Conversation(inbox=own, contact=c, resolved=True) for c in contacts[:COUNT_CAP + 2]]
    for k, contact in enumerate(contacts[COUNT_CAP + 2:]):
        made.append(Conversation(inbox=own if k % 5 else inbox, contact=contact, assignee=[None, sellers[0], sellers[0], sellers[1]][k % 4]))
    Conversation.objects.bulk_create(made)

    capped = ["awaiting_customer", "resolved"]
    asks = [(s, ListFilters(state="all")) for s in sellers] + [(sellers[0], ListFilters(unassigned=True))]
    expected = [state_counts(person, filters, now, states=capped) for person, filters in asks]
    assert len({counts["awaiting_customer"] for counts in expected[:3]}) == 3
    assert all(counts["resolved"] == COUNT_CAP for counts in expected)
    remember_scopes(sellers)
    with django_assert_num_queries(3):  # the lone list, then the three alike: shared, then their own
        assert queries.capped_counts(asks, capped, now) == expected
