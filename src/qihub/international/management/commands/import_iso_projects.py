"""qihub import-iso-projects FILE [--dry-run] [--json]: ISO Open Data
deliverables or projects metadata as international projects, all or nothing."""

from qihub.international.imports import iso_projects_import
from qihub.international.management.commands._importing import ImportCommand


class Command(ImportCommand):
    help = "Import ISO Open Data projects/deliverables (JSON Lines, JSON or CSV)."
    importer = staticmethod(iso_projects_import)
