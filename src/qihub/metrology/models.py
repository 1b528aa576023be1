"""Metrology: measurement standards, instruments, calibrations and traceability.

A *calibration event* (calibration or verification, with its certificate)
links a calibrated item (an instrument or a measurement standard) to the
measurement standard used as reference (``basic_normalUsed`` in a DCC). The
calibration events therefore form the traceability graph; a chain ends at a
national or international primary standard.
"""

import datetime
import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qihub.core.dates import add_months
from qihub.core.events import Event
from qihub.core.i18n import localised
from qihub.core.models import TimeStampedModel


class Use(models.TextChoices):
    """What an instrument is used for; the first four are compulsory categories
    under the Metrology Law, art. 9."""

    TRADE = "trade", _("Trade settlement")
    SAFETY = "safety", _("Safety protection")
    HEALTH = "health", _("Health care")
    ENVIRONMENT = "environment", _("Environmental monitoring")
    OTHER = "other", _("Other use")


COMPULSORY_USES = (Use.TRADE, Use.SAFETY, Use.HEALTH, Use.ENVIRONMENT)

#: A standard's holder applies for re-assessment six months before its
#: assessment certificate expires, so the page warns from then on.
ASSESSMENT_WARNING_MONTHS = 6


class Laboratory(TimeStampedModel):
    """A calibration or verification laboratory (a legal metrology institute,
    an authorised technical body or an accredited lab).

    It is run by an ``organisation`` (its legal entity, which may run several
    laboratories); the laboratory keeps its own code and name (a department's
    name may differ from the entity's), accreditation number and e-mail. Its
    region is the organisation's: one truth for where a party is.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="laboratories",
    )
    code = models.CharField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=300)
    accreditation_number = models.CharField(
        _("accreditation number"), max_length=100, blank=True
    )
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("laboratory")
        verbose_name_plural = _("laboratories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def region_name(self) -> str:
        """The name of the organisation's administrative division, if known."""
        region = self.organisation.region
        return region.name if region is not None else ""


class AccreditationScope(TimeStampedModel):
    """One line of a laboratory's accreditation scope: a quantity over a range,
    valid until a date."""

    laboratory = models.ForeignKey(
        Laboratory,
        verbose_name=_("laboratory"),
        on_delete=models.CASCADE,
        related_name="scopes",
    )
    quantity = models.CharField(_("quantity"), max_length=60, db_index=True)
    range_min = models.FloatField(_("range minimum"))
    range_max = models.FloatField(_("range maximum"))
    unit = models.CharField(_("unit"), max_length=30)
    valid_until = models.DateField(_("valid until"))

    class Meta:
        verbose_name = _("accreditation scope entry")
        verbose_name_plural = _("accreditation scope")
        ordering = ["laboratory", "quantity"]

    def __str__(self) -> str:
        return (
            f"{self.laboratory.code} {self.quantity} "
            f"{self.range_min}–{self.range_max} {self.unit}"
        )


