"""Public consultations on a draft and the comments received."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qihub.core.models import TimeStampedModel
from qihub.lifecycle.models.projects import Project


class Consultation(TimeStampedModel):
    """A public call for comments on a draft (征求意见稿) with a deadline.
    At most one consultation per project is open at a time."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="consultations",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=models.Q(status="open"),
                name="lifecycle_one_open_consultation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.opens_on}–{self.closes_on}"

    def get_absolute_url(self) -> str:
        return reverse("lifecycle:consultation_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        """Taking comments: open and the deadline not passed (the daily job
        ``close_expired_consultations`` then closes it for good)."""
        return (
            self.status == self.Status.OPEN and timezone.localdate() <= self.closes_on
        )


class Comment(TimeStampedModel):
    """A comment on a draft in consultation, per clause, and the committee's
    resolution of it (accepted, partially accepted, rejected, with reason)."""

    class Type(models.TextChoices):
        GENERAL = "ge", _("General")
        TECHNICAL = "te", _("Technical")
        EDITORIAL = "ed", _("Editorial")

    class Resolution(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        PARTIAL = "partial", _("Partially accepted")
        REJECTED = "rejected", _("Rejected")

    consultation = models.ForeignKey(
        Consultation,
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="comments",
    )
    number = models.PositiveIntegerField(_("no."))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lifecycle_comments",
    )
    commenter = models.CharField(_("commenter"), max_length=200)
    organisation_name = models.CharField(
        _("organisation (as typed)"), max_length=300, blank=True
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("registered organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultation_comments",
        help_text=_("Linked only when the typed name matches a registered one."),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    clause = models.CharField(_("clause/subclause"), max_length=60, blank=True)
    paragraph = models.CharField(
        _("paragraph/figure/table"), max_length=100, blank=True
    )
    type = models.CharField(
        _("type of comment"), max_length=2, choices=Type.choices, default=Type.GENERAL
    )
    text = models.TextField(_("comment"))
    proposed_change = models.TextField(_("proposed change"), blank=True)
    resolution = models.CharField(
        _("decision"),
        max_length=10,
        choices=Resolution.choices,
        default=Resolution.PENDING,
        db_index=True,
    )
    observations = models.TextField(_("observations of the committee"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["consultation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "number"], name="lifecycle_comment_number"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.clause} {self.commenter}"
