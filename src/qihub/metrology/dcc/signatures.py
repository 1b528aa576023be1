"""Verifying the XML signature of a DCC (XMLDSig, XAdES) at its signing time.

Refusals a user can tell apart:

- the file was altered after signing: a digest or the signature value does
  not verify with the signing certificate embedded in the file;
- the signing certificate was expired (or not yet valid) at the signing time;
- the signing certificate, or one of its CAs, was revoked before the signing
  time, by the revocation data a long-term signature embeds
  (``xades:RevocationValues``: CRLs and OCSP responses);
- with ``METROLOGY_DCC_TRUSTED_CA`` set, the certificate does not chain to
  one of those CAs at the signing time.

The signing time is the ``xades:SigningTime`` of the signed properties, which
the signature covers. Certificates are checked at that time, not at today's
date: a certificate that expired after signing leaves the signature valid.
"""

import base64
import dataclasses
import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature as BadCryptoSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from qihub.metrology.dcc.reading import NS, DccError

XADES = "{http://uri.etsi.org/01903/v1.3.2#}"
# a signing time this far ahead of the server clock is a clock skew, not a lie
_CLOCK_SKEW = datetime.timedelta(minutes=10)


@dataclasses.dataclass
class SignatureCheck:
    """The outcome of a signature check that passed."""

    status: str  # "unsigned" or "verified"
    root: etree._Element  # what the signature covers, without the signature
    signing_time: datetime.datetime | None = None
    signer: str = ""
    warnings: list[str] = dataclasses.field(default_factory=list)


def _der(text: str | None) -> bytes:
    return base64.b64decode("".join((text or "").split()))


def _local(el: etree._Element, name: str) -> list[etree._Element]:
    return el.xpath(".//*[local-name()=$name]", name=name)


def _load_certs(elements) -> list[x509.Certificate]:
    certs = []
    for el in elements:
        try:
            certs.append(x509.load_der_x509_certificate(_der(el.text)))
        except ValueError as exc:
            raise DccError(
                _("The signature carries a certificate that cannot be read: %(e)s")
                % {"e": exc}
            ) from exc
    return certs


def _leaf(certs: list[x509.Certificate]) -> x509.Certificate:
    """The certificate no other one in the list was issued by."""
    issuers = {c.issuer for c in certs if c.issuer != c.subject}
    return next((c for c in certs if c.subject not in issuers), certs[0])


def _subject(cert: x509.Certificate) -> str:
    return cert.subject.rfc4514_string()


