"""Every DCC release imports; signatures are judged at their signing time."""

import base64
import datetime
import io
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.management import call_command
from lxml import etree

from qihub.core.errors import ApplicationError
from qihub.metrology import dcc, services
from qihub.metrology.dcc import schemas

REAL_DIR = Path(settings.SHARED_DATA_DIR) / "real" / "dcc"
needs_share = pytest.mark.skipif(
    not REAL_DIR.is_dir(), reason=f"development share of DCCs not found in {REAL_DIR}"
)

# file -> (release, signature status) for a DCC that imports, or the start of
# the refusal for one with a real defect
SHARE = {
    "lutaml-dcc__dcclib__valid.xml": ("3.3.0", "unsigned"),
    "lutaml-dcc__dcclib__invalid_signature.xml": "The file was altered after",
    "lutaml-dcc__dcclib__invalid_syntax.xml": "The file is not well-formed XML",
    "ptb-xsd-dcc_v2.1.1__example.xml": ("2.1.1", "unsigned"),
    "ptb-xsd-dcc_v2.3.0__siliziumkugel.xml": ("2.3.0", "unsigned"),
    "ptb-xsd-dcc_v3.0.0__dcc-vacuumlab-CDG.xml": ("3.0.0", "unsigned"),
    "ptb-xsd-dcc_v3.0.0__example.xml": ("3.0.0", "unsigned"),
    "ptb-xsd-dcc_v3.1.1__dcc-vacuumlab-CDG.xml": ("3.1.1", "unsigned"),
    "pydcc__dcc_gp_temperature_typical_v12.xml": ("3.1.1", "unsigned"),
    "pydcc__dcc_gp_temperature_typical_v12_signed.xml": ("3.1.1", "verified"),
    "pydcc__dcc_gp_temperature_typical_v12_signed_manipulated.xml": (
        "The file was altered after"
    ),
    "pydcc__dcc_gp_temperature_typical_v12_v3.2.0_signed_lt.xml": (
        "3.2.0",
        "verified",
    ),
    # a typo upstream: <dcc:named> for <dcc:name>
    "pydcc__siliziumkugel_wrong_schema.xml": "The file does not match DCC schema 2.4.0",
}


@needs_share
def test_the_whole_share_is_known():
    """A file added to the share must be judged here too."""
    assert {p.name for p in REAL_DIR.glob("*.xml")} == set(SHARE)


@needs_share
@pytest.mark.parametrize("name", sorted(SHARE))
def test_every_file_of_the_share(db, staff_user, name):
    expected = SHARE[name]
    data = (REAL_DIR / name).read_bytes()
    if isinstance(expected, str):
        with pytest.raises(ApplicationError) as refused:
            services.dcc_import(data=data, actor=staff_user, filename=name)
        assert refused.value.message.startswith(expected)
        return
    outcome = services.dcc_import(data=data, actor=staff_user, filename=name)
    assert (outcome.schema_version, outcome.signature) == expected
    assert outcome.results > 0
    assert outcome.event.dcc_schema_version == expected[0]


@pytest.mark.parametrize("version", sorted(dcc.SCHEMAS))
def test_every_release_has_its_schema_offline(version):
    schema = dcc.schema_for(version)
    root = f"{{{dcc.NS['dcc']}}}digitalCalibrationCertificate"
    assert root in schema.maps.elements


def test_a_schema_location_not_shipped_is_refused():
    with pytest.raises(dcc.DccError, match="does not ship"):
        schemas._local("https://example.org/other.xsd")


@needs_share
def test_a_file_without_schema_version_is_identified_and_says_so():
    data = (REAL_DIR / "ptb-xsd-dcc_v2.1.1__example.xml").read_bytes()
    read = dcc.read(data)
    assert read.schema_version == "2.1.1"
    assert any("no schemaVersion attribute" in w for w in read.warnings)
    # D-SI 1.x gives the uncertainty in si:real itself
    assert read.results[0].expanded_uncertainty == pytest.approx(4e-9)
    broken = data.replace(b"<dcc:uniqueIdentifier>", b"<dcc:uniqueIdentifierX>", 1)
    broken = broken.replace(b"</dcc:uniqueIdentifier>", b"</dcc:uniqueIdentifierX>", 1)
    with pytest.raises(dcc.DccError, match="matches none of the releases without"):
        dcc.read(broken)


