"""Saved validity checks: a list of standards kept by a user or an
organisation, re-checked on demand and whenever a standard on it changes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qihub.core.events import Event
from qihub.core.models import TimeStampedModel, actor_field


class ValidityCheck(TimeStampedModel):
    """A list of standards (its ``lines`` as given) and the answer of its
    last run (``result``: every line with its identifiers' verdicts;
    ``summary``: how many are valid, replaced, withdrawn, to be implemented,
    unknown). Owned by one user or one organisation (its members see and
    re-run it). ``on_date`` is the chosen date of the status "on a date"
    (empty: the day of each run). ``standards`` are the catalogue records
    the answer names, so a change to any of them re-runs it."""

    name = models.CharField(_("name"), max_length=200)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner (user)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="validity_checks",
    )
    owner_organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("owner (organisation)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="validity_checks",
    )
    created_by = actor_field()
    on_date = models.DateField(_("status on"), null=True, blank=True)
    lines = models.JSONField(_("lines"), default=list)
    result = models.JSONField(_("result"), default=dict, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)
    standards = models.ManyToManyField(
        "catalog.Standard",
        verbose_name=_("standards named"),
        blank=True,
        related_name="validity_checks",
    )

    class Meta:
        verbose_name = _("validity check")
        verbose_name_plural = _("validity checks")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(owner_user__isnull=False, owner_organisation__isnull=True)
                    | models.Q(
                        owner_user__isnull=True, owner_organisation__isnull=False
                    )
                ),
                name="catalog_validity_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("catalog:validity_detail", args=[self.pk])

    @property
    def owner(self):
        return self.owner_user or self.owner_organisation


class ValidityCheckEvent(Event):
    """One thing that happened to a saved check: saved, re-run by a user,
    re-run because a standard on it changed (which one, in ``changes``)."""

    class Type(models.TextChoices):
        CREATED = "created", _("Saved")
        RERUN = "rerun", _("Re-run")
        STANDARD_CHANGED = "standard_changed", _("Re-run: a standard changed")

    check_run = models.ForeignKey(
        ValidityCheck,
        verbose_name=_("validity check"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    type = models.CharField(_("type"), max_length=24, choices=Type.choices)
    details = models.JSONField(
        _("changes"), default=dict, blank=True, db_column="changes"
    )

    class Meta:
        verbose_name = _("validity check event")
        verbose_name_plural = _("validity check events")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.check_run_id} {self.type} {self.created_at:%Y-%m-%d}"
