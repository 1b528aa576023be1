"""Declaration imports uploaded by staff and run as jobs (``core.import_jobs``)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qihub.core import import_jobs
from qihub.core.errors import ApplicationError
from qihub.core.models import ImportJob
from qihub.declarations.models import Declaration, Enterprise
from qihub.declarations.tests.conftest import make_code
from qihub.declarations.tests.test_import import HEADER, _row

pytestmark = pytest.mark.django_db


def _upload(text: str, name: str = "d.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def _good() -> str:
    code = make_code("91440300MA5FAAAA1")
    return HEADER + _row(code, "童装1") + _row(code, "童装2", "30")


def test_job_imports_declarations_with_progress(
    staff_user, gb_toy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_jobs.import_job_start(
            actor=staff_user, kind="declarations", upload=_upload(_good())
        )
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE, job.summary
    assert job.summary == "imported 2 declarations (1 new enterprises, 1 flagged)"
    assert (job.rows_seen, job.rows_total) == (2, 2)
    assert Declaration.objects.filter(status="published").count() == 2


def test_refused_declarations_change_nothing(
    staff_user, gb_toy, django_capture_on_commit_callbacks
):
    code = make_code("91440300MA5FAAAA1")
    text = HEADER + _row(code, "童装1") + _row(code[:-1] + "X", "童装2")
    with django_capture_on_commit_callbacks(execute=True):
        job = import_jobs.import_job_start(
            actor=staff_user, kind="declarations", upload=_upload(text)
        )
    job.refresh_from_db()
    assert job.state == ImportJob.State.REFUSED
    assert job.summary == "The file was not imported: 1 error(s) in 1 row(s)."
    assert [(e["line"], e["field"]) for e in job.errors] == [(3, "credit_code")]
    assert not Declaration.objects.exists()
    assert not Enterprise.objects.exists()


def test_only_csv_and_xlsx_are_taken(staff_user):
    with pytest.raises(ApplicationError, match=r"\.csv or \.xlsx"):
        import_jobs.import_job_start(
            actor=staff_user, kind="declarations", upload=_upload("x", "d.pdf")
        )
    assert not ImportJob.objects.exists()


def test_api_upload_dry_run_and_state(
    staff_api, user_api, gb_toy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = staff_api.post(
            "/api/declarations/imports", {"file": _upload(_good()), "dry_run": "true"}
        )
    assert r.status_code == 202, r.content
    job_id = r.json()["id"]
    assert r.json()["dry_run"] is True
    body = staff_api.get(f"/api/declarations/imports/{job_id}").json()
    assert body["state"] == "done"
    assert body["summary"].startswith("would import 2 declarations")
    assert not Declaration.objects.exists()
    assert user_api.get(f"/api/declarations/imports/{job_id}").status_code == 403
    assert staff_api.get(f"/api/catalog/imports/{job_id}").status_code == 404
    r = user_api.post("/api/declarations/imports", {"file": _upload(_good())})
    assert r.status_code == 403


def test_upload_page(client, staff_user, gb_toy, django_capture_on_commit_callbacks):
    client.force_login(staff_user)
    assert client.get("/declarations/imports/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/declarations/imports/", {"file": _upload(_good())})
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert "imported 2 declarations" in page
