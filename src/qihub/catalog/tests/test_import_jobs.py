"""Catalogue imports uploaded by staff and run as jobs (``core.import_jobs``)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qihub.catalog.models import ImportRun, Standard
from qihub.core import import_jobs
from qihub.core.errors import ApplicationError, PermissionDenied
from qihub.core.models import ImportJob

pytestmark = pytest.mark.django_db

GOOD = (
    "identifier,title_zh,status\n"
    "GB/T 3100-1993,国际单位制及其应用,in_force\n"
    "GB/T 3101-1993,有关量、单位和符号的一般原则,in_force\n"
)
BAD = (
    "identifier,title_zh,status\n"
    "GB/T 3100-1993,国际单位制及其应用,in_force\n"
    "GB/T 3101-1993,有关量、单位和符号的一般原则,sleeping\n"
)


def _upload(text: str, name: str = "std.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def _start(actor, text=GOOD, name="std.csv", **options) -> ImportJob:
    job = import_jobs.import_job_start(
        actor=actor, kind="standards", upload=_upload(text, name), **options
    )
    return job


def test_job_imports_the_file_and_records_its_progress(
    staff_user, classifications, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(staff_user)
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE
    assert (job.rows_seen, job.rows_total) == (2, 2)
    assert job.summary.startswith("imported 2 standards (2 new, 0 updated)")
    assert job.actor == staff_user
    assert job.started_at
    assert job.finished_at
    assert not job.file  # the upload is deleted once the job has run
    assert Standard.objects.filter(identifier__startswith="GB/T 310").count() == 2
    assert ImportRun.objects.get().file_name == "std.csv"


def test_refused_file_changes_nothing_and_lists_the_errors(
    staff_user, classifications, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(staff_user, BAD)
    job.refresh_from_db()
    assert job.state == ImportJob.State.REFUSED
    assert "nothing imported" in job.summary
    assert [(e["line"], e["field"]) for e in job.errors] == [(3, "status")]
    assert not Standard.objects.exists()
    assert not ImportRun.objects.exists()


def test_dry_run_checks_and_writes_nothing(
    staff_user, classifications, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(staff_user, dry_run=True)
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE
    assert job.summary.startswith("would import 2 standards")
    assert not Standard.objects.exists()


def test_unreadable_file_is_refused_by_the_job(
    staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(staff_user, "\x00\x01\x02\xff\xfe" * 100, name="x.csv")
    job.refresh_from_db()
    assert job.state == ImportJob.State.REFUSED
    assert job.summary == "The CSV file has no 'identifier' column."
    assert not Standard.objects.exists()


def test_upload_checks_store_nothing(staff_user, plain_user, settings, monkeypatch):
    stored = set((settings.DATA_DIR / "imports").glob("*/*"))
    with pytest.raises(PermissionDenied):
        _start(plain_user)
    with pytest.raises(ApplicationError, match="empty"):
        _start(staff_user, "")
    with pytest.raises(ApplicationError, match="Unknown format"):
        _start(staff_user, fmt="docx")
    monkeypatch.setitem(import_jobs.MAX_BYTES, ImportJob.Kind.STANDARDS, 10)
    with pytest.raises(ApplicationError, match="larger than"):
        _start(staff_user)
    assert not ImportJob.objects.exists()
    assert set((settings.DATA_DIR / "imports").glob("*/*")) == stored


def test_a_job_runs_once(staff_user, classifications):
    job = _start(staff_user)  # on_commit not run: still queued
    assert import_jobs.import_job_run(job_id=job.pk) == "done"
    assert import_jobs.import_job_run(job_id=job.pk) == "done"
    assert Standard.objects.count() == 2


def test_failure_is_reported_and_rolled_back(staff_user, classifications, monkeypatch):
    from qihub.catalog import importing

    def broken(self, report):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing.writer.Writer, "finish", broken)
    job = _start(staff_user)
    assert import_jobs.import_job_run(job_id=job.pk) == "failed"
    job.refresh_from_db()
    assert "RuntimeError" in job.summary
    assert "nothing was imported" in job.summary
    assert not Standard.objects.exists()


# API


def test_api_upload_answers_the_job_and_its_state(
    staff_api, classifications, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = staff_api.post(
            "/api/catalog/imports",
            {"file": _upload(GOOD), "dry_run": "false"},
        )
    assert r.status_code == 202, r.content
    body = r.json()
    assert body["kind"] == "standards"
    assert body["state"] == "queued"  # the worker runs it after the commit
    assert body["url"] == f"/account/imports/{body['id']}/"
    assert body["started_by"] == "staff1"
    assert body["format"] == "csv"
    r = staff_api.get(f"/api/catalog/imports/{body['id']}")
    assert r.status_code == 200
    assert r.json()["state"] == "done"
    assert (r.json()["rows_seen"], r.json()["rows_total"]) == (2, 2)
    assert r.json()["summary"].startswith("imported 2 standards")
    assert Standard.objects.count() == 2


def test_api_refused_file_is_a_refused_job(
    staff_api, classifications, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = staff_api.post("/api/catalog/imports", {"file": _upload(BAD)})
    assert r.status_code == 202
    job = staff_api.get(f"/api/catalog/imports/{r.json()['id']}").json()
    assert job["state"] == "refused"
    assert job["errors"][0]["field"] == "status"
    assert not Standard.objects.exists()


def test_api_refusals(staff_api, user_api, client):
    r = client.post("/api/catalog/imports", {"file": _upload(GOOD)})
    assert r.status_code == 401
    r = user_api.post("/api/catalog/imports", {"file": _upload(GOOD)})
    assert r.status_code == 403
    r = staff_api.post("/api/catalog/imports", {"file": _upload("")})
    assert r.status_code == 400
    assert r.json()["detail"] == "The file is empty."
    r = staff_api.post("/api/catalog/imports", {"file": _upload(GOOD), "format": "x"})
    assert r.status_code == 400
    assert staff_api.get("/api/catalog/imports/999").status_code == 404
    assert user_api.get("/api/catalog/imports/999").status_code == 403
    assert not ImportJob.objects.exists()


def test_api_job_of_the_other_kind_is_not_found(staff_api, staff_user):
    job = import_jobs.import_job_start(
        actor=staff_user, kind="declarations", upload=_upload("a,b\n")
    )
    assert staff_api.get(f"/api/catalog/imports/{job.pk}").status_code == 404


# pages


def test_upload_page_starts_a_job_and_shows_it(
    client, staff_user, plain_user, classifications, django_capture_on_commit_callbacks
):
    client.force_login(plain_user)
    assert client.get("/catalog/imports/").status_code == 403
    client.force_login(staff_user)
    assert client.get("/catalog/imports/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/catalog/imports/", {"file": _upload(GOOD)})
    job = ImportJob.objects.get()
    assert r.status_code == 302
    assert r["Location"] == f"/account/imports/{job.pk}/"
    page = client.get(r["Location"]).content.decode()
    assert "imported 2 standards" in page
    assert "hx-trigger" not in page  # finished: no more polling
    assert "std.csv" in client.get("/catalog/imports/").content.decode()


def test_upload_page_shows_a_refused_upload_on_the_form(client, staff_user):
    client.force_login(staff_user)
    r = client.post("/catalog/imports/", {"file": _upload("", "empty.csv")})
    assert r.status_code == 200
    assert "The submitted file is empty." in r.content.decode()
    assert not ImportJob.objects.exists()


def test_running_job_page_polls_its_progress(client, staff_user, plain_user):
    job = _start(staff_user)  # queued: the worker has not run it
    client.force_login(staff_user)
    page = client.get(f"/account/imports/{job.pk}/").content.decode()
    assert f'hx-get="/account/imports/{job.pk}/progress/"' in page
    assert 'hx-trigger="every 1s"' in page
    ImportJob.objects.filter(pk=job.pk).update(
        state="running", rows_seen=1, rows_total=2
    )
    panel = client.get(f"/account/imports/{job.pk}/progress/").content.decode()
    assert "1 of 2 rows" in panel
    assert 'value="1"' in panel
    client.force_login(plain_user)
    assert client.get(f"/account/imports/{job.pk}/").status_code == 403
    client.force_login(staff_user)
    assert client.get("/account/imports/999/").status_code == 404


def test_admin_lists_jobs_read_only(client, admin_user, staff_user):
    _start(staff_user)
    client.force_login(admin_user)
    assert client.get("/admin/core/importjob/").status_code == 200
    job = ImportJob.objects.get()
    r = client.get(f"/admin/core/importjob/{job.pk}/change/")
    assert r.status_code == 200
    assert client.get("/admin/core/importjob/add/").status_code == 403


def test_demo_data_has_a_finished_import_job(classifications):
    from qihub.catalog import demo
    from qihub.core import demo as core_demo

    core_demo.load()
    demo.load()
    job = ImportJob.objects.get()
    assert (job.state, job.dry_run, job.actor.username) == ("done", True, "staff")
    assert job.summary.startswith("would import")
    demo.load()  # repeatable: still one
    assert ImportJob.objects.count() == 1


def test_job_page_in_chinese(zh_client, staff_user):
    job = _start(staff_user)
    zh_client.force_login(staff_user)
    page = zh_client.get(f"/account/imports/{job.pk}/").content.decode()
    assert "排队中" in page
    assert "导入 std.csv" in page
