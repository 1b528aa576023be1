"""Pausing Python's cyclic garbage collector around a bounded piece of work.

CPython runs a collection every 700 net container allocations, and now and
then a full one over every object the process holds (Django's, the URL
resolvers', the caches': some 180,000 at start). Work that builds a large
answer from scratch (a 5,000-line validity check makes some 100,000 dicts,
lists and rows, all kept until the answer is sent) pays for collections
that find nothing: none of it forms reference cycles. Paused, the objects
are counted as usual and the next automatic collection after the pause
looks at them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No automatic cyclic collection inside the block (re-entrant: an inner
    pause leaves the collector as the outer one set it)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
