"""Programmes (plans with numbers), their targets, values organisations
report for what no data can compute, and monthly snapshots of indicators.

The app reads every other domain through its selectors and writes only
these records."""

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qihub.core.i18n import localised
from qihub.core.models import TimeStampedModel


class Programme(TimeStampedModel):
    """A plan issued by an authority for a region (or a network, such as a
    regional standardization centre) over a period, with quantified targets.
    The source document is kept as its title, address and text."""

    name_zh = models.CharField(_("Chinese name"), max_length=300, blank=True)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    issuing_authority = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("issuing authority"),
        on_delete=models.PROTECT,
        related_name="programmes_issued",
    )
    region = models.ForeignKey(
        "organisations.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    network = models.ForeignKey(
        "organisations.Network",
        verbose_name=_("network"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programmes",
        help_text=_("For a centre's plan: counted over its member organisations."),
    )
    starts_on = models.DateField(_("period starts on"))
    ends_on = models.DateField(_("period ends on"))
    source_title = models.CharField(_("source document"), max_length=500, blank=True)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    source_text = models.TextField(_("source text"), blank=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-ends_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="programme_period_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programmes:detail", args=[self.pk])

    @property
    def name(self) -> str:
        return localised(self.name_zh, self.name_en)

    @property
    def scope_key(self) -> str:
        """The snapshot scope the programme is measured on."""
        if self.network_id:
            return f"network:{self.network_id}"
        return self.region_id or ""


class Target(TimeStampedModel):
    """One quantified target of a programme: an indicator (by its slug in
    ``programmes.indicators``) to reach ``target_value`` (in ``unit``) by the
    ``deadline``, from a baseline measured on a date, owned by an
    organisation."""

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="targets",
    )
    indicator = models.CharField(_("indicator"), max_length=60)
    target_value = models.FloatField(_("target value"))
    unit = models.CharField(_("unit"), max_length=30)
    baseline_value = models.FloatField(_("baseline"), null=True, blank=True)
    baseline_on = models.DateField(_("baseline date"), null=True, blank=True)
    deadline = models.DateField(_("deadline"))
    owner = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("owner organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programme_targets",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["programme", "position", "id"]

    def __str__(self) -> str:
        return f"{self.indicator} ≥ {self.target_value:g} {self.unit}"


class ReportedValue(TimeStampedModel):
    """A value an organisation reports for an indicator no data can compute
    (talents trained, organisations brought to the city) for a period, with
    evidence. States: *pending* until a reviewer *approves* or *rejects* it;
    only approved values count."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    indicator = models.CharField(_("indicator"), max_length=60, db_index=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="reported_values",
    )
    period_start = models.DateField(_("period starts on"))
    period_end = models.DateField(_("period ends on"))
    value = models.FloatField(_("value"))
    evidence = models.FileField(_("evidence file"), upload_to="programmes/%Y/")
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("reported value")
        verbose_name_plural = _("reported values")
        ordering = ["-period_end", "id"]
        indexes = [
            models.Index(
                fields=["indicator", "state", "period_end"], name="prog_reported"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="reported_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.value:g} ({self.organisation})"


class Snapshot(models.Model):
    """An indicator's value in a scope at the end of a month. ``scope`` is a
    GB/T 2260 region code, ``network:<id>`` or ``org:<id>``; ``month`` is the
    first day of the month; ``value`` is null when there was no data (never
    stored as zero). ``seeded`` marks values entered as they were published
    (demo, history before qihub), not computed from qihub's records."""

    indicator = models.CharField(_("indicator"), max_length=60)
    scope = models.CharField(_("scope"), max_length=30)
    month = models.DateField(_("month"))
    value = models.FloatField(_("value"), null=True, blank=True)
    seeded = models.BooleanField(_("entered, not computed"), default=False)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        ordering = ["indicator", "scope", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "indicator", "month"], name="prog_snapshot_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.scope} {self.month:%Y-%m}"

    @property
    def day(self) -> datetime.date:
        """The day the value was taken on: the month end, or today for the
        running month."""
        nxt = (self.month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return min(nxt - datetime.timedelta(days=1), timezone.localdate())
