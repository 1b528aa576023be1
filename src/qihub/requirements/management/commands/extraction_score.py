"""qihub extraction-score: precision and recall of requirement extraction."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qihub.requirements.scoring import LABELLED_SET, score


class Command(BaseCommand):
    help = (
        "Measure requirement extraction against a labelled set (default: the "
        "development set and the held-out set shipped with the tests)."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="labelled YAML files")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--verbose-misses", action="store_true")

    def handle(self, *args, **options):
        files = [Path(f) for f in options["files"]] or [
            LABELLED_SET,
            LABELLED_SET.with_name("labelled-requirements-heldout.yaml"),
        ]
        out = []
        for path in files:
            if not path.is_file():
                raise CommandError(f"{path}: no such file.")
            s = score(path)
            out.append(
                {
                    "file": path.name,
                    "labels": s.labels,
                    "proposals": s.proposals,
                    "matched": s.matched,
                    "precision": round(s.precision, 3),
                    "recall": round(s.recall, 3),
                    "f1": round(s.f1, 3),
                }
            )
            if not options["json"]:
                self.stdout.write(
                    f"{path.name}: {s.labels} labelled, {s.proposals} proposed, "
                    f"{s.matched} correct; precision {s.precision:.3f}, "
                    f"recall {s.recall:.3f}, F1 {s.f1:.3f}"
                )
                if options["verbose_misses"]:
                    for line in s.misses:
                        self.stdout.write(f"  missed: {line}")
                    for line in s.extras:
                        self.stdout.write(f"  extra:  {line}")
        if options["json"]:
            self.stdout.write(json.dumps(out, indent=2))