class MeasurementStandard(TimeStampedModel):
    """A measurement standard (计量标准) registered with the authority.

    Kinds: *national primary* and *international* references end every chain
    (``is_primary``); *social public* standards (社会公用计量标准) serve the
    public, *departmental* ones a ministry, and *enterprise highest* ones
    (企事业最高计量标准) a company. Its assessment certificate (计量标准考核证书)
    is valid for a configurable period, four years customarily.
    """

    class Kind(models.TextChoices):
        INTERNATIONAL = "international", _("International reference")
        NATIONAL_PRIMARY = "national_primary", _("National primary standard")
        SOCIAL_PUBLIC = "social_public", _("Social public measurement standard")
        DEPARTMENTAL = "departmental", _("Departmental highest standard")
        ENTERPRISE = "enterprise", _("Enterprise highest standard")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        RETIRED = "retired", _("Retired")

    code = models.CharField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.SOCIAL_PUBLIC
    )
    is_primary = models.BooleanField(
        _("primary reference"),
        default=False,
        help_text=_("A national or international primary standard ends a chain."),
    )
    quantity = models.CharField(_("quantity"), max_length=60, db_index=True)
    unit = models.CharField(_("unit"), max_length=30)
    range_min = models.FloatField(_("range minimum"), null=True, blank=True)
    range_max = models.FloatField(_("range maximum"), null=True, blank=True)
    uncertainty = models.FloatField(
        _("expanded uncertainty"),
        help_text=_("Expanded uncertainty U of the standard, in its unit."),
    )
    coverage_factor = models.FloatField(_("coverage factor k"), default=2.0)
    accuracy_class = models.CharField(_("accuracy class"), max_length=40, blank=True)
    mpe = models.FloatField(
        _("maximum permissible error"),
        null=True,
        blank=True,
        help_text=_("± in the standard's unit; the tolerance for the TUR."),
    )
    holder = models.ForeignKey(
        Laboratory,
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        related_name="standards",
    )
    #: The area the standard serves (a social public standard is established
    #: by a local government for its jurisdiction), not where its holder is:
    #: a provincial institute holds standards serving the whole province.
    region = models.CharField(
        _("area served"),
        max_length=100,
        blank=True,
        help_text=_("The area the standard serves; its holder's region is its own."),
    )
    assessment_certificate = models.CharField(
        _("assessment certificate number"), max_length=100, blank=True
    )
    assessment_valid_from = models.DateField(_("assessed on"), null=True, blank=True)
    assessment_valid_until = models.DateField(
        _("assessment valid until"), null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    suspect = models.BooleanField(_("suspect"), default=False, db_index=True)
    suspect_reason = models.CharField(_("suspect reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("measurement standard")
        verbose_name_plural = _("measurement standards")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("metrology:standard_detail", args=[self.pk])

    def assessment_expiry(self, on: datetime.date) -> str:
        """``"expired"`` when the assessment certificate was no longer valid on
        ``on``, ``"expiring"`` when it expires within six months (time to
        apply for re-assessment), else empty; always empty for a retired
        standard or one without a certificate's validity."""
        until = self.assessment_valid_until
        if until is None or self.status == self.Status.RETIRED:
            return ""
        if until < on:
            return "expired"
        if until <= add_months(on, ASSESSMENT_WARNING_MONTHS):
            return "expiring"
        return ""


class CompulsoryItem(models.Model):
    """An entry of the catalogue of instruments under compulsory management
    (2020 revision): P type approval, V verification, P+V both."""

    class Mark(models.TextChoices):
        P = "P", "P"
        V = "V", "V"
        PV = "P+V", "P+V"

    code = models.CharField(_("code"), max_length=20, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    category = models.CharField(_("category"), max_length=100)
    quantity = models.CharField(_("quantity"), max_length=60)
    mark = models.CharField(_("mark"), max_length=3, choices=Mark.choices)
    uses = models.JSONField(
        _("compulsory uses"),
        default=list,
        help_text=_("Uses under which verification is compulsory."),
    )
    regulation = models.CharField(_("verification regulation"), max_length=60)

    class Meta:
        verbose_name = _("compulsory verification catalogue entry")
        verbose_name_plural = _("compulsory verification catalogue")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return localised(self.name_zh, self.name_en)

    @property
    def requires_verification(self) -> bool:
        return "V" in self.mark


class InstrumentQuerySet(models.QuerySet):
    def in_use_on(self, day: datetime.date) -> "InstrumentQuerySet":
        """The instruments not yet taken out of use on ``day``: one taken out
        of use on day R counts until the day before R."""
        return self.filter(Q(retired_on__isnull=True) | Q(retired_on__gt=day))


class Instrument(TimeStampedModel):
    """A measuring instrument in use, registered with its owner (an
    organisation; none where no owner was recorded) and use.

    It *requires verification* when its type is in the compulsory catalogue
    with a V mark and it is used for one of the compulsory purposes. An
    instrument scrapped or otherwise taken out of use (停用) keeps its record
    and history; from ``retired_on`` on it leaves the verification coverage
    and the reminders, and is no longer calibrated.
    """

    code = models.CharField(_("asset number"), max_length=80, unique=True)
    item_type = models.ForeignKey(
        CompulsoryItem,
        verbose_name=_("type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instruments",
    )
    name = models.CharField(_("name"), max_length=200)
    maker = models.CharField(_("maker"), max_length=200, blank=True)
    model = models.CharField(_("model"), max_length=100, blank=True)
    serial = models.CharField(_("serial number"), max_length=100, blank=True)
    owner = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instruments",
    )
    owner_email = models.EmailField(_("owner e-mail"), blank=True)
    #: Where the instrument is used (not its owner's seat): the coverage of
    #: compulsory verification is counted per region of use.
    region = models.CharField(_("region"), max_length=100, blank=True, db_index=True)
    location = models.CharField(_("location"), max_length=300, blank=True)
    use = models.CharField(_("use"), max_length=20, choices=Use.choices)
    quantity = models.CharField(_("quantity"), max_length=60)
    unit = models.CharField(_("unit"), max_length=30)
    range_min = models.FloatField(_("range minimum"), null=True, blank=True)
    range_max = models.FloatField(_("range maximum"), null=True, blank=True)
    accuracy_class = models.CharField(_("accuracy class"), max_length=40, blank=True)
    mpe = models.FloatField(
        _("maximum permissible error"),
        null=True,
        blank=True,
        help_text=_("± in the instrument's unit; the tolerance for the TUR."),
    )
    registered_on = models.DateField(_("registered on"))
    requires_verification = models.BooleanField(
        _("requires compulsory verification"), default=False, db_index=True
    )
    latest_event = models.ForeignKey(
        "CalibrationEvent",
        verbose_name=_("latest calibration"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    suspect = models.BooleanField(_("suspect"), default=False, db_index=True)
    suspect_reason = models.CharField(_("suspect reason"), max_length=500, blank=True)
    suspect_cause = models.ForeignKey(
        "CalibrationEvent",
        verbose_name=_("suspect because of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suspect_instruments",
    )
    retired_on = models.DateField(
        _("taken out of use on"), null=True, blank=True, db_index=True
    )
    retired_reason = models.TextField(_("reason taken out of use"), blank=True)

    objects = InstrumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["maker", "serial"], name="metrology_inst_serial")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("metrology:instrument_detail", args=[self.pk])


class TechnicalSpecification(TimeStampedModel):
    """A metrological technical specification: a verification regulation (JJG,
    检定规程) or a calibration/technical specification (JJF, 校准规范),
    national or local (JJF(吉) ...). Its catalogue entry is the standard."""

    class Kind(models.TextChoices):
        VERIFICATION = "verification", _("Verification regulation (JJG)")
        CALIBRATION = "calibration", _("Calibration specification (JJF)")

    standard = models.OneToOneField(
        "catalog.Standard",
        verbose_name=_("catalogue entry"),
        on_delete=models.PROTECT,
        related_name="metrology_specification",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    quantity = models.CharField(_("quantity"), max_length=60, blank=True)
    is_local = models.BooleanField(_("local"), default=False)

    class Meta:
        verbose_name = _("technical specification")
        verbose_name_plural = _("technical specifications")
        ordering = ["standard__identifier"]

    def __str__(self) -> str:
        return str(self.standard)


class ReferenceMaterial(TimeStampedModel):
    """A certified reference material (有证标准物质): GBW first grade or GBW(E)
    second grade, with certified property values and a validity date."""

    class Grade(models.TextChoices):
        FIRST = "first", _("First grade (GBW)")
        SECOND = "second", _("Second grade (GBW(E))")

    number = models.CharField(_("number"), max_length=40, unique=True)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    name = models.CharField(_("name"), max_length=300)
    producer = models.CharField(_("producer"), max_length=300, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    standard = models.ForeignKey(
        "catalog.Standard",
        verbose_name=_("certification specification"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reference_materials",
    )

    class Meta:
        verbose_name = _("certified reference material")
        verbose_name_plural = _("certified reference materials")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class PropertyValue(models.Model):
    """A certified property value of a reference material with its expanded
    uncertainty."""

    material = models.ForeignKey(
        ReferenceMaterial,
        verbose_name=_("reference material"),
        on_delete=models.CASCADE,
        related_name="properties",
    )
    name = models.CharField(_("property"), max_length=200)
    value = models.FloatField(_("value"))
    unit = models.CharField(_("unit"), max_length=30)
    uncertainty = models.FloatField(_("expanded uncertainty"))
    coverage_factor = models.FloatField(_("coverage factor k"), default=2.0)

    class Meta:
        verbose_name = _("property value")
        verbose_name_plural = _("property values")

    def __str__(self) -> str:
        return f"{self.name} = {self.value} ± {self.uncertainty} {self.unit}"


class CalibrationEvent(TimeStampedModel):
    """One calibration or verification with its certificate: which reference
    standard calibrated which instrument or standard, when, by which lab, under
    which specification, with the result, the conformity decision and the next
    due date. ``gtc_archive`` holds the GTC JSON archive of the propagated
    result so the next link down keeps the whole uncertainty budget.
    A certificate is never deleted; it may be revoked.
    """

    class Kind(models.TextChoices):
        CALIBRATION = "calibration", _("Calibration")
        VERIFICATION = "verification", _("Verification")

    class Conformity(models.TextChoices):
        PASS = "pass", _("Pass")
        FAIL = "fail", _("Fail")
        NONE = "", _("No statement")

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")

    certificate_number = models.CharField(
        _("certificate number"), max_length=120, unique=True
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.CALIBRATION
    )
    instrument = models.ForeignKey(
        Instrument,
        verbose_name=_("calibrated instrument"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    calibrated_standard = models.ForeignKey(
        MeasurementStandard,
        verbose_name=_("calibrated standard"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calibrations",
    )
    reference_standard = models.ForeignKey(
        MeasurementStandard,
        verbose_name=_("reference standard used"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="uses",
    )
    laboratory = models.ForeignKey(
        Laboratory,
        verbose_name=_("laboratory"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    specification = models.ForeignKey(
        TechnicalSpecification,
        verbose_name=_("specification"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    performed_on = models.DateField(_("performed on"))
    valid_until = models.DateField(_("next due"))
    quantity = models.CharField(_("quantity"), max_length=60)
    unit = models.CharField(_("unit"), max_length=30)
    measured_error = models.FloatField(_("measured error"), default=0.0)
    expanded_uncertainty = models.FloatField(_("expanded uncertainty"))
    coverage_factor = models.FloatField(_("coverage factor k"), default=2.0)
    conformity = models.CharField(
        _("conformity"), max_length=10, choices=Conformity.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.VALID
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.TextField(_("revocation reason"), blank=True)
    gtc_archive = models.TextField(_("GTC archive (JSON)"), blank=True)
    dcc_xml = models.TextField(_("DCC XML"), blank=True)
    dcc_schema_version = models.CharField(_("DCC schema"), max_length=10, blank=True)
    signature_status = models.CharField(_("signature"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("calibration event")
        verbose_name_plural = _("calibration events")
        ordering = ["-performed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(instrument__isnull=False, calibrated_standard__isnull=True)
                    | Q(instrument__isnull=True, calibrated_standard__isnull=False)
                ),
                name="metrology_event_one_item",
            )
        ]
        indexes = [
            models.Index(
                fields=["calibrated_standard", "performed_on"],
                name="metrology_ev_std_date",
            ),
            models.Index(
                fields=["instrument", "performed_on"], name="metrology_ev_inst_date"
            ),
        ]

    def __str__(self) -> str:
        return self.certificate_number

    def get_absolute_url(self) -> str:
        return reverse("metrology:certificate_detail", args=[self.pk])

    @property
    def item(self):
        return self.instrument or self.calibrated_standard

    @property
    def verify_hash(self) -> str:
        """A short keyed hash printed in the QR code of the certificate."""
        raw = f"{settings.SECRET_KEY}:{self.certificate_number}:{self.performed_on}"
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


class MeasurementResult(models.Model):
    """One measured value of a certificate with its expanded uncertainty, as a
    DCC ``si:real`` (lists are stored one row per element)."""

    event = models.ForeignKey(
        CalibrationEvent,
        verbose_name=_("certificate"),
        on_delete=models.CASCADE,
        related_name="results",
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=300)
    ref_type = models.CharField(_("type"), max_length=200, blank=True)
    value = models.FloatField(_("value"))
    unit = models.CharField(_("unit"), max_length=60)
    expanded_uncertainty = models.FloatField(
        _("expanded uncertainty"), null=True, blank=True
    )
    coverage_factor = models.FloatField(_("coverage factor k"), null=True, blank=True)
    coverage_probability = models.FloatField(
        _("coverage probability"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("measurement result")
        verbose_name_plural = _("measurement results")
        ordering = ["event", "position"]

    def __str__(self) -> str:
        return f"{self.name}: {self.value} {self.unit}"


class MetrologyEvent(Event):
    """The typed history of the registry: who did what, when and why."""

    class Type(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        CALIBRATED = "calibrated", _("Calibration recorded")
        REVOKED = "revoked", _("Certificate revoked")
        OUT_OF_TOLERANCE = "out_of_tolerance", _("Found out of tolerance")
        SUSPECT = "suspect", _("Marked suspect")
        DCC_IMPORTED = "dcc_imported", _("DCC imported")
        REMINDER = "reminder", _("Reminder sent")
        STATUS_CHANGED = "status_changed", _("Status changed")
        REASSESSED = "reassessed", _("Re-assessed")
        RETIRED = "retired", _("Taken out of use")

    type = models.CharField(_("type"), max_length=30, choices=Type.choices)
    created_at = models.DateTimeField(
        _("time"), default=timezone.now, editable=False, db_index=True, db_column="at"
    )
    instrument = models.ForeignKey(
        Instrument, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    standard = models.ForeignKey(
        MeasurementStandard,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="history",
    )
    certificate = models.ForeignKey(
        CalibrationEvent,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="history",
    )

    class Meta:
        verbose_name = _("metrology event")
        verbose_name_plural = _("metrology events")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} {self.type}"

    @property
    def summary(self) -> str:
        """What the event's details say, for the history lists: a status
        change as its labels ("Active → Suspended"), a re-assessment as its
        certificate and validity ("certificate X, valid until 2030-03-01"), an
        instrument taken out of use as its day ("from 2026-05-01"); empty for
        the other events."""
        details = self.details
        if self.type == self.Type.STATUS_CHANGED:
            labels = dict(MeasurementStandard.Status.choices)
            return " → ".join(
                str(labels.get(details.get(end), details.get(end, "")))
                for end in ("from", "to")
            )
        if self.type == self.Type.REASSESSED:
            return _("certificate %(certificate)s, valid until %(date)s") % {
                "certificate": details.get("certificate", ""),
                "date": details.get("valid_until", ""),
            }
        if self.type == self.Type.RETIRED:
            return _("from %(date)s") % {"date": details.get("on", "")}
        return ""