@needs_share
def test_genuine_signatures_verify_at_their_signing_time():
    signed = dcc.read(
        (REAL_DIR / "pydcc__dcc_gp_temperature_typical_v12_signed.xml").read_bytes()
    )
    # the certificate expired on 2024-12-02; it was valid when signing
    assert signed.signing_time == datetime.datetime(
        2022, 10, 21, 7, 47, 21, tzinfo=datetime.UTC
    )
    assert any("no revocation data" in w for w in signed.warnings)
    lt = dcc.read(
        (
            REAL_DIR / "pydcc__dcc_gp_temperature_typical_v12_v3.2.0_signed_lt.xml"
        ).read_bytes()
    )
    assert lt.signature_status == "verified"
    # its CRLs cover the signing certificate: no revocation warning
    assert not any("revocation" in w for w in lt.warnings)


@needs_share
def test_a_trusted_ca_anchors_the_long_term_signature(settings, tmp_path):
    data = (
        REAL_DIR / "pydcc__dcc_gp_temperature_typical_v12_v3.2.0_signed_lt.xml"
    ).read_bytes()
    root = etree.fromstring(data)
    ca = next(
        c
        for c in (
            x509.load_der_x509_certificate(base64.b64decode("".join(e.text.split())))
            for e in root.iter("{*}EncapsulatedX509Certificate")
        )
        if "Calibration Community Root CA 01" in c.subject.rfc4514_string()
    )
    pem = tmp_path / "ca.pem"
    pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    settings.METROLOGY_DCC_TRUSTED_CA = str(pem)
    read = dcc.read(data)
    assert read.signature_status == "verified"
    assert not any("trusted CA" in w for w in read.warnings)
    other = tmp_path / "other.pem"
    other.write_bytes(_pki().ca_pem)
    settings.METROLOGY_DCC_TRUSTED_CA = str(other)
    with pytest.raises(dcc.DccError, match="does not chain to a trusted CA"):
        dcc.read(data)


@needs_share
def test_the_command_prints_release_signature_and_warnings(db, staff_user):
    out = io.StringIO()
    call_command(
        "import_dcc",
        str(REAL_DIR / "pydcc__dcc_gp_temperature_typical_v12_signed.xml"),
        str(REAL_DIR / "ptb-xsd-dcc_v2.1.1__example.xml"),
        "--dry-run",
        stdout=out,
    )
    text = out.getvalue()
    assert "DCC 3.1.1" in text
    assert "signature verified, signed 2022-10-21T07:47:21+00:00" in text
    assert "warning: The file has no schemaVersion attribute" in text


@needs_share
def test_the_page_and_api_show_signing_time_and_warnings(staff_client, staff_api):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    name = "pydcc__dcc_gp_temperature_typical_v12_signed.xml"
    data = (REAL_DIR / name).read_bytes()
    response = staff_client.post(
        reverse("metrology:dcc_import"),
        {"file": SimpleUploadedFile(name, data), "dry_run": "on"},
    )
    html = response.content.decode()
    assert "2022-10-21T07:47:21+00:00" in html
    assert "embeds no revocation data" in html
    response = staff_api.post(
        "/api/metrology/dcc",
        {"file": SimpleUploadedFile(name, data), "dry_run": "true"},
    )
    body = response.json()
    assert body["signed_at"] == "2022-10-21T07:47:21+00:00"
    assert any("trusted CA" in w for w in body["warnings"])


# -- synthetic PKI: a CA, a laboratory certificate, CRLs ----------------------


class _Pki:
    def __init__(self, *, not_after: datetime.datetime | None = None):
        now = datetime.datetime.now(tz=datetime.UTC)
        self.ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
        self.ca = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(self.ca_key.public_key())
            .serial_number(1)
            .not_valid_before(now - datetime.timedelta(days=30))
            .not_valid_after(now + datetime.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(self.ca_key, hashes.SHA256())
        )
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(
                x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test lab")])
            )
            .issuer_name(ca_name)
            .public_key(self.key.public_key())
            .serial_number(4711)
            .not_valid_before(now - datetime.timedelta(days=10))
            .not_valid_after(not_after or now + datetime.timedelta(days=30))
            .sign(self.ca_key, hashes.SHA256())
        )
        self.ca_pem = self.ca.public_bytes(serialization.Encoding.PEM)

    def crl(self, revoked_on: datetime.datetime | None) -> bytes:
        now = datetime.datetime.now(tz=datetime.UTC)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.ca.subject)
            .last_update(now - datetime.timedelta(days=1))
            .next_update(now + datetime.timedelta(days=30))
        )
        if revoked_on is not None:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(self.cert.serial_number)
                .revocation_date(revoked_on)
                .build()
            )
        return builder.sign(self.ca_key, hashes.SHA256()).public_bytes(
            serialization.Encoding.DER
        )


