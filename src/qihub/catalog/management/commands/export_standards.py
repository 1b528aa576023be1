"""qihub export-standards FILE [--format F] [--level L] [--status S]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qihub.catalog.exports import EXPORT_FORMATS, standards_export
from qihub.catalog.models import Standard


class Command(BaseCommand):
    help = "Export standards as CSV, XLSX or JSON in the import column layout."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Output file ('-' for stdout).")
        parser.add_argument("--format", choices=EXPORT_FORMATS, default=None)
        parser.add_argument("--level", choices=Standard.Level.values, action="append")
        parser.add_argument("--status", choices=Standard.Status.values, action="append")

    def handle(self, *args, file: Path, format, level, status, **options):
        fmt = format or file.suffix.lower().lstrip(".") or "csv"
        if str(file) == "-":
            fmt = format or "csv"
        if fmt not in EXPORT_FORMATS:
            raise CommandError(
                f"{file}: cannot tell the format; pass --format csv, xlsx or json"
            )
        qs = Standard.objects.all()
        if level:
            qs = qs.filter(level__in=level)
        if status:
            qs = qs.filter(status__in=status)
        if str(file) == "-":
            if fmt == "xlsx":
                raise CommandError("XLSX cannot be written to stdout; name a file")
            count = standards_export(queryset=qs, fmt=fmt, stream=self.stdout)
            return
        mode = "wb" if fmt == "xlsx" else "w"
        kwargs = {} if fmt == "xlsx" else {"encoding": "utf-8", "newline": ""}
        with file.open(mode, **kwargs) as stream:
            count = standards_export(queryset=qs, fmt=fmt, stream=stream)
        self.stdout.write(f"exported {count:,} standards to {file}")
