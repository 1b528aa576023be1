"""The organisations API: search the registry, an organisation's and a
network's page as data; registering and changing organisations, their
designations and users, networks with their members, secretariat terms,
meetings and announcements. Every write calls one service; a refusal is a
4xx JSON body naming the field in ``errors``."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from qihub.core.api_auth import write_auth
from qihub.core.errors import ApplicationError, NotFound
from qihub.organisations import profile, selectors, services, tallies
from qihub.organisations.models import Membership, Network, NetworkMember, Organisation

organisations_router = Router(tags=["organisations"])
networks_router = Router(tags=["organisations"])


class OrganisationRegionOut(Schema):
    code: str
    name_zh: str
    name_en: str
    level: str


class OrganisationOut(Schema):
    id: int
    name: str
    name_zh: str
    name_en: str
    former_names: list[str]
    credit_code: str
    kind: str
    region: OrganisationRegionOut | None
    address: str
    website: str
    contact_name: str
    contact_email: str
    contact_phone: str


class OrganisationMetricOut(Schema):
    key: str
    label: str
    value: int
    section: str
    by_level_year: dict[str, dict[str, int]]

    @staticmethod
    def resolve_label(obj) -> str:
        return str(obj.label)

    @staticmethod
    def resolve_section(obj) -> str:
        return str(obj.section)

    @staticmethod
    def resolve_by_level_year(obj) -> dict[str, dict[str, int]]:
        return {
            level: {str(year or ""): n for year, n in years.items()}
            for level, years in obj.by_level_year.items()
        }


class OrganisationDesignationOut(Schema):
    id: int
    kind: str
    label: str
    number: str
    issuing_authority_id: int | None
    issuing_authority: str | None
    network_id: int | None
    valid_from: datetime.date
    expires_on: datetime.date | None
    valid_today: bool

    @staticmethod
    def resolve_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_issuing_authority(obj) -> str | None:
        return obj.issuing_authority.name if obj.issuing_authority else None

    @staticmethod
    def resolve_valid_today(obj) -> bool:
        return obj.valid_on(timezone.localdate())


class OrganisationNetworkOut(Schema):
    network_id: int
    network: str
    joined_on: datetime.date
    left_on: datetime.date | None

    @staticmethod
    def resolve_network(obj) -> str:
        return obj.network.name


class OrganisationDetailOut(OrganisationOut):
    metrics: list[OrganisationMetricOut]
    designations: list[OrganisationDesignationOut]
    networks: list[OrganisationNetworkOut]


class OrganisationIn(Schema):
    kind: str
    name_zh: str = ""
    name_en: str = ""
    credit_code: str | None = None
    region: str | None = None
    address: str = ""
    website: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""


class OrganisationPatch(Schema):
    """The fields to change; those left out stay as they are."""

    name_zh: str | None = None
    name_en: str | None = None
    credit_code: str | None = None
    kind: str | None = None
    region: str | None = None
    address: str | None = None
    website: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    reason: str = ""


class OrganisationDesignationIn(Schema):
    kind: str
    valid_from: datetime.date
    expires_on: datetime.date | None = None
    issuing_authority_id: int | None = None
    number: str = ""
    network_id: int | None = None
    note: str = ""


class OrganisationUserOut(Schema):
    username: str
    role: str
    since: datetime.datetime

    @staticmethod
    def resolve_username(obj) -> str:
        return obj.user.get_username()

    @staticmethod
    def resolve_since(obj) -> datetime.datetime:
        return obj.created_at


class OrganisationUserIn(Schema):
    username: str
    role: str = Membership.Role.MEMBER


class OrganisationRoleIn(Schema):
    role: str


#: The highest ``?page=`` the paginated lists accept: beyond it the offset
#: overflows the databases' integers (a 500) and no page holds anything.
MAX_PAGE = 100_000


class BoundedPageNumberPagination(PageNumberPagination):
    """Page-number pagination whose page number is bounded (a 422 beyond)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=100)


class SearchPagination(BoundedPageNumberPagination):
    """Pages of an organisation search: ``count`` is exact up to
    ``selectors.COUNT_CAP`` matches; beyond, it is that lower bound and
    ``count_is_estimate`` is true."""

    class Output(Schema):
        items: list[Any]
        count: int
        count_is_estimate: bool = False

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["count_is_estimate"] = getattr(queryset, "count_is_estimate", False)
        return page


