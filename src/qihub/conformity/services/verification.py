"""Verification of certificate and report numbers, single and in bulk."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from qihub.conformity.services._common import (
    VERIFY_NUMBER,
)

MAX_BULK = 100


def number_well_formed(number: Any) -> bool:
    return isinstance(number, str) and bool(VERIFY_NUMBER.match(number.strip()))


def verify_numbers(
    numbers: Sequence[Any], *, day: datetime.date | None = None
) -> list[dict]:
    """Verify certificates and test reports by number, each reported on its
    own (malformed and unknown numbers too). Only public facts are given."""
    from qihub.conformity import selectors

    return selectors.verify(numbers, day=day)
