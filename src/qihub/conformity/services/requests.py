"""Test requests: a client asks a body to test, the body quotes, accepts, declines, receives the sample."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.catalog.models import Standard
from qihub.catalog.selectors import standard_get_by_identifier
from qihub.conformity.models import (
    TestRequest,
    TestRequestEvent,
)
from qihub.conformity.services._common import (
    actor_recorded,
    acts_for,
    field_error,
)
from qihub.core.errors import Conflict, PermissionDenied
from qihub.organisations.models import Organisation

REQUEST_EDGES = {
    TestRequest.State.REQUESTED: {
        TestRequest.State.QUOTED: "body",
        TestRequest.State.DECLINED: "body",
        TestRequest.State.CANCELLED: "client",
    },
    TestRequest.State.QUOTED: {
        TestRequest.State.ACCEPTED: "client",
        TestRequest.State.DECLINED: "client",
        TestRequest.State.CANCELLED: "client",
    },
    TestRequest.State.ACCEPTED: {
        TestRequest.State.SAMPLE_RECEIVED: "body",
        TestRequest.State.CANCELLED: "client",
    },
    TestRequest.State.SAMPLE_RECEIVED: {TestRequest.State.REPORT_ISSUED: "body"},
}


def request_sides(user, req: TestRequest) -> set[str]:
    sides = set()
    if acts_for(user, req.body):
        sides.add("body")
    if user is None or (
        getattr(user, "is_authenticated", False)
        and (req.requester_id == user.pk or acts_for(user, req.client))
    ):
        sides.add("client")
    return sides


def may_see_request(user, req: TestRequest) -> bool:
    return bool(request_sides(user, req))


@transaction.atomic
def request_create(
    *,
    actor,
    body: Organisation,
    product: str,
    parameters: str,
    standard: str | Standard,
    client: Organisation | None = None,
    due_on: datetime.date | None = None,
    note: str = "",
) -> TestRequest:
    """A registered user asks a body to test a product for parameters
    against a standard; the body answers by ``due_on`` (7 days by default)."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Log in to request a test."))
    if not (product or "").strip():
        raise field_error("product", _("Name the product to test."))
    if not (parameters or "").strip():
        raise field_error("parameters", _("Name the parameters to test."))
    if isinstance(standard, str):
        found = standard_get_by_identifier(standard)
        if found is None:
            raise field_error(
                "standard",
                _("%(ident)s is not in the standards catalogue.") % {"ident": standard},
            )
        standard = found
    if client is not None and actor is not None and not acts_for(actor, client):
        raise PermissionDenied(
            _("You may only request tests for your own organisation.")
        )
    req = TestRequest.objects.create(
        body=body,
        client=client,
        requester=actor_recorded(actor),
        product=product.strip()[:200],
        parameters=parameters.strip()[:500],
        standard=standard,
        due_on=due_on or timezone.localdate() + datetime.timedelta(days=7),
    )
    TestRequestEvent.objects.create(
        request=req, type=req.state, actor=actor_recorded(actor), reason=note
    )
    return req


@transaction.atomic
def request_move(
    *,
    actor,
    request: TestRequest,
    state: str,
    reason: str = "",
    quote: str = "",
    due_on: datetime.date | None = None,
) -> TestRequest:
    """Move a test request along its states; each side makes its own moves
    (the body quotes, declines, receives the sample; the client accepts)."""
    req = TestRequest.objects.select_for_update().get(pk=request.pk)
    edges = REQUEST_EDGES.get(req.state, {})
    if state not in edges:
        raise Conflict(
            _("A request that is %(current)s cannot become %(state)s.")
            % {"current": req.get_state_display(), "state": state}
        )
    if edges[state] not in request_sides(actor, req):
        raise PermissionDenied(_("The other side makes this move."))
    if state == TestRequest.State.QUOTED and not quote.strip():
        raise field_error("quote", _("Give the quote (price and time)."))
    if state == TestRequest.State.DECLINED and not reason.strip():
        raise field_error("reason", _("Say why the request is declined."))
    req.state = state
    if quote:
        req.quote = quote.strip()[:300]
    req.due_on = due_on or (
        timezone.localdate()
        + datetime.timedelta(days=14 if state == "sample_received" else 7)
    )
    req.save(update_fields=["state", "quote", "due_on", "updated_at"])
    TestRequestEvent.objects.create(
        request=req,
        type=state,
        actor=actor_recorded(actor),
        reason=reason,
        details={"quote": quote} if quote else {},
    )
    return req
