"""Standard-development projects, their drafting units and their history."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qihub.catalog.models import Standard
from qihub.core.events import Event
from qihub.core.i18n import localised
from qihub.core.models import TimeStampedModel
from qihub.lifecycle.models.committees import Committee
from qihub.lifecycle.models.research import ResearchProject
from qihub.lifecycle.models.states import State


class Project(TimeStampedModel):
    """A standard project: a new standard or the revision of an existing one,
    at national, industry, local or group level, moving through the workflow
    states until it is published in the catalogue and implemented."""

    class Kind(models.TextChoices):
        NEW = "new", _("New standard")
        REVISION = "revision", _("Revision")

    code = models.CharField(_("project number"), max_length=40, unique=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind.choices, default=Kind.NEW
    )
    level = models.CharField(
        _("level"),
        max_length=20,
        choices=Standard.Level.choices,
        default=Standard.Level.NATIONAL,
    )
    title_zh = models.CharField(_("Chinese title"), max_length=500, blank=True)
    title_en = models.CharField(_("English title"), max_length=500, blank=True)
    scope = models.TextField(_("scope"), blank=True)
    identifier = models.CharField(
        _("standard number"),
        max_length=200,
        blank=True,
        help_text=_("The number the standard will be published under."),
    )
    ics = models.CharField(_("ICS codes"), max_length=200, blank=True)
    state = models.ForeignKey(
        State,
        verbose_name=_("state"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("responsible committee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposed_projects",
    )
    proposer_organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("proposing organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects_proposed",
    )
    drafters = models.TextField(_("drafters"), blank=True)
    replaces = models.ForeignKey(
        Standard,
        verbose_name=_("revises"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revision_projects",
    )
    standard = models.ForeignKey(
        Standard,
        verbose_name=_("published standard"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lifecycle_projects",
    )
    research_projects = models.ManyToManyField(
        ResearchProject,
        verbose_name=_("research projects"),
        blank=True,
        related_name="projects",
    )
    planned_consultation_on = models.DateField(
        _("planned draft for comments"), null=True, blank=True
    )
    planned_submission_on = models.DateField(
        _("planned submission"), null=True, blank=True
    )
    due_on = models.DateField(_("planned publication"), null=True, blank=True)
    implementation_months = models.PositiveSmallIntegerField(
        _("months from issue to implementation"), default=6
    )
    draft_file = models.FileField(
        _("draft file"), upload_to="lifecycle/drafts/", blank=True
    )
    draft_text = models.TextField(
        _("machine-readable draft"),
        blank=True,
        help_text=_("Plain text, one numbered clause per paragraph (e.g. '4.1 ...')."),
    )

    class Meta:
        verbose_name = _("standard project")
        verbose_name_plural = _("standard projects")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}".strip()

    def get_absolute_url(self) -> str:
        return reverse("lifecycle:project_detail", args=[self.pk])

    @property
    def title(self) -> str:
        return localised(self.title_zh, self.title_en)

    def drafting_organisations(self) -> list:
        """The drafting units in order, first drafting unit first (uses the
        prefetched ``drafting_units`` when the selector loaded them)."""
        if "drafting_units" in getattr(self, "_prefetched_objects_cache", {}):
            units = sorted(self.drafting_units.all(), key=lambda unit: unit.position)
        else:
            units = self.drafting_units.select_related("organisation").order_by(
                "position"
            )
        return [unit.organisation for unit in units]


class ProjectDraftingUnit(models.Model):
    """An organisation drafting a project's standard (起草单位), in the order
    the plan lists them: ``position`` 1 is the first drafting unit. When the
    project is published the standard gets the same list."""

    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="drafting_units",
        db_index=False,  # lifecycle_drafting_once starts with it
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="project_drafting",
        db_index=False,  # lifecycle_drafting_org starts with it
    )
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("project drafting unit")
        verbose_name_plural = _("project drafting units")
        ordering = ["project", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organisation"], name="lifecycle_drafting_once"
            ),
            models.UniqueConstraint(
                fields=["project", "position"], name="lifecycle_drafting_position"
            ),
        ]
        indexes = [
            models.Index(
                fields=["organisation", "position"], name="lifecycle_drafting_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_id} #{self.position} {self.organisation_id}"


class ProjectEvent(Event):
    """One thing that happened to a project: who, when, what, why.

    A *transition* moves it between states (``from_state``/``to_state``);
    other types record edits, consultations, ballots and publication.
    """

    class Type(models.TextChoices):
        CREATED = "created", _("Created")
        TRANSITION = "transition", _("State changed")
        EDITED = "edited", _("Edited")
        CONSULTATION_OPENED = "consultation_opened", _("Consultation opened")
        CONSULTATION_CLOSED = "consultation_closed", _("Consultation closed")
        BALLOT_OPENED = "ballot_opened", _("Ballot opened")
        BALLOT_CLOSED = "ballot_closed", _("Ballot closed")
        PUBLISHED = "published", _("Published")
        PATENT = "patent", _("Patent declared")
        COMMENT_RESOLVED = "comment_resolved", _("Comment resolved")
        NOTE = "note", _("Note")

    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    type = models.CharField(_("type"), max_length=24, choices=Type.choices)
    from_state = models.CharField(_("from state"), max_length=40, blank=True)
    to_state = models.CharField(_("to state"), max_length=40, blank=True)
    reason = models.TextField(_("comment"), blank=True, db_column="comment")

    class Meta:
        verbose_name = _("project event")
        verbose_name_plural = _("project events")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.type} {self.created_at:%Y-%m-%d}"
