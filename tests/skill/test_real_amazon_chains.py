"""Real Alexa signing chains (expired copies in tests/fixtures/alexa-certs) against certifi.

They prove that `verify_chain` -- the function the request verifier uses -- accepts what
Amazon actually serves, at a time inside the signing certificate's validity, and refuses
the same chain before and after it.  No private key exists for them, so the end-to-end
test stops at the signature check: the chain passes and the forged signature does not.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import responses
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from skill.alexa.verification import (
    AlexaRequestVerifier,
    VerificationError,
    certifi_trust_roots,
    verify_chain,
)

CERTS = Path(__file__).resolve().parent.parent / "fixtures" / "alexa-certs"

# file, a moment inside the signing certificate's validity window (see README.md there)
CHAINS = [
    ("echo-api-cert-7.pem", datetime(2019, 11, 20, 12, 0, tzinfo=UTC)),
    ("echo-api-cert-12.pem", datetime(2023, 7, 1, 12, 0, tzinfo=UTC)),
]


def load(name: str) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates((CERTS / name).read_bytes())


@pytest.mark.parametrize(("name", "inside"), CHAINS)
def test_real_chain_is_accepted_inside_its_validity(name: str, inside: datetime) -> None:
    certs = load(name)
    key = verify_chain(certs, inside, certifi_trust_roots())
    leaf = certs[0].public_key()
    assert isinstance(leaf, rsa.RSAPublicKey)
    assert key.public_key.public_numbers() == leaf.public_numbers()
    assert key.public_key.key_size >= 2048
    assert key.valid_at(inside)
    assert key.not_valid_after <= certs[0].not_valid_after_utc


@pytest.mark.parametrize(("name", "inside"), CHAINS)
def test_real_chain_is_refused_after_the_leaf_expires(name: str, inside: datetime) -> None:
    certs = load(name)
    after = certs[0].not_valid_after_utc + timedelta(seconds=1)
    with pytest.raises(VerificationError, match="expired"):
        verify_chain(certs, after, certifi_trust_roots())


@pytest.mark.parametrize(("name", "inside"), CHAINS)
def test_real_chain_is_refused_before_the_leaf_is_valid(name: str, inside: datetime) -> None:
    certs = load(name)
    before = certs[0].not_valid_before_utc - timedelta(seconds=1)
    with pytest.raises(VerificationError, match="not yet valid"):
        verify_chain(certs, before, certifi_trust_roots())


@pytest.mark.parametrize(("name", "inside"), CHAINS)
def test_real_chain_needs_its_intermediate(name: str, inside: datetime) -> None:
    leaf = load(name)[0]
    with pytest.raises(VerificationError, match="trusted root"):
        verify_chain([leaf], inside, certifi_trust_roots())


@pytest.mark.parametrize(("name", "inside"), CHAINS)
def test_verifier_with_certifi_accepts_the_real_chain(name: str, inside: datetime) -> None:
    url = f"https://s3.amazonaws.com/echo.api/{name}"
    envelope = {
        "version": "1.0",
        "request": {"type": "LaunchRequest", "timestamp": inside.strftime("%Y-%m-%dT%H:%M:%SZ")},
    }
    body = json.dumps(envelope).encode()
    headers = {
        "SignatureCertChainUrl": url,
        "Signature-256": base64.b64encode(b"\x00" * 256).decode(),
    }
    with responses.RequestsMock() as mock:
        mock.get(url, body=(CERTS / name).read_bytes())
        verifier = AlexaRequestVerifier(clock=lambda: inside)  # default trust: certifi
        # The chain is accepted; only the signature (no private key exists) is refused.
        with pytest.raises(VerificationError, match="signature does not match the body"):
            verifier.verify(headers, body, envelope)
        assert len(mock.calls) == 1
