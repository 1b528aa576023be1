"""The life of a standard: projects, workflow states, consultations, ballots,
patents, research projects, periodic reviews and implementation feedback."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qihub.catalog.models import Standard
from qihub.core.events import Event
from qihub.core.i18n import localised
from qihub.core.models import TimeStampedModel

#: A published standard is reviewed this many years after it takes effect.
PERIODIC_REVIEW_YEARS = 5


class Committee(TimeStampedModel):
    """A technical committee (TC/SC, e.g. SAC/TC 176) or a standardisation
    working group that is responsible for projects at one level.

    Ballot rules are fractions: a ballot is valid when at least ``quorum`` of
    the voting members voted; it passes when approvals reach
    ``approval_threshold`` of the votes cast (abstentions excluded) and
    disapprovals stay at or below ``disapproval_max`` of the votes cast.
    """

    code = models.CharField(_("code"), max_length=60, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=300, blank=True)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    level = models.CharField(
        _("level"),
        max_length=20,
        choices=Standard.Level.choices,
        default=Standard.Level.NATIONAL,
    )
    email = models.EmailField(_("secretariat e-mail"), blank=True)
    quorum = models.DecimalField(
        _("quorum"), max_digits=4, decimal_places=3, default=0.5
    )
    approval_threshold = models.DecimalField(
        _("approval threshold"), max_digits=4, decimal_places=3, default=0.75
    )
    disapproval_max = models.DecimalField(
        _("maximum disapproval"), max_digits=4, decimal_places=3, default=0.25
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="CommitteeMember",
        related_name="committees",
        verbose_name=_("members"),
    )

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("lifecycle:committee_detail", args=[self.pk])

    @property
    def name(self) -> str:
        return localised(self.name_zh, self.name_en)


class CommitteeMember(models.Model):
    """A user's seat on a committee. Chairs, secretaries and members vote;
    observers follow the work without a vote."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        SECRETARY = "secretary", _("Secretary")
        MEMBER = "member", _("Member")
        OBSERVER = "observer", _("Observer")

    committee = models.ForeignKey(
        Committee,
        verbose_name=_("committee"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="committee_memberships",
    )
    role = models.CharField(
        _("role"), max_length=12, choices=Role.choices, default=Role.MEMBER
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="committee_seats",
        help_text=_("The organisation the member represents, if one was recorded."),
    )

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "user"], name="lifecycle_member_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.committee.code}: {self.user} ({self.get_role_display()})"

    @property
    def votes(self) -> bool:
        return self.role != self.Role.OBSERVER


class State(models.Model):
    """One state of the standard-development workflow (as the IETF Datatracker
    stores document states): proposal, approved, drafting, consultation,
    review, submitted, published, implemented, suspended, cancelled."""

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    terminal = models.BooleanField(_("terminal"), default=False)
    active = models.BooleanField(
        _("active work"),
        default=True,
        help_text=_("Projects in this state are being worked on and can be overdue."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("workflow state")
        verbose_name_plural = _("workflow states")
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self.name_zh, self.name_en)


class Transition(models.Model):
    """An allowed move between two states and who may take it.

    ``roles`` is a comma-separated list of platform roles (staff, reviewer,
    administrator) and ``secretary`` for the secretary of the project's
    committee; any one of them suffices. Administrators may take every move.
    """

    from_state = models.ForeignKey(
        State,
        verbose_name=_("from state"),
        on_delete=models.CASCADE,
        related_name="transitions_out",
    )
    to_state = models.ForeignKey(
        State,
        verbose_name=_("to state"),
        on_delete=models.CASCADE,
        related_name="transitions_in",
    )
    slug = models.SlugField(_("slug"), max_length=60)
    label_zh = models.CharField(_("Chinese label"), max_length=100)
    label_en = models.CharField(_("English label"), max_length=100)
    roles = models.CharField(_("roles"), max_length=200, default="staff")
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")
        ordering = ["from_state__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_state", "to_state"], name="lifecycle_transition_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_state.slug} → {self.to_state.slug}"

    @property
    def label(self) -> str:
        return localised(self.label_zh, self.label_en)

    @property
    def role_list(self) -> list[str]:
        return [r.strip() for r in self.roles.split(",") if r.strip()]


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


class PatentDisclosure(models.Model):
    """A declaration that a patent may be essential to a draft or standard,
    with the holder's licensing declaration (free, FRAND, not willing)."""

    class Licensing(models.TextChoices):
        FREE = "free", _("Free of charge")
        FRAND = "frand", _("Fair, reasonable and non-discriminatory (FRAND)")
        UNWILLING = "unwilling", _("Not willing to license")

    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="patents",
    )
    standard = models.ForeignKey(
        Standard,
        verbose_name=_("standard"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="patent_disclosures",
    )
    patent_number = models.CharField(_("patent number"), max_length=100)
    title = models.CharField(_("patent title"), max_length=500, blank=True)
    holder = models.CharField(_("patent holder"), max_length=300)
    holder_organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("holder (registered organisation)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="patent_disclosures",
        help_text=_("Matched from the holder's name, or linked by staff."),
    )
    licensing = models.CharField(
        _("licensing declaration"), max_length=10, choices=Licensing.choices
    )
    declarant = models.CharField(_("declared by"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        verbose_name = _("patent disclosure")
        verbose_name_plural = _("patent disclosures")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(project__isnull=False)
                | models.Q(standard__isnull=False),
                name="lifecycle_patent_has_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.patent_number} ({self.holder})"


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