def _pki(**kwargs) -> _Pki:
    return _Pki(**kwargs)


XADES_NS = "http://uri.etsi.org/01903/v1.3.2#"


def _xades_signed(registry, pki: _Pki, crl: bytes | None = None) -> bytes:
    from signxml import SignatureMethod
    from signxml.xades import XAdESSigner

    root = etree.fromstring(dcc.export(registry.certs["leaf"]))
    key = pki.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    certs = [c.public_bytes(serialization.Encoding.PEM).decode() for c in (pki.cert,)]
    signed = XAdESSigner(signature_algorithm=SignatureMethod.ECDSA_SHA256).sign(
        root, key=key, cert=certs
    )
    if crl is not None:
        # long-term data lives in the unsigned properties, added after signing
        props = signed.find(f".//{{{XADES_NS}}}QualifyingProperties")
        unsigned = etree.SubElement(props, f"{{{XADES_NS}}}UnsignedProperties")
        usp = etree.SubElement(unsigned, f"{{{XADES_NS}}}UnsignedSignatureProperties")
        values = etree.SubElement(usp, f"{{{XADES_NS}}}CertificateValues")
        etree.SubElement(
            values, f"{{{XADES_NS}}}EncapsulatedX509Certificate"
        ).text = base64.b64encode(
            pki.ca.public_bytes(serialization.Encoding.DER)
        ).decode()
        rev = etree.SubElement(usp, f"{{{XADES_NS}}}RevocationValues")
        crls = etree.SubElement(rev, f"{{{XADES_NS}}}CRLValues")
        etree.SubElement(
            crls, f"{{{XADES_NS}}}EncapsulatedCRLValue"
        ).text = base64.b64encode(crl).decode()
    return etree.tostring(signed)


def test_a_certificate_expired_at_signing_time_is_not_called_altered(registry):
    now = datetime.datetime.now(tz=datetime.UTC)
    pki = _pki(not_after=now - datetime.timedelta(days=1))
    data = _xades_signed(registry, pki)
    with pytest.raises(dcc.DccError) as refused:
        dcc.read(data)
    message = str(refused.value)
    assert "had expired at the signing time" in message
    assert "the file itself is unaltered" in message
    tampered = data.replace(b"<si:value>0.1</si:value>", b"<si:value>0.2</si:value>")
    with pytest.raises(dcc.DccError, match="The file was altered after"):
        dcc.read(tampered)


def test_a_certificate_revoked_before_signing_is_refused(registry):
    now = datetime.datetime.now(tz=datetime.UTC)
    pki = _pki()
    data = _xades_signed(
        registry, pki, crl=pki.crl(revoked_on=now - datetime.timedelta(hours=1))
    )
    with pytest.raises(dcc.DccError, match=r"was revoked on .*, before the signing"):
        dcc.read(data)


def test_revocation_after_signing_leaves_the_signature_valid(registry, settings):
    now = datetime.datetime.now(tz=datetime.UTC)
    pki = _pki()
    data = _xades_signed(
        registry, pki, crl=pki.crl(revoked_on=now + datetime.timedelta(minutes=5))
    )
    read = dcc.read(data)
    assert read.signature_status == "verified"
    assert any("after the signing time" in w for w in read.warnings)
    clean = _xades_signed(registry, pki, crl=pki.crl(revoked_on=None))
    read = dcc.read(clean)
    assert not any("revocation" in w for w in read.warnings)


def test_a_crl_not_signed_by_the_ca_is_ignored(registry):
    now = datetime.datetime.now(tz=datetime.UTC)
    pki, impostor = _pki(), _pki()
    forged = impostor.crl(revoked_on=now - datetime.timedelta(hours=1))
    read = dcc.read(_xades_signed(registry, pki, crl=forged))
    assert read.signature_status == "verified"
    assert any("does not cover the signing certificate" in w for w in read.warnings)
