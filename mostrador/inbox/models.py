from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings as conf
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mostrador.rules.attention import Attention, AuthorKind, State, state_at

log = logging.getLogger(__name__)


class Inbox(models.Model):
    name = models.CharField(max_length=120)
    # The connector that serves it (connectors/<channel>/): "api", "whatsapp", "telegram"…
    channel = models.CharField(max_length=32)
    settings = models.JSONField(default=dict, blank=True)
    # Write-only credentials (access tokens, app secrets, API keys), encrypted (core/secret_box);
    # never serialised back out. Read them with `secret(key)`.
    secrets = models.JSONField(default=dict, blank=True)
    # The provider's id for this account (a WhatsApp phone_number_id), copied out of settings so a
    # webhook finds its inbox with an indexed lookup.
    address = models.CharField(max_length=64, blank=True, db_index=True)
    members = models.ManyToManyField(conf.AUTH_USER_MODEL, related_name="inboxes", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "inboxes"

    def __str__(self) -> str:
        return self.name

    @property
    def secrets_set(self) -> list[str]:
        """The names of the credentials this inbox has (never their values)."""
        return sorted(key for key, value in self.secrets.items() if value)

    def secret(self, key: str) -> str:
        """A credential in the clear; "" when it is not set, or when it cannot be read (sealed
        under a secret key this installation no longer has), which is logged by inbox and name
        and shown on the inbox's page: an admin must enter it again."""
        from mostrador.core.secret_box import SecretUnreadable, unseal

        try:
            return unseal(self.secrets.get(key, ""))
        except SecretUnreadable:
            log.error("Inbox %s (%s): its %s cannot be decrypted with the current secret key; enter it again", self.pk, self.name, key)
            return ""

    @property
    def unreadable_secrets(self) -> list[str]:
        """The credentials that must be entered again (sealed under a key this installation lost)."""
        from mostrador.core.secret_box import is_sealed

        return sorted(key for key, value in self.secrets.items() if value and not is_sealed(value))

    def setting(self, key: str):
        if key in self.settings:
            return self.settings[key]
        from mostrador.inbox.inbox_settings import defaults

        return defaults(self.channel).get(key)

    @property
    def effective_settings(self) -> dict:
        """Every setting, stored or default (inbox_settings: common, the channel's, capabilities')."""
        from mostrador.inbox.inbox_settings import defaults

        return {**defaults(self.channel), **self.settings}

    @property
    def ai_window(self) -> timedelta:
        return timedelta(seconds=self.setting("ai_window_seconds"))

    @property
    def wait_target(self) -> timedelta:
        return timedelta(seconds=self.setting("wait_target_seconds"))


class Contact(models.Model):
    name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    email = models.CharField(max_length=254, blank=True)
    # Values of the admin-defined contact fields (ContactField), by field name.
    fields = models.JSONField(default=dict, blank=True)
    tags = models.ManyToManyField("Tag", blank=True, related_name="contacts")
    # The language the customer writes in (a BCP 47 tag such as "es" or "pt-BR"), when a channel
    # or a person said so: automated messages (surveys) use it. Blank: the organisation's.
    language = models.CharField(max_length=15, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name or self.phone or f"#{self.pk}"


class ContactIdentity(models.Model):
    """How one channel account knows a contact (a WhatsApp wa_id, an outside system's id…)."""

    inbox = models.ForeignKey(Inbox, on_delete=models.CASCADE, related_name="identities")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    external_id = models.CharField(max_length=200)
    # Set when the provider asks us to slow down for this one recipient (WhatsApp 131056): every
    # send to them waits until then, so the messages still leave in order.
    send_not_before = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inbox", "external_id"], name="identity_unique_per_inbox")
        ]


class ContactField(models.Model):
    """A custom field admins define for contacts (RUT, company, birthday, segment…)."""

    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        LIST = "list", _("List")

    name = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=80)
    type = models.CharField(max_length=8, choices=Type.choices, default=Type.TEXT)
    # The choices of a list field.
    options = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.label


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)
    color = models.CharField(max_length=16, default="#64748b")

    def __str__(self) -> str:
        return self.name


class Priority(models.IntegerChoices):
    NORMAL = 0, _("Normal")
    HIGH = 1, _("High")
    URGENT = 2, _("Urgent")


OPEN_WAIT = Q(resolved=False, waiting_since__isnull=False)


