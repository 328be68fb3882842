"""The admin's inbox form: the settings every inbox has, then the channel's own, built from its
connector's settings model (so a new channel brings its form with it). Secrets are write-only:
a blank secret keeps the stored one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pydantic.fields import FieldInfo

from mostrador.accounts.models import Team, User
from mostrador.connectors.base import connector_class
from mostrador.inbox.inbox_settings import CommonSettings

COMMON = ("wait_target_seconds", "ai_window_seconds", "case_close_after_seconds", "ai_enabled")
LABELS = {
    "wait_target_seconds": _("Wait target (seconds): a waiting row turns amber at half of it and red past it"),
    "ai_window_seconds": _("AI window (seconds): how long the AI may hold a chat before a person must act"),
    "case_close_after_seconds": _("Close a case after the customer is silent for (seconds)"),
    "ai_enabled": _("AI on by default for new conversations"),
}


# Who works the inbox and how chats reach them (DESIGN.md section 4).
TEAMWORK = ("assignment", "capacity", "visibility", "team_ids")


class InboxForm(forms.Form):
    """The fields are added per channel by `inbox_form`."""

    name = forms.CharField(max_length=120, label=_("Name"))
    members = forms.ModelMultipleChoiceField(
        User.objects.filter(is_active=True).order_by("name"), required=False,
        widget=forms.CheckboxSelectMultiple, label=_("Members (agents who work this inbox)"),
    )
    assignment = forms.ChoiceField(
        required=False,
        label=_("New chats go to"),
        choices=[
            ("manual", _("Nobody: people take or assign them")),
            ("round_robin", _("Round robin: the online agent who waited longest for one")),
            ("balanced", _("Balanced: the online agent with the fewest open chats")),
        ],
        initial="manual",
    )
    capacity = forms.IntegerField(
        required=False, min_value=1, max_value=10_000,
        label=_("Capacity: open chats per agent (blank: no limit; when everyone is full, chats queue)"),
    )
    visibility = forms.ChoiceField(
        required=False,
        label=_("Agents see"),
        choices=[("all", _("Every chat of the inbox")), ("own_and_unassigned", _("Only their own chats and unassigned ones"))],
        initial="all",
    )
    team_ids = forms.ModelMultipleChoiceField(
        Team.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple,
        label=_("Teams that work this inbox (their members see it and take its chats)"),
    )

    channel: str = ""
    channel_fields: tuple[str, ...] = ()
    secret_fields: tuple[str, ...] = ()

    def settings(self, secrets_set: list[str] = ()) -> dict[str, Any]:
        """The inbox settings the cleaned form asks for; blank secrets are left out (kept)."""
        wanted = {key: self.cleaned_data[key] for key in (*COMMON, *TEAMWORK, *self.channel_fields)}
        wanted["team_ids"] = sorted(team.pk for team in wanted["team_ids"])
        for key in ("assignment", "visibility"):
            if not wanted[key]:
                del wanted[key]  # not on the posted form: left as it is
        for key in self.secret_fields:
            if not wanted[key]:
                del wanted[key]
        return wanted


def inbox_form(channel: str, *args, **kwargs) -> InboxForm:
    """A bound or unbound form for an inbox of `channel`."""
    connector = connector_class(channel)
    fields: dict[str, forms.Field] = {key: _field(CommonSettings.model_fields[key], LABELS[key]) for key in COMMON}
    model_fields = connector.settings_model.model_fields
    for key, info in model_fields.items():
        fields[key] = _field(info, gettext(info.title) if info.title else key, secret=key in connector.secret_keys)
    form_class = type(
        f"{channel.title()}InboxForm",
        (InboxForm,),
        {**fields, "channel": channel, "channel_fields": tuple(model_fields), "secret_fields": connector.secret_keys},
    )
    return form_class(*args, **kwargs)


def _field(info: FieldInfo, label, secret: bool = False) -> forms.Field:
    """A form field for one pydantic field: its type, bounds and default."""
    kind = info.annotation
    bounds = {type(m).__name__: m for m in info.metadata}
    if kind is bool:
        return forms.BooleanField(required=False, label=label, initial=info.default)
    if kind is int:
        low = getattr(bounds.get("Ge"), "ge", None)
        high = getattr(bounds.get("Le"), "le", None)
        return forms.IntegerField(min_value=low, max_value=high, label=label, initial=info.default)
    longest = getattr(bounds.get("MaxLen"), "max_length", None)
    if secret:
        return forms.CharField(
            required=False, max_length=longest, label=label,
            widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        )
    return forms.CharField(required=False, max_length=longest, label=label, initial=info.default or "")
