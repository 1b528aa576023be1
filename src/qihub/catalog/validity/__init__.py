"""Batch validity check (标准查新 / 有效性确认): find the identifiers on a
list (pasted, XLSX, CSV, TXT, DOCX), say for each whether it is still valid
and what replaced it; saved checks re-run when a standard on them changes.

Modules: :mod:`.finding` (identifiers in free text), :mod:`.check` (the
check against the catalogue), :mod:`.reading` (uploads as lines),
:mod:`.exports` (CSV/XLSX), :mod:`.models`, :mod:`.services` (writes),
:mod:`.selectors` (reads), :mod:`.api`, :mod:`.views`, :mod:`.admin`,
:mod:`.tasks` and :mod:`.receivers` (re-runs on catalogue changes).
"""
