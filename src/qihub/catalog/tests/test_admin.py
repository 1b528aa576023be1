"""The catalogue's admin: every write goes through the services."""

import pytest

from qihub.catalog import services
from qihub.catalog.importing import standards_import
from qihub.catalog.models import ImportRun, Standard, StandardEvent

pytestmark = pytest.mark.django_db

ADD = "/admin/catalog/standard/add/"
NO_INLINES = {
    f"{prefix}-{name}": "0"
    for prefix in ("relations_out", "events")
    for name in ("TOTAL_FORMS", "INITIAL_FORMS")
}


@pytest.fixture
def admin_client(client, admin_user, classifications):
    client.force_login(admin_user)
    return client


@pytest.fixture
def standard(admin_user, classifications):
    return services.standard_create(
        actor=admin_user,
        identifier="GB 2760-2014",
        title_zh="食品安全国家标准 食品添加剂使用标准",
        title_en="National food safety standard - Standard for uses of food additives",
        ics=["67.220.20"],
    )


def _form(standard: Standard, **changes) -> dict:
    data = {
        "identifier": standard.identifier,
        "title_zh": standard.title_zh,
        "title_en": standard.title_en,
        "status": standard.status,
        "level": standard.level,
        "nature": standard.nature,
        "issued_on": "",
        "implemented_on": "",
        "withdrawn_on": "",
        "ccs": "",
        "issuing_body": "",
        "committee": "",
        "scope": "",
        "source": standard.source,
        "external_id": "",
        "ics_codes": " ".join(c.code for c in standard.ics.all()),
        **NO_INLINES,
    }
    data.update(changes)
    return data


def test_add_goes_through_the_service(admin_client, admin_user):
    response = admin_client.post(
        ADD,
        {
            "identifier": "GB/T 19001—2016",  # any spelling the parser takes
            "title_zh": "质量管理体系 要求",
            "title_en": "",
            "status": "in_force",
            "source": "manual",
            "ccs": "A00",
            "ics_codes": "03.120.10",
            **NO_INLINES,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    std = Standard.objects.get()
    assert std.identifier == "GB/T 19001-2016"
    assert (std.level, std.nature) == ("national", "recommended")  # derived
    assert std.ccs_id == "A00"
    assert [c.code for c in std.ics.all()] == ["03.120.10"]
    event = std.events.get()
    assert (event.type, event.actor, event.reason) == (
        "created",
        admin_user,
        "added in the admin",
    )


def test_edit_is_recorded_in_the_history(admin_client, admin_user, standard):
    url = f"/admin/catalog/standard/{standard.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "67.220.20" in page.content.decode()
    response = admin_client.post(
        url, _form(standard, title_en="Food additives", ics_codes="67.220.20 67.040")
    )
    assert response.status_code == 302
    standard.refresh_from_db()
    assert standard.title_en == "Food additives"
    assert sorted(c.code for c in standard.ics.all()) == ["67.040", "67.220.20"]
    event = standard.events.filter(type="updated").get()
    assert event.actor == admin_user
    assert event.details["title_en"][1] == "Food additives"
    assert event.details["ics"] == [["67.220.20"], ["67.040", "67.220.20"]]


def test_a_refused_edit_says_why_and_changes_nothing(admin_client, standard):
    url = f"/admin/catalog/standard/{standard.pk}/change/"
    response = admin_client.post(
        url, _form(standard, title_en="Changed", status="withdrawn"), follow=True
    )
    assert "Use withdrawal or replacement" in response.content.decode()
    standard.refresh_from_db()
    assert standard.title_en.startswith("National food safety")
    assert standard.status == "in_force"
    assert not StandardEvent.objects.filter(type="updated").exists()


def test_search_list_and_imports(admin_client, standard, tmp_path):
    found = admin_client.get("/admin/catalog/standard/", {"q": "食品"})
    assert "GB 2760-2014" in found.content.decode()
    found = admin_client.get("/admin/catalog/standard/", {"q": "gb2760"})
    assert "GB 2760-2014" in found.content.decode()
    missed = admin_client.get("/admin/catalog/standard/", {"q": "水泥"})
    assert "GB 2760-2014" not in missed.content.decode()
    assert (
        admin_client.get(f"/admin/catalog/standard/{standard.pk}/delete/").status_code
        == 403
    )

    csv_file = tmp_path / "few.csv"
    csv_file.write_text(
        "identifier,title_zh,status\nGB 1-2020,一,in_force\n", encoding="utf-8"
    )
    standards_import(file=csv_file)
    run = ImportRun.objects.get()
    listing = admin_client.get("/admin/catalog/importrun/").content.decode()
    assert "few.csv" in listing
    assert (
        admin_client.get(f"/admin/catalog/importrun/{run.pk}/change/").status_code
        == 200
    )
