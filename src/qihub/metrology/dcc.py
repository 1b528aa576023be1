"""PTB Digital Calibration Certificates (DCC): safe parsing, schema validation,
signature verification, extraction and export.

Files are parsed with lxml without entity resolution, network or DTDs, under a
size limit; a DOCTYPE is refused outright (billion laughs, external entities).
Each file is validated against the shipped schema matching its
``schemaVersion``; the D-SI and XML-signature imports are mapped to local files
and nothing is ever fetched.
"""

import dataclasses
import datetime
import functools
from pathlib import Path

import xmlschema
from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree

from qihub.metrology.units import to_dsi

DATA_DIR = Path(__file__).resolve().parent / "data"
NS = {
    "dcc": "https://ptb.de/dcc",
    "si": "https://ptb.de/si",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
}
SCHEMAS = {
    "3.1.1": "dcc_v3.1.1.xsd",
    "3.1.2": "dcc_v3.1.2.xsd",
    "3.2.0": "dcc_v3.2.0.xsd",
}
EXPORT_VERSION = "3.2.0"
_DSIG_XSD = Path(xmlschema.__file__).parent / "schemas/DSIG/xmldsig-core-schema.xsd"
_URI_MAP = {
    "https://ptb.de/si/v2.1.0/SI_Format.xsd": str(DATA_DIR / "dsi_v2.1.0.xsd"),
    "https://www.w3.org/TR/xmldsig-core/xmldsig-core-schema.xsd": str(_DSIG_XSD),
}


class DccError(ValueError):
    """A DCC file that is refused, with a reason a user can act on."""


def max_bytes() -> int:
    return int(getattr(settings, "METROLOGY_DCC_MAX_BYTES", 5 * 1024 * 1024))


