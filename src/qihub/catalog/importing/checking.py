"""Checking the rows, in this process or, for a large file, in forked
checking processes that each take every n-th run of rows while this one
writes.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import pickle
import queue
from collections.abc import Callable, Iterator

from django.db import connection

from qihub.catalog.importing import readers
from qihub.catalog.importing.prepared import Prepared
from qihub.catalog.importing.readers import READERS, Source, in_share, read_csv
from qihub.catalog.importing.rows import Clean, Validator, search_document
from qihub.catalog.search_text import segmenter


@contextlib.contextmanager
def collector_paused(wanted: bool) -> Iterator[None]:
    """Python's cyclic garbage collector paused for a large import: the rows
    it builds are many new containers, and each collection of the oldest
    generation walks the import's growing state (a sixth of a checker's
    time at 1M rows). Imports make almost no reference cycles; what they do
    make is collected when the collector is back on."""
    paused = wanted and gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


@contextlib.contextmanager
def foreign_keys_unchecked(wanted: bool) -> Iterator[bool]:
    """SQLite looks up the parent of every foreign key as each row goes in
    (a third of a large import's writing). As loaddata does, turn that off
    for a large import (only possible outside a transaction: inside one it
    stays on); yields whether it is off, and then the caller checks the
    written tables once before committing."""
    off = wanted and connection.disable_constraint_checking()
    try:
        yield off
    finally:
        if off:
            connection.enable_constraint_checking()


def check(
    src: Source,
    fmt: str,
    validator: Validator,
    *,
    keep: bool,
    share: tuple[int, int] = (0, 1),
    documents: bool = True,
) -> Iterator[tuple[list[Clean], int]]:
    """Check every row; yield (batch to write, rows checked since the last).

    Batches come only while ``keep`` and no row has failed: after the first
    error nothing is written, but checking goes on to report every error.
    ``share`` = (i, n): check only the i-th of every n runs of BATCH_SIZE rows
    (the others are read past), for n checking processes. Without
    ``documents`` the search documents are left to the writer.
    """
    batch: list[Clean] = []
    seen = 0
    # The CSV reader leaves the other checkers' rows unbuilt (None).
    rows = read_csv(src, share) if fmt == "csv" else READERS[fmt](src)
    for index, (line, row) in enumerate(rows):
        if not in_share(index, share):
            continue
        clean = validator.clean(line, row)
        seen += 1
        if clean is None and not validator.errors:
            continue  # a row again: settle_duplicates() tells
        if not keep or validator.errors:
            batch.clear()
            if seen >= 1000:
                yield [], seen
                seen = 0
            continue
        if documents:
            clean.search_text = search_document(clean)
        clean.index = index
        batch.append(clean)
        if len(batch) >= readers.BATCH_SIZE:
            yield batch, seen
            batch, seen = [], 0
    yield (batch if keep and not validator.errors else []), seen


#: Files from this size up are checked in other processes while this one
#: writes (forking costs ~10 ms; the children share the dictionary pages).
PARALLEL_MIN_BYTES = 2 * 1024 * 1024
#: How many checking processes beside the writing process: one per core but
#: the writer's (on two cores one: a second checker only takes time from a
#: writer that builds its own rows).
CHECKERS = max(1, min(4, (os.cpu_count() or 2) - 1))
#: How many for a first load, where the checkers also build the final rows
#: and the writer only hands them to the database: one per core.
STAGED_CHECKERS = max(1, min(4, os.cpu_count() or 2))


#: Whether checking processes can be forked (not on every platform).
FORK_CHECKERS = "fork" in multiprocessing.get_all_start_methods()


def large(src: Source) -> bool:
    return src.size() >= PARALLEL_MIN_BYTES


def check_in_children(
    src: Source,
    fmt: str,
    validator: Validator,
    *,
    keep: bool,
    checkers: int = CHECKERS,
    prepare: Callable[[list[Clean]], Prepared] | None = None,
) -> Iterator[tuple[list[Clean] | Prepared, int]]:
    """``check`` in forked processes, each taking every ``checkers``-th run
    of rows, so that parsing identifiers and segmenting titles use the other
    cores while this process writes. The children never touch the database;
    at the end each sends its validator's state, merged here (with the
    duplicates between children), so relations resolve as after ``check``.

    With ``prepare`` (a first load, ``Writer.prepare``) the children also
    turn their batches into the final table rows, with ids from the rows'
    places in the file, and send those instead of the checked rows.
    """
    ctx = multiprocessing.get_context("fork")
    # A queue, not a bare pipe: its feeder thread sends while a child goes
    # on checking. A few batches ahead bound the memory.
    channel = ctx.Queue(maxsize=2 * checkers)
    segmenter()  # load the dictionary once, before the fork
    children = [
        ctx.Process(
            target=child_check,
            args=(channel, src, fmt, validator, keep, (i, checkers), prepare),
            name=f"qihub-import-check-{i}",
            daemon=True,
        )
        for i in range(checkers)
    ]
    for child in children:
        child.start()
    written: set[str] = set()
    try:
        running = len(children)
        while running:
            try:
                kind, payload, seen = channel.get(timeout=1)
            except queue.Empty:
                # A child that has sent "done" may have exited; one that has
                # not and is gone died without a word.
                if sum(child.is_alive() for child in children) >= running:
                    continue
                raise RuntimeError(
                    "an import's checking process stopped unexpectedly"
                ) from None
            if kind == "batch":
                if not payload:
                    yield [], seen
                    continue
                keys = payload.keys if prepare else [c.key for c in payload]
                # The same identifier in two children's shares: written once
                # (the merge below tells whether the rows are the same, else
                # the file is refused).
                again = written.intersection(keys)
                written.update(keys)
                if again:
                    payload = (
                        payload.without(again)
                        if prepare
                        else [c for c in payload if c.key not in again]
                    )
                yield payload, seen
            elif kind == "done":
                merge_state(validator, payload)
                running -= 1
            else:
                raise payload
    finally:
        for child in children:
            if child.is_alive():
                child.terminate()
            child.join()
        channel.close()
        channel.join_thread()


def merge_state(validator: Validator, state: dict) -> None:
    validator.rows += state["rows"]
    validator.errors.extend(state["errors"])
    validator.warnings.extend(state["warnings"])
    validator.refs.extend(state["refs"])
    validator.external_ids.update(state["external_ids"])
    validator.duplicates.extend(state["duplicates"])
    # Set operations and update() rather than a loop per row (a million
    # keys at the end of a large import).
    years, their_years = validator.base_years, state["base_years"]
    for base in years.keys() & their_years.keys():
        their_years[base] = years[base] + their_years[base]
    years.update(their_years)
    keys, theirs = validator.keys, state["keys"]
    shared = keys.keys() & theirs.keys()  # duplicates between checkers
    if shared:
        keys.update((k, line) for k, line in theirs.items() if k not in shared)
    else:
        keys.update(theirs)
    for key in shared:
        other, line = keys[key], theirs[key]
        if other != line:
            first, later = sorted((other, line))
            keys[key] = first
            validator.duplicates.append((key, first, later))


def child_check(channel, src, fmt, validator, keep, share, prepare) -> None:
    try:
        # With one checker, the writing process (which waits for it)
        # segments the titles for the search documents: the two halves are
        # then even. With more, or rows built here, the checkers do.
        documents = prepare is not None or share[1] > 1
        batches = check(
            src, fmt, validator, keep=keep, share=share, documents=documents
        )
        for batch, seen in batches:
            payload = prepare(batch) if prepare and batch else batch
            channel.put(("batch", payload, seen))
        state = {name: getattr(validator, name) for name in Validator.STATE}
        channel.put(("done", state, 0))
    except BaseException as exc:  # handed to the parent
        try:
            pickle.dumps(exc)
        except Exception:  # an exception that does not pickle
            exc = RuntimeError(str(exc))
        channel.put(("error", exc, 0))
    finally:
        channel.close()
        channel.join_thread()  # everything sent before the process ends
