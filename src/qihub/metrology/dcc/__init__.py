"""PTB Digital Calibration Certificates (DCC): safe parsing, schema validation
of every release from 2.1.0 to 3.3.0, signature verification at the signing
time, extraction and export.

``reading`` parses untrusted XML safely and extracts what qihub keeps,
``schemas`` picks and builds the shipped schema of the file's release,
``signatures`` verifies XMLDSig/XAdES signatures, ``writing`` exports.
"""

from qihub.metrology.dcc.reading import (
    NS,
    DccData,
    DccError,
    DccItem,
    DccResult,
    extract,
    max_bytes,
    parse_xml,
)
from qihub.metrology.dcc.schemas import (
    DSI_SMARTCOM,
    SCHEMAS,
    UNVERSIONED,
    identify,
    schema_for,
)
from qihub.metrology.dcc.signatures import SignatureCheck, verify_signature
from qihub.metrology.dcc.writing import EXPORT_VERSION, export

__all__ = [
    "EXPORT_VERSION",
    "NS",
    "SCHEMAS",
    "DccData",
    "DccError",
    "DccItem",
    "DccResult",
    "SignatureCheck",
    "export",
    "extract",
    "identify",
    "max_bytes",
    "parse_xml",
    "read",
    "schema_for",
    "validate",
    "verify_signature",
]


def validate(root) -> str:
    """Validate against the schema of the file's release; returns the release."""
    return identify(root)[0]


def read(data: bytes) -> DccData:
    """Parse, verify (if signed), validate and extract a DCC file.

    What is validated and extracted is what the signature covers."""
    root = parse_xml(data)
    check = verify_signature(data, root)
    version, warnings = identify(check.root)
    si = DSI_SMARTCOM if version in UNVERSIONED[DSI_SMARTCOM] else NS["si"]
    dcc = extract(check.root, version, si)
    dcc.signature_status = check.status
    dcc.signing_time = check.signing_time
    dcc.warnings = warnings + check.warnings
    return dcc
