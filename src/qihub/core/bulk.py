"""Many rows into one table by ``executemany``, for jobs that write tens of
thousands of rows at once (the alert job's inbox items and moved watches).

Django's ``bulk_create`` builds model instances and compiles a statement
per batch, preparing every value through its field: for the alert job's
40,000 inbox items and 40,000 watches that was ~60 % of the job's time
(profiled with cProfile on 100,000 watches). Here the caller gives rows of
values already in their database form (ints, strings, ``None``, and
datetimes through :func:`db_datetime`), and one statement is run for all.
Table and column names come from the model, never from input.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models.constants import OnConflict

BATCH = 5000


def db_datetime(value: datetime.datetime):
    """A datetime as the database stores it (prepare it once per job, not
    per row)."""
    return connection.ops.adapt_datetimefield_value(value)


def rows_insert(
    model,
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    ignore_conflicts: bool = False,
) -> None:
    """Insert ``rows`` (tuples in the order of ``fields``, model field
    names, values ready for the database) into ``model``'s table. With
    ``ignore_conflicts`` a row that breaks a unique constraint is skipped,
    as ``bulk_create(ignore_conflicts=True)`` does."""
    opts = model._meta
    columns = [opts.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    suffix = connection.ops.on_conflict_suffix_sql(columns, on_conflict, None, None)
    sql = (
        f"{connection.ops.insert_statement(on_conflict=on_conflict)} "
        f"{quote(opts.db_table)} ({', '.join(quote(f.column) for f in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) {suffix}"
    )
    batch: list[Sequence] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
