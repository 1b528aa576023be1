"""Watch lists, the one inbox of every domain, and the alert job's position.

A *watch* is what a user or an organisation follows: one standard, an
identifier not yet published, an ICS field, a technical committee, a level
or a saved search. The daily alert job turns what happened to the catalogue
and the lifecycle since its last run into *inbox items* for the followers
(an organisation's watch delivers to each of its members) and mails each
follower one digest of what is new.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qihub.core.models import TimeStampedModel


class Watch(TimeStampedModel):
    """One thing a user or an organisation follows.

    ``key`` is the normalised value the job matches on: the standard's id,
    the identifier's compact key (undated: every edition), the ICS code, the
    committee as written, the level, or the search query string. A followed
    standard that is replaced gets a watch on its successor
    (``followed_from`` says which watch it came from).
    """

    class Kind(models.TextChoices):
        STANDARD = "standard", _("Standard")
        IDENTIFIER = "identifier", _("Identifier not yet published")
        ICS = "ics", _("ICS field")
        COMMITTEE = "committee", _("Technical committee")
        LEVEL = "level", _("Level")
        SEARCH = "search", _("Saved search")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="watches",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="watches",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=300)
    label = models.CharField(_("label"), max_length=300, blank=True)
    standard = models.ForeignKey(
        "catalog.Standard",
        verbose_name=_("standard"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="watches",
    )
    followed_from = models.ForeignKey(
        "self",
        verbose_name=_("followed from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="successors",
    )

    class Meta:
        verbose_name = _("watch")
        verbose_name_plural = _("watches")
        ordering = ["kind", "key", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(organisation__isnull=True))
                | (Q(user__isnull=True) & Q(organisation__isnull=False)),
                name="alerts_watch_one_owner",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "key"],
                condition=Q(user__isnull=False),
                name="alerts_watch_user_unique",
            ),
            models.UniqueConstraint(
                fields=["organisation", "kind", "key"],
                condition=Q(organisation__isnull=False),
                name="alerts_watch_org_unique",
            ),
        ]
        indexes = [models.Index(fields=["kind", "key"], name="alerts_watch_kind_key")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.label or self.key}"


class InboxItem(models.Model):
    """A message in a user's inbox, whatever domain sent it.

    ``dedupe`` names the event (``replaced:123``) so the same event reaches
    a user once however many of their watches match it. ``emailed_at`` is
    set when the item went out in a digest.
    """

    class Kind(models.TextChoices):
        PUBLISHED = "published", _("Published")
        REPLACED = "replaced", _("Replaced")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        IMPLEMENTATION = "implementation", _("Implementation soon")
        CONSULTATION = "consultation", _("Consultation opened")
        REVIEW = "review", _("Periodic review")
        NOTICE = "notice", _("Notice")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="inbox_items",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=500)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    standard = models.ForeignKey(
        "catalog.Standard",
        verbose_name=_("standard"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    watch = models.ForeignKey(
        Watch,
        verbose_name=_("watch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
        db_index=False,
    )
    dedupe = models.CharField(_("event"), max_length=100)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbox item")
        verbose_name_plural = _("inbox items")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe"], name="alerts_item_user_event"
            )
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="alerts_item_user_time"),
            models.Index(
                fields=["user"],
                name="alerts_item_unmailed",
                condition=Q(emailed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class DigestSetting(models.Model):
    """Whether a user gets the daily e-mail digest (on unless unsubscribed)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="digest_setting",
    )
    digest = models.BooleanField(_("daily digest"), default=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("digest setting")
        verbose_name_plural = _("digest settings")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.digest}"


class AlertRun(models.Model):
    """One run of the daily alert job and how far it read: the next run
    starts after the last catalogue event, standard, consultation and
    periodic review this one saw."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    day = models.DateField(_("day"))
    last_event_id = models.BigIntegerField(default=0)
    last_standard_id = models.BigIntegerField(default=0)
    last_consultation_id = models.BigIntegerField(default=0)
    last_review_id = models.BigIntegerField(default=0)
    changed = models.PositiveIntegerField(_("changed standards"), default=0)
    items = models.PositiveIntegerField(_("inbox items"), default=0)
    mails = models.PositiveIntegerField(_("digests sent"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)

    class Meta:
        verbose_name = _("alert run")
        verbose_name_plural = _("alert runs")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.day} {self.items}"
