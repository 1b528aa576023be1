import datetime
from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree

from qihub.core.errors import ApplicationError
from qihub.metrology import dcc, services
from qihub.metrology.models import CalibrationEvent, Instrument, MeasurementResult

DCC_DIR = Path(settings.SHARED_DATA_DIR) / "dcc"
needs_samples = pytest.mark.skipif(
    not DCC_DIR.is_dir(), reason=f"DCC samples not found in {DCC_DIR}"
)


@needs_samples
@pytest.mark.parametrize(
    ("name", "version", "number"),
    [
        (
            "sample-temperature-simplified.xml",
            "3.1.1",
            "GP_DCC_temperature_minimal_1.2",
        ),
        ("sample-humidity.xml", "3.1.2", "Id 123456789 HtW"),
    ],
)
def test_both_samples_import(db, staff_user, name, version, number):
    data = (DCC_DIR / name).read_bytes()
    outcome = services.dcc_import(data=data, actor=staff_user, filename=name)
    assert outcome.schema_version == version
    event = CalibrationEvent.objects.get(certificate_number=number)
    assert event.results.count() == outcome.results > 0
    assert event.dcc_schema_version == version
    assert event.performed_on == datetime.date(1957, 8, 13)
    first = event.results.filter(expanded_uncertainty__isnull=False).first()
    assert first.coverage_factor == 2


@needs_samples
def test_dry_run_stores_nothing(db, staff_user):
    data = (DCC_DIR / "sample-humidity.xml").read_bytes()
    outcome = services.dcc_import(data=data, actor=staff_user, dry_run=True)
    assert outcome.results > 0
    assert outcome.event is None
    assert not CalibrationEvent.objects.exists()
    assert not Instrument.objects.exists()


def test_round_trip(registry, staff_user):
    leaf = registry.certs["leaf"]
    xml = dcc.export(leaf)
    root = dcc.parse_xml(xml)
    assert dcc.validate(root) == "3.2.0"
    before = list(
        leaf.results.values_list(
            "name",
            "ref_type",
            "value",
            "unit",
            "expanded_uncertainty",
            "coverage_factor",
        )
    )
    # re-import into a registry without the certificate
    MeasurementResult.objects.filter(event=leaf).delete()
    Instrument.objects.filter(pk=registry.instrument.pk).update(latest_event=None)
    leaf.history.all().delete()
    leaf.delete()
    outcome = services.dcc_import(data=xml, actor=staff_user)
    again = outcome.event
    assert again.instrument == registry.instrument
    assert again.reference_standard == registry.working
    assert again.laboratory == registry.jl
    assert (again.performed_on, again.valid_until) == (
        leaf.performed_on,
        leaf.valid_until,
    )
    assert again.conformity == "pass"
    assert (again.measured_error, again.expanded_uncertainty) == (0.1, 0.12)
    after = list(
        again.results.values_list(
            "name",
            "ref_type",
            "value",
            "unit",
            "expanded_uncertainty",
            "coverage_factor",
        )
    )
    assert after == before


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<dcc:digitalCalibrationCertificate xmlns:dcc="https://ptb.de/dcc" schemaVersion="3.2.0">&lol3;</dcc:digitalCalibrationCertificate>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<dcc:digitalCalibrationCertificate xmlns:dcc="https://ptb.de/dcc" schemaVersion="3.2.0">&xxe;</dcc:digitalCalibrationCertificate>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_hostile_xml_is_refused(db, staff_user, data):
    with pytest.raises(ApplicationError, match="DOCTYPE"):
        services.dcc_import(data=data, actor=staff_user)
    assert not CalibrationEvent.objects.exists()


def test_bad_files_are_refused_with_a_reason(registry, staff_user):
    with pytest.raises(ApplicationError, match="not well-formed"):
        services.dcc_import(data=b"<dcc:x", actor=staff_user)
    xml = dcc.export(registry.certs["leaf"]).replace(
        b'schemaVersion="3.2.0"', b'schemaVersion="9.9"'
    )
    with pytest.raises(ApplicationError, match=r"Unsupported DCC schema version 9\.9"):
        services.dcc_import(data=xml, actor=staff_user)
    xml = dcc.export(registry.certs["leaf"]).replace(b"<si:value>", b"<si:value>x")
    with pytest.raises(ApplicationError, match=r"does not match DCC schema 3\.2\.0"):
        services.dcc_import(data=xml, actor=staff_user)
    with pytest.raises(ApplicationError, match="already recorded"):
        services.dcc_import(data=dcc.export(registry.certs["leaf"]), actor=staff_user)


def _self_signed():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "qihub test lab")])
    now = datetime.datetime.now(tz=datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return (
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        cert.public_bytes(serialization.Encoding.PEM),
    )


def test_signed_certificate_verifies_and_tampering_is_refused(registry, staff_user):
    from signxml import XMLSigner

    key, cert = _self_signed()
    leaf = registry.certs["leaf"]
    root = etree.fromstring(dcc.export(leaf))
    signed = XMLSigner().sign(root, key=key, cert=cert)
    data = etree.tostring(signed)
    assert dcc.read(data).signature_status == "verified"
    tampered = data.replace(b"<si:value>0.1</si:value>", b"<si:value>0.0</si:value>")
    assert tampered != data
    leaf.results.all().delete()
    leaf.history.all().delete()
    Instrument.objects.filter(pk=registry.instrument.pk).update(latest_event=None)
    leaf.delete()
    with pytest.raises(ApplicationError, match="signature does not verify"):
        services.dcc_import(data=tampered, actor=staff_user)
    assert not CalibrationEvent.objects.filter(
        certificate_number=leaf.certificate_number
    ).exists()
    outcome = services.dcc_import(data=data, actor=staff_user)
    assert outcome.signature == "verified"


def test_xades_signed_certificate_verifies(registry):
    from signxml import DigestAlgorithm
    from signxml.xades import XAdESDataObjectFormat, XAdESSignaturePolicy, XAdESSigner

    key, cert = _self_signed()
    root = etree.fromstring(dcc.export(registry.certs["leaf"]))
    signer = XAdESSigner(
        signature_policy=XAdESSignaturePolicy(
            Identifier="urn:qihub:test-policy",
            Description="test",
            DigestMethod=DigestAlgorithm.SHA256,
            DigestValue="MTIzNA==",
        ),
        claimed_roles=["calibration laboratory"],
        data_object_format=XAdESDataObjectFormat(
            Description="DCC", MimeType="text/xml"
        ),
    )
    data = etree.tostring(signer.sign(root, key=key, cert=cert))
    assert b"QualifyingProperties" in data
    assert dcc.read(data).signature_status == "verified"
    tampered = data.replace(b"<si:value>0.1</si:value>", b"<si:value>0.2</si:value>")
    with pytest.raises(dcc.DccError, match="signature does not verify"):
        dcc.read(tampered)
