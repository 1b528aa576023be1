"""Demo catalogue: real standards across every level with their relations,
plus the public catalogue samples in ../shared/data when present."""

from pathlib import Path

from django.conf import settings

from qihub.catalog.importing import standards_import

DATA_DIR = Path(__file__).resolve().parent / "data"
#: Loaded in order: a later file may name standards of an earlier one.
DEMO_FILES = [
    DATA_DIR / "demo-standards.csv",
    *sorted(DATA_DIR.glob("demo-standards-*.csv")),
]


def load(stdout=None) -> None:
    standards = relations = 0
    for path in DEMO_FILES:
        report = standards_import(file=path, fmt="csv")
        if not report.ok:
            raise RuntimeError(
                f"demo catalogue {path.name} refused: "
                + "; ".join(map(str, report.errors[:5]))
            )
        standards += report.created + report.updated
        relations += report.relations
    samples = Path(settings.SHARED_DATA_DIR) / "catalogue-samples"
    extra = 0
    if samples.is_dir():
        for path in sorted(samples.glob("relaton-*.xml")):
            sample = standards_import(file=path, fmt="relaton")
            extra += sample.created if sample.ok else 0
        jsonl = samples / "iso-open-data-sample.jsonl"
        if jsonl.exists():
            sample = standards_import(file=jsonl, fmt="iso-jsonl")
            extra += sample.created if sample.ok else 0
    job = _demo_import_job()
    if stdout:
        stdout.write(
            f"catalogue: {standards} demo standards, "
            f"{relations} relations, {extra} from public samples"
            + (f"; import job {job.pk}: {job.summary}" if job else "")
        )


def _demo_import_job():
    """A dry run of the demo catalogue started by the demo staff user, so the
    import page (/catalog/imports/) lists a finished job; None without that
    user, or when it has one already."""
    from django.contrib.auth import get_user_model
    from django.core.files import File

    from qihub.core.import_jobs import import_job_run, import_job_start
    from qihub.core.models import ImportJob

    staff = get_user_model().objects.filter(username="staff").first()
    if staff is None or ImportJob.objects.filter(kind="standards").exists():
        return None
    with DEMO_FILES[0].open("rb") as fh:
        job = import_job_start(
            actor=staff, kind="standards", upload=File(fh), dry_run=True
        )
    import_job_run(job_id=job.pk)  # the queued task then finds it run
    job.refresh_from_db()
    return job
