"""The standards catalogue: every standard at every level, its relations and history."""

import datetime
import functools

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qihub.core.events import Event
from qihub.core.i18n import localised
from qihub.core.models import TimeStampedModel, actor_field


@functools.cache
def _detail_url_prefix() -> str:
    """``/catalog/standards/`` as routed (reversing once, not per result)."""
    return reverse("catalog:standard_detail", args=[1]).removesuffix("1/")


def standard_url(pk: int) -> str:
    """The page of the standard ``pk`` (``Standard.get_absolute_url`` without
    the instance, for result rows)."""
    return f"{_detail_url_prefix()}{pk}/"


class ImportRun(models.Model):
    """One import of a catalogue file: who, when, which file, what it did.

    The standards an import creates point to it (``Standard.import_run``).
    Each record it creates or updates gets an *imported* event naming it
    (``{"format", "import", ...}``; an update's adds {field: [old, new]} of
    what changed), written in bulk. A refused file leaves no run.
    """

    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = actor_field()
    file_name = models.CharField(_("file"), max_length=300, blank=True)
    format = models.CharField(_("format"), max_length=20)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    relations = models.PositiveIntegerField(_("relations added"), default=0)

    class Meta:
        verbose_name = _("catalogue import")
        verbose_name_plural = _("catalogue imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return _("Import %(n)d: %(file)s") % {
            "n": self.pk or 0,
            "file": self.file_name or self.format,
        }

    @property
    def reason(self) -> str:
        """What the history says of it: "imported from standards.csv"."""
        return _("imported from %(f)s") % {"f": self.file_name or self.format}


