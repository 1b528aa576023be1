"""qihub import-tbt FILE [--dry-run] [--json]: WTO TBT/SPS notifications
(ePing / TBT IMS CSV export), all or nothing, then matched."""

from qihub.international.imports import tbt_import
from qihub.international.management.commands._importing import ImportCommand


class Command(ImportCommand):
    help = "Import WTO TBT/SPS notifications (CSV export of ePing / TBT IMS)."
    importer = staticmethod(tbt_import)
