"""Writes for the metrology registry: labs, standards, instruments (and
taking them out of use), specifications, reference materials, calibrations,
revocations, reminders.

They live in modules by what they hold: ``laboratories``, ``standards``,
``instruments`` (and the compulsory verification catalogue),
``specifications``, ``reference_materials``, ``certificates`` (calibrations),
``traceability`` (revocations and out-of-tolerance findings down the chain),
``reminders`` and ``dcc_imports``; ``_common`` holds the checks several of them
share. Every public name is importable from here.
"""

from qihub.metrology.services.certificates import calibration_record
from qihub.metrology.services.dcc_imports import DccImport, dcc_import
from qihub.metrology.services.instruments import (
    DATA_DIR,
    compulsory_catalogue_load,
    instrument_register,
    instrument_retire,
    requires_verification,
)
from qihub.metrology.services.laboratories import (
    CNAS_NAME,
    accreditation_body,
    laboratory_create,
    laboratory_scope_add,
    may_manage_laboratory,
)
from qihub.metrology.services.reference_materials import (
    RM_NUMBER,
    reference_material_register,
)
from qihub.metrology.services.reminders import reminders_send
from qihub.metrology.services.specifications import specification_register
from qihub.metrology.services.standards import (
    assessment_valid_until,
    assessment_years,
    standard_reassess,
    standard_register,
    standard_set_status,
)
from qihub.metrology.services.traceability import (
    Impact,
    certificate_revoke,
    standard_mark_out_of_tolerance,
)

__all__ = [
    "CNAS_NAME",
    "DATA_DIR",
    "RM_NUMBER",
    "DccImport",
    "Impact",
    "accreditation_body",
    "assessment_valid_until",
    "assessment_years",
    "calibration_record",
    "certificate_revoke",
    "compulsory_catalogue_load",
    "dcc_import",
    "instrument_register",
    "instrument_retire",
    "laboratory_create",
    "laboratory_scope_add",
    "may_manage_laboratory",
    "reference_material_register",
    "reminders_send",
    "requires_verification",
    "specification_register",
    "standard_mark_out_of_tolerance",
    "standard_reassess",
    "standard_register",
    "standard_set_status",
]