def parse_xml(data: bytes) -> etree._Element:
    """Parse untrusted XML safely; refuse DTDs, entities and oversize files."""
    if len(data) > max_bytes():
        raise DccError(
            _("The file is larger than %(limit)d bytes.") % {"limit": max_bytes()}
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=False,
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise DccError(
            _("The file is not well-formed XML: %(error)s") % {"error": exc}
        ) from exc
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise DccError(_("XML with a DOCTYPE or entity declarations is refused."))
    if root.tag != f"{{{NS['dcc']}}}digitalCalibrationCertificate":
        raise DccError(_("The root element is not a digital calibration certificate."))
    return root


@functools.lru_cache(maxsize=8)
def schema_for(version: str) -> xmlschema.XMLSchema:
    """The shipped DCC schema for a ``schemaVersion``, built offline."""
    name = SCHEMAS.get(version)
    if name is None:
        raise DccError(
            _("Unsupported DCC schema version %(version)s (supported: %(list)s).")
            % {"version": version, "list": ", ".join(SCHEMAS)}
        )
    return xmlschema.XMLSchema(
        str(DATA_DIR / name), uri_mapper=_URI_MAP, allow="local", defuse="always"
    )


def validate(root: etree._Element) -> str:
    """Validate against the schema of the file's version; returns the version."""
    version = root.get("schemaVersion", "")
    schema = schema_for(version)
    errors = list(schema.iter_errors(root))
    if errors:
        first = errors[0]
        raise DccError(
            _("The file does not match DCC schema %(version)s: %(error)s")
            % {"version": version, "error": f"{first.reason} at {first.path}"}
        )
    return version


def verify_signature(data: bytes, root: etree._Element) -> tuple[str, etree._Element]:
    """Verify an enveloped XML signature (XAdES included) when there is one.

    Returns ``("unsigned", root)`` or ``("verified", signed root)``; a
    signature that does not verify raises DccError. Certificates listed in
    ``METROLOGY_DCC_TRUSTED_CA`` (a PEM file) anchor trust; without it the
    signing certificate embedded in the file is used (integrity only).
    """
    if root.find(".//ds:Signature", NS) is None:
        return "unsigned", root
    from signxml import XMLVerifier
    from signxml.exceptions import InvalidInput, InvalidSignature
    from signxml.xades import XAdESVerifier

    xades = b"QualifyingProperties" in data
    verifier = XAdESVerifier() if xades else XMLVerifier()
    kwargs = {}
    ca = getattr(settings, "METROLOGY_DCC_TRUSTED_CA", "")
    if ca:
        kwargs["ca_pem_file"] = ca
    else:
        cert = root.find(".//ds:X509Certificate", NS)
        if cert is None or not (cert.text or "").strip():
            raise DccError(_("The signature carries no certificate to verify it with."))
        kwargs["x509_cert"] = "".join(cert.text.split())
    try:
        # XAdES also signs its signed properties: several references
        verified = verifier.verify(
            data, expect_references=True if xades else 1, **kwargs
        )
    except (InvalidSignature, InvalidInput, ValueError) as exc:
        raise DccError(
            _(
                "The signature does not verify; the file was changed or is not "
                "signed by its certificate: %(error)s"
            )
            % {"error": exc}
        ) from exc
    results = verified if isinstance(verified, list) else [verified]
    dcc_tag = f"{{{NS['dcc']}}}digitalCalibrationCertificate"
    result = next(
        (r for r in results if getattr(r.signed_xml, "tag", None) == dcc_tag), None
    )
    if result is None:
        raise DccError(_("The signature does not cover the certificate itself."))
    signed = result.signed_xml
    for sig in signed.findall(".//ds:Signature", NS):
        sig.getparent().remove(sig)
    return "verified", signed


@dataclasses.dataclass
class DccItem:
    name: str
    maker: str
    model: str
    serial: str
    customer_id: str
    identifications: list[str]


@dataclasses.dataclass
class DccResult:
    name: str
    ref_type: str
    value: float
    unit: str
    expanded_uncertainty: float | None
    coverage_factor: float | None
    coverage_probability: float | None


@dataclasses.dataclass
class DccData:
    """What qihub keeps of a DCC."""

    schema_version: str
    certificate_number: str
    performed_on: datetime.date
    valid_until: datetime.date | None
    item: DccItem
    laboratory: str
    laboratory_code: str
    customer: str
    conformity: str
    reference_ids: list[str]
    results: list[DccResult]
    signature_status: str = "unsigned"


def _text(el, path: str) -> str:
    found = el.find(path, NS) if el is not None else None
    return (found.text or "").strip() if found is not None else ""


def _content(el) -> str:
    """The Chinese, else English, else first ``dcc:content`` of a text field."""
    if el is None:
        return ""
    contents = el.findall("dcc:content", NS)
    by_lang = {c.get("lang", ""): (c.text or "").strip() for c in contents}
    for lang in ("zh", "en", ""):
        if by_lang.get(lang):
            return by_lang[lang]
    return (contents[0].text or "").strip() if contents else ""


def _date(text: str, what: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError as exc:
        raise DccError(
            _("Bad date in %(what)s: %(text)r") % {"what": what, "text": text}
        ) from exc


def _floats(text: str) -> list[float]:
    return [float(x) for x in (text or "").split()]


def _results_of(quantity, name: str, ref_type: str) -> list[DccResult]:
    """Rows of one ``dcc:quantity``: a ``si:real``, a ``si:list`` of reals, a
    ``si:realListXMLList`` or the first representation of a ``si:hybrid``."""
    holder = quantity.find("si:hybrid", NS)
    holder = holder if holder is not None else quantity
    rows: list[DccResult] = []
    reals = holder.findall("si:real", NS) + holder.findall("si:list/si:real", NS)
    if holder.tag.endswith("hybrid") and reals:
        reals = reals[:1]
    for real in reals:
        unc = real.find("si:expandedUnc", NS)
        rows.append(
            DccResult(
                name=name,
                ref_type=ref_type,
                value=float(_text(real, "si:value")),
                unit=_text(real, "si:unit"),
                expanded_uncertainty=float(_text(unc, "si:uncertainty"))
                if unc is not None
                else None,
                coverage_factor=float(_text(unc, "si:coverageFactor"))
                if unc is not None
                else None,
                coverage_probability=float(_text(unc, "si:coverageProbability"))
                if unc is not None
                else None,
            )
        )
    if rows:
        return rows
    lst = holder.find("si:realListXMLList", NS)
    if lst is None:
        return rows
    values = _floats(_text(lst, "si:valueXMLList"))
    units = _text(lst, "si:unitXMLList").split()
    unc = lst.find("si:expandedUncXMLList", NS)
    us = _floats(_text(unc, "si:uncertaintyXMLList")) if unc is not None else []
    ks = _floats(_text(unc, "si:coverageFactorXMLList")) if unc is not None else []
    ps = _floats(_text(unc, "si:coverageProbabilityXMLList")) if unc is not None else []

    def pick(seq, i):
        if not seq:
            return None
        return seq[i] if i < len(seq) else seq[-1]

    for i, value in enumerate(values):
        rows.append(
            DccResult(
                name=name,
                ref_type=ref_type,
                value=value,
                unit=pick(units, i) or "",
                expanded_uncertainty=pick(us, i),
                coverage_factor=pick(ks, i),
                coverage_probability=pick(ps, i),
            )
        )
    return rows


def extract(root: etree._Element, version: str) -> DccData:
    """Read the administrative data, item, laboratory, statements and
    measurement results out of a validated DCC."""
    admin = root.find("dcc:administrativeData", NS)
    core = admin.find("dcc:coreData", NS)
    number = _text(core, "dcc:uniqueIdentifier")
    begin = _text(core, "dcc:beginPerformanceDate") or _text(
        core, "dcc:endPerformanceDate"
    )
    item_el = admin.find("dcc:items/dcc:item", NS)
    idents = {}
    all_ids = []
    for ident in item_el.findall("dcc:identifications/dcc:identification", NS):
        issuer = _text(ident, "dcc:issuer")
        value = _text(ident, "dcc:value")
        idents.setdefault(issuer, value)
        all_ids.append(value)
    item = DccItem(
        name=_content(item_el.find("dcc:name", NS)),
        maker=_content(item_el.find("dcc:manufacturer/dcc:name", NS)),
        model=_text(item_el, "dcc:model"),
        serial=idents.get("manufacturer", ""),
        customer_id=idents.get("customer", "") or idents.get("owner", ""),
        identifications=all_ids,
    )
    lab = admin.find("dcc:calibrationLaboratory", NS)
    valid_until = None
    conformity = ""
    for st in admin.findall("dcc:statements/dcc:statement", NS):
        ref = st.get("refType", "")
        if "recalibration" in ref and _text(st, "dcc:date"):
            valid_until = _date(_text(st, "dcc:date"), "recalibration")
        if not conformity and _text(st, "dcc:conformity"):
            conformity = _text(st, "dcc:conformity")
    refs = []
    results = []
    for mr in root.findall("dcc:measurementResults/dcc:measurementResult", NS):
        for eq in mr.findall("dcc:measuringEquipments/dcc:measuringEquipment", NS):
            if "basic_normalUsed" in eq.get("refType", "").split():
                refs.extend(
                    _text(i, "dcc:value")
                    for i in eq.findall("dcc:identifications/dcc:identification", NS)
                )
        for res in mr.findall("dcc:results/dcc:result", NS):
            for q in res.iter(f"{{{NS['dcc']}}}quantity"):
                name = _content(q.find("dcc:name", NS)) or _content(
                    res.find("dcc:name", NS)
                )
                results.extend(_results_of(q, name, q.get("refType", "")))
    if not number:
        raise DccError(_("The certificate has no unique identifier."))
    return DccData(
        schema_version=version,
        certificate_number=number,
        performed_on=_date(begin, "beginPerformanceDate"),
        valid_until=valid_until,
        item=item,
        laboratory=_content(lab.find("dcc:contact/dcc:name", NS)),
        laboratory_code=_text(lab, "dcc:calibrationLaboratoryCode"),
        customer=_content(admin.find("dcc:customer/dcc:name", NS)),
        conformity={"pass": "pass", "fail": "fail"}.get(conformity, ""),
        reference_ids=[r for r in refs if r],
        results=results,
    )


def read(data: bytes) -> DccData:
    """Parse, verify (if signed), validate and extract a DCC file."""
    root = parse_xml(data)
    status, root = verify_signature(data, root)
    version = validate(root)
    dcc = extract(root, version)
    dcc.signature_status = status
    return dcc


# -- export -------------------------------------------------------------------


def _el(parent, tag: str, text=None, **attrs):
    prefix, name = tag.split(":")
    el = etree.SubElement(parent, f"{{{NS[prefix]}}}{name}", **attrs)
    if text is not None:
        el.text = str(text)
    return el


def _textfield(parent, tag: str, text: str):
    el = _el(parent, tag)
    _el(el, "dcc:content", text or "-", lang="zh")
    return el


def export(event) -> bytes:
    """A DCC (schema 3.2.0) of a recorded certificate; it validates against
    the shipped schema and reads back to the same data."""
    item = event.item
    root = etree.Element(
        f"{{{NS['dcc']}}}digitalCalibrationCertificate",
        nsmap={"dcc": NS["dcc"], "si": NS["si"]},
        schemaVersion=EXPORT_VERSION,
    )
    admin = _el(root, "dcc:administrativeData")
    sw = _el(_el(admin, "dcc:dccSoftware"), "dcc:software")
    _textfield(sw, "dcc:name", "qihub")
    _el(sw, "dcc:release", "1")
    core = _el(admin, "dcc:coreData")
    _el(core, "dcc:countryCodeISO3166_1", "CN")
    _el(core, "dcc:usedLangCodeISO639_1", "zh")
    _el(core, "dcc:mandatoryLangCodeISO639_1", "zh")
    _el(core, "dcc:uniqueIdentifier", event.certificate_number)
    _el(core, "dcc:beginPerformanceDate", event.performed_on.isoformat())
    _el(core, "dcc:endPerformanceDate", event.performed_on.isoformat())
    _el(core, "dcc:performanceLocation", "laboratory")
    it = _el(_el(admin, "dcc:items"), "dcc:item")
    _textfield(it, "dcc:name", item.name)
    _textfield(
        _el(it, "dcc:manufacturer"), "dcc:name", getattr(item, "maker", "") or "-"
    )
    if getattr(item, "model", ""):
        _el(it, "dcc:model", item.model)
    ids = _el(it, "dcc:identifications")
    serial = getattr(item, "serial", "")
    if serial:
        ident = _el(ids, "dcc:identification")
        _el(ident, "dcc:issuer", "manufacturer")
        _el(ident, "dcc:value", serial)
    ident = _el(ids, "dcc:identification")
    _el(ident, "dcc:issuer", "customer")
    _el(ident, "dcc:value", item.code)
    lab = _el(admin, "dcc:calibrationLaboratory")
    _el(lab, "dcc:calibrationLaboratoryCode", event.laboratory.code)
    contact = _el(lab, "dcc:contact")
    _textfield(contact, "dcc:name", event.laboratory.name)
    loc = _el(contact, "dcc:location")
    _el(loc, "dcc:city", event.laboratory.region_name or "-")
    resp = _el(_el(admin, "dcc:respPersons"), "dcc:respPerson")
    _textfield(_el(resp, "dcc:person"), "dcc:name", event.laboratory.name)
    customer = _el(admin, "dcc:customer")
    owner = getattr(item, "owner", None) or getattr(item, "holder", None)
    _textfield(customer, "dcc:name", getattr(owner, "name", "") or "-")
    _el(_el(customer, "dcc:location"), "dcc:city", getattr(item, "region", "") or "-")
    statements = _el(admin, "dcc:statements")
    st = _el(statements, "dcc:statement", refType="basic_recalibration")
    _el(st, "dcc:date", event.valid_until.isoformat())
    if event.conformity:
        st = _el(statements, "dcc:statement", refType="basic_conformity")
        _el(st, "dcc:conformity", event.conformity)
    mr = _el(_el(root, "dcc:measurementResults"), "dcc:measurementResult")
    _textfield(mr, "dcc:name", "测量结果")
    ref = event.reference_standard
    if ref is not None:
        eq = _el(
            _el(mr, "dcc:measuringEquipments"),
            "dcc:measuringEquipment",
            refType="basic_normalUsed",
        )
        _textfield(eq, "dcc:name", ref.name)
        ident = _el(_el(eq, "dcc:identifications"), "dcc:identification")
        _el(ident, "dcc:issuer", "calibrationLaboratory")
        _el(ident, "dcc:value", ref.code)
    res = _el(_el(mr, "dcc:results"), "dcc:result")
    _textfield(res, "dcc:name", "测量结果")
    data = _el(res, "dcc:data")
    rows = list(event.results.all())
    if not rows:
        rows = [
            dataclasses.make_dataclass(
                "R",
                [
                    "name",
                    "ref_type",
                    "value",
                    "unit",
                    "expanded_uncertainty",
                    "coverage_factor",
                    "coverage_probability",
                ],
            )(
                "measurement error",
                "basic_measurementError",
                event.measured_error,
                event.unit,
                event.expanded_uncertainty,
                event.coverage_factor,
                0.95,
            )
        ]
    for row in rows:
        q = _el(
            data, "dcc:quantity", **({"refType": row.ref_type} if row.ref_type else {})
        )
        _textfield(q, "dcc:name", row.name)
        real = _el(q, "si:real")
        _el(real, "si:value", repr(float(row.value)))
        _el(real, "si:unit", to_dsi(row.unit))
        if row.expanded_uncertainty is not None:
            unc = _el(real, "si:expandedUnc")
            _el(unc, "si:uncertainty", repr(float(row.expanded_uncertainty)))
            _el(unc, "si:coverageFactor", repr(float(row.coverage_factor or 2.0)))
            _el(
                unc,
                "si:coverageProbability",
                repr(float(row.coverage_probability or 0.95)),
            )
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
