"""Research projects that prepare standards, their milestones and reviews."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qihub.core.i18n import localised
from qihub.core.models import TimeStampedModel


class ResearchProject(TimeStampedModel):
    """A standards research project (e.g. one of the "16 important technical
    standards research projects") with milestones, evaluation and acceptance,
    and the standard projects it leads to."""

    class Status(models.TextChoices):
        ONGOING = "ongoing", _("Ongoing")
        EVALUATED = "evaluated", _("Mid-term evaluated")
        ACCEPTED = "accepted", _("Accepted")
        FAILED = "failed", _("Not accepted")

    code = models.CharField(_("code"), max_length=60, unique=True)
    title_zh = models.CharField(_("Chinese title"), max_length=500, blank=True)
    title_en = models.CharField(_("English title"), max_length=500, blank=True)
    programme = models.CharField(_("programme"), max_length=300, blank=True)
    lead_organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("lead organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="research_led",
    )
    leader = models.CharField(_("project leader"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ONGOING
    )
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("research project")
        verbose_name_plural = _("research projects")
        ordering = ["-starts_on", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}".strip()

    def get_absolute_url(self) -> str:
        return reverse("lifecycle:research_detail", args=[self.pk])

    @property
    def title(self) -> str:
        return localised(self.title_zh, self.title_en)


class ResearchMilestone(models.Model):
    """A planned step of a research project and when it was reached."""

    research_project = models.ForeignKey(
        ResearchProject,
        verbose_name=_("research project"),
        on_delete=models.CASCADE,
        related_name="milestones",
    )
    title = models.CharField(_("title"), max_length=300)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    reached_on = models.DateField(_("reached on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class ResearchReview(models.Model):
    """A mid-term evaluation or final acceptance of a research project."""

    class Kind(models.TextChoices):
        EVALUATION = "evaluation", _("Evaluation")
        ACCEPTANCE = "acceptance", _("Acceptance")

    class Outcome(models.TextChoices):
        PASSED = "passed", _("Passed")
        CONDITIONAL = "conditional", _("Passed with conditions")
        FAILED = "failed", _("Failed")

    research_project = models.ForeignKey(
        ResearchProject,
        verbose_name=_("research project"),
        on_delete=models.CASCADE,
        related_name="reviews",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    held_on = models.DateField(_("held on"))
    panel = models.CharField(_("expert panel"), max_length=500, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("research review")
        verbose_name_plural = _("research reviews")
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.research_project.code} {self.kind} {self.outcome}"