class Standard(TimeStampedModel):
    """One edition of a standard, identified by its dated identifier.

    Levels: international (ISO, IEC, ISO/IEC, ITU...), national (GB mandatory,
    GB/T recommended, GB/Z guidance), industry (JB/T, HG/T ...), local
    (DB51/T ...), group (T/CAS ...) and enterprise (Q/HBJ ...); and two
    levels outside China's system: foreign regional (EN) and foreign national
    (DIN, BS, NF, JIS, ANSI, ASTM, with their adoptions: DIN EN ISO 9001).

    Statuses: a *draft* is not yet issued; *to be implemented* is issued but
    before its implementation date (即将实施); *in force* (现行); *withdrawn*
    (废止, abolished without successor); *replaced* (superseded by a newer
    edition or another standard). *Published* is used for international
    deliverables whose implementation date is not tracked. *Unknown* is the
    status of a record that is *referenced only*: another record cites or
    replaces it, but the catalogue holds nothing else about it yet (its
    title, dates and status arrive when the real record is imported, which
    upgrades it in place).
    """

    class Level(models.TextChoices):
        INTERNATIONAL = "international", _("International")
        NATIONAL = "national", _("National")
        INDUSTRY = "industry", _("Industry")
        LOCAL = "local", _("Local")
        GROUP = "group", _("Group")
        ENTERPRISE = "enterprise", _("Enterprise")
        FOREIGN_REGIONAL = "foreign_regional", _("Foreign regional")
        FOREIGN_NATIONAL = "foreign_national", _("Foreign national")

    class Nature(models.TextChoices):
        MANDATORY = "mandatory", _("Mandatory")
        RECOMMENDED = "recommended", _("Recommended")
        GUIDANCE = "guidance", _("Guidance (technical document)")
        VOLUNTARY = "voluntary", _("Voluntary")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        TO_BE_IMPLEMENTED = "to_be_implemented", _("To be implemented")
        IN_FORCE = "in_force", _("In force")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REPLACED = "replaced", _("Replaced")
        UNKNOWN = "unknown", _("Unknown (referenced only)")

    #: Statuses under which a standard may be cited and applied today.
    VALID_STATUSES = (Status.PUBLISHED, Status.IN_FORCE, Status.TO_BE_IMPLEMENTED)

    # Indexes are declared in Meta, not with db_index/unique on the fields: on
    # PostgreSQL those add a second "_like" index per text column, and every
    # index is paid for on each of a million imported rows. Uniqueness of the
    # edition is ``ident_key`` (the canonical identifier compacted).
    identifier = models.CharField(_("identifier"), max_length=200)
    ident_key = models.CharField(
        _("identifier key"),
        max_length=200,
        help_text=_("Normalised compact identifier used for exact and prefix lookups."),
    )
    base_key = models.CharField(
        _("undated key"),
        max_length=200,
        help_text=_("The identifier without its year: all editions share it."),
    )
    prefix = models.CharField(_("prefix"), max_length=40)
    number = models.CharField(_("number"), max_length=60)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    nature = models.CharField(
        _("nature"), max_length=20, choices=Nature.choices, default=Nature.RECOMMENDED
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.IN_FORCE,
    )
    title_zh = models.CharField(_("Chinese title"), max_length=500, blank=True)
    title_en = models.CharField(_("English title"), max_length=500, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    implemented_on = models.DateField(_("implemented on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    ics = models.ManyToManyField(
        "vocab.IcsCode",
        verbose_name=_("ICS codes"),
        blank=True,
        related_name="standards",
    )
    ccs = models.ForeignKey(
        "vocab.CcsCode",
        verbose_name=_("CCS code"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="standards",
        db_index=False,  # a partial index in Meta: most standards have no CCS code
    )
    issuing_body = models.CharField(_("issuing body"), max_length=300, blank=True)
    committee = models.CharField(_("technical committee"), max_length=300, blank=True)
    scope = models.TextField(_("scope"), blank=True)
    source = models.CharField(
        _("source"),
        max_length=40,
        blank=True,
        help_text=_("Where the record came from."),
    )
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    search_text = models.TextField(editable=False, blank=True, default="")
    referenced_only = models.BooleanField(
        _("referenced only"),
        default=False,
        help_text=_(
            "Named by another record (cited or replaced) but not itself "
            "catalogued yet: upgraded in place when its record is imported."
        ),
    )
    import_run = models.ForeignKey(
        ImportRun,
        verbose_name=_("created by import"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="standards",
        # No index: "which standards did import N create" is rare, and an
        # index would be built for every record of a large import.
        db_index=False,
    )

    class Meta:
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        ordering = ["ident_key"]
        constraints = [
            models.UniqueConstraint(fields=["ident_key"], name="catalog_std_ident_key")
        ]
        indexes = [
            models.Index(fields=["base_key"], name="catalog_std_base_key"),
            models.Index(fields=["year"], name="catalog_std_year"),
            models.Index(fields=["status"], name="catalog_std_status"),
            models.Index(fields=["level", "status"], name="catalog_std_level_status"),
            # Partial: only the rows that have a value are indexed (lookups
            # must say ``.exclude(external_id="")`` for SQLite to use it).
            models.Index(
                fields=["external_id"],
                name="catalog_std_external_id",
                condition=~models.Q(external_id=""),
            ),
            models.Index(
                fields=["ccs"],
                name="catalog_std_ccs",
                condition=models.Q(ccs__isnull=False),
            ),
            # The alert job's "takes effect in 90/30/7 days" reads three
            # days a run: without it, three scans of the catalogue.
            models.Index(
                fields=["implemented_on"],
                name="catalog_std_implemented",
                condition=models.Q(implemented_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.identifier} {self.title}".strip()

    def get_absolute_url(self) -> str:
        return standard_url(self.pk)

    @property
    def title(self) -> str:
        return localised(self.title_zh, self.title_en)

    @property
    def is_valid(self) -> bool:
        """May be cited and applied today."""
        return self.status in self.VALID_STATUSES

    @property
    def is_mandatory(self) -> bool:
        return self.nature == self.Nature.MANDATORY

    def status_on(self, day: datetime.date) -> str | None:
        """The status this edition had on ``day`` (None before it was issued).

        Drafts have no dated history. A withdrawn edition counts as replaced on
        ``day`` when a replacing standard was already in force then.
        """
        if self.status == self.Status.DRAFT:
            return self.Status.DRAFT
        if self.issued_on and day < self.issued_on:
            return None
        if self.withdrawn_on and day >= self.withdrawn_on:
            if self.status == self.Status.REPLACED:
                return self.Status.REPLACED
            return self.Status.WITHDRAWN
        if self.implemented_on:
            return (
                self.Status.IN_FORCE
                if day >= self.implemented_on
                else self.Status.TO_BE_IMPLEMENTED
            )
        if self.issued_on is None and self.status in (
            self.Status.WITHDRAWN,
            self.Status.REPLACED,
        ):
            return self.status
        return (
            self.Status.IN_FORCE
            if self.level != self.Level.INTERNATIONAL
            else self.Status.PUBLISHED
        )


class StandardRelation(TimeStampedModel):
    """A directed relation between two standards.

    *replaces*: the source supersedes the target wholly (the target is
    "replaced by" the source); *partially replaces*: supersedes part of it;
    *adopts*: the source (e.g. a GB) adopts the target (e.g. an ISO standard)
    with a degree of correspondence IDT identical, MOD modified or NEQ
    not equivalent; *cites*: the source cites the target normatively.
    """

    class Kind(models.TextChoices):
        REPLACES = "replaces", _("replaces")
        PARTIALLY_REPLACES = "partially_replaces", _("partially replaces")
        ADOPTS = "adopts", _("adopts")
        CITES = "cites", _("normatively cites")

    class Degree(models.TextChoices):
        IDT = "IDT", _("IDT (identical)")
        MOD = "MOD", _("MOD (modified)")
        NEQ = "NEQ", _("NEQ (not equivalent)")

    source = models.ForeignKey(
        Standard,
        verbose_name=_("source"),
        on_delete=models.CASCADE,
        related_name="relations_out",
    )
    target = models.ForeignKey(
        Standard,
        verbose_name=_("target"),
        on_delete=models.CASCADE,
        related_name="relations_in",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    degree = models.CharField(
        _("degree"), max_length=3, choices=Degree.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target", "kind"], name="catalog_relation_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")),
                name="catalog_relation_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source.identifier} {self.get_kind_display()} {self.target.identifier}"


class StandardDraftingUnit(models.Model):
    """An organisation that drafted a standard (起草单位), in the order the
    standard lists them: ``position`` 1 is the first drafting unit."""

    standard = models.ForeignKey(
        Standard,
        verbose_name=_("standard"),
        on_delete=models.CASCADE,
        related_name="drafting_units",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="standards_drafted",
        db_index=False,  # catalog_drafting_org starts with it
    )
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("drafting unit")
        verbose_name_plural = _("drafting units")
        ordering = ["standard", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "organisation"], name="catalog_drafting_once"
            ),
            models.UniqueConstraint(
                fields=["standard", "position"], name="catalog_drafting_position"
            ),
        ]
        indexes = [
            models.Index(
                fields=["organisation", "standard"], name="catalog_drafting_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.organisation}"


class StandardEvent(Event):
    """One thing that happened to a standard: who, when, what, why.

    The standard's page draws its history from these. ``details`` holds
    ``{field: [old, new]}`` for edits.
    """

    class Type(models.TextChoices):
        CREATED = "created", _("Created")
        IMPORTED = "imported", _("Imported")
        UPDATED = "updated", _("Updated")
        STATUS_CHANGED = "status_changed", _("Status changed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REPLACED = "replaced", _("Replaced")
        RELATION_ADDED = "relation_added", _("Relation added")
        RELATION_REMOVED = "relation_removed", _("Relation removed")
        PUBLISHED = "published", _("Published")

    standard = models.ForeignKey(
        Standard,
        verbose_name=_("standard"),
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,  # catalog_event_std_time starts with the standard
    )
    type = models.CharField(_("type"), max_length=24, choices=Type.choices)
    details = models.JSONField(
        _("changes"), default=dict, blank=True, db_column="changes"
    )

    class Meta:
        verbose_name = _("standard event")
        verbose_name_plural = _("standard events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["standard", "-created_at"], name="catalog_event_std_time"
            )
        ]

    def __str__(self) -> str:
        return f"{self.standard_id} {self.type} {self.created_at:%Y-%m-%d}"

    @property
    def field_changes(self) -> dict[str, list]:
        """The {field: [old, new]} entries of ``details``, without what an
        import adds beside them (its run, format and line)."""
        return {
            k: v
            for k, v in (self.details or {}).items()
            if isinstance(v, list) and len(v) == 2
        }


# Saved validity checks live with the check (catalog/validity/).
from qihub.catalog.validity.models import ValidityCheck, ValidityCheckEvent  # noqa: E402

__all__ = [
    "ImportRun",
    "Standard",
    "StandardDraftingUnit",
    "StandardEvent",
    "StandardRelation",
    "ValidityCheck",
    "ValidityCheckEvent",
    "standard_url",
]
