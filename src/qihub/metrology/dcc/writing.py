"""Writing a DCC of a recorded calibration certificate."""

import dataclasses

from lxml import etree

from qihub.metrology.dcc.reading import NS
from qihub.metrology.units import to_dsi

EXPORT_VERSION = "3.2.0"


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
