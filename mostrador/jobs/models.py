"""What the background runners say about themselves: each lane of each process beats here every
couple of seconds. A job held by a runner that stopped beating is given to another (its lease
lapsed), and `/healthz` can tell a deployment whose runners are all gone."""

from __future__ import annotations

from django.db import models


class WorkerBeat(models.Model):
    worker_id = models.CharField(max_length=64, primary_key=True)
    lane = models.CharField(max_length=32)
    # hostname:pid, for a person reading the table.
    process = models.CharField(max_length=200)
    beat_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["beat_at"], name="worker_beat_recent")]
