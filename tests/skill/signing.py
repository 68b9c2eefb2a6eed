"""A throwaway Alexa signing PKI and signed request envelopes, shared by the skill tests.

`build_pki()` makes a root -> intermediate -> leaf chain for echo-api.amazon.com once per
process; its root stands in for the certifi store, and `responses` serves the chain at
`CERT_URL` where Amazon would.  `signed_request` signs a body as Alexa does (RSA PKCS#1 v1.5,
SHA-256, base64 in ``Signature-256``).
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"
APP_ID = "amzn1.ask.skill.00000000-1111-2222-3333-444444444444"
ALEXA_NAME = "echo-api.amazon.com"

# --------------------------------------------------------------------------- throwaway PKI

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Heart to Heart test PKI"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_ca(
    common_name: str,
    key: rsa.RSAPrivateKey,
    issuer: tuple[x509.Certificate, rsa.RSAPrivateKey] | None = None,
    *,
    not_before: datetime = NOW - timedelta(days=365),
    not_after: datetime = NOW + timedelta(days=3650),
) -> x509.Certificate:
    """A root (issuer None) or intermediate CA certificate with the extensions webpki wants."""
    issuer_name = issuer[0].subject if issuer else _name(common_name)
    signer = issuer[1] if issuer else key
    issuer_public = issuer[1].public_key() if issuer else key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(
            x509.BasicConstraints(ca=True, path_length=None if issuer is None else 0),
            critical=True,
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_public), critical=False)
        .sign(signer, hashes.SHA256())
    )


def make_leaf(
    key: SigningKey,
    issuer: tuple[x509.Certificate, rsa.RSAPrivateKey],
    *,
    dns_names: Sequence[str] = (ALEXA_NAME,),
    not_before: datetime = NOW - timedelta(days=1),
    not_after: datetime = NOW + timedelta(days=30),
) -> x509.Certificate:
    """An end-entity (signing) certificate like Amazon's: serverAuth, SAN echo-api.amazon.com."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(dns_names[0] if dns_names else "no-san"))
        .issuer_name(issuer[0].subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=isinstance(key, rsa.RSAPrivateKey),
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer[1].public_key()),
            critical=False,
        )
    )
    if dns_names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(n) for n in dns_names]), critical=False
        )
    return builder.sign(issuer[1], hashes.SHA256())


def pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


@dataclass(frozen=True)
class Pki:
    root: x509.Certificate
    root_key: rsa.RSAPrivateKey
    intermediate: x509.Certificate
    intermediate_key: rsa.RSAPrivateKey
    leaf: x509.Certificate
    leaf_key: rsa.RSAPrivateKey
    other_key: rsa.RSAPrivateKey  # signs nothing Amazon-trusted

    @property
    def issuer(self) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
        return (self.intermediate, self.intermediate_key)

    @property
    def chain_pem(self) -> bytes:
        return pem(self.leaf, self.intermediate)

    def chain_with_leaf(self, leaf: x509.Certificate) -> bytes:
        return pem(leaf, self.intermediate)


@functools.cache
def build_pki() -> Pki:
    """The session's PKI: built once per process, so every test file shares the same keys."""
    root_key, intermediate_key, leaf_key, other_key = (rsa_key() for _ in range(4))
    root = make_ca("Test Root CA", root_key)
    intermediate = make_ca("Test Intermediate CA", intermediate_key, (root, root_key))
    leaf = make_leaf(leaf_key, (intermediate, intermediate_key))
    return Pki(root, root_key, intermediate, intermediate_key, leaf, leaf_key, other_key)


# --------------------------------------------------------------------------- request helpers


class Clock:
    """The verifier's wall clock (for timestamps and certificates) and its monotonic clock
    (for how long a failed certificate URL is remembered), both moved only by the test."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now
        self.ticks = 1000.0

    def __call__(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.ticks

    def advance(self, delta: timedelta) -> None:
        self.now += delta
        self.ticks += delta.total_seconds()


def make_envelope(
    timestamp: datetime | str | None = NOW,
    request_type: str = "IntentRequest",
    application_id: str | None = APP_ID,
) -> dict[str, Any]:
    """A realistic Alexa request envelope."""
    stamp = timestamp.strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(timestamp, datetime) else timestamp
    application = {"applicationId": application_id} if application_id is not None else {}
    request: dict[str, Any] = {
        "type": request_type,
        "requestId": "amzn1.echo-api.request.0000",
        "locale": "en-US",
    }
    if stamp is not None:
        request["timestamp"] = stamp
    return {
        "version": "1.0",
        "session": {
            "new": False,
            "sessionId": "amzn1.echo-api.session.0000",
            "application": dict(application),
            "user": {"userId": "amzn1.ask.account.TEST"},
        },
        "context": {
            "System": {
                "application": dict(application),
                "user": {"userId": "amzn1.ask.account.TEST"},
                "device": {"deviceId": "amzn1.ask.device.TEST", "supportedInterfaces": {}},
                "apiEndpoint": "https://api.amazonalexa.com",
            }
        },
        "request": request,
    }


def sign(body: bytes, key: SigningKey) -> str:
    if isinstance(key, rsa.RSAPrivateKey):
        raw = key.sign(body, padding.PKCS1v15(), hashes.SHA256())
    else:
        raw = key.sign(body, ec.ECDSA(hashes.SHA256()))
    return base64.b64encode(raw).decode("ascii")


@dataclass
class Signed:
    headers: dict[str, str]
    body: bytes
    envelope: dict[str, Any]


def signed_request(
    key: SigningKey,
    envelope: dict[str, Any] | None = None,
    url: str = CERT_URL,
) -> Signed:
    envelope = make_envelope() if envelope is None else envelope
    body = json.dumps(envelope).encode()
    return Signed(signed_headers(body, key, url), body, envelope)


def signed_headers(body: bytes, key: SigningKey, url: str = CERT_URL) -> dict[str, str]:
    """The two headers Alexa sends with a request body it signed."""
    return {"SignatureCertChainUrl": url, "Signature-256": sign(body, key)}
