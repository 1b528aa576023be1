"""Set-based writes of checked rows: a few statements per batch, the
indexes dropped and built again for a first load, the relations and the
run's record at the end.
"""

from __future__ import annotations

import contextlib
import json
import operator
import time
from collections.abc import Iterator
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.catalog import identifiers
from qihub.catalog.importing import indexes
from qihub.catalog.importing.prepared import Prepared, copy_text
from qihub.catalog.importing.report import ImportFormatError, ImportReport
from qihub.catalog.importing.rows import (
    DIFFED,
    Clean,
    changes,
    chunked_lookup,
    search_document,
)
from qihub.catalog.models import ImportRun, Standard, StandardEvent, StandardRelation
from qihub.catalog.search_text import search_text_for
from qihub.catalog.signals import standard_status_changed
from qihub.organisations.profile import counts_changed

#: Standard columns a new record takes from its checked row (``Clean``)...
_FROM_CLEAN = {
    "identifier": "canonical",
    "ident_key": "key",
    "base_key": "base_key",
    "prefix": "prefix",
    "number": "number",
    "year": "year",
    "level": "level",
    "nature": "nature",
    "search_text": "search_text",
}
#: ... and from its values (the dates in the database's terms).
_FROM_VALUES = (
    "status",
    "title_zh",
    "title_en",
    "ccs_id",
    "issuing_body",
    "committee",
    "scope",
    "source",
    "external_id",
)
_DATES = ("issued_on", "implemented_on", "withdrawn_on")
#: The tables an import writes (their foreign keys are checked at the end).
WRITTEN_TABLES = (
    Standard._meta.db_table,
    Standard.ics.through._meta.db_table,
    StandardEvent._meta.db_table,
    StandardRelation._meta.db_table,
)


def _in_chunks(values: list, size: int = 900) -> Iterator[tuple[list, str]]:
    """``values`` a statement's worth at a time (SQLite bounds the
    parameters of one), each chunk with its ``%s, ...`` for an IN list."""
    for i in range(0, len(values), size):
        chunk = values[i : i + size]
        yield chunk, ", ".join(["%s"] * len(chunk))


def _adapt_default(field) -> Any:
    value = field.get_default()
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


