"""Machine-readable standards: full text, clauses, terms and requirements as data."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qihub.core.events import Event
from qihub.core.i18n import localised
from qihub.core.models import TimeStampedModel


class Parameter(TimeStampedModel):
    """A measurable property that requirements limit ("formaldehyde content").

    ``key`` is the slug every domain uses; ``synonyms`` lists other spellings
    (Chinese and English) that extraction and product data map to it.
    ``dimension`` is the pint dimensionality of ``default_unit``.
    A *new* parameter was proposed by extraction from a name outside the
    vocabulary (a limits table's row label); staff map it onto an existing
    parameter (``parameter_map``) or keep it by clearing the mark.
    """

    key = models.SlugField(_("key"), max_length=80, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    synonyms = models.JSONField(_("synonyms"), default=list, blank=True)
    dimension = models.CharField(_("dimension"), max_length=100, blank=True)
    default_unit = models.CharField(_("default unit"), max_length=40, blank=True)
    is_new = models.BooleanField(
        _("new parameter"),
        default=False,
        help_text=_("Proposed by extraction from an unknown name; staff to map."),
    )

    class Meta:
        verbose_name = _("parameter")
        verbose_name_plural = _("parameters")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self.name_zh, self.name_en) or self.key


class Document(TimeStampedModel):
    """The full text of one catalogue standard, as imported or authored.

    The source file is kept as uploaded; ``report`` holds the import report
    (warnings, schema validation result, counts).
    """

    class Format(models.TextChoices):
        STS = "sts", _("NISO/ISO STS XML")
        MARKDOWN = "markdown", _("Markdown")
        YAML = "yaml", _("YAML")

    standard = models.OneToOneField(
        "catalog.Standard",
        verbose_name=_("standard"),
        on_delete=models.PROTECT,
        related_name="document",
    )
    source_format = models.CharField(
        _("source format"), max_length=10, choices=Format.choices
    )
    source_file = models.FileField(
        _("source file"), upload_to="requirements/sources/%Y/", blank=True
    )
    source_name = models.CharField(_("source file name"), max_length=255, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    adopted_identifier = models.CharField(
        _("adopted standard"), max_length=200, blank=True
    )
    report = models.JSONField(_("import report"), default=dict, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("full-text document")
        verbose_name_plural = _("full-text documents")
        ordering = ["standard__identifier"]

    def __str__(self) -> str:
        return self.standard.identifier

    def get_absolute_url(self) -> str:
        return reverse("requirements:document_read", args=[self.pk])


class Clause(models.Model):
    """One numbered part of a standard's text: a clause, subclause, annex,
    term entry, table or foreword. ``path`` orders the tree depth-first."""

    class Kind(models.TextChoices):
        FOREWORD = "foreword", _("Foreword")
        INTRODUCTION = "introduction", _("Introduction")
        SECTION = "section", _("Clause")
        ANNEX = "annex", _("Annex")
        TERMS = "terms", _("Terms and definitions")
        TABLE = "table", _("Table")

    document = models.ForeignKey(
        Document,
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="clauses",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=Kind.choices, default=Kind.SECTION
    )
    number = models.CharField(_("number"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    text = models.TextField(_("text"), blank=True)
    html = models.TextField(_("rendered text"), blank=True)
    tables = models.JSONField(_("tables"), default=list, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0)
    anchor = models.CharField(_("anchor"), max_length=100, blank=True)
    annex_type = models.CharField(_("annex type"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        ordering = ["document", "order"]
        indexes = [
            models.Index(fields=["document", "order"], name="req_clause_doc_order")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    @property
    def label(self) -> str:
        if self.kind == self.Kind.ANNEX and self.number:
            return f"{_('Annex')} {self.number}"
        return self.number


class Term(models.Model):
    """A term and its definition from the terms-and-definitions clause."""

    document = models.ForeignKey(
        Document,
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="terms",
    )
    clause = models.ForeignKey(
        Clause,
        verbose_name=_("clause"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="terms",
    )
    number = models.CharField(_("number"), max_length=40, blank=True)
    term = models.CharField(_("term"), max_length=300)
    term_en = models.CharField(_("English term"), max_length=300, blank=True)
    definition = models.TextField(_("definition"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["document", "number", "term"]

    def __str__(self) -> str:
        return self.term


class NormativeReference(models.Model):
    """A document the standard cites normatively, linked to the catalogue
    record when its identifier resolves."""

    document = models.ForeignKey(
        Document,
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="references",
    )
    identifier = models.CharField(_("identifier"), max_length=200)
    title = models.CharField(_("title"), max_length=500, blank=True)
    standard = models.ForeignKey(
        "catalog.Standard",
        verbose_name=_("catalogue record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cited_by_documents",
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("normative reference")
        verbose_name_plural = _("normative references")
        ordering = ["document", "order"]

    def __str__(self) -> str:
        return self.identifier


class Requirement(TimeStampedModel):
    """One checkable requirement of a standard: a limit on a parameter of a
    product category under given conditions, with its test method.

    Kinds follow ISO/IEC Directives Part 2 and GB/T 1.1-2020: *shall* (应,
    requirement), *should* (宜, recommendation), *may* (可, permission).
    Extraction proposes requirements; staff confirm, correct or reject them.
    """

    class Kind(models.TextChoices):
        SHALL = "shall", _("Requirement (shall)")
        SHOULD = "should", _("Recommendation (should)")
        MAY = "may", _("Permission (may)")

    class Operator(models.TextChoices):
        LE = "<=", "≤"
        LT = "<", "<"
        GE = ">=", "≥"
        GT = ">", ">"
        EQ = "=", "="
        RANGE = "range", _("range")
        ONE_OF = "one_of", _("one of")
        BOOL = "bool", _("yes/no")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    class Origin(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        SENTENCE = "sentence", _("Extracted from a sentence")
        TABLE = "table", _("Extracted from a table")

    standard = models.ForeignKey(
        "catalog.Standard",
        verbose_name=_("standard"),
        on_delete=models.PROTECT,
        related_name="requirements",
    )
    clause = models.ForeignKey(
        Clause,
        verbose_name=_("clause"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requirements",
    )
    kind = models.CharField(
        _("kind"), max_length=8, choices=Kind.choices, default=Kind.SHALL
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True, db_index=True)
    parameter = models.ForeignKey(
        Parameter,
        verbose_name=_("parameter"),
        on_delete=models.PROTECT,
        related_name="requirements",
    )
    operator = models.CharField(_("operator"), max_length=8, choices=Operator.choices)
    value = models.DecimalField(
        _("limit"), max_digits=24, decimal_places=10, null=True, blank=True
    )
    upper = models.DecimalField(
        _("upper limit"), max_digits=24, decimal_places=10, null=True, blank=True
    )
    values = models.JSONField(_("allowed values"), default=list, blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    test_method = models.CharField(_("test method"), max_length=200, blank=True)
    test_method_standard = models.ForeignKey(
        "catalog.Standard",
        verbose_name=_("test method standard"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="method_for",
    )
    source_text = models.TextField(_("source text"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.PROPOSED,
        db_index=True,
    )
    origin = models.CharField(
        _("origin"), max_length=10, choices=Origin.choices, default=Origin.MANUAL
    )

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["standard", "clause__order", "id"]
        indexes = [
            models.Index(fields=["standard", "status"], name="req_std_status"),
            models.Index(fields=["parameter", "status"], name="req_param_status"),
        ]

    def __str__(self) -> str:
        return f"{self.standard.identifier}: {self.to_spec().describe()}"

    def to_spec(self):
        """This requirement for the check engine."""
        from qihub.requirements.checks import RequirementSpec

        return RequirementSpec(
            parameter=self.parameter.key,
            operator=self.operator,
            value=decimal_normalised(self.value),
            upper=decimal_normalised(self.upper),
            values=tuple(self.values or ()),
            unit=self.unit,
            conditions=dict(self.conditions or {}),
            kind=self.kind,
            ref=self.pk,
        )

    @property
    def limit_text(self) -> str:
        spec = self.to_spec()
        text = spec.describe()
        return text[len(spec.parameter) :].strip()


def decimal_normalised(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).normalize()


class RequirementEvent(Event):
    """Something that happened to a requirement: proposed, confirmed,
    corrected, rejected. ``changes`` holds ``{field: [old, new]}``."""

    class Type(models.TextChoices):
        CREATED = "created", _("Created")
        PROPOSED = "proposed", _("Proposed by extraction")
        CONFIRMED = "confirmed", _("Confirmed")
        CORRECTED = "corrected", _("Corrected")
        REJECTED = "rejected", _("Rejected")

    requirement = models.ForeignKey(
        Requirement,
        verbose_name=_("requirement"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    type = models.CharField(_("type"), max_length=12, choices=Type.choices)
    details = models.JSONField(
        _("changes"), default=dict, blank=True, db_column="changes"
    )

    class Meta:
        verbose_name = _("requirement event")
        verbose_name_plural = _("requirement events")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.requirement_id} {self.type}"


class DocumentEvent(Event):
    """An import or re-import of a standard's full text."""

    class Type(models.TextChoices):
        IMPORTED = "imported", _("Imported")
        REIMPORTED = "reimported", _("Re-imported")
        EXTRACTED = "extracted", _("Requirements extracted")

    document = models.ForeignKey(
        Document,
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    type = models.CharField(_("type"), max_length=12, choices=Type.choices)

    class Meta:
        verbose_name = _("document event")
        verbose_name_plural = _("document events")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.document_id} {self.type}"
