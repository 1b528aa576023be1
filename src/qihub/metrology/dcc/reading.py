"""Reading a DCC: safe parsing and extraction of what qihub keeps.

Files are parsed by ``qihub.core.xml.safe_parse``, the one safe parser (no
entity resolution, network or DTD loading), under the DCC size limit; a
DOCTYPE is refused outright before parsing (billion laughs, external entities).
"""

import dataclasses
import datetime
import re

from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree

from qihub.core.xml import XmlError, safe_parse

NS = {
    "dcc": "https://ptb.de/dcc",
    "si": "https://ptb.de/si",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
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
    # A DCC has no DOCTYPE: one is refused before parsing (the shared
    # parser would accept it without loading it, for STS documents).
    if re.search(rb"<!(DOCTYPE|ENTITY)\b", data, flags=re.IGNORECASE):
        raise DccError(_("XML with a DOCTYPE or entity declarations is refused."))
    try:
        # Comments stay: a signature's canonical form may include them.
        root = safe_parse(data, max_bytes=max_bytes(), keep_comments=True)
    except XmlError as exc:
        raise DccError(
            _("The file is not well-formed XML: %(error)s") % {"error": exc}
        ) from exc
    if root.tag != f"{{{NS['dcc']}}}digitalCalibrationCertificate":
        raise DccError(_("The root element is not a digital calibration certificate."))
    return root


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
    signing_time: datetime.datetime | None = None
    warnings: list[str] = dataclasses.field(default_factory=list)


def _text(el, path: str, ns: dict = NS) -> str:
    found = el.find(path, ns) if el is not None else None
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


def _number(el, path: str, ns: dict) -> float | None:
    text = _text(el, path, ns)
    return float(text) if text else None


def _results_of(quantity, name: str, ref_type: str, ns: dict = NS) -> list[DccResult]:
    """Rows of one ``dcc:quantity``: a ``si:real``, a ``si:list`` of reals, a
    ``si:realListXMLList`` or the first representation of a ``si:hybrid``.

    ``ns`` names the D-SI namespace of the file's release; D-SI 1.x (DCC 2.1
    to 2.4) may give the uncertainty in the ``si:real`` itself rather than in
    an ``si:expandedUnc``."""
    holder = quantity.find("si:hybrid", ns)
    holder = holder if holder is not None else quantity
    rows: list[DccResult] = []
    reals = holder.findall("si:real", ns) + holder.findall("si:list/si:real", ns)
    if holder.tag.endswith("hybrid") and reals:
        reals = reals[:1]
    for real in reals:
        unc = real.find("si:expandedUnc", ns)
        if unc is None and real.find("si:uncertainty", ns) is not None:
            unc = real
        rows.append(
            DccResult(
                name=name,
                ref_type=ref_type,
                value=float(_text(real, "si:value", ns)),
                unit=_text(real, "si:unit", ns),
                expanded_uncertainty=_number(unc, "si:uncertainty", ns),
                coverage_factor=_number(unc, "si:coverageFactor", ns),
                coverage_probability=_number(unc, "si:coverageProbability", ns),
            )
        )
    if rows:
        return rows
    lst = holder.find("si:realListXMLList", ns)
    if lst is None:
        return rows
    values = _floats(_text(lst, "si:valueXMLList", ns))
    units = _text(lst, "si:unitXMLList", ns).split()
    unc = lst.find("si:expandedUncXMLList", ns)
    us = _floats(_text(unc, "si:uncertaintyXMLList", ns)) if unc is not None else []
    ks = _floats(_text(unc, "si:coverageFactorXMLList", ns)) if unc is not None else []
    ps = (
        _floats(_text(unc, "si:coverageProbabilityXMLList", ns))
        if unc is not None
        else []
    )

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


def extract(
    root: etree._Element, version: str, si_namespace: str = NS["si"]
) -> DccData:
    """Read the administrative data, item, laboratory, statements and
    measurement results out of a validated DCC whose D-SI elements are in
    ``si_namespace``."""
    ns = {**NS, "si": si_namespace}
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
                results.extend(_results_of(q, name, q.get("refType", ""), ns))
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
