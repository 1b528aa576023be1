"""Technical committees and their members: who drafts, reviews and votes."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qihub.catalog.models import Standard
from qihub.core.i18n import localised
from qihub.core.models import TimeStampedModel


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
