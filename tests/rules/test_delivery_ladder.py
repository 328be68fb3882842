"""Delivery statuses arrive in any order and any number of times; what a message shows must not
depend on either."""

from hypothesis import given
from hypothesis import strategies as st

from mostrador.rules.delivery import LADDER, climbs

REPORTS = st.lists(st.sampled_from(["sent", "delivered", "read", "failed"]), max_size=8)


def shown(reports, start="queued"):
    status = start
    for reported in reports:
        if climbs(status, reported):
            status = reported
    return status


@given(REPORTS, st.randoms())
def test_the_order_of_reports_does_not_matter(reports, random):
    shuffled = list(reports)
    random.shuffle(shuffled)
    assert shown(shuffled) == shown(reports)


@given(REPORTS)
def test_repeating_a_report_changes_nothing(reports):
    assert shown(reports + reports) == shown(reports)


@given(REPORTS)
def test_a_message_shows_the_highest_report_heard(reports):
    assert shown(reports) == max(["queued", *reports], key=LADDER.index)


def test_the_cases_sellers_see():
    assert shown(["read", "delivered", "sent"]) == "read"  # late reports never downgrade
    assert shown(["failed", "sent"]) == "failed"  # accepted, then refused
    assert shown(["failed", "delivered"]) == "delivered"  # the phone got it after all
    assert shown(["delivered", "failed"]) == "delivered"
