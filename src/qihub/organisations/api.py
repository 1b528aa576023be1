"""The organisations API: search the registry, an organisation's and a
network's page as data, registering organisations."""

from __future__ import annotations

import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from qihub.core.api_auth import write_auth
from qihub.organisations import profile, selectors, services
from qihub.organisations.models import Network, Organisation

organisations_router = Router(tags=["organisations"])
networks_router = Router(tags=["organisations"])


class RegionOut(Schema):
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
    region: RegionOut | None
    address: str
    website: str
    contact_name: str
    contact_email: str
    contact_phone: str


class MetricOut(Schema):
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


class DesignationOut(Schema):
    id: int
    kind: str
    label: str
    number: str
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
        return obj.valid_on(datetime.date.today())  # noqa: DTZ011


class NetworkRef(Schema):
    network_id: int
    network: str
    joined_on: datetime.date
    left_on: datetime.date | None

    @staticmethod
    def resolve_network(obj) -> str:
        return obj.network.name


class OrganisationDetailOut(OrganisationOut):
    metrics: list[MetricOut]
    designations: list[DesignationOut]
    networks: list[NetworkRef]


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


@organisations_router.get("/", response=list[OrganisationOut])
@paginate(PageNumberPagination, page_size=20)
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
    org.metrics = profile.metrics_for([org.pk])
    org.designations_list = list(selectors.organisation_designations(org))
    org.networks_list = list(selectors.network_memberships(org))
    return _detail(org)


def _detail(org: Organisation) -> dict:
    data = OrganisationOut.from_orm(org).dict()
    data["metrics"] = org.metrics
    data["designations"] = org.designations_list
    data["networks"] = org.networks_list
    return data


class NetworkOut(Schema):
    id: int
    name: str
    name_zh: str
    name_en: str
    kind: str
    region: RegionOut | None
    founded_on: datetime.date | None
    description: str


class MemberOut(Schema):
    organisation_id: int
    organisation: str
    kind: str
    joined_on: datetime.date
    left_on: datetime.date | None
    liaison_name: str

    @staticmethod
    def resolve_organisation(obj) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_kind(obj) -> str:
        return obj.organisation.kind


class TermOut(Schema):
    organisation_id: int
    organisation: str
    starts_on: datetime.date
    ends_on: datetime.date | None

    @staticmethod
    def resolve_organisation(obj) -> str:
        return obj.organisation.name


class NetworkDetailOut(NetworkOut):
    members: list[MemberOut]
    secretariat: list[TermOut]
    metrics: list[MetricOut]


@networks_router.get("/", response=list[NetworkOut])
@paginate(PageNumberPagination, page_size=20)
def network_list(request):
    return selectors.networks_list()


@networks_router.get("/{network_id}", response=NetworkDetailOut)
def network_detail(request, network_id: int):
    """A network with its current members, its secretariat's history and its
    members' combined output (each record once)."""
    network = get_object_or_404(Network.objects.select_related("region"), pk=network_id)
    members = list(selectors.members_on(network))
    data = NetworkOut.from_orm(network).dict()
    data["members"] = members
    data["secretariat"] = list(selectors.secretariat_history(network))
    data["metrics"] = profile.metrics_for([m.organisation_id for m in members])
    return data