def _organisation(org_id: int | None, field: str) -> Organisation | None:
    """The organisation an input refers to by id; an unknown one is refused
    naming the field."""
    if org_id is None:
        return None
    org = Organisation.objects.filter(pk=org_id).first()
    if org is None:
        message = _("There is no organisation with id %(id)d.") % {"id": org_id}
        raise ApplicationError(message, details={field: [message]})
    return org


def _network(network_id: int | None, field: str = "network_id") -> Network | None:
    if network_id is None:
        return None
    network = Network.objects.filter(pk=network_id).first()
    if network is None:
        message = _("There is no network with id %(id)d.") % {"id": network_id}
        raise ApplicationError(message, details={field: [message]})
    return network


def _membership(org: Organisation, username: str) -> Membership:
    membership = (
        Membership.objects.select_related("user", "organisation")
        .filter(organisation=org, user__username=username)
        .first()
    )
    if membership is None:
        raise NotFound(
            _("%(user)s does not belong to %(org)s.")
            % {"user": username, "org": org.name}
        )
    return membership


@organisations_router.get("/", response=list[OrganisationOut])
@paginate(SearchPagination, page_size=20)
def organisation_list(
    request,
    q: str = "",
    kind: str = "",
    region: str = "",
    designation: str = "",
    code: str = "",
):
    """Search organisations by name (any fragment, current or former name),
    credit code, kind, region (with the divisions inside it) and a designation
    valid today."""
    return selectors.organisation_search(
        q=q or code, kind=kind, region=region, designation=designation
    )


@organisations_router.post(
    "/",
    response={201: OrganisationOut},
    auth=write_auth,
    summary="Register an organisation",
)
def organisation_create(request, payload: OrganisationIn):
    org = services.organisation_create(actor=request.auth, **payload.dict())
    return Status(201, org)


@organisations_router.get("/{org_id}", response=OrganisationDetailOut)
def organisation_detail(request, org_id: int):
    """An organisation with every domain's counts for it, its designations and
    its network memberships."""
    org = get_object_or_404(Organisation.objects.select_related("region"), pk=org_id)
    return _detail(org)


def _detail(org: Organisation) -> dict:
    data = OrganisationOut.from_orm(org).dict()
    data["metrics"] = profile.metrics_for([org.pk])
    data["designations"] = list(selectors.organisation_designations(org))
    data["networks"] = list(selectors.network_memberships(org))
    return data


@organisations_router.patch(
    "/{org_id}",
    response=OrganisationDetailOut,
    auth=write_auth,
    summary="Change an organisation",
)
def organisation_update(request, org_id: int, payload: OrganisationPatch):
    """Change the fields given (staff or the organisation's administrators);
    a new name keeps the old one among the former names."""
    org = get_object_or_404(Organisation, pk=org_id)
    changes = payload.dict(exclude_unset=True)
    reason = changes.pop("reason", "")
    org = services.organisation_update(
        actor=request.auth, organisation=org, reason=reason, **changes
    )
    return _detail(org)


@organisations_router.post(
    "/{org_id}/designations",
    response={201: OrganisationDesignationOut},
    auth=write_auth,
    summary="Add a designation",
)
def designation_add(request, org_id: int, payload: OrganisationDesignationIn):
    """Record a title an authority gave the organisation (staff); it stops
    counting on ``expires_on``."""
    org = get_object_or_404(Organisation, pk=org_id)
    data = payload.dict()
    designation = services.designation_add(
        actor=request.auth,
        organisation=org,
        kind=data["kind"],
        valid_from=data["valid_from"],
        expires_on=data["expires_on"],
        issuing_authority=_organisation(
            data["issuing_authority_id"], "issuing_authority_id"
        ),
        number=data["number"],
        network=_network(data["network_id"]),
        note=data["note"],
    )
    return Status(201, designation)


@organisations_router.get(
    "/{org_id}/users",
    response=list[OrganisationUserOut],
    auth=write_auth,
    summary="The organisation's users",
)
def organisation_users(request, org_id: int):
    """Who belongs to the organisation, with their roles (staff and the
    organisation's administrators)."""
    org = get_object_or_404(Organisation, pk=org_id)
    services.check_may_manage(request.auth, org)
    return list(selectors.organisation_users(org))


