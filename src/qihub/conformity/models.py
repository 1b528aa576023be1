"""Conformity assessment: accredited scopes, test requests and reports,
certification schemes and certificates, mutual recognition agreements.

Testing, inspection and certification bodies are organisations of the
registry (kind and ``accredited_body`` designation); this app only adds what
they do.
"""

import secrets

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qihub.core.events import Event
from qihub.core.i18n import localised
from qihub.core.models import TimeStampedModel, actor_field


def _token() -> str:
    return secrets.token_urlsafe(12)


class ScopeLine(TimeStampedModel):
    """One line of a body's accredited scope, in the CNAS layout: object
    (product category) × parameter × standard and clause × limitation.

    ``parameter_key`` is the requirement vocabulary's key for the parameter
    (its own name when unknown), so search and report checks meet. A line is
    *flagged* when its standard is replaced or withdrawn: the body must extend
    its accreditation to the new edition.
    """

    body = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("body"),
        on_delete=models.PROTECT,
        related_name="scope_lines",
    )
    #: The body's region code, copied onto the line (``receivers``) so "who
    #: can test this" filters a region on the lines' own index: joining
    #: every line's body to test its region walked ~3,300 lines for a page
    #: of 200 in a province holding 6 % of the bodies (30 ms of CPU).
    body_region = models.CharField(
        _("body's region"), max_length=6, blank=True, default="", editable=False
    )
    seq = models.CharField(_("line number"), max_length=20, blank=True)
    object_name = models.CharField(_("object (product category)"), max_length=200)
    object_key = models.CharField(max_length=200, editable=False, db_index=True)
    parameter_number = models.CharField(
        _("parameter number"), max_length=20, blank=True
    )
    parameter_name_zh = models.CharField(
        _("parameter (Chinese)"), max_length=200, blank=True
    )
    parameter_name_en = models.CharField(
        _("parameter (English)"), max_length=200, blank=True
    )
    parameter_key = models.CharField(_("parameter key"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40)
    standard = models.ForeignKey(
        "catalog.Standard",
        verbose_name=_("standard"),
        on_delete=models.PROTECT,
        related_name="scope_lines",
    )
    standard_text = models.CharField(_("standard as written"), max_length=300)
    clause = models.CharField(_("clause"), max_length=60, blank=True)
    limitation = models.CharField(_("limitation or range"), max_length=300, blank=True)
    remarks = models.CharField(_("remarks"), max_length=300, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    flagged_at = models.DateTimeField(_("flagged at"), null=True, blank=True)
    flag_reason = models.CharField(_("flag reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("scope line")
        verbose_name_plural = _("scope lines")
        ordering = ["body", "id"]
        indexes = [
            # "who can test this" walks a parameter's lines in (region, body)
            # order, under one standard (the exact rank) or under any (the
            # others); a region filter is a range of that order
            models.Index(
                fields=["parameter_key", "standard", "body_region", "body", "id"],
                name="scope_param_std_region",
            ),
            models.Index(
                fields=["parameter_key", "body_region", "body", "id"],
                name="scope_param_region",
            ),
            models.Index(fields=["standard"], name="scope_standard"),
            models.Index(fields=["body", "flagged_at"], name="scope_body_flag"),
        ]

    def __str__(self) -> str:
        return f"{self.object_name} · {self.parameter_name} · {self.standard_text}"

    @property
    def parameter_name(self) -> str:
        return localised(self.parameter_name_zh, self.parameter_name_en)

    def valid_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class TestRequest(TimeStampedModel):
    """An enterprise (or anyone registered) asks a body to test a product.

    States: *requested* → *quoted* → *accepted* or *declined* → *sample
    received* → *report issued*; a request can also be *cancelled* by the
    client before the sample arrives. ``due_on`` is the deadline of the
    current step (the body's answer, the client's acceptance, the report).
    """

    __test__ = False  # not a pytest test class

    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        QUOTED = "quoted", _("Quoted")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        SAMPLE_RECEIVED = "sample_received", _("Sample received")
        REPORT_ISSUED = "report_issued", _("Report issued")
        CANCELLED = "cancelled", _("Cancelled")

    body = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("body"),
        on_delete=models.PROTECT,
        related_name="test_requests_received",
    )
    client = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="test_requests_made",
    )
    requester = actor_field()
    product = models.CharField(_("product"), max_length=200)
    parameters = models.CharField(_("parameters"), max_length=500)
    standard = models.ForeignKey(
        "catalog.Standard",
        verbose_name=_("standard"),
        on_delete=models.PROTECT,
        related_name="test_requests",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.REQUESTED
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    quote = models.CharField(_("quote"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("test request")
        verbose_name_plural = _("test requests")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.product} → {self.body}"

    def get_absolute_url(self) -> str:
        return reverse("conformity:request_detail", args=[self.pk])


class TestRequestEvent(Event):
    """One step of a test request: who, when, which state, why."""

    __test__ = False

    request = models.ForeignKey(
        TestRequest,
        verbose_name=_("test request"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    type = models.CharField(
        _("state"), max_length=20, choices=TestRequest.State, db_column="state"
    )

    class Meta:
        verbose_name = _("test request event")
        verbose_name_plural = _("test request events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.type}"


class Outcome(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")
    CANNOT_EVALUATE = "cannot_evaluate", _("Cannot evaluate")


class TestReport(TimeStampedModel):
    """A test report of a body for a client's product sample.

    A *draft* is being written; on *issue* every result is checked by the
    requirement engine against the cited standards' confirmed requirements,
    and the body's written conclusion must agree with the computed one. An
    issued report is never deleted: it is *revoked* with a reason.
    """

    __test__ = False

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")
        REVOKED = "revoked", _("Revoked")

    class Conclusion(models.TextChoices):
        PASS = "pass", _("Conforms")
        FAIL = "fail", _("Does not conform")

    number = models.CharField(_("report number"), max_length=60, unique=True)
    body = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("body"),
        on_delete=models.PROTECT,
        related_name="test_reports_issued",
    )
    client = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="test_reports",
    )
    request = models.OneToOneField(
        TestRequest,
        verbose_name=_("test request"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report",
    )
    product = models.CharField(_("product"), max_length=200)
    sample = models.CharField(_("sample"), max_length=300, blank=True)
    standards = models.ManyToManyField(
        "catalog.Standard", verbose_name=_("standards"), related_name="test_reports"
    )
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    conclusion = models.CharField(
        _("written conclusion"), max_length=10, choices=Conclusion.choices
    )
    computed = models.CharField(
        _("computed conclusion"), max_length=20, choices=Outcome.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.TextField(_("revocation reason"), blank=True)
    verify_token = models.CharField(max_length=32, default=_token, editable=False)

    class Meta:
        verbose_name = _("test report")
        verbose_name_plural = _("test reports")
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["body", "status"], name="report_body_status")]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("conformity:report_detail", args=[self.pk])


class TestResult(models.Model):
    """One parameter's result in a report, with the engine's verdict."""

    __test__ = False

    report = models.ForeignKey(
        TestReport,
        verbose_name=_("test report"),
        on_delete=models.CASCADE,
        related_name="results",
    )
    parameter = models.CharField(_("parameter"), max_length=200)
    parameter_key = models.CharField(_("parameter key"), max_length=200)
    value = models.CharField(_("value"), max_length=60)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    uncertainty = models.CharField(_("uncertainty"), max_length=40, blank=True)
    method = models.CharField(_("method"), max_length=200, blank=True)
    limit_quoted = models.CharField(_("limit quoted"), max_length=100, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, blank=True
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    requirement = models.CharField(_("requirement"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("test result")
        verbose_name_plural = _("test results")
        ordering = ["report", "id"]

    def __str__(self) -> str:
        return f"{self.parameter} = {self.value} {self.unit}".strip()


class ReportEvent(Event):
    """One change to a report: created, issued, revoked."""

    class Type(models.TextChoices):
        CREATED = "created", _("Drafted")
        ISSUED = "issued", _("Issued")
        REVOKED = "revoked", _("Revoked")

    report = models.ForeignKey(
        TestReport,
        verbose_name=_("test report"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)

    class Meta:
        verbose_name = _("report event")
        verbose_name_plural = _("report events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.type}"


class Scheme(TimeStampedModel):
    """A certification scheme: the standards and rules a body certifies
    against (a city-standard certification, a voluntary product scheme)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    owner = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("scheme owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="schemes",
    )
    standards = models.ManyToManyField(
        "catalog.Standard", verbose_name=_("standards"), related_name="schemes"
    )
    rules = models.TextField(_("rules"), blank=True)
    validity_years = models.PositiveSmallIntegerField(_("validity (years)"), default=3)
    surveillance_months = models.PositiveSmallIntegerField(
        _("surveillance interval (months)"), default=12
    )

    class Meta:
        verbose_name = _("certification scheme")
        verbose_name_plural = _("certification schemes")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self.name_zh, self.name_en) or self.code


class Application(TimeStampedModel):
    """An applicant asks a certification body for a certificate under a
    scheme. Evaluation: a test report plus a factory inspection record; then
    a decision (granted → certificate, or refused)."""

    class State(models.TextChoices):
        APPLIED = "applied", _("Applied")
        EVALUATED = "evaluated", _("Evaluated")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    scheme = models.ForeignKey(
        Scheme,
        verbose_name=_("scheme"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    body = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("certification body"),
        on_delete=models.PROTECT,
        related_name="certification_applications",
    )
    applicant = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    products = models.CharField(_("products"), max_length=300)
    models_text = models.CharField(_("models"), max_length=300, blank=True)
    standard = models.ForeignKey(
        "catalog.Standard",
        verbose_name=_("standard"),
        on_delete=models.PROTECT,
        related_name="certification_applications",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.APPLIED
    )
    test_report = models.ForeignKey(
        TestReport,
        verbose_name=_("test report"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    inspection_on = models.DateField(_("factory inspected on"), null=True, blank=True)
    inspection_passed = models.BooleanField(_("factory inspection passed"), null=True)
    inspection_notes = models.TextField(_("factory inspection record"), blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)

    class Meta:
        verbose_name = _("certification application")
        verbose_name_plural = _("certification applications")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.applicant} · {self.products}"

    def get_absolute_url(self) -> str:
        return reverse("conformity:application_detail", args=[self.pk])


class ApplicationEvent(Event):
    """One step of a certification application: who, when, which state it
    entered (applied, evaluated, granted or refused: the decision) and the
    note given. Written by the services only."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    type = models.CharField(
        _("state"), max_length=20, choices=Application.State, db_column="state"
    )
    reason = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.type}"


class Certificate(TimeStampedModel):
    """A certificate with its scope (products, models, standard), validity
    and surveillance schedule. Statuses: *valid*, *suspended* (may be
    restored), *withdrawn* (final), *expired* (past ``valid_until``); a
    renewal issues a new certificate that ``replaces`` the old one."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        SUSPENDED = "suspended", _("Suspended")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    number = models.CharField(_("certificate number"), max_length=60, unique=True)
    scheme = models.ForeignKey(
        Scheme,
        verbose_name=_("scheme"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    body = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("certification body"),
        on_delete=models.PROTECT,
        related_name="certificates_issued",
    )
    holder = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    products = models.CharField(_("products"), max_length=300)
    models_text = models.CharField(_("models"), max_length=300, blank=True)
    standard = models.ForeignKey(
        "catalog.Standard",
        verbose_name=_("standard"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    next_surveillance_on = models.DateField(
        _("next surveillance"), null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.VALID
    )
    status_reason = models.TextField(_("reason"), blank=True)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("renews"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewed_by",
    )
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-valid_from", "-id"]
        indexes = [
            models.Index(fields=["status", "valid_until"], name="cert_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=models.F("valid_from")),
                name="certificate_valid_until_after_from",
            )
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("conformity:certificate_detail", args=[self.pk])


class CertificateEvent(Event):
    """One change of a certificate: issued, suspended, restored, withdrawn,
    expired, renewed, surveillance done."""

    class Type(models.TextChoices):
        ISSUED = "issued", _("Issued")
        SUSPENDED = "suspended", _("Suspended")
        RESTORED = "restored", _("Restored")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")
        RENEWED = "renewed", _("Renewed")
        SURVEILLED = "surveilled", _("Surveillance audit")
        REMINDED = "reminded", _("Surveillance reminder")

    certificate = models.ForeignKey(
        Certificate,
        verbose_name=_("certificate"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)

    class Meta:
        verbose_name = _("certificate event")
        verbose_name_plural = _("certificate events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.type}"


class Agreement(TimeStampedModel):
    """A mutual recognition agreement: ILAC or IAF MRA membership, or a
    bilateral agreement between a domestic and a foreign body. ``bodies``
    are the bodies whose results it covers; ``markets`` the places that
    accept them; empty ``products``/``standards`` mean the whole scope."""

    class Kind(models.TextChoices):
        ILAC_MRA = "ilac_mra", _("ILAC MRA")
        IAF_MLA = "iaf_mla", _("IAF MLA")
        BILATERAL = "bilateral", _("Bilateral agreement")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    bodies = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("bodies covered"),
        related_name="agreements",
    )
    markets = models.JSONField(_("markets"), default=list)
    products = models.JSONField(_("product categories"), default=list, blank=True)
    standards = models.ManyToManyField(
        "catalog.Standard",
        verbose_name=_("standards"),
        related_name="agreements",
        blank=True,
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("recognition agreement")
        verbose_name_plural = _("recognition agreements")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReportCitation(models.Model):
    """A declaration (one core indicator) or a spot check citing a test report
    as evidence. A link model here so the declarations models stay as they are."""

    report = models.ForeignKey(
        TestReport,
        verbose_name=_("test report"),
        on_delete=models.PROTECT,
        related_name="citations",
    )
    declaration = models.ForeignKey(
        "declarations.Declaration",
        verbose_name=_("declaration"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    indicator = models.ForeignKey(
        "declarations.Indicator",
        verbose_name=_("indicator"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    spot_check = models.ForeignKey(
        "declarations.SpotCheck",
        verbose_name=_("spot check"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("cited at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report citation")
        verbose_name_plural = _("report citations")
        constraints = [
            models.CheckConstraint(
                condition=Q(declaration__isnull=False) | Q(spot_check__isnull=False),
                name="report_citation_cites_something",
            )
        ]

    def __str__(self) -> str:
        return self.report.number
