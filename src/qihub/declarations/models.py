"""Enterprise standard self-declarations, double-random spot checks and forerunners.

An *enterprise* (identified by its unified social credit code) publicly
declares which standards each of its products or services executes and the
core indicators it guarantees. Declarations are versioned: a change publishes
a new version and the old one stays visible. The authority supervises by
drawing random spot checks, and ranks declared standards per product category
to publish the "forerunner" (领跑者) leaders list.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qihub.core.events import Event
from qihub.core.models import TimeStampedModel


class Enterprise(TimeStampedModel):
    """A registered enterprise that declares the standards it executes.

    The enterprise is an ``organisations.Organisation`` (kind enterprise):
    its name, unified social credit code (GB 32100) and region are the
    organisation's. The organisation's users (``organisations.Membership``)
    manage its declarations; its administrators manage its members.
    ``industry`` is what the spot-check strata group by.
    """

    organisation = models.OneToOneField(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="enterprise",
    )
    industry = models.CharField(_("industry"), max_length=100, db_index=True)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["organisation__name_key"]

    def __str__(self) -> str:
        return f"{self.name} ({self.credit_code})" if self.credit_code else self.name

    def get_absolute_url(self) -> str:
        return reverse("declarations:enterprise_detail", args=[self.pk])

    @property
    def name(self) -> str:
        return self.organisation.name

    @property
    def credit_code(self) -> str:
        return self.organisation.credit_code

    @property
    def region_code(self) -> str:
        return self.organisation.region_id or ""

    @property
    def region_name(self) -> str:
        region = self.organisation.region
        return region.name if region is not None else ""


class Declaration(TimeStampedModel):
    """One product or service's self-declaration, across all its versions.

    States: *draft* (never published), *published* (public, its
    ``current_version`` is the one in effect) and *withdrawn* (no longer in
    effect; kept visible). The columns after ``current_version`` are
    denormalised from the current version and the enterprise's organisation
    (``region`` is its GB/T 2260 code, ``enterprise_key`` its name's search
    key) so the public search runs on indexed columns of one table; the
    services keep them in sync.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Check(models.TextChoices):
        UNCHECKED = "unchecked", _("Not checked")
        OK = "ok", _("No problems found")
        FLAGGED = "flagged", _("Problems found")

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="declarations",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    current_version = models.ForeignKey(
        "DeclarationVersion",
        verbose_name=_("current version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    product_name = models.CharField(_("product or service"), max_length=200, blank=True)
    product_key = models.CharField(max_length=200, editable=False, default="")
    category = models.CharField(_("product category"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    enterprise_key = models.CharField(max_length=200, editable=False, default="")
    credit_code = models.CharField(max_length=18, editable=False, default="")
    check_status = models.CharField(
        _("check result"),
        max_length=12,
        choices=Check.choices,
        default=Check.UNCHECKED,
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "product_key"], name="decl_status_product"),
            models.Index(fields=["status", "enterprise_key"], name="decl_status_ent"),
            models.Index(fields=["status", "credit_code"], name="decl_status_credit"),
            models.Index(fields=["status", "region", "-id"], name="decl_status_region"),
            models.Index(
                fields=["status", "region", "product_key"],
                name="decl_status_region_product",
            ),
            models.Index(fields=["status", "category"], name="decl_status_category"),
            models.Index(fields=["status", "industry"], name="decl_status_industry"),
        ]

    def __str__(self) -> str:
        return self.product_name or f"#{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("declarations:declaration_detail", args=[self.pk])


class DeclarationVersion(TimeStampedModel):
    """One version of a declaration's content; immutable once published.

    Statuses: *draft* (being edited), *published* (in effect), *superseded*
    (an older published version, still visible as history) and *withdrawn*
    (the version in effect when the declaration was withdrawn).
    ``check_results`` holds the latest automatic check (see
    ``declaration_checks``); every run is also kept as a ``CheckRun``.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    declaration = models.ForeignKey(
        Declaration,
        verbose_name=_("declaration"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    product_name = models.CharField(_("product or service"), max_length=200)
    category = models.CharField(_("product category"), max_length=100)
    is_service = models.BooleanField(_("service"), default=False)
    effective_on = models.DateField(_("effective date"), null=True, blank=True)
    q_standard_file = models.FileField(
        _("enterprise standard file"),
        upload_to="declarations/q/%Y/",
        blank=True,
    )
    check_status = models.CharField(
        _("check result"),
        max_length=12,
        choices=Declaration.Check.choices,
        default=Declaration.Check.UNCHECKED,
    )
    check_results = models.JSONField(_("check results"), default=list, blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("declaration version")
        verbose_name_plural = _("declaration versions")
        ordering = ["declaration", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "number"], name="decl_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_name} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("declarations:declaration_detail", args=[self.declaration_id])


class DeclaredStandard(models.Model):
    """A standard that a declaration version says the product executes.

    This is the citation table the bulk re-check reads: it is indexed by
    ``standard``. ``identifier`` keeps the text as declared (an enterprise's
    own Q/ standard need not be in the catalogue). ``flag`` is the result of
    the last check of this citation.
    """

    class Flag(models.TextChoices):
        OK = "ok", _("In force")
        MISSING = "missing", _("Not in the catalogue")
        NOT_IN_FORCE = "not_in_force", _("Not in force")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REPLACED = "replaced", _("Replaced")
        OWN = "own", _("Enterprise standard")

    version = models.ForeignKey(
        DeclarationVersion,
        verbose_name=_("declaration version"),
        on_delete=models.CASCADE,
        related_name="standards",
    )
    standard = models.ForeignKey(
        "catalog.Standard",
        verbose_name=_("standard"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="declared_by",
    )
    identifier = models.CharField(_("identifier"), max_length=200)
    flag = models.CharField(
        _("check"), max_length=14, choices=Flag.choices, default=Flag.OK
    )
    replacement = models.ForeignKey(
        "catalog.Standard",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("declared standard")
        verbose_name_plural = _("declared standards")
        ordering = ["version", "id"]
        indexes = [
            models.Index(fields=["standard", "version"], name="decl_std_version"),
        ]

    def __str__(self) -> str:
        return self.identifier


class Indicator(models.Model):
    """A core indicator the enterprise declares: parameter, limit, unit, method.

    "formaldehyde ≤ 20 mg/kg" is ``parameter="formaldehyde"``, ``operator="<="``,
    ``value=20``, ``unit="mg/kg"``; it converts to a check-engine
    ``RequirementSpec`` with ``to_spec()``.
    """

    class Operator(models.TextChoices):
        LE = "<=", "≤"
        LT = "<", "<"
        GE = ">=", "≥"
        GT = ">", ">"
        EQ = "=", "="
        RANGE = "range", _("range")

    version = models.ForeignKey(
        DeclarationVersion,
        verbose_name=_("declaration version"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    parameter = models.CharField(_("parameter"), max_length=80)
    operator = models.CharField(_("operator"), max_length=6, choices=Operator.choices)
    value = models.DecimalField(_("value"), max_digits=24, decimal_places=10)
    upper = models.DecimalField(
        _("upper value"), max_digits=24, decimal_places=10, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    test_method = models.CharField(_("test method"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["version", "id"]
        indexes = [models.Index(fields=["parameter"], name="decl_indicator_param")]

    def __str__(self) -> str:
        return f"{self.parameter} {self.limit_text}"

    @property
    def limit_text(self) -> str:
        """The declared limit without the parameter ("<= 20 mg/kg", "4–7.5")."""
        value = f"{self.value.normalize():f}"
        if self.operator == self.Operator.RANGE:
            text = (
                f"{value}–{self.upper.normalize():f}"
                if self.upper is not None
                else value
            )
        else:
            text = f"{self.get_operator_display()} {value}"
        return f"{text} {self.unit}".strip()

    def to_spec(self):
        """This indicator as a check-engine requirement."""
        from qihub.requirements.checks import RequirementSpec

        return RequirementSpec(
            parameter=self.parameter,
            operator=self.operator,
            value=self.value.normalize(),
            upper=self.upper.normalize() if self.upper is not None else None,
            unit=self.unit,
            ref=self.pk,
        )


class CheckRun(models.Model):
    """One run of the automatic checks on a declaration version, kept as history."""

    class Trigger(models.TextChoices):
        SUBMIT = "submit", _("On submission")
        STANDARD_CHANGED = "standard_changed", _("A cited standard changed")
        MANUAL = "manual", _("Re-run by hand")

    version = models.ForeignKey(
        DeclarationVersion,
        verbose_name=_("declaration version"),
        on_delete=models.CASCADE,
        related_name="check_runs",
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    check_status = models.CharField(
        _("check result"), max_length=12, choices=Declaration.Check.choices
    )
    results = models.JSONField(_("results"), default=list, blank=True)

    class Meta:
        verbose_name = _("check run")
        verbose_name_plural = _("check runs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.version_id} {self.check_status} {self.created_at:%Y-%m-%d %H:%M}"


class DeclarationEvent(Event):
    """Something that happened to a declaration: who, when, what, why."""

    class Type(models.TextChoices):
        CREATED = "created", _("Created")
        EDITED = "edited", _("Draft edited")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        CHECKED = "checked", _("Checked")
        IMPORTED = "imported", _("Imported")

    declaration = models.ForeignKey(
        Declaration,
        verbose_name=_("declaration"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    version = models.ForeignKey(
        DeclarationVersion,
        verbose_name=_("version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    type = models.CharField(_("type"), max_length=12, choices=Type.choices)

    class Meta:
        verbose_name = _("declaration event")
        verbose_name_plural = _("declaration events")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.declaration_id} {self.type}"


class Notice(models.Model):
    """A message in an enterprise's inbox (check results, spot-check findings)."""

    class Kind(models.TextChoices):
        CHECK = "check", _("Check result")
        STANDARD_CHANGED = "standard_changed", _("Cited standard changed")
        SPOT_CHECK = "spot_check", _("Spot check")

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    declaration = models.ForeignKey(
        Declaration,
        verbose_name=_("declaration"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notices",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("message"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["enterprise", "-created_at"], name="decl_notice_ent_time"
            )
        ]

    def __str__(self) -> str:
        return self.subject


class Inspector(TimeStampedModel):
    """A person the authority may send to check a declaration.

    ``organisation`` is where the inspector works. An inspector is never
    assigned to a declaration of an enterprise that is their own
    organisation (compared by organisation, not by spelling).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspector",
    )
    name = models.CharField(_("name"), max_length=100)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="inspectors",
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("inspector")
        verbose_name_plural = _("inspectors")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class SpotCheckPlan(TimeStampedModel):
    """A "double random" (双随机) spot-check campaign.

    The sample of published declarations is drawn per stratum (region ×
    industry) with ``share`` of each stratum (at least one), and an inspector
    is drawn for each, both from ``random.Random(seed)`` over a deterministic
    ordering, so the draw can be repeated and verified from the recorded seed.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        DRAWN = "drawn", _("Drawn")
        PUBLISHED = "published", _("Results published")

    name = models.CharField(_("name"), max_length=200)
    seed = models.BigIntegerField(_("random seed"))
    share = models.DecimalField(
        _("share of each stratum"), max_digits=5, decimal_places=4
    )
    regions = models.JSONField(_("regions"), default=list, blank=True)
    industries = models.JSONField(_("industries"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("spot-check plan")
        verbose_name_plural = _("spot-check plans")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("declarations:spotcheck_detail", args=[self.pk])


class SpotCheck(TimeStampedModel):
    """One declaration drawn for inspection, its inspector and the finding.

    Outcomes: *pending*, *conforming*, *non-conforming* (with the
    non-conforming items and a rectification deadline) and *rectified*.
    """

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        CONFORMING = "conforming", _("Conforming")
        NONCONFORMING = "nonconforming", _("Non-conforming")
        RECTIFIED = "rectified", _("Rectified")

    plan = models.ForeignKey(
        SpotCheckPlan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="checks",
    )
    declaration = models.ForeignKey(
        Declaration,
        verbose_name=_("declaration"),
        on_delete=models.PROTECT,
        related_name="spot_checks",
    )
    version = models.ForeignKey(
        DeclarationVersion,
        verbose_name=_("declaration version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    inspector = models.ForeignKey(
        Inspector,
        verbose_name=_("inspector"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="spot_checks",
    )
    stratum = models.CharField(_("stratum"), max_length=210)
    position = models.PositiveIntegerField(_("draw order"))
    outcome = models.CharField(
        _("outcome"), max_length=14, choices=Outcome.choices, default=Outcome.PENDING
    )
    items = models.JSONField(_("non-conforming items"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    deadline = models.DateField(_("rectification deadline"), null=True, blank=True)
    rectified_on = models.DateField(_("rectified on"), null=True, blank=True)

    class Meta:
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "declaration"], name="decl_spotcheck_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}/{self.position} {self.declaration_id}"


class ForerunnerEvaluation(TimeStampedModel):
    """An enterprise-standard forerunner (领跑者) evaluation for one category.

    ``indicators`` is a list of ``{"parameter", "direction", "weight"}`` with
    direction ``higher`` or ``lower`` (better). ``results`` holds the ranked
    declarations as computed; publishing freezes the leaders list.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COMPUTED = "computed", _("Computed")
        PUBLISHED = "published", _("Published")

    category = models.CharField(_("product category"), max_length=100, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    indicators = models.JSONField(_("indicators"), default=list)
    leaders = models.PositiveSmallIntegerField(_("number of leaders"), default=3)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    results = models.JSONField(_("ranking"), default=list, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("forerunner evaluation")
        verbose_name_plural = _("forerunner evaluations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("declarations:forerunner_detail", args=[self.pk])