@organisations_router.post(
    "/{org_id}/users",
    response={201: OrganisationUserOut},
    auth=write_auth,
    summary="Add a user to the organisation",
)
def organisation_user_add(request, org_id: int, payload: OrganisationUserIn):
    org = get_object_or_404(Organisation, pk=org_id)
    services.check_may_manage(request.auth, org)
    user = get_user_model().objects.filter(username=payload.username).first()
    if user is None:
        message = _("There is no user %(user)s.") % {"user": payload.username}
        raise ApplicationError(message, details={"username": [message]})
    membership = services.membership_add(
        actor=request.auth, organisation=org, user=user, role=payload.role
    )
    return Status(201, membership)


@organisations_router.patch(
    "/{org_id}/users/{username}",
    response=OrganisationUserOut,
    auth=write_auth,
    summary="Change a user's role",
)
def organisation_user_role(
    request, org_id: int, username: str, payload: OrganisationRoleIn
):
    org = get_object_or_404(Organisation, pk=org_id)
    services.check_may_manage(request.auth, org)
    return services.membership_set_role(
        actor=request.auth, membership=_membership(org, username), role=payload.role
    )


@organisations_router.delete(
    "/{org_id}/users/{username}",
    response={204: None},
    auth=write_auth,
    summary="Remove a user from the organisation",
)
def organisation_user_remove(request, org_id: int, username: str):
    org = get_object_or_404(Organisation, pk=org_id)
    services.check_may_manage(request.auth, org)
    services.membership_remove(
        actor=request.auth, membership=_membership(org, username)
    )
    return Status(204, None)


class NetworkOut(Schema):
    id: int
    name: str
    name_zh: str
    name_en: str
    kind: str
    organisation_id: int | None
    region: OrganisationRegionOut | None
    founded_on: datetime.date | None
    description: str


class NetworkMemberOut(Schema):
    id: int
    organisation_id: int
    organisation: str
    kind: str
    joined_on: datetime.date
    left_on: datetime.date | None
    liaison_name: str
    liaison_email: str
    liaison_phone: str

    @staticmethod
    def resolve_organisation(obj) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_kind(obj) -> str:
        return obj.organisation.kind


class SecretariatTermOut(Schema):
    id: int
    organisation_id: int
    organisation: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    note: str

    @staticmethod
    def resolve_organisation(obj) -> str:
        return obj.organisation.name


class NetworkMeetingOut(Schema):
    id: int
    held_on: datetime.date
    title: str
    place: str
    minutes: str
    decisions: list[str]

    @staticmethod
    def resolve_decisions(obj) -> list[str]:
        return obj.decision_list()


class NetworkAnnouncementOut(Schema):
    id: int
    title: str
    body: str
    published_at: datetime.datetime


class NetworkDetailOut(NetworkOut):
    members: list[NetworkMemberOut]
    former_members: list[NetworkMemberOut]
    secretariat: list[SecretariatTermOut]
    metrics: list[OrganisationMetricOut]
    metrics_counted_at: datetime.datetime | None = Field(
        None,
        description="When a large network's counts were counted (null: live).",
    )
    metrics_stale: bool = Field(
        False, description="True while a newer recount is on its way."
    )
    meetings: list[NetworkMeetingOut]
    announcements: list[NetworkAnnouncementOut]


class NetworkIn(Schema):
    kind: str
    name_zh: str = ""
    name_en: str = ""
    organisation_id: int | None = None
    region: str | None = None
    founded_on: datetime.date | None = None
    description: str = ""


class NetworkMemberIn(Schema):
    organisation_id: int
    joined_on: datetime.date
    liaison_name: str = ""
    liaison_email: str = ""
    liaison_phone: str = ""


class NetworkLeaveIn(Schema):
    left_on: datetime.date
    reason: str = ""


class SecretariatTermIn(Schema):
    organisation_id: int
    starts_on: datetime.date
    ends_on: datetime.date | None = None
    note: str = ""


class NetworkMeetingIn(Schema):
    held_on: datetime.date
    title: str
    place: str = ""
    minutes: str = ""
    decisions: list[str] = []


class NetworkAnnouncementIn(Schema):
    title: str
    body: str = ""


