"""The registry of parties every domain points to, and the networks they form.

An *organisation* is any party the platform deals with: an enterprise that
declares standards, a laboratory's legal entity, a research institute that
drafts standards, a university, a government authority, a social
organisation that issues group standards, a foreign or international body.
Domestic parties carry their unified social credit code (GB 32100) and an
administrative division (GB/T 2260, ``Region``).

A *designation* is a title an authority gives an organisation for a period
(co-construction unit of a centre, honest measurement demonstration unit,
industrial measurement and testing centre, accredited body ...); it counts
from ``valid_from`` until the day before ``expires_on``.

A *network* is a group of organisations working together: a regional
standard innovation centre and its co-construction units, a cooperation
organisation of institutes with a secretariat that rotates by term, an
industrial standard alliance.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qihub.core.events import Event
from qihub.core.i18n import localised
from qihub.core.models import TimeStampedModel, actor_field


def region_prefix(code: str) -> str:
    """The leading digits every GB/T 2260 division inside ``code`` shares:
    ``110000`` (a province) gives ``11``, ``110100`` (a city) ``1101``, a
    county its whole code. A shorter prefix given as such (``11``, ``1101``)
    stays as it is, and trailing ``00`` pairs are dropped down to two digits
    (``1300`` is Hebei's ``13``), so one rule serves every region filter."""
    code = (code or "").strip()
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


class Region(models.Model):
    """An administrative division of GB/T 2260: a province-level division, a
    prefecture-level city or a county-level division, keyed by its 6-digit code."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County")

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return localised(self.name_zh, self.name_en)

    def prefix(self) -> str:
        """The leading digits every division inside this one shares."""
        return region_prefix(self.code)


class Organisation(TimeStampedModel):
    """A party: enterprise, institute, laboratory, authority, foreign body ...

    ``name_key`` is the normalised name (``names.name_key``): two
    organisations never share it, nor a credit code. Former names stay in
    ``former_names`` (newest first) and are found by search.
    """

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        RESEARCH_INSTITUTE = "research_institute", _("Research institute")
        MILITARY_RESEARCH = "military_research", _("Military research unit")
        UNIVERSITY = "university", _("University")
        STANDARDIZATION_INSTITUTE = (
            "standardization_institute",
            _("Standardization institute"),
        )
        TESTING_BODY = "testing_body", _("Testing or inspection body")
        CALIBRATION_LAB = "calibration_lab", _("Calibration laboratory")
        CERTIFICATION_BODY = "certification_body", _("Certification body")
        GOVERNMENT = "government", _("Government authority")
        SOCIAL_ORGANISATION = (
            "social_organisation",
            _("Social organisation (group standards)"),
        )
        INDUSTRY_ALLIANCE = "industry_alliance", _("Industry alliance")
        INTERNATIONAL = "international", _("International or foreign body")

    #: Kinds that have no unified social credit code.
    FOREIGN_KINDS = (Kind.INTERNATIONAL,)

    name_zh = models.CharField(_("Chinese name"), max_length=300, blank=True)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    name_key = models.CharField(_("name key"), max_length=300, editable=False)
    former_names = models.JSONField(_("former names"), default=list, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        help_text=_(
            "18 characters (GB 32100); none for foreign and international bodies."
        ),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    website = models.URLField(_("website"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    #: Space-separated search tokens of the names (``names.search_tokens``).
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name_key", "id"]
        constraints = [
            models.UniqueConstraint(fields=["name_key"], name="org_unique_name"),
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="org_unique_credit_code",
            ),
        ]
        indexes = [models.Index(fields=["kind", "region"], name="org_kind_region")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisations:organisation_detail", args=[self.pk])

    @property
    def name(self) -> str:
        return localised(self.name_zh, self.name_en)


class Membership(models.Model):
    """A user belongs to an organisation as a member or as its administrator;
    an organisation administrator manages its members and its records."""

    class Role(models.TextChoices):
        # "Member" alone is a committee member (委员) in the lifecycle's catalogue.
        MEMBER = "member", pgettext_lazy("organisation role", "Member")
        ADMINISTRATOR = "administrator", _("Organisation administrator")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.MEMBER
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="org_membership_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.get_role_display()})"


class Network(TimeStampedModel):
    """Organisations working together: a regional standard innovation centre
    with its co-construction units, a cooperation organisation with a rotating
    secretariat, an industrial standard alliance."""

    class Kind(models.TextChoices):
        INNOVATION_CENTRE = "innovation_centre", _("Standard innovation centre")
        COOPERATION = "cooperation", _("Cooperation organisation")
        ALLIANCE = "alliance", _("Industrial standard alliance")

    name_zh = models.CharField(_("Chinese name"), max_length=300, blank=True)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("the network as an organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="networks_embodied",
        help_text=_("A centre registered as an organisation of its own, if it is one."),
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="networks",
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["name_zh", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisations:network_detail", args=[self.pk])

    @property
    def name(self) -> str:
        return localised(self.name_zh, self.name_en)


class NetworkMember(models.Model):
    """An organisation's membership of a network, from ``joined_on`` until the
    day before ``left_on``, with its liaison person."""

    network = models.ForeignKey(
        Network,
        verbose_name=_("network"),
        on_delete=models.CASCADE,
        related_name="members",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="network_memberships",
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    liaison_name = models.CharField(_("liaison person"), max_length=100, blank=True)
    liaison_email = models.EmailField(_("liaison e-mail"), blank=True)
    liaison_phone = models.CharField(_("liaison phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("network member")
        verbose_name_plural = _("network members")
        ordering = ["network", "joined_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(left_on__gt=models.F("joined_on")),
                name="network_member_leaves_after_joining",
            ),
            models.UniqueConstraint(
                fields=["network", "organisation"],
                condition=Q(left_on__isnull=True),
                name="network_member_once_at_a_time",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation"], name="network_member_org"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ∈ {self.network}"

    def active_on(self, day: datetime.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or day < self.left_on)


class SecretariatTerm(models.Model):
    """A member holds the network's secretariat for a term; the next term's
    start ends the previous one."""

    network = models.ForeignKey(
        Network,
        verbose_name=_("network"),
        on_delete=models.CASCADE,
        related_name="secretariat_terms",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("secretariat"),
        on_delete=models.PROTECT,
        related_name="secretariat_terms",
    )
    starts_on = models.DateField(_("term starts on"))
    ends_on = models.DateField(_("term ends on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("secretariat term")
        verbose_name_plural = _("secretariat terms")
        ordering = ["network", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(ends_on__gt=models.F("starts_on")),
                name="secretariat_term_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.starts_on}–{self.ends_on or ''})"


class Meeting(models.Model):
    """A meeting of a network's members, with its minutes and decisions."""

    network = models.ForeignKey(
        Network,
        verbose_name=_("network"),
        on_delete=models.CASCADE,
        related_name="meetings",
    )
    held_on = models.DateField(_("held on"))
    title = models.CharField(_("title"), max_length=300)
    place = models.CharField(_("place"), max_length=200, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(
        _("decisions"), blank=True, help_text=_("One per line.")
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    actor = actor_field()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["network", "-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"

    def decision_list(self) -> list[str]:
        return [line.strip() for line in self.decisions.splitlines() if line.strip()]


class Announcement(models.Model):
    """A notice from a network to its members."""

    network = models.ForeignKey(
        Network,
        verbose_name=_("network"),
        on_delete=models.CASCADE,
        related_name="announcements",
    )
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    actor = actor_field()

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["network", "-published_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Designation(TimeStampedModel):
    """A title an authority gives an organisation for a period.

    It counts from ``valid_from`` and stops counting on ``expires_on`` (open
    ended when blank). A co-construction unit names the centre (``network``)
    it helps build; an accredited body names its accreditation body as the
    issuing authority and its accreditation number as ``number``.
    """

    class Kind(models.TextChoices):
        CO_CONSTRUCTION_UNIT = (
            "co_construction_unit",
            _("Co-construction unit of a centre"),
        )
        HONEST_MEASUREMENT = (
            "honest_measurement",
            _("Honest measurement demonstration unit"),
        )
        INDUSTRIAL_MEASUREMENT_CENTRE = (
            "industrial_measurement_centre",
            _("Industrial measurement and testing centre"),
        )
        STANDARD_INNOVATION_ENTERPRISE = (
            "standard_innovation_enterprise",
            _("Standard innovation enterprise"),
        )
        VERIFICATION_POINT = (
            "verification_point",
            _("National standard verification point"),
        )
        STANDARDIZATION_PILOT = (
            "standardization_pilot",
            _("Standardization pilot or demonstration project"),
        )
        ACCREDITED_BODY = "accredited_body", _("Accredited body")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="designations",
    )
    kind = models.CharField(_("designation"), max_length=40, choices=Kind.choices)
    issuing_authority = models.ForeignKey(
        Organisation,
        verbose_name=_("issuing authority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="designations_issued",
    )
    number = models.CharField(
        pgettext_lazy("designation", "number"), max_length=100, blank=True
    )
    network = models.ForeignKey(
        Network,
        verbose_name=_("centre or network"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="designations",
    )
    valid_from = models.DateField(_("valid from"))
    expires_on = models.DateField(
        _("expires on"),
        null=True,
        blank=True,
        help_text=_("The designation stops counting on this day."),
    )
    evidence = models.FileField(
        _("evidence file"), upload_to="designations/%Y/", blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("designation")
        verbose_name_plural = _("designations")
        ordering = ["organisation", "kind", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(expires_on__gt=models.F("valid_from")),
                name="designation_expires_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "valid_from"], name="designation_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.organisation}"

    def valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (
            self.expires_on is None or day < self.expires_on
        )


class OrganisationEvent(Event):
    """One change to an organisation or a network: who, when, what, why."""

    class Type(models.TextChoices):
        CREATED = "created", _("Registered")
        UPDATED = "updated", _("Changed")
        RENAMED = "renamed", _("Renamed")
        DESIGNATED = "designated", _("Designation added")
        MEMBER_ADDED = "member_added", _("User added")
        MEMBER_REMOVED = "member_removed", _("User removed")
        ROLE_CHANGED = "role_changed", _("User's role changed")
        JOINED = "joined", _("Joined a network")
        LEFT = "left", _("Left a network")
        SECRETARIAT = "secretariat", _("Secretariat term")
        MEETING = "meeting", _("Meeting recorded")
        ANNOUNCEMENT = "announcement", _("Announcement")
        IMPORTED = "imported", _("Imported")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    network = models.ForeignKey(
        Network,
        verbose_name=_("network"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)

    class Meta:
        verbose_name = _("organisation event")
        verbose_name_plural = _("organisation events")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} {self.get_type_display()}"


class NetworkTally(models.Model):
    """A network's members' combined counts (``profile.metrics_for``), kept
    so that the network page of a thousand members does not recount a
    million records on every view.

    Any write to a record a count depends on marks every tally stale
    (``profile.counts_changed``) and bumps ``generation``; a recount stores
    its result as fresh only if no write came in while it ran. Only large
    networks have a tally (a recount slower than ``QIHUB_NETWORK_TALLY_MS``;
    smaller ones are counted on every view). A stale tally is recounted by
    a background job while the page shows the last counts with their time,
    or by the next view once the job has waited too long (no worker). A
    tally counted on an earlier day is stale too (membership is by date)."""

    network = models.OneToOneField(
        Network,
        verbose_name=_("network"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="tally",
    )
    metrics = models.JSONField(_("counts"), default=list, blank=True)
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    counted_on = models.DateField(_("members as of"), null=True, blank=True)
    count_ms = models.PositiveIntegerField(_("recount time (ms)"), default=0)
    stale = models.BooleanField(_("stale"), default=True)
    generation = models.PositiveBigIntegerField(default=0)
    queued_at = models.DateTimeField(_("recount queued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("network tally")
        verbose_name_plural = _("network tallies")

    def __str__(self) -> str:
        when = f"{self.counted_at:%Y-%m-%d %H:%M}" if self.counted_at else "-"
        return f"{self.network_id}: {when}"
