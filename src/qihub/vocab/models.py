"""Shared vocabularies: the ICS and CCS classifications of standards."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from qihub.core.i18n import localised


class IcsCode(models.Model):
    """International Classification for Standards: field (01), group (01.040)
    or sub-group (01.040.01). The code is the key, so standards refer to it
    by value."""

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.PositiveSmallIntegerField(_("level"))
    title_en = models.CharField(_("English title"), max_length=500)
    title_fr = models.CharField(_("French title"), max_length=500, blank=True)
    title_zh = models.CharField(_("Chinese title"), max_length=500, blank=True)
    scope_en = models.TextField(_("scope note"), blank=True)

    class Meta:
        verbose_name = _("ICS code")
        verbose_name_plural = _("ICS codes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def title(self) -> str:
        return localised(self.title_zh, self.title_en)


class CcsCode(models.Model):
    """China Standard Classification: category (A), range (A00/09) or
    class (A01)."""

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.PositiveSmallIntegerField(_("level"))
    name_zh = models.CharField(_("Chinese name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    notes_zh = models.TextField(_("notes (Chinese)"), blank=True)
    notes_en = models.TextField(_("notes (English)"), blank=True)

    class Meta:
        verbose_name = _("CCS code")
        verbose_name_plural = _("CCS codes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return localised(self.name_zh, self.name_en)
