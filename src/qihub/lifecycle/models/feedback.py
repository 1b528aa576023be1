"""Implementation feedback and complaints on a standard, and their handling."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qihub.catalog.models import Standard
from qihub.core.events import Event
from qihub.core.models import TimeStampedModel
from qihub.lifecycle.models.committees import Committee


class Feedback(TimeStampedModel):
    """Implementation feedback or a complaint on a published standard, with a
    public tracking number (FB-2026-000123) the submitter uses to follow it.

    Statuses: received → triaged → assigned (to the responsible committee) →
    answered; or rejected (out of scope) / closed.
    """

    class Kind(models.TextChoices):
        FEEDBACK = "feedback", _("Implementation feedback")
        COMPLAINT = "complaint", _("Complaint")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        TRIAGED = "triaged", _("Triaged")
        ASSIGNED = "assigned", _("Assigned to committee")
        ANSWERED = "answered", _("Answered")
        REJECTED = "rejected", _("Rejected")
        CLOSED = "closed", _("Closed")

    tracking_number = models.CharField(_("tracking number"), max_length=20, unique=True)
    standard = models.ForeignKey(
        Standard,
        verbose_name=_("standard"),
        on_delete=models.PROTECT,
        related_name="feedback",
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind.choices, default=Kind.FEEDBACK
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.RECEIVED,
        db_index=True,
    )
    name = models.CharField(_("name"), max_length=200)
    organisation_name = models.CharField(
        _("organisation (as typed)"), max_length=300, blank=True
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("registered organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_submitted",
        help_text=_("Linked only when the typed name matches a registered one."),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lifecycle_feedback",
    )
    clause = models.CharField(_("clause"), max_length=60, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("description"))
    priority = models.CharField(_("priority"), max_length=10, blank=True)
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("assigned committee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback",
    )
    response = models.TextField(_("response"), blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.tracking_number} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("lifecycle:feedback_track") + f"?number={self.tracking_number}"


class FeedbackEvent(Event):
    """One step in handling feedback: its receipt, then each change of status
    (triage, assignment, response, closing) with ``details`` holding
    ``{"status": [old, new]}``. ``public`` steps are shown to the submitter."""

    class Type(models.TextChoices):
        RECEIVED = "received", _("Received")
        STATUS_CHANGED = "status_changed", _("Status changed")

    feedback = models.ForeignKey(
        Feedback,
        verbose_name=_("feedback"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    type = models.CharField(_("type"), max_length=16, choices=Type.choices)
    from_status = models.CharField(_("from status"), max_length=10, blank=True)
    to_status = models.CharField(_("to status"), max_length=10)
    reason = models.TextField(_("note"), blank=True, db_column="note")
    public = models.BooleanField(_("visible to the submitter"), default=True)

    class Meta:
        verbose_name = _("feedback event")
        verbose_name_plural = _("feedback events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.feedback_id} {self.to_status}"