@networks_router.get("/", response=list[NetworkOut])
@paginate(BoundedPageNumberPagination, page_size=20)
def network_list(request):
    return selectors.networks_list()


@networks_router.post(
    "/", response={201: NetworkOut}, auth=write_auth, summary="Register a network"
)
def network_create(request, payload: NetworkIn):
    data = payload.dict()
    network = services.network_create(
        actor=request.auth,
        kind=data["kind"],
        name_zh=data["name_zh"],
        name_en=data["name_en"],
        organisation=_organisation(data["organisation_id"], "organisation_id"),
        region=data["region"],
        founded_on=data["founded_on"],
        description=data["description"],
    )
    return Status(201, network)


@networks_router.get("/{network_id}", response=NetworkDetailOut)
def network_detail(request, network_id: int):
    """A network with its current and former members, its secretariat's
    history, its meetings and announcements, and its current members'
    combined output (each record once)."""
    network = get_object_or_404(Network.objects.select_related("region"), pk=network_id)
    members = list(selectors.members_on(network))
    data = NetworkOut.from_orm(network).dict()
    data["members"] = members
    data["former_members"] = list(selectors.former_members(network))
    data["secretariat"] = list(selectors.secretariat_history(network))
    counts = tallies.network_counts(network)
    data["metrics"] = counts.metrics
    data["metrics_counted_at"] = counts.counted_at
    data["metrics_stale"] = counts.stale
    data["meetings"] = list(network.meetings.all()[:50])
    data["announcements"] = list(network.announcements.all()[:50])
    return data


def _get_network(network_id: int) -> Network:
    return get_object_or_404(Network, pk=network_id)


@networks_router.post(
    "/{network_id}/members",
    response={201: NetworkMemberOut},
    auth=write_auth,
    summary="An organisation joins the network",
)
def network_member_join(request, network_id: int, payload: NetworkMemberIn):
    network = _get_network(network_id)
    data = payload.dict()
    member = services.network_member_join(
        actor=request.auth,
        network=network,
        organisation=_organisation(data.pop("organisation_id"), "organisation_id"),
        **data,
    )
    return Status(201, member)


@networks_router.post(
    "/{network_id}/members/{member_id}/leave",
    response=NetworkMemberOut,
    auth=write_auth,
    summary="A member leaves the network",
)
def network_member_leave(
    request, network_id: int, member_id: int, payload: NetworkLeaveIn
):
    """``member_id`` is the membership's id (``members[].id``); the member
    stops counting from ``left_on`` and its secretariat term ends that day."""
    member = get_object_or_404(
        NetworkMember.objects.select_related("organisation", "network"),
        pk=member_id,
        network_id=network_id,
    )
    return services.network_member_leave(
        actor=request.auth,
        member=member,
        left_on=payload.left_on,
        reason=payload.reason,
    )


@networks_router.post(
    "/{network_id}/secretariat",
    response={201: SecretariatTermOut},
    auth=write_auth,
    summary="Assign the secretariat for a new term",
)
def secretariat_assign(request, network_id: int, payload: SecretariatTermIn):
    network = _get_network(network_id)
    data = payload.dict()
    term = services.secretariat_assign(
        actor=request.auth,
        network=network,
        organisation=_organisation(data.pop("organisation_id"), "organisation_id"),
        **data,
    )
    return Status(201, term)


@networks_router.post(
    "/{network_id}/meetings",
    response={201: NetworkMeetingOut},
    auth=write_auth,
    summary="Record a meeting",
)
def meeting_record(request, network_id: int, payload: NetworkMeetingIn):
    network = _get_network(network_id)
    data = payload.dict()
    data["decisions"] = "\n".join(d.strip() for d in data["decisions"] if d.strip())
    meeting = services.meeting_record(actor=request.auth, network=network, **data)
    return Status(201, meeting)


@networks_router.post(
    "/{network_id}/announcements",
    response={201: NetworkAnnouncementOut},
    auth=write_auth,
    summary="Publish an announcement to the members",
)
def announcement_publish(request, network_id: int, payload: NetworkAnnouncementIn):
    network = _get_network(network_id)
    announcement = services.announcement_publish(
        actor=request.auth, network=network, **payload.dict()
    )
    return Status(201, announcement)
