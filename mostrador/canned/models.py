from __future__ import annotations

from django.conf import settings as conf
from django.db import models
from django.utils import timezone


class CannedResponse(models.Model):
    """A saved answer (respuesta rápida): a shortcode and a text with variables, in one language
    ("" for any). Its scope is whoever may use it: one person (`owner`), a team, an inbox, or
    everyone (none of the three). One shortcode may have a variant per language and scope."""

    shortcode = models.SlugField(max_length=40, allow_unicode=False)
    text = models.TextField(max_length=4000)
    language = models.CharField(max_length=15, blank=True)
    owner = models.ForeignKey(conf.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    inbox = models.ForeignKey("inbox.Inbox", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # "p<id>", "t<id>", "i<id>" or "": the scope as one value, so a shortcode is unique per
    # scope and language on every database (NULLs never collide in a unique constraint).
    scope_key = models.CharField(max_length=24, blank=True, editable=False)
    created_by = models.ForeignKey(conf.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope_key", "shortcode", "language"], name="canned_unique_per_scope"),
            models.CheckConstraint(
                condition=(
                    models.Q(owner__isnull=True, team__isnull=True)
                    | models.Q(owner__isnull=True, inbox__isnull=True)
                    | models.Q(team__isnull=True, inbox__isnull=True)
                ),
                name="canned_one_scope",
            ),
        ]
        indexes = [models.Index(fields=["shortcode"], name="canned_shortcode")]

    @property
    def scope(self) -> str:
        if self.owner_id:
            return "personal"
        if self.team_id:
            return "team"
        if self.inbox_id:
            return "inbox"
        return "everyone"

    def save(self, *args, **kwargs):
        self.scope_key = f"p{self.owner_id}" if self.owner_id else f"t{self.team_id}" if self.team_id else f"i{self.inbox_id}" if self.inbox_id else ""
        super().save(*args, **kwargs)
