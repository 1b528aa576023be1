"""Sharing between independent qihub instances (a pull-based federation).

Each institute runs its own qihub and stays the owner of its records. It
publishes a signed change feed of the kinds it chose to share; every other
member instance of the network pulls that feed and keeps read-only mirrors
marked with their source. Nothing is ever written into another instance.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qihub.core.i18n import localised
from qihub.core.models import TimeStampedModel


class InstanceIdentity(TimeStampedModel):
    """This instance as the network sees it: its public base URL and the
    organisation it represents. One row (the first); its signing keys are
    ``SigningKey`` rows."""

    base_url = models.URLField(_("base URL"), max_length=300)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation represented"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("this instance")
        verbose_name_plural = _("this instance")

    def __str__(self) -> str:
        return self.base_url


class SigningKey(models.Model):
    """An Ed25519 key pair of this instance. The private key is stored
    encrypted with a key derived from SECRET_KEY. Rotation ends the current
    key's validity (``valid_until``) and keeps its public half, so entries it
    signed still verify; only the key without ``valid_until`` signs."""

    key_id = models.CharField(_("key id"), max_length=32, unique=True)
    public_key = models.CharField(_("public key (base64)"), max_length=64)
    private_key_encrypted = models.TextField(editable=False)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return self.key_id


class SharedKind(models.TextChoices):
    """What an instance can publish to the network (the expert pool and the
    held standard texts are the ``pool`` app's records)."""

    LOCAL_STANDARD = "local_standard", _("Local standards")
    GROUP_STANDARD = "group_standard", _("Group standards")
    PROJECT = "project", _("Standard projects and their stages")
    RESEARCH = "research", _("Research projects and results")
    CONSULTATION = "consultation", _("Consultations open for comment")
    EXPERT = "expert", _("The expert pool (people who agreed to be listed)")
    HELD_TEXT = "held_text", _("Standard texts held for joint purchase")


class PublishingChoice(models.Model):
    """Whether this instance publishes one kind of record to its network."""

    kind = models.CharField(
        _("kind"), max_length=20, choices=SharedKind.choices, unique=True
    )
    enabled = models.BooleanField(_("published"), default=False)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("publishing choice")
        verbose_name_plural = _("publishing choices")
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.enabled}"


