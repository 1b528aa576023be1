"""Writes of conformity assessment. Every write goes through here.

Pages, the API, admin, commands and scheduled jobs call these functions. They
live in modules by what they hold: ``scopes`` (the accredited scope and its
import), ``requests`` (test requests), ``reports`` (test reports and their
evaluation), ``certification`` (schemes, applications, certificates),
``recognition`` (agreements) and ``verification``; ``_common`` holds what
several of them share. Every public name is importable from here.
"""

from qihub.conformity.services._common import (
    VERIFY_NUMBER,
    accreditation_on,
    acts_for,
    body_by_code,
)
from qihub.conformity.services.certification import (
    application_create,
    application_decide,
    application_evaluate,
    certificate_change,
    certificate_issue,
    certificate_renew,
    certificate_surveil,
    certificates_expire_due,
    scheme_create,
    scheme_update,
    surveillance_reminders_send,
)
from qihub.conformity.services.recognition import (
    agreement_create,
    agreement_update,
)
from qihub.conformity.services.reports import (
    evaluate_results,
    report_cite,
    report_create,
    report_issue,
    report_revoke,
)
from qihub.conformity.services.requests import (
    REQUEST_EDGES,
    may_see_request,
    request_create,
    request_move,
    request_sides,
)
from qihub.conformity.services.scopes import (
    REQUIRED_COLUMNS,
    SCOPE_HEADERS,
    ScopeImportReport,
    scope_import,
    scope_lines_flag_for_standard,
    split_standard_cell,
)
from qihub.conformity.services.verification import (
    MAX_BULK,
    number_well_formed,
    verify_numbers,
)

__all__ = [
    "MAX_BULK",
    "REQUEST_EDGES",
    "REQUIRED_COLUMNS",
    "SCOPE_HEADERS",
    "VERIFY_NUMBER",
    "ScopeImportReport",
    "accreditation_on",
    "acts_for",
    "agreement_create",
    "agreement_update",
    "application_create",
    "application_decide",
    "application_evaluate",
    "body_by_code",
    "certificate_change",
    "certificate_issue",
    "certificate_renew",
    "certificate_surveil",
    "certificates_expire_due",
    "evaluate_results",
    "may_see_request",
    "number_well_formed",
    "report_cite",
    "report_create",
    "report_issue",
    "report_revoke",
    "request_create",
    "request_move",
    "request_sides",
    "scheme_create",
    "scheme_update",
    "scope_import",
    "scope_lines_flag_for_standard",
    "split_standard_cell",
    "surveillance_reminders_send",
    "verify_numbers",
]
