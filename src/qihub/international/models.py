"""International standardization: who takes part in ISO/IEC/ITU work, the
people trained for it, and the WTO trade measures that touch the catalogue.

A *technical body* is an ISO, IEC or ITU technical committee (TC), its
subcommittee (SC) or a working group (WG), with the domestic mirror committee
that follows it. A *post* is a seat held for a term (chair, secretariat,
convenor, project leader, registered expert). An *international project*
runs through the harmonized stage codes (``stages.STAGES``) to a published
deliverable, which the catalogue holds and a domestic standard may adopt.

A *training course* of an international-standards training base has
*trainees*; a trainee is *active* once they hold a post or lead a project.

A *TBT notification* is a WTO TBT or SPS notification (G/TBT/N/..., G/SPS/N/...);
its *matches* are the ICS fields and catalogue standards it touches, kept as
rows; the enterprises it touches are read from the declarations in those
fields (``selectors.tbt_enterprises``), so they are never out of date and a
wide field costs no rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qihub.core.events import Event
from qihub.core.i18n import localised
from qihub.core.models import TimeStampedModel


class TechnicalBody(TimeStampedModel):
    """An ISO/IEC/ITU technical committee, subcommittee or working group.

    ``reference`` is what the body calls itself (``ISO/TC 34/SC 5``); the
    domestic mirror committee is the lifecycle committee when the platform
    knows it, else its name as text, with the organisation that runs it."""

    class Organisation(models.TextChoices):
        ISO = "ISO", "ISO"
        IEC = "IEC", "IEC"
        ISO_IEC = "ISO/IEC", "ISO/IEC JTC"
        ITU = "ITU", "ITU"

    class Kind(models.TextChoices):
        TC = "TC", _("Technical committee (TC)")
        SC = "SC", _("Subcommittee (SC)")
        WG = "WG", _("Working group (WG)")

    reference = models.CharField(_("reference"), max_length=80, unique=True)
    body = models.CharField(
        _("standards organisation"), max_length=8, choices=Organisation.choices
    )
    kind = models.CharField(_("kind"), max_length=2, choices=Kind.choices)
    number = models.PositiveIntegerField(_("number"))
    title_zh = models.CharField(_("Chinese title"), max_length=300, blank=True)
    title_en = models.CharField(_("English title"), max_length=300, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    mirror_committee = models.ForeignKey(
        "lifecycle.Committee",
        verbose_name=_("domestic mirror committee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="international_bodies",
    )
    mirror_name = models.CharField(
        _("domestic mirror committee (as named)"), max_length=300, blank=True
    )
    mirror_organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation running the mirror committee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mirror_bodies",
    )

    class Meta:
        verbose_name = _("technical body")
        verbose_name_plural = _("technical bodies")
        ordering = ["reference"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}".strip()

    def get_absolute_url(self) -> str:
        return reverse("international:body_detail", args=[self.pk])

    @property
    def title(self) -> str:
        return localised(self.title_zh, self.title_en)


class Post(TimeStampedModel):
    """A seat in a technical body held for a term by a person of an
    organisation (or, for a secretariat, by the organisation itself)."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        SECRETARIAT = "secretariat", _("Secretariat")
        CONVENOR = "convenor", _("Convenor")
        PROJECT_LEADER = "project_leader", _("Project leader")
        EXPERT = "expert", _("Registered expert")

    body = models.ForeignKey(
        TechnicalBody,
        verbose_name=_("technical body"),
        on_delete=models.PROTECT,
        related_name="posts",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    person_name = models.CharField(_("person"), max_length=100, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="international_posts",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="international_posts",
    )
    term_start = models.DateField(_("term starts on"))
    term_end = models.DateField(_("term ends on"))

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["body", "role", "-term_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__gt=models.F("term_start")),
                name="intl_post_term_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["organisation"], name="intl_post_org")]

    def __str__(self) -> str:
        who = self.person_name or str(self.organisation)
        return f"{self.body.reference} {self.get_role_display()}: {who}"


class InternationalProject(TimeStampedModel):
    """A new work item proposal and the project that follows it, at an ISO
    harmonized stage (``stages.STAGES``), led by an organisation and its
    expert, with participating organisations and the deliverable it led to."""

    reference = models.CharField(_("reference"), max_length=120, unique=True)
    title_en = models.CharField(_("English title"), max_length=500, blank=True)
    title_zh = models.CharField(_("Chinese title"), max_length=500, blank=True)
    body = models.ForeignKey(
        TechnicalBody,
        verbose_name=_("technical body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    committee_text = models.CharField(
        _("committee (as named)"), max_length=80, blank=True
    )
    leading_organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("leading organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="international_projects_led",
    )
    leader_name = models.CharField(_("project leader"), max_length=100, blank=True)
    participants = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("participating organisations"),
        blank=True,
        related_name="international_projects",
    )
    stage = models.CharField(_("stage"), max_length=5)
    stage_on = models.DateField(_("stage reached on"), null=True, blank=True)
    proposed_on = models.DateField(_("proposed on"), null=True, blank=True)
    target_dis_on = models.DateField(_("target DIS date"), null=True, blank=True)
    target_publication_on = models.DateField(
        _("target publication date"), null=True, blank=True
    )
    standard = models.ForeignKey(
        "catalog.Standard",
        verbose_name=_("published standard"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="international_projects",
    )
    domestic_adoption = models.ForeignKey(
        "catalog.Standard",
        verbose_name=_("domestic adoption"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    external_id = models.CharField(_("ISO Open Data id"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("international project")
        verbose_name_plural = _("international projects")
        ordering = ["-proposed_on", "reference"]
        indexes = [
            models.Index(fields=["leading_organisation"], name="intl_project_lead"),
            models.Index(fields=["stage"], name="intl_project_stage"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("international:project_detail", args=[self.pk])

    @property
    def title(self) -> str:
        return localised(self.title_zh, self.title_en)

    @property
    def stage_title(self) -> str:
        from qihub.international.stages import stage_title

        return stage_title(self.stage)


class TrainingCourse(TimeStampedModel):
    """A course of an international-standards training base."""

    title = models.CharField(_("title"), max_length=300)
    training_base = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("training base"),
        on_delete=models.PROTECT,
        related_name="training_courses",
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="intl_course_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Trainee(TimeStampedModel):
    """A person of an organisation on a course; ``certificate_number`` is
    their completion certificate (blank until they complete it)."""

    course = models.ForeignKey(
        TrainingCourse,
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="trainees",
    )
    person_name = models.CharField(_("person"), max_length=100)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="trainees",
    )
    certificate_number = models.CharField(
        _("completion certificate"), max_length=60, blank=True
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("trainee")
        verbose_name_plural = _("trainees")
        ordering = ["course", "person_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate_number"],
                condition=~Q(certificate_number=""),
                name="intl_trainee_certificate_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_name} ({self.organisation})"


class TbtNotification(TimeStampedModel):
    """A WTO TBT or SPS notification as exported by ePing / TBT IMS."""

    class Kind(models.TextChoices):
        TBT = "TBT", "TBT"
        SPS = "SPS", "SPS"

    symbol = models.CharField(_("symbol"), max_length=80, unique=True)
    kind = models.CharField(_("agreement"), max_length=3, choices=Kind.choices)
    member = models.CharField(_("notifying member"), max_length=120)
    distributed_on = models.DateField(_("date of distribution"))
    products = models.TextField(_("products covered"), blank=True)
    hs_codes = models.JSONField(_("HS codes"), default=list, blank=True)
    ics_codes = models.JSONField(_("ICS codes"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    comment_deadline = models.DateField(
        _("final date for comments"), null=True, blank=True
    )
    matched_at = models.DateTimeField(_("matched at"), null=True, blank=True)

    class Meta:
        verbose_name = _("TBT/SPS notification")
        verbose_name_plural = _("TBT/SPS notifications")
        ordering = ["-distributed_on", "-id"]
        indexes = [
            models.Index(fields=["comment_deadline"], name="intl_tbt_deadline"),
        ]

    def __str__(self) -> str:
        return f"{self.symbol} ({self.member})"

    def get_absolute_url(self) -> str:
        return reverse("international:tbt_detail", args=[self.pk])


class TbtMatch(models.Model):
    """What a notification touches: an ICS field it lists (covering every
    narrower field) or a catalogue standard it cites. The enterprises whose
    published declarations fall in those fields or cite those standards are
    read from the declarations, not stored.

    An *organisation* row is an enterprise an earlier matching recorded that
    the declarations no longer show (its declaration withdrawn since): kept so
    the notification still lists whom it alerted, until it is matched again."""

    class Kind(models.TextChoices):
        ICS = "ics", _("ICS field")
        STANDARD = "standard", _("Cited standard")
        ORGANISATION = "organisation", _("Enterprise recorded by an earlier match")

    notification = models.ForeignKey(
        TbtNotification,
        verbose_name=_("notification"),
        on_delete=models.CASCADE,
        related_name="matches",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    ics_code = models.CharField(_("ICS code"), max_length=12, blank=True)
    standard = models.ForeignKey(
        "catalog.Standard",
        verbose_name=_("standard"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tbt_matches",
        db_index=False,  # intl_tbtmatch_org starts with it
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("TBT match")
        verbose_name_plural = _("TBT matches")
        ordering = ["notification", "kind", "id"]
        indexes = [
            models.Index(
                fields=["organisation", "notification"],
                name="intl_tbtmatch_org",
                condition=Q(organisation__isnull=False),
            ),
            # the notifications touching an enterprise's fields and standards
            models.Index(
                fields=["ics_code", "notification"],
                name="intl_tbtmatch_ics",
                condition=Q(kind="ics"),
            ),
            models.Index(
                fields=["standard", "notification"],
                name="intl_tbtmatch_std",
                condition=Q(kind="standard"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification.symbol} → {self.get_kind_display()}"


class InternationalEvent(Event):
    """One change in this domain: who, when, what, why (posts, projects,
    courses, imports, TBT matching)."""

    class Type(models.TextChoices):
        BODY_REGISTERED = "body", _("Technical body registered")
        POST_ASSIGNED = "post", _("Post assigned")
        PROJECT_REGISTERED = "project", _("Project registered")
        STAGE_CHANGED = "stage", _("Stage changed")
        COURSE = "course", _("Training course recorded")
        TRAINEE = "trainee", _("Trainee enrolled or certified")
        IMPORTED = "imported", _("Imported")
        TBT_MATCHED = "tbt_matched", _("TBT notification matched")

    type = models.CharField(_("type"), max_length=12, choices=Type.choices)
    project = models.ForeignKey(
        InternationalProject,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    body = models.ForeignKey(
        TechnicalBody,
        verbose_name=_("technical body"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )

    class Meta:
        verbose_name = _("international event")
        verbose_name_plural = _("international events")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} {self.get_type_display()}"