def _when(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _altered(exc: Exception) -> DccError:
    return DccError(
        _(
            "The file was altered after it was signed: the signature does not "
            "verify (%(error)s)."
        )
        % {"error": exc}
    )


def _integrity(data: bytes, cert: x509.Certificate, xades: bool) -> list:
    """Check digests and signature value with the embedded certificate.

    The certificate's validity is not judged here (it is checked at the
    signing time afterwards), so the verification time is any moment at
    which the certificate was valid.
    """
    from signxml import SignatureConfiguration, XMLVerifier
    from signxml.exceptions import InvalidInput, InvalidSignature
    from signxml.xades import XAdESSignatureConfiguration, XAdESVerifier

    moment = min(
        max(timezone.now(), cert.not_valid_before_utc), cert.not_valid_after_utc
    )
    if xades:
        verifier = XAdESVerifier()
        config = XAdESSignatureConfiguration(
            expect_references=True, verification_time=moment
        )
    else:
        verifier = XMLVerifier()
        config = SignatureConfiguration(expect_references=1, verification_time=moment)
    try:
        verified = verifier.verify(data, x509_cert=cert, expect_config=config)
    except InvalidSignature as exc:
        raise _altered(exc) from exc
    except (InvalidInput, ValueError) as exc:
        raise DccError(
            _("The signature cannot be checked: %(error)s") % {"error": exc}
        ) from exc
    return verified if isinstance(verified, list) else [verified]


def _signing_time(results: list, warnings: list[str]) -> datetime.datetime:
    props = next(
        (r.signed_properties for r in results if hasattr(r, "signed_properties")),
        None,
    )
    found = props.find(f"{XADES}SigningTime") if props is not None else None
    if found is None or not (found.text or "").strip():
        warnings.append(
            _(
                "The signature states no signing time (xades:SigningTime); its "
                "certificate was checked at today's date."
            )
        )
        return timezone.now()
    text = found.text.strip()
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError as exc:
        raise DccError(
            _("The signing time %(time)r is not a date and time.") % {"time": text}
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    if moment > timezone.now() + _CLOCK_SKEW:
        raise DccError(
            _("The signing time %(time)s lies in the future.") % {"time": _when(moment)}
        )
    return moment


def _check_validity(cert: x509.Certificate, at: datetime.datetime) -> None:
    if at < cert.not_valid_before_utc:
        raise DccError(
            _(
                "The signing certificate (%(subject)s) was not yet valid at the "
                "signing time %(time)s (valid from %(start)s); the file itself "
                "is unaltered."
            )
            % {
                "subject": _subject(cert),
                "time": _when(at),
                "start": _when(cert.not_valid_before_utc),
            }
        )
    if at > cert.not_valid_after_utc:
        raise DccError(
            _(
                "The signing certificate (%(subject)s) had expired at the signing "
                "time %(time)s (valid until %(end)s); the file itself is "
                "unaltered."
            )
            % {
                "subject": _subject(cert),
                "time": _when(at),
                "end": _when(cert.not_valid_after_utc),
            }
        )


def _issuer_of(cert: x509.Certificate, pool: list[x509.Certificate]):
    for candidate in pool:
        if candidate.subject != cert.issuer:
            continue
        try:
            cert.verify_directly_issued_by(candidate)
        except (ValueError, TypeError, BadCryptoSignature):
            continue
        return candidate
    return None


def _chain(cert: x509.Certificate, pool: list[x509.Certificate]) -> list:
    """``cert`` and the CAs above it found in ``pool``, as (cert, issuer)."""
    chain = []
    seen = set()
    while cert is not None and cert.fingerprint(hashes.SHA256()) not in seen:
        seen.add(cert.fingerprint(hashes.SHA256()))
        if cert.issuer == cert.subject:
            break
        issuer = _issuer_of(cert, pool)
        chain.append((cert, issuer))
        cert = issuer
    return chain


def _verify_ocsp(response, issuer: x509.Certificate) -> bool:
    """Whether an OCSP response is signed by the issuer or its delegate."""
    signers = [*response.certificates, issuer]
    for signer in signers:
        if signer is not issuer:
            try:
                signer.verify_directly_issued_by(issuer)
            except (ValueError, TypeError, BadCryptoSignature):
                continue
        key = signer.public_key()
        try:
            if isinstance(key, rsa.RSAPublicKey):
                key.verify(
                    response.signature,
                    response.tbs_response_bytes,
                    padding.PKCS1v15(),
                    response.signature_hash_algorithm,
                )
            elif isinstance(key, ec.EllipticCurvePublicKey):
                key.verify(
                    response.signature,
                    response.tbs_response_bytes,
                    ec.ECDSA(response.signature_hash_algorithm),
                )
            else:
                continue
        except BadCryptoSignature:
            continue
        return True
    return False


def _revocation(
    cert: x509.Certificate, issuer, crls: list, responses: list
) -> tuple[bool, datetime.datetime | None]:
    """(covered, revoked at) by the verified CRLs and OCSP responses."""
    if issuer is None:
        return False, None
    covered = False
    revoked_at = None
    for crl in crls:
        if crl.issuer != cert.issuer or not crl.is_signature_valid(issuer.public_key()):
            continue
        covered = True
        entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        if entry is not None:
            revoked_at = entry.revocation_date_utc
    for response in responses:
        for single in response.responses:
            if single.serial_number != cert.serial_number:
                continue
            # the request qihub would have sent names the issuer as the
            # response must: by the hashes of its name and key
            asked = (
                ocsp.OCSPRequestBuilder()
                .add_certificate(cert, issuer, single.hash_algorithm)
                .build()
            )
            if (single.issuer_key_hash, single.issuer_name_hash) != (
                asked.issuer_key_hash,
                asked.issuer_name_hash,
            ):
                continue
            if not _verify_ocsp(response, issuer):
                continue
            covered = True
            if single.certificate_status == ocsp.OCSPCertStatus.REVOKED:
                revoked_at = single.revocation_time_utc
    return covered, revoked_at


def _check_revocation(
    sig: etree._Element,
    cert: x509.Certificate,
    pool: list[x509.Certificate],
    at: datetime.datetime,
    warnings: list[str],
) -> None:
    crls, responses = [], []
    for el in _local(sig, "EncapsulatedCRLValue"):
        try:
            crls.append(x509.load_der_x509_crl(_der(el.text)))
        except ValueError:
            warnings.append(_("An embedded CRL cannot be read and was ignored."))
    for el in _local(sig, "EncapsulatedOCSPValue"):
        try:
            response = ocsp.load_der_ocsp_response(_der(el.text))
        except ValueError:
            response = None
        if response is None or (
            response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL
        ):
            warnings.append(
                _("An embedded OCSP response cannot be read and was ignored.")
            )
            continue
        responses.append(response)
    if not crls and not responses:
        warnings.append(
            _(
                "The signature embeds no revocation data; whether the signing "
                "certificate was revoked at the signing time was not checked."
            )
        )
        return
    for index, (member, issuer) in enumerate(_chain(cert, pool)):
        covered, revoked_at = _revocation(member, issuer, crls, responses)
        whose = (
            _("The signing certificate (%(subject)s)")
            if index == 0
            else _("The certificate of its CA %(subject)s")
        ) % {"subject": _subject(member)}
        if revoked_at is not None and revoked_at <= at:
            raise DccError(
                _(
                    "%(whose)s was revoked on %(date)s, before the signing time "
                    "%(time)s; the file itself is unaltered."
                )
                % {"whose": whose, "date": _when(revoked_at), "time": _when(at)}
            )
        if revoked_at is not None:
            warnings.append(
                _(
                    "%(whose)s was revoked on %(date)s, after the signing time "
                    "%(time)s; the signature made before stays valid."
                )
                % {"whose": whose, "date": _when(revoked_at), "time": _when(at)}
            )
        elif index == 0 and not covered:
            warnings.append(
                _(
                    "The embedded revocation data does not cover the signing "
                    "certificate; its revocation was not checked."
                )
            )


def _check_trust(
    cert: x509.Certificate,
    pool: list[x509.Certificate],
    at: datetime.datetime,
    warnings: list[str],
) -> None:
    ca = getattr(settings, "METROLOGY_DCC_TRUSTED_CA", "")
    if not ca:
        warnings.append(
            _(
                "No trusted CA is configured (METROLOGY_DCC_TRUSTED_CA): the "
                "signature shows the file is unaltered since %(subject)s signed "
                "it, not that this signer is trusted."
            )
            % {"subject": _subject(cert)}
        )
        return
    from signxml.exceptions import InvalidCertificate
    from signxml.util import X509CertChainVerifier

    chain = [cert, *(c for c in pool if c != cert)]
    try:
        X509CertChainVerifier(ca_pem_file=ca, verification_time=at).verify(chain)
    except InvalidCertificate as exc:
        raise DccError(
            _(
                "The signing certificate (%(subject)s) does not chain to a trusted "
                "CA at the signing time %(time)s: %(error)s"
            )
            % {"subject": _subject(cert), "time": _when(at), "error": exc}
        ) from exc


def verify_signature(data: bytes, root: etree._Element) -> SignatureCheck:
    """Verify the enveloped signature of a DCC, if it has one, at its signing
    time; see the module docstring for what is refused."""
    sig = root.find(".//ds:Signature", NS)
    if sig is None:
        return SignatureCheck(status="unsigned", root=root)
    key_certs = _load_certs(
        sig.findall("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS)
    )
    if not key_certs:
        raise DccError(_("The signature carries no certificate to verify it with."))
    cert = _leaf(key_certs)
    xades = sig.find(f".//{XADES}QualifyingProperties") is not None
    results = _integrity(data, cert, xades)
    dcc_tag = f"{{{NS['dcc']}}}digitalCalibrationCertificate"
    covered = next(
        (r for r in results if getattr(r.signed_xml, "tag", None) == dcc_tag), None
    )
    if covered is None:
        raise DccError(_("The signature does not cover the certificate itself."))
    warnings: list[str] = []
    at = _signing_time(results, warnings)
    _check_validity(cert, at)
    pool = key_certs + _load_certs(_local(sig, "EncapsulatedX509Certificate"))
    _check_revocation(sig, cert, pool, at, warnings)
    _check_trust(cert, pool, at, warnings)
    signed = covered.signed_xml
    for inner in signed.findall(".//ds:Signature", NS):
        inner.getparent().remove(inner)
    return SignatureCheck(
        status="verified",
        root=signed,
        signing_time=at,
        signer=_subject(cert),
        warnings=warnings,
    )
