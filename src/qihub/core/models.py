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


def _import_storage():
    """Uploaded import files wait for their job under the data directory, not
    under MEDIA_ROOT: the embedded default serves its media to anyone."""
    from django.core.files.storage import FileSystemStorage

    return FileSystemStorage(location=settings.DATA_DIR / "imports")


def _import_path(job: "ImportJob", filename: str) -> str:
    from uuid import uuid4

    from django.utils.text import get_valid_filename

    # A folder per upload keeps the file's own name (its suffix tells the
    # importer the format; its name is what the import run records).
    return f"{uuid4().hex}/{get_valid_filename(filename)[-200:] or 'upload'}"


class ImportJob(TimeStampedModel):
    """A file import that staff started from a page or the API, run as a
    background job through the same import code as the command line.

    States: *queued* (waiting for the worker), *running*, *done* (imported,
    or checked on a dry run), *refused* (the file was wrong: nothing was
    imported, the errors say why), *failed* (an unexpected error: nothing was
    imported either, the imports being all or nothing). ``rows_seen`` of
    ``rows_total`` (when the file's rows can be counted up front) is the
    progress; ``summary`` the one-line outcome and ``errors`` the rows' errors.
    """

    class Kind(models.TextChoices):
        STANDARDS = "standards", _("Catalogue standards")
        DECLARATIONS = "declarations", _("Self-declarations")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.QUEUED
    )
    actor = actor_field()
    file = models.FileField(
        _("file"),
        storage=_import_storage,
        upload_to=_import_path,
        max_length=300,
        blank=True,
    )
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("file size"), default=0)
    format = models.CharField(_("format"), max_length=20, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    rows_seen = models.PositiveIntegerField(_("rows seen"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in the file"), null=True)
    summary = models.TextField(_("summary"), blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name} ({self.state})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("core:import_job", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.REFUSED, self.State.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.rows_total:
            return None
        return min(100, round(100 * self.rows_seen / self.rows_total))
