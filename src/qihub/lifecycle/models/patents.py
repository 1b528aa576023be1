"""Patents declared against a draft or a standard."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qihub.catalog.models import Standard
from qihub.lifecycle.models.projects import Project


class PatentDisclosure(models.Model):
    """A declaration that a patent may be essential to a draft or standard,
    with the holder's licensing declaration (free, FRAND, not willing)."""

    class Licensing(models.TextChoices):
        FREE = "free", _("Free of charge")
        FRAND = "frand", _("Fair, reasonable and non-discriminatory (FRAND)")
        UNWILLING = "unwilling", _("Not willing to license")

    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="patents",
    )
    standard = models.ForeignKey(
        Standard,
        verbose_name=_("standard"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="patent_disclosures",
    )
    patent_number = models.CharField(_("patent number"), max_length=100)
    title = models.CharField(_("patent title"), max_length=500, blank=True)
    holder = models.CharField(_("patent holder"), max_length=300)
    holder_organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("holder (registered organisation)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="patent_disclosures",
        help_text=_("Matched from the holder's name, or linked by staff."),
    )
    licensing = models.CharField(
        _("licensing declaration"), max_length=10, choices=Licensing.choices
    )
    declarant = models.CharField(_("declared by"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        verbose_name = _("patent disclosure")
        verbose_name_plural = _("patent disclosures")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(project__isnull=False)
                | models.Q(standard__isnull=False),
                name="lifecycle_patent_has_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.patent_number} ({self.holder})"
