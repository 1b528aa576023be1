"""What an institute offers its cooperation networks besides its catalogue:
the *expert pool* (people of the institute who agreed to be listed, with
their fields of expertise) and the *held standard texts* (the texts it bought
or licensed, listed for the members' joint purchase: which text, which
edition, under which licence; only the description, never the file).

Both are published to the network per kind by the sharing app and mirrored
by the other member instances."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from qihub.core.i18n import localised
from qihub.core.models import TimeStampedModel


class Expert(TimeStampedModel):
    """A person who may be asked for expertise by the network's members.
    Listed in the shared expert pool only while their consent stands
    (``listed`` with ``consent_on``); the e-mail address is shared only when
    they agreed to that too. Withdrawing consent takes them out of what is
    shared (a tombstone in the feed); the row stays here."""

    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pool_experts",
    )
    position = models.CharField(_("position"), max_length=200, blank=True)
    fields = models.CharField(
        _("fields of expertise"),
        max_length=500,
        help_text=_("Separated by semicolons, such as: metrology; food safety."),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    listed = models.BooleanField(_("agreed to be listed"), default=False)
    contact_shared = models.BooleanField(
        _("agreed to share the e-mail address"), default=False
    )
    consent_on = models.DateField(_("consent given on"), null=True, blank=True)
    consent_withdrawn_on = models.DateField(
        _("consent withdrawn on"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        ordering = ["name_zh", "name_en"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self.name_zh, self.name_en)

    @property
    def field_list(self) -> list[str]:
        return split_fields(self.fields)


def split_fields(text: str) -> list[str]:
    """The fields of expertise as a list (semicolons, Chinese semicolons or
    commas between them)."""
    for sep in ("；", "，", ","):
        text = text.replace(sep, ";")
    return [part.strip() for part in text.split(";") if part.strip()]


class HeldText(TimeStampedModel):
    """A standard text this institute holds, listed for the network's joint
    purchase: the identifier and edition of the text and the scope of the
    licence it holds it under. Linked to the catalogue record of the same
    identifier when there is one. A text no longer held is *released* (it
    leaves the shared list; the row stays)."""

    class Scope(models.TextChoices):
        SINGLE_USER = "single_user", _("One named user")
        SITE = "site", _("Within the institute")
        NETWORK = "network", _("Shareable with the network's members")
        READING = "reading", _("Reading room only")

    identifier = models.CharField(_("identifier"), max_length=200)
    ident_key = models.CharField(_("identifier key"), max_length=200, db_index=True)
    standard = models.ForeignKey(
        "catalog.Standard",
        verbose_name=_("catalogue record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="held_texts",
    )
    title = models.CharField(_("title"), max_length=500, blank=True)
    edition = models.CharField(
        _("edition"), max_length=100, help_text=_("Such as 2020 or 3rd edition.")
    )
    language = models.CharField(_("language"), max_length=20, blank=True)
    licence_scope = models.CharField(
        _("licence scope"), max_length=20, choices=Scope.choices
    )
    licence_until = models.DateField(_("licence valid until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    released_on = models.DateField(_("no longer held since"), null=True, blank=True)

    class Meta:
        verbose_name = _("held standard text")
        verbose_name_plural = _("held standard texts")
        ordering = ["ident_key", "edition"]
        constraints = [
            models.UniqueConstraint(
                fields=["ident_key", "edition", "language"], name="pool_held_edition"
            )
        ]

    def __str__(self) -> str:
        return f"{self.identifier} ({self.edition})"
