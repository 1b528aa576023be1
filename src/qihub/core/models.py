"""Shared building blocks: timestamps, the security audit log, API tokens."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Base for every domain record: when it was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


def actor_field() -> models.ForeignKey:
    """The ``actor`` of a history record: the user who did it, or None for the
    platform itself (imports, scheduled jobs). Deleting the user keeps the
    record. One definition for every app's events (the same migrations)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class AuditLog(models.Model):
    """One security-relevant action: a login, a role change, an export, a deletion.

    Domain records keep their own typed events; this log is the one place an
    administrator reads to see who did what across the platform.
    """

    class Action(models.TextChoices):
        LOGIN = "login", _("Login")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGOUT = "logout", _("Logout")
        ROLE_CHANGE = "role_change", _("Role change")
        TOKEN_CREATED = "token_created", _("API token created")
        EXPORT = "export", _("Export")
        IMPORT = "import", _("Import")
        DELETE = "delete", _("Deletion")
        OTHER = "other", _("Other")

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = actor_field()
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    target = models.CharField(_("target"), max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target}"


class ApiToken(models.Model):
    """A bearer token for writes through the API. Only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=8)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def generate_key() -> str:
        return secrets.token_urlsafe(32)


class HitCounter(models.Model):
    """A windowed hit count of the embedded default's rate limits
    (``core.counters``): one row per key, its count and when its window ends.
    Counted by one upsert, so worker processes share it without a lock
    round trip; Redis counts instead in production."""

    key = models.CharField(max_length=250, primary_key=True)
    hits = models.PositiveIntegerField(default=0)
    expires = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("hit counter")
        verbose_name_plural = _("hit counters")

    def __str__(self) -> str:
        return f"{self.key}: {self.hits}"
