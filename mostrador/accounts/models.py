from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    SUPERVISOR = "supervisor", _("Supervisor")
    AGENT = "agent", _("Agent")


class Availability(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.setdefault("role", Role.ADMIN)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # Who may be given new chats: only people who are online (DESIGN.md section 4). Everyone
    # starts offline: a person who never opened Mostrador is not there to answer.
    availability = models.CharField(max_length=8, choices=Availability.choices, default=Availability.OFFLINE)
    availability_changed_at = models.DateTimeField(null=True, blank=True)
    # Open chats this person may hold per inbox; None: the inbox's capacity.
    capacity = models.PositiveIntegerField(null=True, blank=True)
    # How this person wants to hear of their notifications besides the in-app centre.
    notify_browser = models.BooleanField(default=True)
    notify_sound = models.BooleanField(default=True)
    # Still on the demo's published password: reached from anywhere but this machine, the
    # person must choose their own before doing anything else (accounts/first_run.py).
    uses_demo_password = models.BooleanField(default=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def sees_every_inbox(self) -> bool:
        # The policy (inbox.policy) decides; this is its shorthand for templates.
        return self.role in (Role.ADMIN, Role.SUPERVISOR)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def initials(self) -> str:
        parts = (self.name or self.email).split()
        return "".join(p[0] for p in parts[:2]).upper()


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    members = models.ManyToManyField(User, related_name="teams", blank=True)

    def __str__(self) -> str:
        return self.name


class AvailabilityChange(models.Model):
    """The availability log: one row per change, from which online and away time are computed."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="availability_log")
    availability = models.CharField(max_length=8, choices=Availability.choices)
    # What changed it: the person ("manual"), their browser going idle or closing ("presence").
    source = models.CharField(max_length=10, default="manual")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "at"], name="availability_log_user_at")]


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token. Only its hash is stored; with a bot name, it writes as an AI agent.

    With an inbox, it is that `api` inbox's integration token: the outside system's key, good for
    delivering its customers' messages and nothing else. Its user is the admin who made it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    bot_name = models.CharField(max_length=100, blank=True)
    inbox = models.ForeignKey(
        "inbox.Inbox", null=True, blank=True, on_delete=models.CASCADE, related_name="integration_tokens"
    )
    label = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    @property
    def is_bot(self) -> bool:
        return bool(self.bot_name)

    @property
    def is_integration(self) -> bool:
        return self.inbox_id is not None

    @classmethod
    def issue(cls, user: User, bot_name: str = "", inbox=None, label: str = "") -> tuple[ApiToken, str]:
        raw = "mst_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, bot_name=bot_name, inbox=inbox, label=label, key_hash=_hash(raw), prefix=raw[:12]
        )
        return token, raw

    @classmethod
    def find(cls, raw: str) -> ApiToken | None:
        return (
            cls.objects.select_related("user")
            .filter(key_hash=_hash(raw), user__is_active=True)
            .first()
        )