class FeedEntry(models.Model):
    """One change of a published record in this instance's outbox. ``seq`` is
    the monotonic cursor of the feed; ``body`` is the canonical JSON that
    ``signature`` (Ed25519, base64) signs, so a reader verifies the exact
    bytes it received. A deletion, or a record no longer published, is a
    tombstone (``op`` = delete)."""

    class Op(models.TextChoices):
        UPSERT = "upsert", _("Changed")
        DELETE = "delete", _("Deleted")

    seq = models.BigAutoField(primary_key=True)
    kind = models.CharField(_("kind"), max_length=20)
    key = models.CharField(_("record key"), max_length=200)
    op = models.CharField(_("operation"), max_length=8, choices=Op.choices)
    digest = models.CharField(max_length=64, editable=False)
    body = models.TextField(_("signed body"), editable=False)
    key_id = models.CharField(_("key id"), max_length=32)
    signature = models.CharField(_("signature"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("feed entry")
        verbose_name_plural = _("feed entries")
        ordering = ["seq"]
        indexes = [models.Index(fields=["kind", "key", "seq"], name="sharing_feed_key")]

    def __str__(self) -> str:
        return f"{self.seq} {self.op} {self.kind}:{self.key}"


class MemberInstance(TimeStampedModel):
    """Another institute's qihub in one of our networks: where it is, whom it
    represents, its registered public keys and how far we have read its feed.

    States: *requested* (registered, not yet confirmed); *accepted* (the
    network's secretariat accepted the membership: its feed is pulled);
    *removed* (left or excluded: its mirrors are kept, marked "no longer
    shared", and no longer updated)."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ACCEPTED = "accepted", _("Accepted")
        REMOVED = "removed", _("Removed")

    network = models.ForeignKey(
        "organisations.Network",
        verbose_name=_("network"),
        on_delete=models.PROTECT,
        related_name="member_instances",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation represented"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=300, blank=True)
    base_url = models.URLField(_("base URL"), max_length=300)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.REQUESTED
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("accepted by (secretariat)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    cursor = models.BigIntegerField(_("feed cursor"), default=0)
    records = models.PositiveIntegerField(_("entries received"), default=0)
    last_pull_at = models.DateTimeField(_("last pull"), null=True, blank=True)
    last_success_at = models.DateTimeField(
        _("last successful pull"), null=True, blank=True
    )
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)

    class Meta:
        verbose_name = _("member instance")
        verbose_name_plural = _("member instances")
        ordering = ["network", "name", "base_url"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "base_url"], name="sharing_member_url"
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.organisation_id:
            return self.organisation.name
        return self.name or self.base_url


class MemberKey(models.Model):
    """A public key registered for a member instance, with its validity: a
    rotated key keeps verifying the entries signed while it was valid."""

    member = models.ForeignKey(
        MemberInstance,
        verbose_name=_("member instance"),
        on_delete=models.CASCADE,
        related_name="keys",
    )
    key_id = models.CharField(_("key id"), max_length=32)
    public_key = models.CharField(_("public key (base64)"), max_length=64)
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("member key")
        verbose_name_plural = _("member keys")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "key_id"], name="sharing_member_key"
            )
        ]

    def __str__(self) -> str:
        return self.key_id


class MirroredRecord(models.Model):
    """A read-only copy of a record another member instance published, as
    its feed last gave it. A tombstone keeps the row (``deleted``); a member
    removed from the network leaves its rows ``no_longer_shared``."""

    member = models.ForeignKey(
        MemberInstance,
        verbose_name=_("source instance"),
        on_delete=models.PROTECT,
        related_name="mirrored",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SharedKind.choices)
    key = models.CharField(_("record key"), max_length=200)
    data = models.JSONField(_("data"), default=dict)
    source_seq = models.BigIntegerField(_("feed position"))
    # Lower-cased words of the record for search across members (experts and
    # held texts); empty for the kinds nobody searches.
    search_text = models.TextField(editable=False, blank=True, default="")
    deleted = models.BooleanField(_("deleted at the source"), default=False)
    no_longer_shared = models.BooleanField(_("no longer shared"), default=False)
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("mirrored record")
        verbose_name_plural = _("mirrored records")
        ordering = ["member", "kind", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind", "key"], name="sharing_mirror_key"
            )
        ]
        indexes = [models.Index(fields=["kind", "deleted"], name="sharing_mirror_kind")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"

    @property
    def title(self) -> str:
        return localised(self.data.get("title_zh", ""), self.data.get("title_en", ""))

    @property
    def url(self) -> str:
        """The record's page on the owner instance (where to comment)."""
        return self.data.get("url", "")


class MirroredStandard(models.Model):
    """A local or group standard mirrored from a member instance, searchable
    beside the catalogue. It never replaces a local record with the same
    identifier; when both exist and differ, staff see a conflict."""

    member = models.ForeignKey(
        MemberInstance,
        verbose_name=_("source instance"),
        on_delete=models.PROTECT,
        related_name="mirrored_standards",
    )
    ident_key = models.CharField(_("identifier key"), max_length=200)
    identifier = models.CharField(_("identifier"), max_length=200)
    level = models.CharField(_("level"), max_length=20)
    status = models.CharField(_("status"), max_length=20, blank=True)
    title_zh = models.CharField(_("Chinese title"), max_length=500, blank=True)
    title_en = models.CharField(_("English title"), max_length=500, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    url = models.URLField(_("page at the source"), max_length=500, blank=True)
    search_text = models.TextField(editable=False, blank=True, default="")
    deleted = models.BooleanField(_("deleted at the source"), default=False)
    no_longer_shared = models.BooleanField(_("no longer shared"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("mirrored standard")
        verbose_name_plural = _("mirrored standards")
        ordering = ["ident_key", "member"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "ident_key"], name="sharing_mirror_std"
            )
        ]
        indexes = [models.Index(fields=["ident_key"], name="sharing_mstd_ident")]

    def __str__(self) -> str:
        return f"{self.identifier} {self.title}".strip()

    @property
    def title(self) -> str:
        return localised(self.title_zh, self.title_en)


class RefusedEntry(models.Model):
    """An entry of a member's feed that verified but was not applied, with
    the reason: a membership change claimed by a member instance that is not
    the network's secretariat instance, or a membership entry that does not
    say what it changes. The pull goes on past it (the member's other
    entries are applied) and staff see it on the status page."""

    member = models.ForeignKey(
        MemberInstance,
        verbose_name=_("member instance"),
        on_delete=models.CASCADE,
        related_name="refused_entries",
    )
    seq = models.BigIntegerField(_("feed position"))
    kind = models.CharField(_("kind"), max_length=20)
    key = models.CharField(_("record key"), max_length=200, blank=True)
    reason = models.TextField(_("reason"))
    refused_at = models.DateTimeField(_("refused at"), auto_now_add=True)

    class Meta:
        verbose_name = _("refused entry")
        verbose_name_plural = _("refused entries")
        ordering = ["-refused_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "seq"], name="sharing_refused_seq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id}:{self.seq} {self.reason}"
