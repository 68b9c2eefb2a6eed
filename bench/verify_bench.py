"""Benchmark Alexa request verification: warm (cached chain) and cold (first use of a URL).

Run: PYTHONPATH=. python bench/verify_bench.py [N]

Builds a throwaway root -> intermediate -> leaf chain for echo-api.amazon.com (with the
tests' PKI helpers), serves it with `responses` (no network), primes the verifier's cache with one request,
then times N warm `verify()` calls of a realistic ~2 KB signed Alexa envelope.
"""

from __future__ import annotations

import base64
import json
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import responses
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.verification import Store

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.skill.signing

from skill.alexa.verification import AlexaRequestVerifier, certifi_trust_roots, verify_chain  # noqa: E402
from tests.skill.signing import make_ca, make_leaf, pem, rsa_key  # noqa: E402

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-bench.pem"
REAL_CHAIN = Path(__file__).resolve().parent.parent / "tests/fixtures/alexa-certs/echo-api-cert-12.pem"


def build_chain(now: datetime = NOW) -> tuple[x509.Certificate, bytes, rsa.RSAPrivateKey]:
    """Return (root, chain PEM of leaf + intermediate, leaf key), valid a year from `now`.

    The certificates come from the tests' throwaway PKI helpers (tests/skill/signing.py).
    """
    root_key, intermediate_key, leaf_key = (rsa_key() for _ in range(3))
    ca_validity = {"not_before": now - timedelta(days=1), "not_after": now + timedelta(days=3650)}
    root = make_ca("Bench Root", root_key, **ca_validity)
    intermediate = make_ca("Bench Intermediate", intermediate_key, (root, root_key), **ca_validity)
    leaf = make_leaf(
        leaf_key,
        (intermediate, intermediate_key),
        not_before=now - timedelta(days=1),
        not_after=now + timedelta(days=365),
    )
    return root, pem(leaf, intermediate), leaf_key


def envelope() -> dict[str, Any]:
    """A realistic ~2 KB IntentRequest envelope."""
    app = {"applicationId": "amzn1.ask.skill.2f1e8a3c-5b7d-4e2f-9a61-0c3d5e7f9b11"}
    user = {
        "userId": "amzn1.ask.account." + "AF3X7QZK2M" * 12,
        "permissions": {"consentToken": "Atza|" + "IwEBIJ" * 30},
    }
    return {
        "version": "1.0",
        "session": {
            "new": False,
            "sessionId": "amzn1.echo-api.session.7c1d9e4b-2a3f-4c5d-8e6f-1a2b3c4d5e6f",
            "application": app,
            "attributes": {"flow": "checkin", "step": "appreciation"},
            "user": user,
        },
        "context": {
            "System": {
                "application": app,
                "user": user,
                "device": {
                    "deviceId": "amzn1.ask.device." + "AGJ3K5L7" * 14,
                    "supportedInterfaces": {"AudioPlayer": {}},
                },
                "apiEndpoint": "https://api.amazonalexa.com",
                "apiAccessToken": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9." + "eyJhdWQiOi" * 40,
            },
            "Viewport": {"experiences": [{"canRotate": False, "canResize": False}]},
        },
        "request": {
            "type": "IntentRequest",
            "requestId": "amzn1.echo-api.request.9b8a7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4",
            "timestamp": NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "locale": "en-US",
            "intent": {
                "name": "AnswerIntent",
                "confirmationStatus": "NONE",
                "slots": {
                    "answer": {
                        "name": "answer",
                        "value": "I appreciated how you made dinner when I was late",
                        "confirmationStatus": "NONE",
                        "source": "USER",
                    }
                },
            },
        },
    }


def percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, round(fraction * (len(sorted_values) - 1)))
    return sorted_values[index]


def main(n: int = 20_000) -> None:
    root, chain_pem, leaf_key = build_chain()
    env = envelope()
    body = json.dumps(env).encode()
    signature = base64.b64encode(leaf_key.sign(body, padding.PKCS1v15(), hashes.SHA256()))
    headers = {"SignatureCertChainUrl": CERT_URL, "Signature-256": signature.decode()}

    with responses.RequestsMock() as mock:
        mock.get(CERT_URL, body=chain_pem)
        verifier = AlexaRequestVerifier(trust_roots=[root], clock=lambda: NOW)
        start = time.perf_counter_ns()
        verifier.verify(headers, body, env)  # cold: mocked download, PEM parse, chain, RSA
        cold_us = (time.perf_counter_ns() - start) / 1000

        samples: list[float] = []
        for _ in range(n):
            start = time.perf_counter_ns()
            verifier.verify(headers, body, env)
            samples.append((time.perf_counter_ns() - start) / 1000)
        assert len(mock.calls) == 1, "warm verifications must not download"

    real = x509.load_pem_x509_certificates(REAL_CHAIN.read_bytes())
    inside = datetime(2023, 7, 1, tzinfo=UTC)
    store_roots = Store(list(certifi_trust_roots()))  # built once, as the verifier does
    verify_chain(real, inside, store_roots)
    chain_samples = []
    for _ in range(200):
        start = time.perf_counter_ns()
        verify_chain(real, inside, store_roots)
        chain_samples.append((time.perf_counter_ns() - start) / 1000)

    public_key = leaf_key.public_key()
    raw_signature = base64.b64decode(signature)
    rsa_samples = []
    for _ in range(2000):
        start = time.perf_counter_ns()
        public_key.verify(raw_signature, body, padding.PKCS1v15(), hashes.SHA256())
        rsa_samples.append((time.perf_counter_ns() - start) / 1000)

    samples.sort()
    print(f"envelope: {len(body)} bytes; warm verify() x {n}")
    print(f"  warm median: {statistics.median(samples):7.1f} us")
    print(f"  warm p99:    {percentile(samples, 0.99):7.1f} us")
    print(f"  warm mean:   {statistics.fmean(samples):7.1f} us")
    print(f"  of which the bare RSA-2048 verify (median): {statistics.median(rsa_samples):.1f} us")
    print(f"cold verify() (first use of the URL, mocked download): {cold_us:.0f} us")
    print(
        "verify_chain (cold path only), real Amazon chain vs certifi store:"
        f" median {statistics.median(chain_samples):.0f} us"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
