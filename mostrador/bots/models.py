from __future__ import annotations

from django.db import models


class FaqEntry(models.Model):
    """One question the routes bot may answer by itself. The inbox's `settings.ai_agent.faq` is
    the source; these rows are kept in step with it so the database's full-text search can find
    them (a GIN index on PostgreSQL, an FTS5 table on SQLite)."""

    inbox = models.ForeignKey("inbox.Inbox", on_delete=models.CASCADE, related_name="faq_entries")
    position = models.PositiveIntegerField(default=0)
    question = models.TextField()
    answer = models.TextField()
    keywords = models.JSONField(default=list, blank=True)
    # The question and keywords folded (lower case, no accents): what the search indexes.
    search_text = models.TextField(blank=True)

    class Meta:
        ordering = ["inbox", "position"]