class Writer:
    """Set-based writes of validated rows: a few statements per batch.

    New standards get their ids up front (the next free ids under SQLite's
    write lock, ``nextval`` on PostgreSQL) so the ICS links and events of a
    batch go in without reading anything back. PostgreSQL uses COPY.

    Into an empty catalogue (a first load) the writer follows PostgreSQL's
    advice for populating a database: the secondary indexes (and on
    PostgreSQL the unique and foreign-key constraints) of the tables it fills
    are dropped first and built again in ``close()``, all inside the import's
    transaction, so a refused file leaves them as they were. On PostgreSQL
    this locks the (empty) tables until the import commits. There the
    relations' table is treated alike, its constraints added back after
    ``relate()`` wrote it: each key is then checked in one statement, not by
    a deferred trigger per row and key at commit (a million records' 275,000
    relations: 6 s of the commit).

    On SQLite, whose one writer would otherwise hold the database for the
    whole import (other writers waited past their busy timeout), the writer
    *stages*: while the rows are checked it writes nothing to the database
    but TEMP tables (the connection's own temporary database, no lock on the
    main one) and remembers the updates; ``final()`` then opens the one write
    transaction (BEGIN IMMEDIATE), moves the staged rows in with INSERT ...
    SELECT, and the rest of the import (indexes, full text, placeholders,
    relations, the run) follows in it before the commit. New records get
    provisional ids from the highest id when the import began, shifted in
    ``final()`` past any record written meanwhile. All or nothing as before:
    a refused file never opens the transaction.
    """

    #: The staging tables by the tables they stand for (TEMP: dropped by
    #: ``discard_stage()``, or with the connection).
    STAGE = {
        Standard._meta.db_table: "temp.qihub_stage_standard",
        Standard.ics.through._meta.db_table: "temp.qihub_stage_ics",
    }

    def __init__(self, *, actor, fmt: str, name: str) -> None:
        self.connection = connection
        # Nothing to update in an empty catalogue: no per-batch lookup, and
        # the indexes are built once at the end.
        self.catalogue_was_empty = not Standard.objects.exists()
        self.deferred_ddl: list[str] = []  # built again by close()
        self.relation_ddl: list[str] = []  # built again by relate()
        self.postgres = connection.vendor == "postgresql"
        self.actor_id = (
            actor.pk
            if actor is not None and getattr(actor, "is_authenticated", False)
            else None
        )
        self.fmt = fmt
        self.staging = not self.postgres
        # The run the new records point to (their history's first entry);
        # a staging writer saves it in final().
        self.run = ImportRun(
            actor_id=self.actor_id, file_name=(name or "")[:300], format=fmt
        )
        if not self.staging:
            self.run.save()
        self.staged_updates: list[tuple[str, list]] = []
        self.staged_unlinked: list[int] = []
        #: (standard id, line, {field: [old, new]})
        self.staged_events: list[tuple[int, int, dict]] = []
        self.first_id = 0
        self.lock_seconds = 0.0
        self.reason = self.run.reason
        self.key_to_pk: dict[str, int] = {}
        self.created = 0
        self.updated = 0
        self.status_changes: list[tuple[int, str, str]] = []
        self.now = timezone.now()
        self.next_id = 0
        self.last_id = 0  # the highest id the checkers gave (a first load)
        self.std_fields = list(Standard._meta.concrete_fields)
        self.std_columns = [f.column for f in self.std_fields]
        self.std_defaults = {f.attname: _adapt_default(f) for f in self.std_fields}
        self.std_row = operator.itemgetter(*(f.attname for f in self.std_fields))
        self.std_index = {f.attname: i for i, f in enumerate(self.std_fields)}
        self.event_fields = [
            f for f in StandardEvent._meta.concrete_fields if not f.primary_key
        ]
        self.event_defaults = {f.attname: _adapt_default(f) for f in self.event_fields}
        self.event_row = operator.itemgetter(*(f.attname for f in self.event_fields))
        self.event_index = {f.attname: i for i, f in enumerate(self.event_fields)}
        self.diff_columns = [Standard._meta.get_field(a).column for _n, a in DIFFED]
        self.fts_trigger_sql = ""
        self.fts_columns: list[str] = []
        self.gin_index = ""
        if self.postgres:
            with connection.cursor() as cur:
                cur.execute("SELECT to_regclass(%s)::text", [indexes.PG_SEARCH_INDEX])
                self.gin_index = cur.fetchone()[0] or ""
                if self.gin_index:
                    # Collect new entries in the GIN pending list and merge them
                    # once at the end: a sorted bulk merge beats many small ones.
                    cur.execute("SET LOCAL gin_pending_list_limit = '128MB'")
        else:
            with connection.cursor() as cur:
                cur.execute("SELECT COALESCE(MAX(id), 0) FROM catalog_standard")
                self.next_id = self.first_id = cur.fetchone()[0] + 1
                # FTS5 flushes its pending terms once per statement, so a row
                # trigger makes bulk inserts ~4x slower; index each batch in one
                # INSERT ... SELECT instead. DDL is transactional in SQLite and
                # we hold the write lock: a rollback restores the trigger and
                # no other writer ever sees it missing.
                cur.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                    [indexes.FTS_INSERT_TRIGGER],
                )
                found = cur.fetchone()
                # A bigger page cache for this connection: a large import
                # touches every index page of catalog_standard.
                cur.execute("PRAGMA cache_size=-262144")
                if found:
                    self.fts_trigger_sql = found[0]
                    cur.execute("PRAGMA table_info(catalog_standard_fts)")
                    self.fts_columns = [row[1] for row in cur.fetchall()]
                self._create_stage(cur)
        if self.catalogue_was_empty and not self.staging:
            self.deferred_ddl = self._drop_secondary_indexes(
                [Standard._meta.db_table, Standard.ics.through._meta.db_table]
            )
            if self.postgres:  # empty too: relations need standards
                self.relation_ddl = self._drop_secondary_indexes(
                    [StandardRelation._meta.db_table]
                )

    def _create_stage(self, cur) -> None:
        """The TEMP tables a staging writer fills: columns as the real ones',
        no constraints or indexes. In a temporary file rather than memory
        (the connection's default): a large file's rows would not fit."""
        cur.execute("PRAGMA temp_store")
        self.temp_store = cur.fetchone()[0]
        if not self.connection.in_atomic_block:  # (SQLite refuses it inside)
            cur.execute("PRAGMA temp_store=FILE")  # also drops older TEMP tables
        for stage in self.STAGE.values():
            cur.execute(f"DROP TABLE IF EXISTS {stage}")
        for table, stage in self.STAGE.items():
            cur.execute(f"CREATE TABLE {stage} AS SELECT * FROM main.{table} WHERE 0")  # noqa: S608

    def discard_stage(self) -> None:
        """Drop the staging tables (after the commit or a refusal)."""
        if not self.STAGE or self.postgres or not hasattr(self, "temp_store"):
            return
        try:
            with self.connection.cursor() as cur:
                for stage in self.STAGE.values():
                    cur.execute(f"DROP TABLE IF EXISTS {stage}")
                if not self.connection.in_atomic_block:
                    cur.execute(f"PRAGMA temp_store={int(self.temp_store)}")
        except DatabaseError:
            pass  # the connection is gone: so are its TEMP tables

    @contextlib.contextmanager
    def final(self) -> Iterator[None]:
        """The import's one write transaction (a staging writer's): the staged
        rows moved in first, then the caller's remaining writes, committed at
        the end (rolled back on an error)."""
        started = time.perf_counter()
        try:
            with transaction.atomic():
                self._move_staged()
                yield
        finally:
            self.lock_seconds = time.perf_counter() - started

    def _move_staged(self) -> None:
        stage_std = self.STAGE[Standard._meta.db_table]
        through = Standard.ics.through._meta.db_table
        with self.connection.cursor() as cur:
            cur.execute(
                f"SELECT s.identifier FROM {stage_std} s JOIN main.catalog_standard c "  # noqa: S608
                "ON c.ident_key = s.ident_key ORDER BY s.id LIMIT 5"
            )
            taken = [row[0] for row in cur.fetchall()]
            if taken:
                raise ImportFormatError(
                    _(
                        "%(ids)s were catalogued by someone else while the file "
                        "was being checked; nothing was imported: import the "
                        "file again."
                    )
                    % {"ids": ", ".join(taken)}
                )
            cur.execute("SELECT COALESCE(MAX(id), 0) FROM catalog_standard")
            # New records' ids past any written since the import began.
            shift = max(0, cur.fetchone()[0] + 1 - self.first_id)
        self.run.save()
        if self.catalogue_was_empty:
            self.deferred_ddl = self._drop_secondary_indexes(
                [Standard._meta.db_table, through]
            )
        with self.connection.cursor() as cur:
            if self.fts_trigger_sql:
                cur.execute(f"DROP TRIGGER {indexes.FTS_INSERT_TRIGGER}")
            # The updates and their old ICS links first, then the new rows
            # and every link.
            for sql, params in self.staged_updates:
                cur.executemany(sql, params)
            for chunk, marks in _in_chunks(self.staged_unlinked):
                cur.execute(
                    f"DELETE FROM {through} WHERE standard_id IN ({marks})",  # noqa: S608
                    chunk,
                )
            select, params = [], []
            for column in self.std_columns:
                if column == "id":
                    select.append("id + %s")
                    params.append(shift)
                elif column == "import_run_id":
                    select.append("%s")
                    params.append(self.run.pk)
                else:
                    select.append(column)
            cur.execute(
                f"INSERT INTO catalog_standard ({', '.join(self.std_columns)}) "  # noqa: S608
                f"SELECT {', '.join(select)} FROM {stage_std} ORDER BY id",
                params,
            )
            cur.execute(
                f"INSERT INTO {through} (standard_id, icscode_id) "  # noqa: S608
                "SELECT CASE WHEN standard_id >= %s THEN standard_id + %s "
                "ELSE standard_id END, icscode_id "
                f"FROM {self.STAGE[through]} ORDER BY standard_id",
                [self.first_id, shift],
            )
        self.staging = False  # from here on the writes go where they belong
        self._insert(
            StandardEvent._meta.db_table,
            [f.column for f in self.event_fields],
            self._event_rows(self.staged_events, self._now()),
        )
        if shift:
            first = self.first_id
            self.key_to_pk = {
                k: pk + shift if pk >= first else pk for k, pk in self.key_to_pk.items()
            }
        if self.last_id >= self.first_id:
            self.last_id += shift
            self._index_text(self.first_id + shift, self.last_id)
        self.staged_updates, self.staged_unlinked, self.staged_events = [], [], []

    def _drop_secondary_indexes(self, tables: list[str]) -> list[str]:
        """``indexes.secondary_drop``; a GIN index dropped is built again
        whole, so it has no pending list to merge."""
        build = indexes.secondary_drop(self.connection, tables)
        if self.postgres:
            self.gin_index = ""
        return build

    # values in the database's terms
    def _date(self, value):
        if value is None or self.postgres:
            return value
        return value.isoformat()

    def _now(self):
        if self.postgres:
            return self.now
        return self.connection.ops.adapt_datetimefield_value(self.now)

    def _reserve_ids(self, n: int) -> list[int]:
        if self.postgres:
            with self.connection.cursor() as cur:
                cur.execute(
                    "SELECT nextval(pg_get_serial_sequence('catalog_standard', 'id')) "
                    "FROM generate_series(1, %s)",
                    [n],
                )
                return [row[0] for row in cur.fetchall()]
        ids = list(range(self.next_id, self.next_id + n))
        self.next_id += n
        return ids

    def _insert(
        self, table: str, columns: list[str], rows: list[tuple] | bytes
    ) -> None:
        """Insert rows, or on PostgreSQL also COPY data (``copy_text``)."""
        if not rows:
            return
        if self.staging:
            table = self.STAGE.get(table, table)
        with self.connection.cursor() as cur:
            if self.postgres:
                cols = ", ".join(columns)
                with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    if isinstance(rows, bytes):
                        copy.write(rows)
                    else:
                        for row in rows:
                            copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cur.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
                    rows,
                )

    def _standard_values(self, c: Clean, pk: int, now) -> dict[str, Any]:
        values = c.values
        return {
            "id": pk,
            "created_at": now,
            "updated_at": now,
            "identifier": c.canonical,
            "ident_key": c.key,
            "base_key": c.base_key,
            "prefix": c.prefix,
            "number": c.number,
            "year": c.year,
            "level": c.level,
            "nature": c.nature,
            "status": values["status"],
            "title_zh": values["title_zh"],
            "title_en": values["title_en"],
            "issued_on": self._date(values["issued_on"]),
            "implemented_on": self._date(values["implemented_on"]),
            "withdrawn_on": self._date(values["withdrawn_on"]),
            "ccs_id": values["ccs_id"],
            "issuing_body": values["issuing_body"],
            "committee": values["committee"],
            "scope": values["scope"],
            "source": values["source"],
            "external_id": values.get("external_id", ""),
            "search_text": c.search_text or search_document(c),
            "referenced_only": False,  # a placeholder upgraded in place
        }

    def _new_rows(self, batch: list[Clean], ids: list[int], now) -> list[tuple]:
        """``_standard_values`` of new records as table rows, by position
        (the fields' defaults, then what a record sets): a dict per row cost
        a tenth of a large import's checking."""
        index, date = self.std_index, self._date
        template = list(
            self.std_row(
                self.std_defaults
                | {"created_at": now, "updated_at": now, "import_run_id": self.run.pk}
            )
        )
        clean_at = [index[name] for name in _FROM_CLEAN]
        clean_get = operator.attrgetter(*_FROM_CLEAN.values())
        values_at = [(index[name], name) for name in _FROM_VALUES]
        dates_at = [(index[name], name) for name in _DATES]
        at_id = index["id"]
        rows = []
        for c, pk in zip(batch, ids, strict=True):
            if not c.search_text:
                c.search_text = search_document(c)
            row = template.copy()
            row[at_id] = pk
            for i, value in zip(clean_at, clean_get(c), strict=True):
                row[i] = value
            values = c.values
            for i, name in values_at:
                row[i] = values.get(name, "")  # external_id may be absent
            for i, name in dates_at:
                row[i] = date(values[name])
            rows.append(tuple(row))
        return rows

    def _event_rows(self, events: list[tuple[int, int, dict]], now) -> list[tuple]:
        """One ``imported`` event per updated record (its id, line and what
        changed: the run, format and line, then {field: [old, new]}), by
        position as ``_new_rows`` (``created_events`` writes the new
        records' events)."""
        event, changes = self._event(now)
        row = list(self.event_row(event))
        at_standard = self.event_index["standard_id"]
        at_changes = self.event_index["details"]
        rows = []
        for pk, line, diff in events:
            row[at_standard] = pk
            # json.dumps of the diff alone: the rest is the template's
            text = changes % line
            row[at_changes] = text[:-1] + ", " + json.dumps(diff)[1:] if diff else text
            rows.append(tuple(row))
        return rows

    def start_staged(self) -> None:
        """Give the new rows of a first load ids from their places in the
        file (``prepare``): the next id on, ``close()`` moves the sequence."""
        if self.postgres:
            with self.connection.cursor() as cur:
                cur.execute(
                    "SELECT nextval(pg_get_serial_sequence('catalog_standard', 'id'))"
                )
                self.next_id = cur.fetchone()[0]

    def _event(self, now) -> tuple[dict[str, Any], str]:
        """An ``imported`` event's values but the standard and changes, and
        the changes as a template for the line."""
        event = self.event_defaults | {
            "type": StandardEvent.Type.IMPORTED.value,
            "created_at": now,
            "actor_id": self.actor_id,
            "reason": self.reason,
        }
        # json.dumps per row is a measurable share of a big import.
        template = (
            '{"format": ' + json.dumps(self.fmt) + ', "import": %d, "line": %%d}'
        ) % self.run.pk
        return event, template

    def prepare(self, batch: list[Clean]) -> Prepared:
        """A first load's batch as the final rows of the standard and ICS-link
        tables, the ids from the rows' places in the file. Runs in a checking
        process: no database access."""
        now = self._now()
        first = self.next_id
        ids = [first + c.index for c in batch]
        ics = [(pk, code) for c, pk in zip(batch, ids, strict=True) for code in c.ics]
        standards = self._new_rows(batch, ids, now)
        if self.postgres:
            return Prepared(
                [c.key for c in batch], ids, copy_text(standards), copy_text(ics)
            )
        return Prepared([c.key for c in batch], ids, standards, ics)

    def _write_prepared(self, batch: Prepared) -> None:
        # A first load: the full-text index is built in close().
        self.key_to_pk.update(zip(batch.keys, batch.ids, strict=True))
        self._insert("catalog_standard", self.std_columns, batch.standards)
        self.last_id = max(self.last_id, *batch.ids)
        self.created += len(batch.ids)
        self._insert(
            Standard.ics.through._meta.db_table,
            ["standard_id", "icscode_id"],
            batch.ics,
        )

    def write(self, batch: list[Clean] | Prepared) -> None:
        if isinstance(batch, Prepared):
            self._write_prepared(batch)
            return
        now = self._now()
        existing: dict[str, tuple[int, str]] = {}
        # what an update changes: the old values, ICS codes included
        olds: dict[int, list] = {}
        old_ics: dict[int, list[str]] = {}
        keys = [] if self.catalogue_was_empty else [c.key for c in batch]
        through = Standard.ics.through
        with self.connection.cursor() as cur:
            for chunk, marks in _in_chunks(keys):
                cur.execute(
                    f"SELECT id, ident_key, status, {', '.join(self.diff_columns)} "  # noqa: S608
                    f"FROM catalog_standard WHERE ident_key IN ({marks})",
                    chunk,
                )
                for pk, key, status, *old in cur.fetchall():
                    existing[key] = (pk, status)
                    olds[pk] = old
            for chunk, marks in _in_chunks(list(olds)):
                cur.execute(
                    f"SELECT standard_id, icscode_id FROM {through._meta.db_table} "  # noqa: S608
                    f"WHERE standard_id IN ({marks})",
                    chunk,
                )
                for pk, code in cur.fetchall():
                    old_ics.setdefault(pk, []).append(code)
        new = [c for c in batch if c.key not in existing]
        ids = self._reserve_ids(len(new))
        self.key_to_pk.update(zip((c.key for c in new), ids, strict=True))
        self._insert(
            "catalog_standard", self.std_columns, self._new_rows(new, ids, now)
        )
        if ids and not self.staging:  # staged: indexed in final()
            self._index_text(ids[0], ids[-1])
        self.created += len(new)
        if self.staging and ids:
            self.last_id = max(self.last_id, ids[-1])
        updates = [c for c in batch if c.key in existing]
        events = []
        if updates:
            events = self._update(updates, existing, olds, old_ics, now)
        self._insert(
            through._meta.db_table,
            ["standard_id", "icscode_id"],
            [(self.key_to_pk[c.key], code) for c in batch for code in c.ics],
        )
        if self.staging:
            self.staged_events.extend(events)
            return
        self._insert(
            StandardEvent._meta.db_table,
            [f.column for f in self.event_fields],
            self._event_rows(events, now),
        )

    def _index_text(self, low: int, high: int) -> None:
        """Index new rows with ids low..high in SQLite's full-text table, as
        the dropped insert trigger would (every column of the full-text
        table comes from the same-named column of the standard's)."""
        if not self.fts_trigger_sql or self.catalogue_was_empty:
            return  # a first load builds the full-text index at the end
        columns = ", ".join(self.fts_columns)
        with self.connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO catalog_standard_fts(rowid, {columns}) "  # noqa: S608
                f"SELECT id, {columns} FROM catalog_standard WHERE id BETWEEN %s AND %s",
                [low, high],
            )

    def _update(
        self, updates: list[Clean], existing, olds, old_ics, now
    ) -> list[tuple[int, int, dict]]:
        """Update the records in place; returns their events (id, line,
        {field: [old, new]} of what changed)."""
        fields = [
            f.attname
            for f in self.std_fields
            if f.attname not in ("id", "created_at", "ident_key")
        ]
        rows = []
        events = []
        for c in updates:
            pk, old_status = existing[c.key]
            self.key_to_pk[c.key] = pk
            values = self._standard_values(c, pk, now)
            if "external_id" not in c.values:
                values.pop("external_id")
            if old_status != values["status"]:
                self.status_changes.append((pk, old_status, values["status"]))
            rows.append((values, [f for f in fields if f in values]))
            diff = changes(olds[pk], old_ics.get(pk, ()), values, c.ics)
            events.append((pk, c.line, diff))
        with self.connection.cursor() as cur:
            by_fields: dict[tuple, list] = {}
            for values, cols in rows:
                by_fields.setdefault(tuple(cols), []).append(
                    [values[c] for c in cols] + [values["id"]]
                )
            for cols, params in by_fields.items():
                columns = {f.attname: f.column for f in self.std_fields}
                sets = ", ".join(f"{columns[c]} = %s" for c in cols)
                sql = f"UPDATE catalog_standard SET {sets} WHERE id = %s"  # noqa: S608
                if self.staging:
                    self.staged_updates.append((sql, params))
                else:
                    cur.executemany(sql, params)
        pks = [existing[c.key][0] for c in updates]
        if self.staging:
            self.staged_unlinked.extend(pks)
        else:
            Standard.ics.through.objects.filter(standard_id__in=pks).delete()
        self.updated += len(updates)
        return events

    def close(self) -> None:
        """Put the full-text trigger back (inside the same transaction), build
        the indexes dropped for a first load, and merge PostgreSQL's pending
        full-text entries into the index."""
        if self.postgres and self.last_id:
            with self.connection.cursor() as cur:
                cur.execute(
                    "SELECT setval(pg_get_serial_sequence('catalog_standard', 'id'), %s)",
                    [self.last_id],
                )
        indexes.build_again(self.connection, self.deferred_ddl)
        self.deferred_ddl = []
        if self.gin_index:
            with self.connection.cursor() as cur:
                cur.execute(
                    "SELECT gin_clean_pending_list(%s::regclass)", [self.gin_index]
                )
            self.gin_index = ""
        if self.fts_trigger_sql:
            with self.connection.cursor() as cur:
                if self.catalogue_was_empty:
                    # Into an empty index, one build from the content table
                    # is cheaper than an index segment per batch.
                    indexes.fts_rebuild(cur)
                cur.execute(self.fts_trigger_sql)
            self.fts_trigger_sql = ""

    def add_placeholders(
        self, placeholders: dict[str, tuple[identifiers.StandardIdentifier, str]]
    ) -> int:
        """Catalogue the "referenced only" records that relations of this
        import need (the index is back: after ``close()``); returns how many."""
        if not placeholders:
            return 0
        records = []
        for key, (ident, status) in placeholders.items():
            records.append(
                Standard(
                    identifier=ident.canonical,
                    ident_key=key,
                    base_key=ident.base_key,
                    prefix=ident.prefix,
                    number=ident.number,
                    year=ident.year,
                    level=ident.level,
                    nature=ident.nature,
                    status=status,
                    source="reference",
                    referenced_only=True,
                    import_run=self.run,
                    search_text=search_text_for(
                        identifier=ident.canonical,
                        title_zh="",
                        title_en="",
                        prefix=ident.prefix,
                        level=ident.level,
                        year=ident.year,
                    ),
                )
            )
        Standard.objects.bulk_create(records, batch_size=500)
        counts_changed()  # bulk_create sends no signal
        self.key_to_pk.update(
            chunked_lookup(Standard.objects, "ident_key", list(placeholders))
        )
        return len(records)

    def created_events(self) -> None:
        """One ``imported`` event for each record the import created (the
        first entry of its history: the run, format and ``created``), in
        one INSERT ... SELECT of the run's records."""
        select, params = [], []
        # the time of the run, as the history gave it before
        at = self.run.created_at
        if not self.postgres:
            at = self.connection.ops.adapt_datetimefield_value(at)
        values = self._event(at)[0] | {
            "details": json.dumps(
                {"format": self.fmt, "import": self.run.pk, "created": True}
            )
        }
        for f in self.event_fields:
            if f.attname == "standard_id":
                select.append("id")
            else:
                jsonb = self.postgres and f.attname == "details"
                select.append("%s::jsonb" if jsonb else "%s")
                params.append(values[f.attname])
        columns = ", ".join(f.column for f in self.event_fields)
        table = StandardEvent._meta.db_table
        # A first load's events go into an empty table: its index (and on
        # PostgreSQL its foreign keys) built once after, not row by row
        # (PostgreSQL, 300,000 records: 12 of the server's 40 us a record).
        build = (
            indexes.secondary_drop(self.connection, [table])
            if self.catalogue_was_empty
            else []
        )
        with self.connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {table} ({columns}) "  # noqa: S608
                f"SELECT {', '.join(select)} FROM catalog_standard "
                "WHERE import_run_id = %s ORDER BY id",
                [*params, self.run.pk],
            )
        indexes.build_again(self.connection, build)

    def finish(self, report: ImportReport) -> int:
        """Record what the import did on its run; returns the run's id."""
        self.created_events()
        ImportRun.objects.filter(pk=self.run.pk).update(
            rows=report.rows,
            created=report.created,
            updated=report.updated,
            relations=report.relations,
        )
        return self.run.pk

    def relate(self, refs: list) -> int:
        """Write the resolved relations that are not there yet; returns how many."""
        now = self._now()
        wanted: dict[tuple[int, int, str], str] = {}
        for src_key, target, ref in refs:
            source_pk = self.key_to_pk[src_key]
            target_pk = self.key_to_pk[target] if isinstance(target, str) else target
            if ref.reverse:
                source_pk, target_pk = target_pk, source_pk
            if source_pk != target_pk:
                wanted.setdefault((source_pk, target_pk, ref.kind), ref.degree)
        if wanted and not self.catalogue_was_empty:  # else none can be there
            sources = list({k[0] for k in wanted})
            for i in range(0, len(sources), 900):
                for key in StandardRelation.objects.filter(
                    source_id__in=sources[i : i + 900]
                ).values_list("source_id", "target_id", "kind"):
                    wanted.pop(key, None)
        note = self.reason
        self._insert(
            StandardRelation._meta.db_table,
            [
                "created_at",
                "updated_at",
                "source_id",
                "target_id",
                "kind",
                "degree",
                "note",
            ],
            [(now, now, s, t, k, d, note) for (s, t, k), d in wanted.items()],
        )
        indexes.build_again(self.connection, self.relation_ddl)
        self.relation_ddl = []
        if self.status_changes:
            changes = list(self.status_changes)
            transaction.on_commit(lambda: _send_status_changes(changes))
        return len(wanted)


def _send_status_changes(changes: list[tuple[int, str, str]]) -> None:
    olds = {pk: (old, new) for pk, old, new in changes}
    for standard in Standard.objects.filter(pk__in=list(olds)):
        old, new = olds[standard.pk]
        standard_status_changed.send(
            sender=Standard, standard=standard, old_status=old, new_status=new
        )
