from __future__ import annotations

from django.conf import settings as conf
from django.db import models
from django.db.models import Q

from mostrador.rules.cases import CloseReason, HandledBy


class Case(models.Model):
    """One episode of a conversation: from the customer's first message while none is open to a
    person resolving it, or to the customer's silence after a person had the last word."""

    # Foreign keys without an index of their own where a composite index below leads with them, or
    # where only a rare delete would use one: every index costs each burst of new cases.
    conversation = models.ForeignKey("inbox.Conversation", on_delete=models.CASCADE, related_name="cases", db_index=False)
    inbox = models.ForeignKey("inbox.Inbox", on_delete=models.CASCADE, related_name="+", db_index=False)
    contact = models.ForeignKey("inbox.Contact", on_delete=models.CASCADE, related_name="cases")
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=12, blank=True, choices=[(r.value, r.value) for r in CloseReason])
    # The contact reason given on close, and the bot route that brought the case.
    reason = models.CharField(max_length=60, blank=True)
    route = models.CharField(max_length=60, blank=True)
    tags = models.JSONField(default=list, blank=True)
    assignee = models.ForeignKey(conf.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    closed_by = models.ForeignKey(conf.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    handled_by = models.CharField(max_length=16, default=HandledBy.NONE, choices=[(h.value, h.value) for h in HandledBy])
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_human_response_at = models.DateTimeField(null=True, blank=True)
    first_response_seconds = models.FloatField(null=True, blank=True)
    first_human_response_seconds = models.FloatField(null=True, blank=True)
    queue_seconds = models.FloatField(default=0)
    end_to_end_seconds = models.FloatField(null=True, blank=True)
    interactions = models.PositiveIntegerField(default=0)
    transfers = models.PositiveIntegerField(default=0)
    left_on_read = models.PositiveIntegerField(default=0)
    # The wait (when it started) that was last left on read: the list marks the row while that
    # same wait goes on, reading this through the one-open-case index.
    left_on_read_wait = models.DateTimeField(null=True, blank=True)
    # The survey sent when the case closed, and the customer's answer.
    survey_kind = models.CharField(max_length=4, blank=True)
    survey_sent_at = models.DateTimeField(null=True, blank=True)
    csat = models.PositiveSmallIntegerField(null=True, blank=True)
    nps = models.PositiveSmallIntegerField(null=True, blank=True)
    survey_comment = models.TextField(blank=True)
    # The rest of the case's clock (rules.cases.CaseClock): samples and the wait running now.
    clock = models.JSONField(default=dict, blank=True)
    # When the customer's silence closes the case, if nothing happens first (None: it cannot).
    close_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation"], condition=Q(closed_at__isnull=True), name="one_open_case_per_conversation")
        ]
        indexes = [
            models.Index(fields=["conversation", "-opened_at"], name="case_timeline"),
            # Open cases stay out of these two until they close.
            models.Index(fields=["inbox", "closed_at"], name="case_closed_by_inbox", condition=Q(closed_at__isnull=False)),
            models.Index(fields=["closed_at", "id"], name="case_closed", condition=Q(closed_at__isnull=False)),
            models.Index(fields=["opened_at"], name="case_opened"),
            # The cases still open that reports count (few, next to the closed ones).
            models.Index(fields=["opened_at"], name="case_open_since", condition=Q(closed_at__isnull=True)),
        ]

    @property
    def state(self) -> str:
        return "open" if self.closed_at is None else "closed"


class CaseDay(models.Model):
    """The tally (rules.tally) of the cases that closed on one day, in the organisation's time zone,
    for one slice of them: everything (""), or one inbox, team and agent and their combinations
    ("i3", "i3.a7", ...). Openings count on the day the case opened. Kept by the case close and
    the survey answer as they happen; `mostrador reports rebuild` recomputes them."""

    day = models.DateField()
    slice = models.CharField(max_length=64)
    tally = models.JSONField(default=dict)
    # One more each time the tally changes: readers add up the versions and ids of the rows they
    # merged, and keep the merge until that sum moves (rollups.totals).
    version = models.BigIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["slice", "day"], name="case_day_per_slice")]
        # The readers' marks (rollups.totals) come from this index alone, never from the rows,
        # whose large tallies would have to be walked past to reach the version.
        indexes = [models.Index(fields=["slice", "day", "version", "id"], name="case_day_marks")]
