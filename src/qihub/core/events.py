"""One shape for every domain's history (the Datatracker's ``DocEvent``,
Saleor's ``OrderEvent``): what happened (``type``), when (``created_at``), who
did it (``actor``, None for the platform itself), the free-text ``reason``
given and the JSON ``details`` (``{field: [old, new]}`` for an edit).

Each domain's event model inherits :class:`Event`, adds its own subject
foreign key(s) and redeclares ``type`` with its ``TextChoices``. Where an older
table named a column differently (``changes``, ``comment``, ``note``, ``state``,
``at``) the model keeps that column with ``db_column`` so nothing was
rewritten on disk, and the API keeps its keys.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qihub.core.models import actor_field


class Event(models.Model):
    """Something that happened to a record a user cares about.

    Written only by the domain's services, in the transaction of the change
    it records; never edited or deleted (the admin shows events read-only).
    """

    type = models.CharField(_("type"), max_length=24)
    # A default rather than auto_now_add: a bulk import may record the time
    # of the run for all its rows, and an explicit value is kept.
    created_at = models.DateTimeField(_("time"), default=timezone.now, editable=False)
    actor = actor_field()
    reason = models.TextField(_("reason"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.type} {self.created_at:%Y-%m-%d}"
