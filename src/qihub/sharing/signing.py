"""Ed25519 keys of this instance and the canonical JSON entries are signed over.

Private keys are stored encrypted (Fernet) with a key derived from SECRET_KEY;
a reader verifies the exact bytes of ``body`` it received, so the JSON is made
canonical only once, by the signer.
"""

import base64
import hashlib
import json

from cryptography.exceptions import InvalidSignature
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings


def _fernet() -> Fernet:
    derived = hashlib.sha256(b"qihub-sharing-key:" + settings.SECRET_KEY.encode())
    return Fernet(base64.urlsafe_b64encode(derived.digest()))


def canonical(data) -> str:
    """Sorted keys, no spaces, UTF-8 kept: the same value gives the same text."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def key_generate() -> tuple[str, str, str]:
    """A new key pair: (key id, public key base64, encrypted private key)."""
    private = Ed25519PrivateKey.generate()
    raw_public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    raw_private = private.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    key_id = hashlib.sha256(raw_public).hexdigest()[:16]
    encrypted = _fernet().encrypt(raw_private).decode()
    return key_id, base64.b64encode(raw_public).decode(), encrypted


def private_key_load(encrypted: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_fernet().decrypt(encrypted.encode()))


def sign(private: Ed25519PrivateKey, body: str) -> str:
    return base64.b64encode(private.sign(body.encode())).decode()


def public_key_load(public_b64: str) -> Ed25519PublicKey:
    raw = base64.b64decode(public_b64, validate=True)
    return Ed25519PublicKey.from_public_bytes(raw)


def verify(public: Ed25519PublicKey, body: str, signature_b64: str) -> bool:
    try:
        public.verify(base64.b64decode(signature_b64, validate=True), body.encode())
    except (InvalidSignature, ValueError):
        return False
    return True


def verify_all(
    publics: dict[str, str], items: list[tuple[str, str, str]]
) -> list[bool]:
    """For each ``(key_id, body, signature)``, whether the signature verifies
    the exact body text under the public key ``publics[key_id]`` (False for
    an unknown key id). Pure: it runs in worker processes of a large pull."""
    loaded: dict[str, Ed25519PublicKey | None] = {}
    out = []
    for key_id, body, signature in items:
        if key_id not in loaded:
            try:
                loaded[key_id] = public_key_load(publics[key_id])
            except (KeyError, ValueError):
                loaded[key_id] = None
        public = loaded[key_id]
        try:
            out.append(public is not None and verify(public, body, signature))
        except (TypeError, AttributeError):  # no text where text belongs
            out.append(False)
    return out
