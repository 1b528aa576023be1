"""Atom feeds: new, replaced and withdrawn standards (per level, ICS field or
any search query), consultations open for comment, an organisation's events
and a watch list's events (by a signed link, as feed readers do not log in).
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from qihub.alerts.models import InboxItem
from qihub.catalog.models import Standard

FEED_SIZE = 50
FEED_SALT = "qihub.alerts.feed"
KINDS = ("new", "replaced", "withdrawn")


class StandardsFeed(Feed):
    """``/alerts/feeds/standards/<kind>/?level=&ics=&q=``."""

    feed_type = Atom1Feed

    def get_object(self, request, kind: str):
        if kind not in KINDS:
            raise Http404(
                _("Unknown feed %(k)s; use new, replaced or withdrawn.") % {"k": kind}
            )
        get = request.GET
        return {
            "kind": kind,
            "level": get.get("level") or None,
            "ics": (get.get("ics") or "").strip() or None,
            "q": (get.get("q") or "").strip(),
            "path": request.get_full_path(),
        }

    def title(self, obj) -> str:
        names = {
            "new": _("New standards"),
            "replaced": _("Replaced standards"),
            "withdrawn": _("Withdrawn standards"),
        }
        bits = [names[obj["kind"]]]
        if obj["level"]:
            bits.append(obj["level"])
        if obj["ics"]:
            bits.append("ICS " + obj["ics"])
        if obj["q"]:
            bits.append(f"“{obj['q']}”")
        return " · ".join(bits)

    def link(self, obj) -> str:
        return reverse("catalog:standard_list")

    def feed_url(self, obj) -> str:
        return obj["path"]

    def subtitle(self, obj) -> str:
        return _("qihub standards catalogue")

    def items(self, obj):
        qs = Standard.objects.filter(referenced_only=False)
        if obj["kind"] == "new":
            qs = qs.filter(status__in=Standard.VALID_STATUSES)
        else:
            qs = qs.filter(status=obj["kind"])
        if obj["level"]:
            qs = qs.filter(level=obj["level"])
        if obj["ics"]:
            code = obj["ics"].rstrip(".")
            qs = qs.filter(ics__code__gte=code, ics__code__lt=code + "/").distinct()
        if obj["q"]:
            from qihub.catalog.search import search_standards

            ids = [r["id"] for r in search_standards(q=obj["q"], limit=2000).rows]
            qs = qs.filter(pk__in=ids)
        return list(qs.order_by("-updated_at", "-id")[:FEED_SIZE])

    def item_title(self, item: Standard) -> str:
        return str(item)

    def item_description(self, item: Standard) -> str:
        return f"{item.get_status_display()} · {item.get_level_display()}"

    def item_link(self, item: Standard) -> str:
        return item.get_absolute_url()

    def item_updateddate(self, item: Standard):
        return item.updated_at

    def item_pubdate(self, item: Standard):
        return item.created_at


class ConsultationsFeed(Feed):
    """Consultations open for comment, newest first."""

    feed_type = Atom1Feed

    def title(self) -> str:
        return _("Consultations open for comment")

    def link(self) -> str:
        return "/lifecycle/"

    def items(self):
        from qihub.lifecycle.models import Consultation

        return list(
            Consultation.objects.filter(status=Consultation.Status.OPEN)
            .select_related("project")
            .order_by("-opens_on", "-id")[:FEED_SIZE]
        )

    def item_title(self, item) -> str:
        return f"{item.project.code} {item.project}"

    def item_description(self, item) -> str:
        return _("Open for comment until %(d)s") % {"d": item.closes_on.isoformat()}

    def item_link(self, item) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at


class OrganisationFeed(Feed):
    """An organisation's events (registration, renaming, designations ...)."""

    feed_type = Atom1Feed

    def get_object(self, request, pk: int):
        from qihub.organisations.models import Organisation

        return get_object_or_404(Organisation, pk=pk)

    def title(self, obj) -> str:
        return _("Events of %(o)s") % {"o": obj}

    def link(self, obj) -> str:
        return obj.get_absolute_url()

    def items(self, obj):
        return list(obj.events.order_by("-created_at", "-id")[:FEED_SIZE])

    def item_title(self, item) -> str:
        return item.get_type_display()

    def item_description(self, item) -> str:
        return item.reason

    def item_link(self, item) -> str:
        return (
            reverse("organisations:organisation_detail", args=[item.organisation_id])
            + f"#event-{item.pk}"
        )

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.created_at


def watch_feed_token(user) -> str:
    return signing.dumps({"u": user.pk}, salt=FEED_SALT)


class WatchListFeed(Feed):
    """What a user's watch list brought them (their inbox items)."""

    feed_type = Atom1Feed

    def get_object(self, request, token: str):
        from django.contrib.auth import get_user_model

        try:
            data = signing.loads(token, salt=FEED_SALT)
        except signing.BadSignature as exc:
            raise Http404(_("This feed link is not valid.")) from exc
        return get_object_or_404(get_user_model(), pk=data.get("u"))

    def title(self, obj) -> str:
        return _("What %(u)s follows") % {"u": obj.get_username()}

    def link(self, obj) -> str:
        return reverse("alerts:watch_list")

    def items(self, obj):
        return list(
            InboxItem.objects.filter(user=obj).order_by("-created_at", "-id")[
                :FEED_SIZE
            ]
        )

    def item_title(self, item) -> str:
        return item.subject

    def item_description(self, item) -> str:
        return item.body

    def item_link(self, item) -> str:
        return item.url or reverse("alerts:inbox") + f"#item-{item.pk}"

    def item_guid(self, item) -> str:
        return f"qihub-inbox-{item.pk}"

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.created_at
