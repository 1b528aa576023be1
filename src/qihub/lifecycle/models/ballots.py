"""Committee ballots on a draft and the votes cast."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qihub.core.models import TimeStampedModel
from qihub.lifecycle.models.committees import Committee
from qihub.lifecycle.models.projects import Project


class Ballot(TimeStampedModel):
    """A committee ballot on a draft (委员会投票). Only committee members vote;
    staff close it and the result is computed with the committee's rules."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Result(models.TextChoices):
        NONE = "", _("Not yet decided")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")

    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="ballots",
    )
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("committee"),
        on_delete=models.PROTECT,
        related_name="ballots",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    closes_on = models.DateField(_("closes on"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    result = models.CharField(
        _("result"), max_length=8, choices=Result.choices, default="", blank=True
    )
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    result_reason = models.TextField(_("result explanation"), blank=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=models.Q(status="open"),
                name="lifecycle_one_open_ballot",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.code} ballot {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("lifecycle:ballot_detail", args=[self.pk])


class Vote(models.Model):
    """One committee member's vote on a ballot (one per member, changeable
    while the ballot is open)."""

    class Choice(models.TextChoices):
        APPROVE = "approve", _("Approve")
        DISAPPROVE = "disapprove", _("Disapprove with comments")
        ABSTAIN = "abstain", _("Abstain")

    ballot = models.ForeignKey(
        Ballot, verbose_name=_("ballot"), on_delete=models.CASCADE, related_name="votes"
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voter"),
        on_delete=models.PROTECT,
        related_name="lifecycle_votes",
    )
    choice = models.CharField(_("vote"), max_length=12, choices=Choice.choices)
    comment = models.TextField(_("comment"), blank=True)
    cast_at = models.DateTimeField(_("cast at"), auto_now=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["ballot", "cast_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "voter"], name="lifecycle_one_vote_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.voter} {self.choice}"
