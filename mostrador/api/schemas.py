from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from typing import Annotated, Any, Literal

from django.utils import timezone as dj_timezone
from ninja import Schema
from pydantic import AfterValidator, Field, field_validator, model_validator

# A row id as the API takes it: positive, and small enough for every database (SQLite's integers
# stop at 2^63; a bigger one made the query fail instead of finding nothing).
Id = Annotated[int, Field(ge=1, le=2**62)]


def _moment(value: datetime) -> datetime:
    """A time filter, as the database will compare it: aware (a time without an offset is the
    organisation's), in UTC, and within years every database stores (PostgreSQL refuses offsets
    past 15:59, and year 1 with an offset does not convert at all)."""
    if value.tzinfo is None:
        value = dj_timezone.make_aware(value)
    try:
        value = value.astimezone(dt_timezone.utc)
    except OverflowError:
        raise ValueError("the time is out of range") from None
    if not 1900 <= value.year <= 2200:
        raise ValueError("the time must be between the years 1900 and 2200")
    return value


# A point in time taken as a filter (since, until…).
Moment = Annotated[datetime, AfterValidator(_moment)]

# How far back an outside system may date a customer message it delivers late, and how far ahead
# (a clock set wrong; such a message counts as sent now). Older history is not a wait anyone
# can still answer in time.
SENT_AT_PAST = timedelta(days=30)
SENT_AT_FUTURE = timedelta(days=1)


class InboxCreate(Schema):
    name: str = Field(min_length=1, max_length=120)
    # One of the installed connectors (settings.MOSTRADOR_CONNECTORS): "api", "whatsapp", "telegram"…
    channel: str = Field(min_length=1, max_length=32)
    settings: dict[str, Any] = Field(default_factory=dict)
    member_ids: list[Id] = Field(default_factory=list)

    @field_validator("channel")
    @classmethod
    def installed(cls, value: str) -> str:
        from mostrador.connectors.base import channels

        if value not in channels():
            raise ValueError(f"channel must be one of {', '.join(channels())}")
        return value


class InboxPatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    settings: dict[str, Any] | None = None
    member_ids: list[Id] | None = None


class ContactIn(Schema):
    external_id: str = Field(min_length=1, max_length=200)
    name: str = Field(default="", max_length=200)
    phone: str | None = Field(default=None, max_length=32)
    language: str = Field(default="", max_length=15, pattern=r"^([A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*)?$", description="BCP 47, e.g. es or pt-BR")


class IntegrationTokenIn(Schema):
    label: str = Field(default="", max_length=100, description="What the token is for, e.g. the system that holds it.")


class InboundIn(Schema):
    contact: ContactIn
    text: str = Field(min_length=1, max_length=10000)
    external_id: str | None = Field(default=None, min_length=1, max_length=200)
    sent_at: datetime | None = Field(default=None, description="When the customer sent it, with an offset: at most 30 days ago; a time ahead of now counts as now.")

    @field_validator("sent_at")
    @classmethod
    def needs_offset(cls, value):
        if value is None:
            return value
        if value.tzinfo is None:
            raise ValueError("sent_at needs a time zone offset")
        from django.utils import timezone

        now = timezone.now()
        try:
            value.astimezone(dt_timezone.utc)
            too_old, too_new = value < now - SENT_AT_PAST, value > now + SENT_AT_FUTURE
        except OverflowError:
            too_old, too_new = True, False
        if too_old or too_new:
            raise ValueError("sent_at must be within the last 30 days (and at most a day ahead)")
        return value


class TemplateIn(Schema):
    name: str = Field(min_length=1, max_length=512)
    language: str = Field(default="es", min_length=2, max_length=16)
    params: list[str] = Field(default_factory=list)


class ReplyButton(Schema):
    id: str = Field(min_length=1, max_length=256)
    title: str = Field(min_length=1, max_length=64)


class ListRow(Schema):
    id: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=64)
    description: str = Field(default="", max_length=72)


class ListSection(Schema):
    title: str = Field(default="", max_length=64)
    rows: list[ListRow] = Field(min_length=1, max_length=10)


class InteractiveIn(Schema):
    """Reply buttons, or a list of rows in sections. How many fit, and how long a title may be,
    is the channel's to say (its connector's capabilities: WhatsApp takes 3 buttons of 20
    characters, Telegram 10 of 64); a message over them is refused before it is queued."""

    buttons: list[ReplyButton] | None = Field(default=None, min_length=1, max_length=10)
    button: str = Field(default="", max_length=20)
    sections: list[ListSection] | None = Field(default=None, min_length=1, max_length=10)
    header: str = Field(default="", max_length=60)
    footer: str = Field(default="", max_length=60)

    @model_validator(mode="after")
    def well_formed(self):
        if bool(self.buttons) == bool(self.sections):
            raise ValueError("Interactive messages take either buttons or sections.")
        ids = [b.id for b in self.buttons] if self.buttons else [r.id for s in self.sections for r in s.rows]
        if len(set(ids)) != len(ids):
            raise ValueError("Each button or row needs its own id.")
        if self.sections and len(self.sections) > 1 and not all(s.title for s in self.sections):
            raise ValueError("A list with several sections needs a title for each.")
        return self


class MediaIn(Schema):
    type: Literal["image", "video", "audio", "document", "sticker"]
    link: str = Field(min_length=8, max_length=2000, pattern=r"^https?://")
    filename: str = Field(default="", max_length=240)


class MessageIn(Schema):
    text: str | None = Field(default=None, max_length=4096)
    # A saved answer's shortcode: sent filled in for this chat, in the contact's language.
    canned: str | None = Field(default=None, min_length=1, max_length=41)
    template: TemplateIn | None = None
    interactive: InteractiveIn | None = None
    media: MediaIn | None = None
    reply_to_id: int | None = None


class StartContactIn(Schema):
    phone: str = Field(min_length=3, max_length=40, description="In any format; without a country code it is the organisation's country")
    name: str = Field(default="", max_length=200)


class StartIn(Schema):
    inbox_id: Id
    contact: StartContactIn
    text: str | None = Field(default=None, max_length=4096)
    template: TemplateIn | None = None


class ResolveIn(Schema):
    # The contact reason: what the customer came for (usually one of the inbox's tags).
    reason: str = Field(default="", max_length=60)


class HandoffIn(Schema):
    reason: str = Field(default="", max_length=1000)


class AiIn(Schema):
    enabled: bool


class AssignIn(Schema):
    user_id: Id | None = None
    team_id: Id | None = None


class TransferIn(Schema):
    user_id: Id | None = None
    team_id: Id | None = None
    note: str | None = Field(default=None, max_length=4000)


class NoteIn(Schema):
    text: str = Field(min_length=1, max_length=10000)


class TagsIn(Schema):
    tags: list[Annotated[str, Field(max_length=60)]] = Field(max_length=50)


class PriorityIn(Schema):
    priority: int = Field(ge=0, le=2)
