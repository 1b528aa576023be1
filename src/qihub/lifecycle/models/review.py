"""Periodic reviews of published standards."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qihub.catalog.models import Standard
from qihub.lifecycle.models.projects import Project

#: A published standard is reviewed this many years after it takes effect.
PERIODIC_REVIEW_YEARS = 5


class PeriodicReview(models.Model):
    """The periodic review (复审) of a standard, due at most five years after
    implementation or the last confirmation: confirm, revise or withdraw."""

    class Outcome(models.TextChoices):
        CONFIRM = "confirm", _("Confirm")
        REVISE = "revise", _("Revise")
        WITHDRAW = "withdraw", _("Withdraw")

    standard = models.ForeignKey(
        Standard,
        verbose_name=_("standard"),
        on_delete=models.CASCADE,
        related_name="periodic_reviews",
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    decided_on = models.DateField(_("decided on"))
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revision_project = models.ForeignKey(
        Project,
        verbose_name=_("revision project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("periodic review")
        verbose_name_plural = _("periodic reviews")
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.standard_id} {self.outcome} {self.decided_on}"
