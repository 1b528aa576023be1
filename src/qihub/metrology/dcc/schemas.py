"""The shipped PTB schemas of every DCC release and the choice among them.

Each release is validated against its own schema. Every ``xs:import`` and
``xs:include`` is mapped to a file shipped in ``metrology/data``; a location
that maps to none is refused, so nothing is ever fetched.
"""

import functools
import io
import re
from pathlib import Path

import xmlschema
from django.utils.translation import gettext as _
from lxml import etree

from qihub.metrology.dcc.reading import NS, DccError

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SCHEMAS = {
    version: f"dcc_v{version}.xsd"
    for version in (
        "2.1.0",
        "2.1.1",
        "2.2.0",
        "2.3.0",
        "2.4.0",
        "3.0.0",
        "3.1.0",
        "3.1.1",
        "3.1.2",
        "3.2.0",
        "3.2.1",
        "3.3.0",
    )
}
# Releases 2.1.0 to 2.2.0 have no schemaVersion attribute; 2.1.x use D-SI
# 1.0.1 under its SmartCom namespace, 2.2.0 the plain D-SI namespace.
DSI_SMARTCOM = "https://ptb.de/si/smartcom/d-si/v1_0_1"
UNVERSIONED = {DSI_SMARTCOM: ("2.1.1", "2.1.0"), NS["si"]: ("2.2.0",)}
# D-SI 1.0.1 as published names an intranet namespace; DCC 2.1.x import it
# as DSI_SMARTCOM, the namespace their certificates use.
_DSI_101_PUBLISHED_NS = (
    "https://intranet.ptb.de/fileadmin/dokumente/intranet/abteilungen/"
    "abteilung_1/Digitaler_Kalibrierschein/SI"
)
_DSIG_XSD = Path(xmlschema.__file__).parent / "schemas/DSIG/xmldsig-core-schema.xsd"
_DSI_LOCATION = (
    re.compile(r"/dsi/v(\d+\.\d+\.\d+)\.xsd$"),
    re.compile(r"://ptb\.de/si/v(\d+\.\d+\.\d+)/SI_Format\.xsd$"),
)


def _local(url: str) -> str:
    """The shipped file for a schema location; refuses any other location."""
    path = Path(url.removeprefix("file://"))
    if path.parent == DATA_DIR and path.is_file():
        return str(path)
    for pattern in _DSI_LOCATION:
        match = pattern.search(url)
        if match and (DATA_DIR / f"dsi_v{match[1]}.xsd").is_file():
            return str(DATA_DIR / f"dsi_v{match[1]}.xsd")
    if url.endswith("/xmldsig-core-schema.xsd"):
        return str(_DSIG_XSD)
    if url.endswith("/qudt/v2.2.1.xsd"):
        return str(DATA_DIR / "qudt_quantitykind_stub.xsd")
    raise DccError(
        _("The DCC schema refers to %(url)s, which qihub does not ship.") % {"url": url}
    )


@functools.lru_cache(maxsize=16)
def schema_for(version: str) -> xmlschema.XMLSchema:
    """The shipped DCC schema of one release, built offline."""
    name = SCHEMAS.get(version)
    if name is None:
        raise DccError(
            _("Unsupported DCC schema version %(version)s (supported: %(list)s).")
            % {"version": version, "list": ", ".join(SCHEMAS)}
        )
    sources: list = []
    if version.startswith("2.1."):
        dsi = (DATA_DIR / "dsi_v1.0.1.xsd").read_text(encoding="utf-8")
        sources.append(io.StringIO(dsi.replace(_DSI_101_PUBLISHED_NS, DSI_SMARTCOM)))
    sources.append(str(DATA_DIR / name))
    return xmlschema.XMLSchema(
        sources, uri_mapper=_local, allow="local", defuse="always"
    )


def _namespaces(root: etree._Element) -> set[str]:
    found = set()
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.startswith("{"):
            found.add(el.tag[1:].split("}", 1)[0])
    return found


def _first_error(schema, root) -> str | None:
    error = next(iter(schema.iter_errors(root)), None)
    return None if error is None else f"{error.reason} at {error.path}"


def identify(root: etree._Element) -> tuple[str, list[str]]:
    """Validate a DCC against the schema of its release.

    Returns the release and warnings. A file with ``schemaVersion`` is
    validated against that release; one without is a 2.1.x or 2.2.0
    certificate, told apart by its D-SI namespace and then by which of those
    schemas it matches.
    """
    version = root.get("schemaVersion")
    if version is not None:
        schema = schema_for(version.strip())
        error = _first_error(schema, root)
        if error:
            raise DccError(
                _("The file does not match DCC schema %(version)s: %(error)s")
                % {"version": version, "error": error}
            )
        return version.strip(), []
    used = _namespaces(root)
    candidates = [v for ns, vs in UNVERSIONED.items() if ns in used for v in vs]
    if not candidates:
        candidates = [v for vs in UNVERSIONED.values() for v in vs]
    first = None
    for candidate in candidates:
        error = _first_error(schema_for(candidate), root)
        if error is None:
            return candidate, [
                _(
                    "The file has no schemaVersion attribute; it was identified "
                    "as DCC %(version)s by its D-SI namespace and structure."
                )
                % {"version": candidate}
            ]
        first = first or (candidate, error)
    raise DccError(
        _(
            "The file has no schemaVersion attribute and matches none of the "
            "releases without one (%(list)s); against DCC %(version)s: %(error)s"
        )
        % {"list": ", ".join(candidates), "version": first[0], "error": first[1]}
    )
