"""The workflow as data: the states a project passes through and the allowed
transitions between them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from qihub.core.i18n import localised


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
