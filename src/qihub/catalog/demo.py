"""Demo catalogue: real standards across every level with their relations,
plus the public catalogue samples in ../shared/data when present."""

from pathlib import Path

from django.conf import settings

from qihub.catalog.imports import standards_import

DEMO_FILE = Path(__file__).resolve().parent / "data" / "demo-standards.csv"


def load(stdout=None) -> None:
    report = standards_import(file=DEMO_FILE, fmt="csv")
    if not report.ok:
        raise RuntimeError(
            "demo catalogue refused: " + "; ".join(map(str, report.errors[:5]))
        )
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
    if stdout:
        stdout.write(
            f"catalogue: {report.created + report.updated} demo standards, "
            f"{report.relations} relations, {extra} from public samples"
        )
