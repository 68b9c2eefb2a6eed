"""Alexa request verification: certificate URL, chain, signature, timestamp, application id.

A throwaway PKI (root -> intermediate -> leaf for echo-api.amazon.com, from tests.skill.signing)
is generated once per session; its root is the verifier's only trust root and `responses` serves
the chain where Amazon would.  Every test asserts what matters: the request is accepted, or
refused with a VerificationError whose reason names the failed check.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
import requests
import responses
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import Headers

from skill.alexa.verification import (
    FAILED_URL_MEMORY,
    MAX_DOWNLOADS_IN_FLIGHT,
    AlexaRequestVerifier,
    VerificationError,
    check_application_id,
    normalise_cert_url,
    verify_chain,
)
from tests.skill.signing import (
    ALEXA_NAME,
    APP_ID,
    CERT_URL,
    NOW,
    Clock,
    Pki,
    SigningKey,
    build_pki,
    make_ca,
    make_envelope,
    make_leaf,
    pem,
    rsa_key,
    signed_request,
)

# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def pki() -> Pki:
    return build_pki()


@pytest.fixture(scope="session")
def foreign_chain_pem(pki: Pki) -> bytes:
    """A well-formed chain for echo-api.amazon.com issued by a CA nobody trusts."""
    root_key, intermediate_key = rsa_key(), rsa_key()
    root = make_ca("Untrusted Root CA", root_key)
    intermediate = make_ca("Untrusted Intermediate CA", intermediate_key, (root, root_key))
    leaf = make_leaf(pki.leaf_key, (intermediate, intermediate_key))
    return pem(leaf, intermediate, root)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def verifier(pki: Pki, clock: Clock, rsps: responses.RequestsMock) -> AlexaRequestVerifier:
    # Depends on rsps so that no test can reach the real network.
    return AlexaRequestVerifier(trust_roots=[pki.root], clock=clock, monotonic=clock.monotonic)


def refused(call: Callable[[], object], *fragments: str) -> VerificationError:
    """Assert `call` is refused with a short reason mentioning every fragment."""
    with pytest.raises(VerificationError) as caught:
        call()
    reason = caught.value.reason
    assert reason == str(caught.value)
    assert len(reason) <= 120
    for fragment in fragments:
        assert fragment.lower() in reason.lower(), reason
    return caught.value


def serve(rsps: responses.RequestsMock, **kwargs: Any) -> None:
    rsps.replace(responses.GET, CERT_URL, **kwargs)


# --------------------------------------------------------------------------- certificate URL

GOOD_URLS = [
    ("https://s3.amazonaws.com/echo.api/echo-api-cert.pem", CERT_URL.replace("-test", "")),
    ("HTTPS://s3.amazonaws.com/echo.api/echo-api-cert.pem", CERT_URL.replace("-test", "")),
    ("https://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem", CERT_URL.replace("-test", "")),
    ("https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem", CERT_URL.replace("-test", "")),
    (
        "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    ),
    (
        "https://s3.amazonaws.com/echo.api/./sub/../echo-api-cert-12.pem",
        "https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem",
    ),
    (
        "hTTpS://s3.AmazonAWS.com:443/echo.api/x/../../echo.api/echo-api-cert-7.pem",
        "https://s3.amazonaws.com/echo.api/echo-api-cert-7.pem",
    ),
    ("https://s3.amazonaws.com/echo.api/", "https://s3.amazonaws.com/echo.api/"),
]

BAD_URLS = [
    ("http://s3.amazonaws.com/echo.api/echo-api-cert.pem", "scheme"),
    ("ftp://s3.amazonaws.com/echo.api/echo-api-cert.pem", "scheme"),
    ("//s3.amazonaws.com/echo.api/echo-api-cert.pem", "scheme"),
    ("https:s3.amazonaws.com/echo.api/echo-api-cert.pem", "scheme"),
    ("https://notamazon.com/echo.api/echo-api-cert.pem", "host"),
    ("https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert.pem", "host"),
    ("https://evil-s3.amazonaws.com/echo.api/echo-api-cert.pem", "host"),
    ("https://s3.amazonaws.com./echo.api/echo-api-cert.pem", "host"),
    ("https:///echo.api/echo-api-cert.pem", "host"),
    ("https://s3.amazonaws.com@evil.example/echo.api/echo-api-cert.pem", "user info"),
    ("https://user@s3.amazonaws.com/echo.api/echo-api-cert.pem", "user info"),
    ("https://user:pw@s3.amazonaws.com/echo.api/echo-api-cert.pem", "user info"),
    ("https://evil.example?@s3.amazonaws.com/echo.api/x.pem", "query"),
    ("https://evil.example#@s3.amazonaws.com/echo.api/x.pem", "fragment"),
    ("https://s3.amazonaws.com/echo.api/x.pem?v=1", "query"),
    ("https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem", "port"),
    ("https://s3.amazonaws.com:/echo.api/echo-api-cert.pem", "port"),
    ("https://s3.amazonaws.com:0443/echo.api/echo-api-cert.pem", "port"),
    ("https://s3.amazonaws.com/ECHO.API/echo-api-cert.pem", "path"),
    ("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem", "path"),
    ("https://s3.amazonaws.com/invalid.path/echo-api-cert.pem", "path"),
    ("https://s3.amazonaws.com/echo.api/../x", "path"),
    ("https://s3.amazonaws.com/echo.api/..", "path"),
    ("https://s3.amazonaws.com/../echo.api/echo-api-cert.pem", "path"),
    ("https://s3.amazonaws.com/echo.api", "path"),
    ("https://s3.amazonaws.com", "path"),
    ("https://s3.amazonaws.com/", "path"),
    ("https://s3.amazonaws.com//echo.api/x.pem", "path"),
    ("https://s3.amazonaws.com/echo.api/%2e%2e/evil.pem", "percent"),
    ("https://s3.amazonaws.com/echo%2eapi/x.pem", "percent"),
    ("https://s3.amazonaws.com/echo.api\\..\\evil.pem", "backslash"),
    ("https://s3.amazonaws.com\\@evil.example/echo.api/x.pem", "backslash"),
    ("https://s3.amazonaws.com/echo.api/x .pem", "ascii"),
    ("https://s3.amazonaws.com/echo.api/x\n.pem", "ascii"),
    ("https://s3.amazonaws.com/echo.api/x\t.pem", "ascii"),
    ("https://s3.amazonaws.com/echo.api/é.pem", "ascii"),
    ("https://s3\uff0eamazonaws.com/echo.api/x.pem", "ascii"),
    ("https://s3.amazonaws.com/echo.api/<x>.pem", "character"),
    ('https://s3.amazonaws.com/echo.api/"x".pem', "character"),
    ("https://[::1]/echo.api/x.pem", "character"),
    ("https://s3.amazonaws.com/echo.api/x|y.pem", "character"),
    ("", "empty"),
    ("https://s3.amazonaws.com/echo.api/" + "a" * 3000, "too long"),
]


@pytest.mark.parametrize(("url", "expected"), GOOD_URLS)
def test_good_certificate_urls_are_normalised(url: str, expected: str) -> None:
    assert normalise_cert_url(url) == expected


@pytest.mark.parametrize(("url", "fragment"), BAD_URLS)
def test_bad_certificate_urls_are_refused(url: str, fragment: str) -> None:
    refused(lambda: normalise_cert_url(url), "signature certificate URL", fragment)


@pytest.mark.parametrize("value", [None, 42, b"https://s3.amazonaws.com/echo.api/x.pem"])
def test_certificate_url_that_is_not_text_is_refused(value: Any) -> None:
    refused(lambda: normalise_cert_url(value), "signature certificate URL")


# --------------------------------------------------------------------------- happy path


def test_signed_fresh_request_is_accepted(
    verifier: AlexaRequestVerifier, pki: Pki, rsps: responses.RequestsMock
) -> None:
    req = signed_request(pki.leaf_key)
    verifier.verify(req.headers, req.body, req.envelope)
    assert len(rsps.calls) == 1
    assert rsps.calls[0].request.url == CERT_URL


def test_header_names_are_case_insensitive(
    verifier: AlexaRequestVerifier, pki: Pki, rsps: responses.RequestsMock
) -> None:
    req = signed_request(pki.leaf_key)
    lower = {k.lower(): v for k, v in req.headers.items()}
    verifier.verify(lower, req.body, req.envelope)
    upper = {k.upper(): v for k, v in req.headers.items()}
    verifier.verify(upper, req.body, req.envelope)
    werkzeug = Headers([("signaturecertchainurl", CERT_URL)])
    werkzeug.add("SIGNATURE-256", req.headers["Signature-256"])
    verifier.verify(werkzeug, req.body, req.envelope)


def test_both_signature_headers_use_signature_256(
    verifier: AlexaRequestVerifier, pki: Pki, rsps: responses.RequestsMock
) -> None:
    req = signed_request(pki.leaf_key)
    headers = {**req.headers, "Signature": "bGVnYWN5IFNIQS0x"}  # legacy header ignored
    verifier.verify(headers, req.body, req.envelope)


def test_equivalent_url_spellings_share_the_download(
    verifier: AlexaRequestVerifier, pki: Pki, rsps: responses.RequestsMock
) -> None:
    spellings = [
        CERT_URL,
        "HTTPS://S3.AMAZONAWS.COM:443/echo.api/echo-api-cert-test.pem",
        "https://s3.amazonaws.com/echo.api/x/../echo-api-cert-test.pem",
    ]
    for url in spellings:
        req = signed_request(pki.leaf_key, url=url)
        verifier.verify(req.headers, req.body, req.envelope)
    assert len(rsps.calls) == 1


# --------------------------------------------------------------------------- headers and signature


def test_missing_certificate_url_header_is_refused(verifier: AlexaRequestVerifier, pki: Pki) -> None:
    req = signed_request(pki.leaf_key)
    del req.headers["SignatureCertChainUrl"]
    refused(lambda: verifier.verify(req.headers, req.body, req.envelope), "SignatureCertChainUrl")


def test_missing_signature_header_is_refused(verifier: AlexaRequestVerifier, pki: Pki) -> None:
    req = signed_request(pki.leaf_key)
    del req.headers["Signature-256"]
    refused(lambda: verifier.verify(req.headers, req.body, req.envelope), "Signature-256")


def test_legacy_sha1_signature_alone_is_refused(verifier: AlexaRequestVerifier, pki: Pki) -> None:
    req = signed_request(pki.leaf_key)
    req.headers["Signature"] = req.headers.pop("Signature-256")
    refused(lambda: verifier.verify(req.headers, req.body, req.envelope), "Signature-256", "SHA-1")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("not base64!", "base64"),
        ("QUJD$", "base64"),
        ("QUJDRA", "base64"),  # missing padding
        ("QUJD\nRA==", "base64"),
        ("QUJDRA==é", "base64"),
        ("A" * 5000, "too long"),
    ],
)
def test_malformed_signature_header_is_refused(
    verifier: AlexaRequestVerifier, pki: Pki, value: str, fragment: str
) -> None:
    req = signed_request(pki.leaf_key)
    req.headers["Signature-256"] = value
    refused(lambda: verifier.verify(req.headers, req.body, req.envelope), "Signature-256", fragment)


def test_signature_by_another_key_is_refused(
    verifier: AlexaRequestVerifier, pki: Pki, rsps: responses.RequestsMock
) -> None:
    req = signed_request(pki.other_key)
    refused(lambda: verifier.verify(req.headers, req.body, req.envelope), "signature", "body")


def test_body_changed_by_one_byte_is_refused(
    verifier: AlexaRequestVerifier, pki: Pki, rsps: responses.RequestsMock
) -> None:
    req = signed_request(pki.leaf_key)
    tampered = req.body.replace(b"IntentRequest", b"IntentRequesT")
    assert len(tampered) == len(req.body) and tampered != req.body
    refused(lambda: verifier.verify(req.headers, tampered, req.envelope), "does not match")


def test_truncated_signature_is_refused(
    verifier: AlexaRequestVerifier, pki: Pki, rsps: responses.RequestsMock
) -> None:
    req = signed_request(pki.leaf_key)
    raw = base64.b64decode(req.headers["Signature-256"])
    req.headers["Signature-256"] = base64.b64encode(raw[:-1]).decode()
    refused(lambda: verifier.verify(req.headers, req.body, req.envelope), "does not match")


def test_sha1_signature_in_signature_256_is_refused(
    verifier: AlexaRequestVerifier, pki: Pki, rsps: responses.RequestsMock
) -> None:
    req = signed_request(pki.leaf_key)
    legacy = pki.leaf_key.sign(req.body, padding.PKCS1v15(), hashes.SHA1())
    req.headers["Signature-256"] = base64.b64encode(legacy).decode()
    refused(lambda: verifier.verify(req.headers, req.body, req.envelope), "does not match")


def test_reasons_never_echo_the_body(
    verifier: AlexaRequestVerifier, pki: Pki, rsps: responses.RequestsMock
) -> None:
    envelope = make_envelope()
    envelope["request"]["intent"] = {"slots": {"answer": {"value": "my secret wish"}}}
    req = signed_request(pki.other_key, envelope)
    error = refused(lambda: verifier.verify(req.headers, req.body, envelope))
    assert "secret" not in error.reason
    envelope["request"]["timestamp"] = "my secret wish"
    error = refused(lambda: verifier.verify(req.headers, req.body, envelope), "timestamp")
    assert "secret" not in error.reason


# --------------------------------------------------------------------------- certificate chain


def _refused_with_chain(
    verifier: AlexaRequestVerifier,
    rsps: responses.RequestsMock,
    key: SigningKey,
    chain: bytes,
    *fragments: str,
) -> None:
    serve(rsps, body=chain)
    req = signed_request(key)
    refused(lambda: verifier.verify(req.headers, req.body, req.envelope), *fragments)


def test_expired_leaf_is_refused(
    verifier: AlexaRequestVerifier, pki: Pki, rsps: responses.RequestsMock
) -> None:
    leaf = make_leaf(
        pki.leaf_key,
        pki.issuer,
        not_before=NOW - timedelta(days=60),
        not_after=NOW - timedelta(seconds=1),
    )
    _refused_with_chain(verifier, rsps, pki.leaf_key, pki.chain_with_leaf(leaf), "certificate", "expired")


def test_not_yet_valid_leaf_is_refused(
    verifier: AlexaRequestVerifier, pki: Pki, rsps: responses.RequestsMock
) -> None:
    leaf = make_leaf(
        pki.leaf_key,
        pki.issuer,
        not_before=NOW + timedelta(minutes=5),
        not_after=NOW + timedelta(days=60),
    )
    _refused_with_chain(
        verifier, rsps, pki.leaf_key, pki.chain_with_leaf(leaf), "certificate", "not yet valid"
    )


@pytest.mark.parametrize(
    "dns_names",
    [
        ("echo-api.amazon.com.evil.example",),
        ("evil.example",),
        ("*.amazon.com",),
        ("echo-api.amazon.co",),
        (),
    ],
)
def test_leaf_without_alexa_san_is_refused(
    verifier: AlexaRequestVerifier,
    pki: Pki,
    rsps: responses.RequestsMock,
    dns_names: tuple[str, ...],
) -> None:
    leaf = make_leaf(pki.leaf_key, pki.issuer, dns_names=dns_names)
    _refused_with_chain(verifier, rsps, pki.leaf_key, pki.chain_with_leaf(leaf), "echo-api.amazon.com")


def test_leaf_with_extra_sans_is_accepted(
    verifier: AlexaRequestVerifier, pki: Pki, rsps: responses.RequestsMock
) -> None:
    leaf = make_leaf(pki.leaf_key, pki.issuer, dns_names=("other.amazon.com", "ECHO-API.amazon.com"))
    serve(rsps, body=pki.chain_with_leaf(leaf))
    req = signed_request(pki.leaf_key)
    verifier.verify(req.headers, req.body, req.envelope)


def test_chain_without_intermediate_is_refused(
    verifier: AlexaRequestVerifier, pki: Pki, rsps: responses.RequestsMock
) -> None:
    _refused_with_chain(verifier, rsps, pki.leaf_key, pem(pki.leaf), "trusted root")


def test_chain_to_an_untrusted_root_is_refused(
    verifier: AlexaRequestVerifier,
    pki: Pki,
    rsps: responses.RequestsMock,
    foreign_chain_pem: bytes,
) -> None:
    _refused_with_chain(verifier, rsps, pki.leaf_key, foreign_chain_pem, "trusted root")


def test_self_signed_leaf_is_refused(
    verifier: AlexaRequestVerifier, pki: Pki, rsps: responses.RequestsMock
) -> None:
    fake_root = make_ca(ALEXA_NAME, pki.leaf_key)
    _refused_with_chain(verifier, rsps, pki.leaf_key, pem(fake_root), "certificate chain")


def test_leaf_after_the_trusted_root_is_refused(
    verifier: AlexaRequestVerifier, pki: Pki, rsps: responses.RequestsMock
) -> None:
    # The signing certificate must come first in the file.
    chain = pem(pki.intermediate, pki.leaf)
    _refused_with_chain(verifier, rsps, pki.leaf_key, chain, "certificate chain")


def test_non_rsa_signing_key_is_refused(
    verifier: AlexaRequestVerifier, pki: Pki, rsps: responses.RequestsMock
) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    leaf = make_leaf(ec_key, pki.issuer)
    _refused_with_chain(verifier, rsps, ec_key, pki.chain_with_leaf(leaf), "RSA")


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"status": 500, "body": b"oops"}, "HTTP 500"),
        ({"status": 404, "body": b"<Error>NoSuchKey</Error>"}, "HTTP 404"),
        ({"status": 403, "body": b""}, "HTTP 403"),
        (
            {"status": 302, "headers": {"Location": "https://evil.example/chain.pem"}},
            "HTTP 302",
        ),
        ({"body": requests.ConnectionError("refused")}, "download failed"),
        ({"body": requests.exceptions.SSLError("bad tls")}, "download failed"),
        ({"body": requests.ReadTimeout("slow")}, "timed out"),
        ({"body": requests.ConnectTimeout("slow")}, "timed out"),
        ({"body": RuntimeError("anything else")}, "download failed"),
        ({"body": b""}, "empty"),
        ({"body": b"garbage, not a certificate"}, "PEM"),
        ({"body": b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}, "PEM"),
        ({"body": "\u00e9t\u00e9".encode("latin-1")}, "PEM"),
    ],
)
def test_failed_download_is_refused(
    verifier: AlexaRequestVerifier,
    pki: Pki,
    rsps: responses.RequestsMock,
    kwargs: dict[str, Any],
    fragment: str,
) -> None:
    serve(rsps, **kwargs)
    req = signed_request(pki.leaf_key)
    refused(
        lambda: verifier.verify(req.headers, req.body, req.envelope),
        "signature certificate chain",
        fragment,
    )


def test_oversize_chain_is_refused(pki: Pki, clock: Clock, rsps: responses.RequestsMock) -> None:
    small = AlexaRequestVerifier(trust_roots=[pki.root], clock=clock, max_chain_bytes=1024)
    req = signed_request(pki.leaf_key)
    assert len(pki.chain_pem) > 1024
    refused(lambda: small.verify(req.headers, req.body, req.envelope), "larger than 1024")
    serve(rsps, body=pki.chain_pem + b"\n" * (64 * 1024))  # padded past the default cap
    default = AlexaRequestVerifier(trust_roots=[pki.root], clock=clock)
    refused(lambda: default.verify(req.headers, req.body, req.envelope), "larger than")


def test_declared_oversize_chain_is_refused_before_reading(
    pki: Pki, clock: Clock, rsps: responses.RequestsMock
) -> None:
    serve(rsps, body=pki.chain_pem, headers={"Content-Length": str(10**9)})
    verifier = AlexaRequestVerifier(trust_roots=[pki.root], clock=clock)
    req = signed_request(pki.leaf_key)
    refused(lambda: verifier.verify(req.headers, req.body, req.envelope), "larger than")


def test_slow_drip_download_is_cut_off(pki: Pki, clock: Clock) -> None:
    class SlowRaw:
        def read(self, size: int = -1, decode_content: bool = True) -> bytes:
            time.sleep(0.02)
            return b"-" * 8

        def close(self) -> None:
            pass

    class SlowSession(requests.Session):
        def get(self, url: str | bytes, **kwargs: Any) -> requests.Response:
            response = requests.Response()
            response.status_code = 200
            response.raw = SlowRaw()
            return response

    verifier = AlexaRequestVerifier(http=SlowSession(), trust_roots=[pki.root], clock=clock, timeout=0.05)
    req = signed_request(pki.leaf_key)
    started = time.monotonic()
    refused(lambda: verifier.verify(req.headers, req.body, req.envelope), "timed out")
    assert time.monotonic() - started < 5.0


def test_oversize_chain_is_refused_without_content_length(
    pki: Pki, clock: Clock, rsps: responses.RequestsMock
) -> None:
    def streamed(request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        return 200, {"Transfer-Encoding": "chunked"}, pki.chain_pem * 40

    rsps.remove(responses.GET, CERT_URL)
    rsps.add_callback(responses.GET, CERT_URL, callback=streamed)
    small = AlexaRequestVerifier(trust_roots=[pki.root], clock=clock, max_chain_bytes=4096)
    req = signed_request(pki.leaf_key)
    refused(lambda: small.verify(req.headers, req.body, req.envelope), "larger than")


def test_download_uses_timeout_and_no_redirects(pki: Pki, clock: Clock) -> None:
    seen: dict[str, Any] = {}

    class RecordingSession(requests.Session):
        def get(self, url: str | bytes, **kwargs: Any) -> requests.Response:
            seen.update(kwargs, url=url)
            raise requests.ConnectTimeout("no network in tests")

    verifier = AlexaRequestVerifier(http=RecordingSession(), trust_roots=[pki.root], clock=clock, timeout=1.5)
    req = signed_request(pki.leaf_key)
    refused(lambda: verifier.verify(req.headers, req.body, req.envelope), "timed out")
    assert seen["url"] == CERT_URL
    assert seen["timeout"] == 1.5
    assert seen["allow_redirects"] is False


# --------------------------------------------------------------------------- timestamp


@pytest.mark.parametrize(
    ("offset", "request_type", "fragment"),
    [
        (timedelta(seconds=-149), "IntentRequest", None),
        (timedelta(seconds=-150), "LaunchRequest", None),
        (timedelta(seconds=149), "IntentRequest", None),
        (timedelta(seconds=-151), "IntentRequest", "too old"),
        (timedelta(seconds=151), "IntentRequest", "future"),
        (timedelta(hours=-2), "SessionEndedRequest", "too old"),
        (timedelta(minutes=-30), "AlexaSkillEvent.SkillDisabled", None),
        (timedelta(minutes=-59), "AlexaSkillEvent.SkillPermissionAccepted", None),
        (timedelta(minutes=-61), "AlexaSkillEvent.SkillDisabled", "too old"),
        (timedelta(minutes=61), "AlexaSkillEvent.SkillDisabled", "future"),
        (timedelta(minutes=-30), "AlexaSkillEventSkillDisabled", "too old"),
        (timedelta(minutes=-30), "Messaging.MessageReceived", "too old"),
    ],
)
def test_timestamp_tolerance(
    verifier: AlexaRequestVerifier,
    pki: Pki,
    rsps: responses.RequestsMock,
    offset: timedelta,
    request_type: str,
    fragment: str | None,
) -> None:
    req = signed_request(pki.leaf_key, make_envelope(NOW + offset, request_type))
    if fragment is None:
        verifier.verify(req.headers, req.body, req.envelope)
    else:
        refused(lambda: verifier.verify(req.headers, req.body, req.envelope), "timestamp", fragment)


@pytest.mark.parametrize(
    "stamp",
    [
        "2026-03-01T12:00:00Z",
        "2026-03-01T12:00:00.123Z",
        "2026-03-01T12:00:00+00:00",
        "2026-03-01T14:01:00+02:00",
        "2026-03-01T07:00:00-05:00",
    ],
)
def test_timestamp_formats_alexa_may_send(
    verifier: AlexaRequestVerifier, pki: Pki, rsps: responses.RequestsMock, stamp: str
) -> None:
    req = signed_request(pki.leaf_key, make_envelope(stamp))
    verifier.verify(req.headers, req.body, req.envelope)


@pytest.mark.parametrize(
    ("stamp", "fragment"),
    [
        (None, "missing"),
        ("", "missing"),
        (1772366400, "ISO 8601"),
        ("yesterday", "ISO 8601"),
        ("2026-13-01T12:00:00Z", "ISO 8601"),
        ("2026-03-01T12:00:00", "time zone"),
        ("2026-03-01", "time zone"),
        ("0001-01-01T00:00:00+01:00", "timestamp"),
        ("9999-12-31T23:59:59-01:00", "timestamp"),
    ],
)
def test_missing_or_garbled_timestamp_is_refused(
    verifier: AlexaRequestVerifier, pki: Pki, stamp: Any, fragment: str
) -> None:
    envelope = make_envelope(None)
    envelope["request"]["timestamp"] = stamp
    req = signed_request(pki.leaf_key, envelope)
    refused(lambda: verifier.verify(req.headers, req.body, envelope), "timestamp", fragment)


@pytest.mark.parametrize("envelope", [{}, {"request": None}, {"request": "x"}, {"request": []}])
def test_envelope_without_request_object_is_refused(
    verifier: AlexaRequestVerifier, pki: Pki, envelope: dict[str, Any]
) -> None:
    req = signed_request(pki.leaf_key, envelope)
    refused(lambda: verifier.verify(req.headers, req.body, envelope), "request")


# --------------------------------------------------------------------------- application id


def test_allowed_application_id_passes() -> None:
    check_application_id(make_envelope(), frozenset({APP_ID, "amzn1.ask.skill.other"}))


def test_wrong_application_id_is_refused() -> None:
    refused(
        lambda: check_application_id(make_envelope(), frozenset({"amzn1.ask.skill.other"})),
        "application id",
        "not allowed",
    )


def test_application_id_falls_back_to_the_session() -> None:
    envelope = make_envelope()
    del envelope["context"]
    check_application_id(envelope, frozenset({APP_ID}))
    envelope["session"]["application"]["applicationId"] = "amzn1.ask.skill.other"
    refused(lambda: check_application_id(envelope, frozenset({APP_ID})), "not allowed")


def test_context_application_id_wins_over_the_session() -> None:
    envelope = make_envelope()
    envelope["session"]["application"]["applicationId"] = "amzn1.ask.skill.other"
    check_application_id(envelope, frozenset({APP_ID}))


@pytest.mark.parametrize(
    "envelope",
    [
        {},
        make_envelope(application_id=None),
        {"context": {"System": {"application": {"applicationId": 7}}}},
        {"context": {"System": "x"}, "session": None},
        {"context": {"System": {"application": {"applicationId": ""}}}},
    ],
)
def test_missing_application_id_is_refused(envelope: dict[str, Any]) -> None:
    refused(lambda: check_application_id(envelope, frozenset({APP_ID})), "application id")


@pytest.mark.parametrize("envelope", [make_envelope(), make_envelope(application_id=None), {}])
def test_empty_allow_list_allows_any(envelope: dict[str, Any]) -> None:
    check_application_id(envelope, frozenset())


# --------------------------------------------------------------------------- cache


def test_second_verification_does_not_download_again(
    verifier: AlexaRequestVerifier, pki: Pki, rsps: responses.RequestsMock, clock: Clock
) -> None:
    for _ in range(2):
        req = signed_request(pki.leaf_key, make_envelope(clock.now))
        verifier.verify(req.headers, req.body, req.envelope)
        clock.advance(timedelta(days=1))
    assert len(rsps.calls) == 1


def test_expired_cached_chain_is_downloaded_again(
    verifier: AlexaRequestVerifier, pki: Pki, rsps: responses.RequestsMock, clock: Clock
) -> None:
    req = signed_request(pki.leaf_key)
    verifier.verify(req.headers, req.body, req.envelope)
    assert len(rsps.calls) == 1

    clock.now = pki.leaf.not_valid_after_utc + timedelta(seconds=1)
    late = signed_request(pki.leaf_key, make_envelope(clock.now))
    refused(lambda: verifier.verify(late.headers, late.body, late.envelope), "expired")
    assert len(rsps.calls) == 2

    # Amazon rotates the certificate behind the same URL: once the failure is no longer
    # remembered, the new chain is picked up.
    clock.ticks += FAILED_URL_MEMORY + 1
    renewed = make_leaf(
        pki.leaf_key, pki.issuer, not_before=clock.now, not_after=clock.now + timedelta(days=30)
    )
    serve(rsps, body=pki.chain_with_leaf(renewed))
    verifier.verify(late.headers, late.body, late.envelope)
    verifier.verify(late.headers, late.body, late.envelope)
    assert len(rsps.calls) == 3


def test_a_failed_download_is_remembered_for_a_while_then_tried_again(
    verifier: AlexaRequestVerifier, pki: Pki, rsps: responses.RequestsMock, clock: Clock
) -> None:
    serve(rsps, status=503, body=b"")
    req = signed_request(pki.leaf_key)
    refused(lambda: verifier.verify(req.headers, req.body, req.envelope), "HTTP 503")
    serve(rsps, body=pki.chain_pem)
    for _ in range(5):  # within the memory: refused at once, nothing downloaded
        refused(lambda: verifier.verify(req.headers, req.body, req.envelope), "HTTP 503")
    assert len(rsps.calls) == 1
    clock.ticks += FAILED_URL_MEMORY + 1
    verifier.verify(req.headers, req.body, req.envelope)
    assert len(rsps.calls) == 2


def test_an_unsigned_flood_with_ever_new_certificate_urls_downloads_each_url_once(
    verifier: AlexaRequestVerifier, pki: Pki, rsps: responses.RequestsMock
) -> None:
    urls = [f"https://s3.amazonaws.com/echo.api/flood-{n}.pem" for n in range(20)]
    for url in urls:
        rsps.get(url, status=404)
    for _ in range(10):  # each URL named ten times, by requests no one signed
        for url in urls:
            req = signed_request(pki.leaf_key, url=url)
            refused(partial(verifier.verify, req.headers, req.body, req.envelope), "chain")
    fetched = [str(call.request.url) for call in rsps.calls]
    assert sorted(fetched) == sorted(urls), "at most one download per URL while its failure is remembered"


def test_one_url_is_fetched_once_however_many_requests_arrive_together(
    pki: Pki, clock: Clock, rsps: responses.RequestsMock
) -> None:
    import threading

    verifier = AlexaRequestVerifier(trust_roots=[pki.root], clock=clock, monotonic=clock.monotonic)
    release = threading.Event()

    def slow(_request: Any) -> tuple[int, dict[str, str], bytes]:
        assert release.wait(30)
        return 200, {}, pki.chain_pem

    rsps.remove(responses.GET, CERT_URL)
    rsps.add_callback(responses.GET, CERT_URL, callback=slow)
    req = signed_request(pki.leaf_key)
    results: list[str] = []

    def check() -> None:
        verifier.verify(req.headers, req.body, req.envelope)
        results.append("ok")

    threads = [threading.Thread(target=check) for _ in range(6)]
    for thread in threads:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(30)
    assert results == ["ok"] * 6 and len(rsps.calls) == 1


def test_downloads_in_flight_are_capped_and_the_rest_refused_at_once(
    pki: Pki, clock: Clock, rsps: responses.RequestsMock
) -> None:
    import threading

    verifier = AlexaRequestVerifier(trust_roots=[pki.root], clock=clock, monotonic=clock.monotonic)
    release, started = threading.Event(), threading.Semaphore(0)

    def held(_request: Any) -> tuple[int, dict[str, str], bytes]:
        started.release()
        assert release.wait(30)
        return 404, {}, b""

    urls = [f"https://s3.amazonaws.com/echo.api/held-{n}.pem" for n in range(MAX_DOWNLOADS_IN_FLIGHT + 1)]
    for url in urls[:-1]:
        rsps.add_callback(responses.GET, url, callback=held)
    threads = []
    for url in urls[:-1]:
        req = signed_request(pki.leaf_key, url=url)
        thread = threading.Thread(
            target=lambda req=req: refused(lambda: verifier.verify(req.headers, req.body, req.envelope))
        )
        thread.start()
        threads.append(thread)
    for _ in urls[:-1]:
        assert started.acquire(timeout=30)  # every slot is taken by a held download
    extra = signed_request(pki.leaf_key, url=urls[-1])
    refused(lambda: verifier.verify(extra.headers, extra.body, extra.envelope), "too many downloads")
    release.set()
    for thread in threads:
        thread.join(30)
    assert urls[-1] not in [call.request.url for call in rsps.calls]


def test_refused_url_never_reaches_the_network(
    verifier: AlexaRequestVerifier, pki: Pki, rsps: responses.RequestsMock
) -> None:
    req = signed_request(pki.leaf_key, url="https://evil.example/echo.api/echo-api-cert-test.pem")
    refused(lambda: verifier.verify(req.headers, req.body, req.envelope), "host")
    assert len(rsps.calls) == 0


def test_concurrent_verifications_are_safe(
    verifier: AlexaRequestVerifier, pki: Pki, rsps: responses.RequestsMock
) -> None:
    good = signed_request(pki.leaf_key)
    bad = signed_request(pki.other_key)
    barrier = threading.Barrier(8)

    def one(i: int) -> str:
        barrier.wait()
        req = good if i % 2 == 0 else bad
        results = []
        for _ in range(50):
            try:
                verifier.verify(req.headers, req.body, req.envelope)
                results.append("ok")
            except VerificationError as error:
                results.append(error.reason)
        return "|".join(sorted(set(results)))

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(one, range(8)))
    assert outcomes[0::2] == ["ok"] * 4
    assert outcomes[1::2] == ["signature does not match the body"] * 4
    assert 1 <= len(rsps.calls) <= 8


# --------------------------------------------------------------------------- verify_chain


def test_verify_chain_returns_the_leaf_key_and_window(pki: Pki) -> None:
    key = verify_chain([pki.leaf, pki.intermediate], NOW, [pki.root])
    assert key.public_key.public_numbers() == pki.leaf_key.public_key().public_numbers()
    assert key.not_valid_after == pki.leaf.not_valid_after_utc
    assert key.valid_at(NOW)
    refused(lambda: verify_chain([], NOW, [pki.root]), "no certificate")
    refused(lambda: verify_chain([pki.leaf] * 11, NOW, [pki.root]), "too many")


def test_chain_window_is_the_shortest_certificate(pki: Pki) -> None:
    intermediate = make_ca(
        "Test Intermediate CA",
        pki.intermediate_key,
        (pki.root, pki.root_key),
        not_after=NOW + timedelta(days=2),
    )
    key = verify_chain([pki.leaf, intermediate], NOW, [pki.root])
    assert key.not_valid_after == intermediate.not_valid_after_utc


# --------------------------------------------------------------------------- fuzzing

_header_names = st.sampled_from(
    [
        "SignatureCertChainUrl",
        "signaturecertchainurl",
        "Signature-256",
        "signature-256",
        "Signature",
        "Content-Type",
    ]
)
_url_values = st.one_of(
    st.just(CERT_URL),
    st.text(max_size=80),
    st.builds(lambda s: "https://s3.amazonaws.com/echo.api/" + s, st.text(max_size=20)),
    st.builds(lambda s: CERT_URL + s, st.text(max_size=5)),
)
_header_values = st.one_of(
    st.text(max_size=400),
    _url_values,
    st.binary(min_size=0, max_size=300).map(lambda b: base64.b64encode(b).decode()),
)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
_envelopes = st.one_of(
    st.dictionaries(st.text(max_size=10), _json, max_size=4),
    st.builds(
        lambda stamp, kind: {"request": {"timestamp": stamp, "type": kind}},
        st.one_of(st.text(max_size=40), st.just("2026-03-01T12:00:00Z"), _json),
        st.one_of(st.text(max_size=30), st.just("AlexaSkillEvent.SkillDisabled"), _json),
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    headers=st.dictionaries(_header_names, _header_values, max_size=5),
    body=st.binary(max_size=600),
    envelope=_envelopes,
)
def test_any_bad_input_is_a_verification_error(
    pki: Pki, headers: dict[str, str], body: bytes, envelope: dict[str, Any]
) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(CERT_URL, body=pki.chain_pem)
        verifier = AlexaRequestVerifier(trust_roots=[pki.root], clock=Clock())
        with pytest.raises(VerificationError) as caught:
            verifier.verify(headers, body, envelope)
    assert isinstance(caught.value.reason, str) and caught.value.reason


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=300), signature=st.binary(max_size=300))
def test_random_signatures_over_a_valid_chain_are_refused(pki: Pki, body: bytes, signature: bytes) -> None:
    envelope = make_envelope()
    headers = {
        "SignatureCertChainUrl": CERT_URL,
        "Signature-256": base64.b64encode(signature).decode(),
    }
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(CERT_URL, body=pki.chain_pem)
        verifier = AlexaRequestVerifier(trust_roots=[pki.root], clock=Clock())
        reason = refused(lambda: verifier.verify(headers, body, envelope)).reason
    assert reason in {"signature does not match the body", "Signature-256 header is empty"}


@settings(max_examples=300, deadline=None)
@given(url=st.text(max_size=120))
def test_url_normalisation_never_raises_anything_else(url: str) -> None:
    try:
        normalised = normalise_cert_url(url)
    except VerificationError:
        return
    assert normalised.startswith("https://s3.amazonaws.com/echo.api/")
    assert normalise_cert_url(normalised) == normalised
