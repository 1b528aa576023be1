"""schemathesis over the whole published schema, through the WSGI app.

Each operation gets ``EXAMPLES`` generated requests, anonymous and with a
staff token; the run fails on any 500, any answer that violates the schema
and any status code the operation does not declare. The whole module stops
generating after ``BUDGET`` seconds (the remaining operations are skipped
with a message) so that it adds a few minutes at most to a CI run.
Figures are printed at the end of the session and written to
``$QIHUB_SCHEMATHESIS_REPORT`` when that is set.
"""

import json
import os
import sys
import time
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from qihub.config.wsgi import application

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("QIHUB_SCHEMATHESIS_EXAMPLES", "25"))
BUDGET = float(os.environ.get("QIHUB_SCHEMATHESIS_BUDGET", "150"))
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)

_started: list[float] = []
FIGURES: Counter = Counter()
OPERATIONS: set[str] = set()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does: the WSGI app must not close the
    connection that holds the test's transaction (PostgreSQL)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _no_outside_traffic(monkeypatch):
    """Registering a member instance fetches its base URL: the fuzzer's
    generated addresses are answered as unreachable, never fetched."""
    from qihub.sharing import services as sharing_services

    def refuse(url: str) -> bytes:
        raise OSError("not fetched in the schemathesis run")

    monkeypatch.setattr(sharing_services, "http_describe", refuse)
    monkeypatch.setattr(sharing_services, "http_fetch", refuse)


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    figures = {
        "operations": len(OPERATIONS),
        "requests": FIGURES["requests"],
        "server_errors": FIGURES["server_errors"],
        "schema_violations": FIGURES["schema_violations"],
        "undocumented_status": FIGURES["undocumented_status"],
        "other_failures": FIGURES["other_failures"],
        "skipped_over_budget": FIGURES["skipped"],
        "seconds": round(time.monotonic() - _started[0], 1) if _started else 0,
    }
    sys.stderr.write(f"\nschemathesis: {json.dumps(figures)}\n")
    path = os.environ.get("QIHUB_SCHEMATHESIS_REPORT")
    if path:
        with open(path, "w") as fh:
            json.dump(figures, fh)


def _count(exc: BaseException) -> None:
    failures = exc.exceptions if isinstance(exc, FailureGroup) else [exc]
    for failure in failures:
        title = getattr(failure, "title", "") if isinstance(failure, Failure) else ""
        text = f"{title} {failure}".lower()
        if "server error" in text:
            FIGURES["server_errors"] += 1
        elif "undocumented http status" in text or "status code" in text:
            FIGURES["undocumented_status"] += 1
        elif "schema" in text:
            FIGURES["schema_violations"] += 1
        else:
            FIGURES["other_failures"] += 1


@pytest.fixture(params=["anonymous", "staff"])
def auth_headers(request):
    if request.param == "anonymous":
        return {}
    from qihub.core.services import api_token_create, user_create

    user = user_create(username="fuzz-staff", password="pw-fuzz-staff", roles=["staff"])
    _token, key = api_token_create(user=user)
    return {"Authorization": f"Bearer {key}"}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_as_its_schema_says(case, auth_headers):
    if not _started:
        _started.append(time.monotonic())
    if time.monotonic() - _started[0] > BUDGET:
        FIGURES["skipped"] += 1
        pytest.skip(f"schemathesis time budget of {BUDGET:.0f} s used up")
    OPERATIONS.add(f"{case.operation.method.upper()} {case.operation.path}")
    FIGURES["requests"] += 1
    try:
        case.call_and_validate(headers=auth_headers, checks=CHECKS)
    except (Failure, FailureGroup) as exc:
        _count(exc)
        raise