class Conversation(models.Model):
    """One long-lived thread per contact per inbox. Only actions write its attention fields."""

    inbox = models.ForeignKey(Inbox, on_delete=models.CASCADE, related_name="conversations")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="conversations")
    resolved = models.BooleanField(default=False)
    waiting_since = models.DateTimeField(null=True, blank=True)
    ai_enabled = models.BooleanField(default=False)
    ai_since = models.DateTimeField(null=True, blank=True)
    # ai_since + the inbox's window, kept beside ai_since so "is the AI still on its turn?" is
    # an indexed comparison instead of a join on the inbox settings.
    ai_deadline = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        conf.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Waiting for an agent with room since then (the inbox assigns chats and everyone was full);
    # the oldest is assigned first when room frees up. None: not queued.
    queued_since = models.DateTimeField(null=True, blank=True)
    priority = models.SmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    # Why a rule raised it (an inbox's priority rules), shown on the chat's row; blank when a
    # person set it.
    priority_reason = models.CharField(max_length=60, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="conversations")
    # The tags' names, sorted, beside the tags themselves: every list row shows them, and reading
    # them through the many-to-many cost a 200-row page a statement of 200 ids (a sixth of its
    # time). Only `actions.set_tags` writes tags, and it writes both.
    tag_names = models.JSONField(default=list, blank=True)
    fields = models.JSONField(default=dict, blank=True)
    # Where a bot is in its own flow (the routes bot's route and pending question).
    bot_state = models.JSONField(default=dict, blank=True)
    # The last AI hand-off, shown to sellers at the top of the conversation until it is resolved:
    # {"wants", "fields", "reason", "route", "at", "by"}.
    handoff_summary = models.JSONField(null=True, blank=True)
    last_message = models.ForeignKey(
        "Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_activity_at = models.DateTimeField(default=timezone.now)
    # When the customer last wrote: channels with a service window (WhatsApp's 24 hours) allow
    # free text only until this plus the window.
    customer_last_message_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inbox", "contact"], name="one_conversation_per_contact_inbox")
        ]
        indexes = [
            # Pendientes: open waits, most urgent first, then the longest wait.
            models.Index(fields=["-priority", "waiting_since", "id"], condition=OPEN_WAIT, name="conv_waiting_order"),
            models.Index(fields=["inbox", "-priority", "waiting_since", "id"], condition=OPEN_WAIT, name="conv_inbox_waiting_order"),
            models.Index(fields=["assignee", "-priority", "waiting_since", "id"], condition=OPEN_WAIT, name="conv_mine_waiting_order"),
            # The monitor: its longest waits, oldest first whatever their priority, and the count and
            # mean of the waits, read from this index alone (ai_deadline tells pending from with_ai).
            models.Index(fields=["waiting_since", "id", "ai_deadline"], condition=OPEN_WAIT, name="conv_longest_waits"),
            # Counts of Pendientes and Con IA per inbox, read from the index alone on every refresh.
            models.Index(fields=["inbox", "ai_deadline"], condition=OPEN_WAIT, name="conv_inbox_wait_ai"),
            models.Index(fields=["ai_deadline"], condition=Q(ai_deadline__isnull=False), name="conv_ai_deadline"
            ),
            models.Index(fields=["inbox", "-last_activity_at", "id"], name="conv_inbox_activity"),
            models.Index(fields=["-last_activity_at", "id"], name="conv_activity"),
            # The assignment queue of each inbox, oldest first.
            models.Index(fields=["inbox", "queued_since", "id"], condition=Q(queued_since__isnull=False), name="conv_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.contact} @ {self.inbox}"

    @property
    def attention(self) -> Attention:
        return Attention(
            resolved=self.resolved,
            waiting_since=self.waiting_since,
            ai_enabled=self.ai_enabled,
            ai_since=self.ai_since,
        )

    def state(self, now=None) -> State:
        return state_at(self.attention, now or timezone.now(), self.inbox.ai_window)


# One AuthorKind, the rules core's; these are its labels for people.
AUTHOR_KINDS = [
    (AuthorKind.CUSTOMER.value, _("Customer")),
    (AuthorKind.AGENT.value, _("Agent")),
    (AuthorKind.AI.value, _("AI")),
    (AuthorKind.SYSTEM.value, _("System")),
]


class MessageType(models.TextChoices):
    TEXT = "text"
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"
    DOCUMENT = "document"
    STICKER = "sticker"
    LOCATION = "location"
    CONTACTS = "contacts"
    INTERACTIVE_REPLY = "interactive_reply"
    TEMPLATE = "template"
    # Our own buttons and lists sent to the customer; their answer comes back as interactive_reply.
    INTERACTIVE = "interactive"
    REACTION = "reaction"
    UNSUPPORTED = "unsupported"


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    # Denormalised from the conversation so the external id can be unique per inbox.
    inbox = models.ForeignKey(Inbox, on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(max_length=3, choices=[("in", "in"), ("out", "out")])
    author_kind = models.CharField(max_length=10, choices=AUTHOR_KINDS)
    author = models.ForeignKey(
        conf.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    bot_name = models.CharField(max_length=100, blank=True)
    type = models.CharField(max_length=20, choices=MessageType.choices, default=MessageType.TEXT)
    text = models.TextField(blank=True)
    media = models.JSONField(null=True, blank=True)
    location = models.JSONField(null=True, blank=True)
    payload = models.JSONField(null=True, blank=True)
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The provider's id of the quoted message, kept also when we never stored that message (one
    # from before this number was connected): the quote is not lost, and links up if it arrives.
    reply_to_external_id = models.CharField(max_length=200, blank=True, default="")
    external_id = models.CharField(max_length=200, null=True, blank=True)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices)
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When the customer last changed its text (channels that tell us: Telegram); shown as edited.
    edited_at = models.DateTimeField(null=True, blank=True)
    # The customer deleted it for everyone: its text and media are gone, the bubble says so.
    deleted_at = models.DateTimeField(null=True, blank=True)
    # A voice note of ours the customer played (WhatsApp's "played", beyond "read").
    played_at = models.DateTimeField(null=True, blank=True)
    # Set just before a send is handed to the provider, cleared once its answer is recorded:
    # still set means the outcome is unknown (the worker died, the call timed out), and a
    # channel that reconciles sends waits for the provider's word before sending again.
    send_attempted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["inbox", "external_id"],
                condition=Q(external_id__isnull=False),
                name="message_external_id_unique_per_inbox",
            )
        ]
        indexes = [
            models.Index(fields=["conversation", "created_at", "id"], name="msg_timeline"),
            # Customer messages nobody has seen yet: looked up each time someone opens a chat.
            models.Index(
                fields=["conversation"], condition=Q(direction="in", status="received"), name="msg_unseen"
            ),
            # A person's own latest replies (the phrases the composer offers to finish), read
            # newest first without sorting everything they ever wrote.
            models.Index(fields=["author", "-id"], condition=Q(author__isnull=False), name="msg_by_author"),
        ]


class Note(models.Model):
    """An internal note: for the team only, never sent, never changes attention."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(conf.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["conversation", "created_at"], name="note_timeline")]


class EventKind(models.TextChoices):
    MESSAGE = "message", _("Message")
    RESOLVED = "resolved", _("Resolved")
    REOPENED = "reopened", _("Reopened")
    HANDOFF = "handoff", _("Handed off to people")
    AI_TOGGLED = "ai_toggled", _("AI switched")
    AI_WINDOW_ENDED = "ai_window_ended", _("AI window ended")
    ASSIGNED = "assigned", _("Assigned")
    NOTE = "note", _("Note")
    TAGGED = "tagged", _("Tags changed")
    PRIORITY = "priority", _("Priority changed")
    SEEN = "seen", _("Seen")
    AI_TURN_STARTED = "ai_turn_started", _("AI turn started")
    FIELD_SET = "field_set", _("Field set")
    RETRIED = "retried", _("Send retried")
    # Written by capabilities that subscribe to the hooks (cases).
    CASE_OPENED = "case_opened", _("Case opened")
    CASE_CLOSED = "case_closed", _("Case closed")
    LEFT_ON_READ = "left_on_read", _("Seen and not answered")
    SURVEY_ANSWERED = "survey_answered", _("Survey answered")


class ConversationEvent(models.Model):
    """The audit trail: one row for every change, with who, what, when and from → to."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    actor_kind = models.CharField(max_length=10, choices=AUTHOR_KINDS)
    actor = models.ForeignKey(conf.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    bot_name = models.CharField(max_length=100, blank=True)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["conversation", "created_at"], name="event_timeline")]


class TemplateStatus(models.TextChoices):
    APPROVED = "APPROVED", _("Approved")
    PENDING = "PENDING", _("Pending review")
    REJECTED = "REJECTED", _("Rejected")
    PAUSED = "PAUSED", _("Paused")
    DISABLED = "DISABLED", _("Disabled")


class MessageTemplate(models.Model):
    """A message template approved by the provider, the only thing that may open a conversation
    once the service window has closed. Synced from the provider; never edited here."""

    inbox = models.ForeignKey(Inbox, on_delete=models.CASCADE, related_name="templates")
    name = models.CharField(max_length=512)
    language = models.CharField(max_length=15)
    status = models.CharField(max_length=20)
    category = models.CharField(max_length=30, blank=True)
    components = models.JSONField(default=list, blank=True)
    body = models.TextField(blank=True)
    param_count = models.PositiveSmallIntegerField(default=0)
    synced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inbox", "name", "language"], name="template_unique_per_inbox")
        ]
        ordering = ["name", "language"]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"

    @property
    def param_range(self) -> range:
        return range(1, self.param_count + 1)
