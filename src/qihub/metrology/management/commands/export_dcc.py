"""qihub export-dcc CERTIFICATE [-o FILE]: write a certificate as a DCC."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qihub.metrology import dcc, selectors


class Command(BaseCommand):
    help = "Export a calibration certificate as a PTB DCC (schema 3.2.0)."

    def add_arguments(self, parser):
        parser.add_argument("certificate", help="certificate number")
        parser.add_argument("-o", "--output", type=Path, help="file (default: stdout)")

    def handle(self, *args, certificate, output, **options):
        event = selectors.certificate_by_number(certificate)
        if event is None:
            raise CommandError(f"No certificate {certificate!r}.")
        data = dcc.export(event)
        if output:
            output.write_bytes(data)
            self.stdout.write(f"Wrote {certificate} to {output} ({len(data)} bytes)")
        else:
            self.stdout.write(data.decode())
