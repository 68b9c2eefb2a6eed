"""Verify that an HTTP request was sent by Alexa (web-service skills only).

Amazon requires a skill hosted as a web service to refuse, with HTTP 400, any
request that fails one of these checks ("Verifying that the request was sent by
Alexa"); `AlexaRequestVerifier.verify` runs them all, cheapest first:

1. headers: ``SignatureCertChainUrl`` and ``Signature-256`` are present (looked
   up case-insensitively); a request carrying only the legacy SHA-1
   ``Signature`` header is refused.
2. certificate URL (`normalise_cert_url`): scheme ``https``, host
   ``s3.amazonaws.com`` (both any case), port 443 if given, no user info, and a
   path that starts with ``/echo.api/`` (case-sensitive) once ``.``/``..``
   segments are resolved.  Stricter than Amazon's wording (their URLs never
   need it): only RFC 3986 unreserved and sub-delims characters, ":", "@" and
   "/" are allowed, so query, fragment, percent-encoding (which could hide
   ``%2e%2e``), backslashes, brackets, whitespace, control and non-ASCII
   characters are refused outright.
3. signature header: strict base64 (``validate=True``).
4. timestamp: ``request.timestamp`` (ISO 8601 with a zone) within 150 s of now
   either way; within 1 hour for ``AlexaSkillEvent.*`` requests.
5. certificate chain (`verify_chain`), on a cache miss only: downloaded with a
   timeout and a size cap (HTTP 200 only, no redirects), PEM-parsed, leaf valid
   now (not before / not after), ``echo-api.amazon.com`` in the leaf's SANs,
   and a path to a trusted root (certifi by default) through
   `cryptography.x509.verification` with a server policy for that name.  The
   verified leaf key is cached per normalised URL until the verified chain
   expires, so a warm request does no download and no chain verification.
6. signature: RSA PKCS#1 v1.5 with SHA-256 of the raw body, exactly as received.

`check_application_id` is the separate application-id allow-list check.

Every failure raises `VerificationError` (never another exception type) whose
``reason`` is short and safe to log or return: it never contains the body or
anything a user said.
"""

from __future__ import annotations

import base64
import binascii
import functools
import logging
import re
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, NoReturn, Protocol

import certifi
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.verification import PolicyBuilder, Store
from cryptography.x509.verification import VerificationError as X509VerificationError

from dialogue.ports import utc_now

if TYPE_CHECKING:  # imported on the first certificate download: start-up does not need it
    import requests

__all__ = [
    "ALEXA_SIGNING_DNS_NAME",
    "AlexaRequestVerifier",
    "HeaderSource",
    "SigningKey",
    "VerificationError",
    "check_application_id",
    "certifi_trust_roots",
    "normalise_cert_url",
    "verify_chain",
]

logger = logging.getLogger(__name__)

ALEXA_SIGNING_DNS_NAME: Final = "echo-api.amazon.com"
CERT_URL_HOST: Final = "s3.amazonaws.com"
CERT_URL_PATH_PREFIX: Final = "/echo.api/"
CERT_URL_HEADER: Final = "SignatureCertChainUrl"
SIGNATURE_HEADER: Final = "Signature-256"
LEGACY_SIGNATURE_HEADER: Final = "Signature"
SKILL_EVENT_PREFIX: Final = "AlexaSkillEvent."

_MAX_URL_LENGTH: Final = 2048
# RFC 3986 unreserved, sub-delims, ":", "@" and "/": no "%", "?", "#", "\\", "[", "]", spaces.
_URL_CHARACTERS: Final = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/]+")
_MAX_SIGNATURE_HEADER_LENGTH: Final = 4096  # a 4096-bit RSA signature is 684 base64 characters
_MAX_CHAIN_CERTIFICATES: Final = 10
_MAX_CACHED_URLS: Final = 32
# Certificate downloads: a flood of requests naming ever-new certificate URLs must not tie up
# the workers. At most this many downloads run at once (a request finding none free is
# refused at once, it does not wait); one URL is fetched by one request at a time (others wait
# for its result); and a URL that failed is not fetched again for a while.
MAX_DOWNLOADS_IN_FLIGHT: Final = 2
FAILED_URL_MEMORY: Final = 60.0  # seconds a failed certificate URL is refused without a download
_URL_PREFIX: Final = "https://" + CERT_URL_HOST
_CHAIN: Final = "signature certificate chain: "
_PKCS1V15: Final = padding.PKCS1v15()
_SHA256: Final = hashes.SHA256()


class VerificationError(Exception):
    """A request to refuse with HTTP 400; `reason` is short and safe to log and return."""

    reason: str

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class HeaderSource(Protocol):
    """What `verify` needs of the request headers: a dict, or Flask's ``request.headers``."""

    def get(self, key: str, /) -> str | None:
        """Return the header's value, or None."""

    def items(self) -> Iterable[tuple[str, str]]:
        """Return (name, value) pairs."""


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A verified Alexa signing key and the window in which its whole chain is valid."""

    public_key: rsa.RSAPublicKey
    not_valid_before: datetime
    not_valid_after: datetime

    def valid_at(self, now: datetime) -> bool:
        """Return True if `now` lies inside the chain's validity window."""
        return self.not_valid_before <= now <= self.not_valid_after


def _url_error(detail: str) -> VerificationError:
    return VerificationError("signature certificate URL: " + detail)


def _resolve_dot_segments(path: str) -> str:
    """Resolve '.' and '..' segments as RFC 3986 section 5.2.4 does; refuse climbing above '/'."""
    segments = path.split("/")[1:]  # path starts with "/"
    out: list[str] = []
    last = len(segments) - 1
    for index, segment in enumerate(segments):
        if segment == ".":
            if index == last:
                out.append("")
        elif segment == "..":
            if not out:
                raise _url_error("path must start with " + CERT_URL_PATH_PREFIX)
            out.pop()
            if index == last:
                out.append("")
        else:
            out.append(segment)
    return "/" + "/".join(out)


def _refuse_url_characters(url: str) -> NoReturn:
    """Name the character class that made `url` fail the allowed-characters check."""
    if not url.isascii() or not url.isprintable() or any(c.isspace() for c in url):
        raise _url_error("only printable ASCII without spaces is allowed")
    if "\\" in url:
        raise _url_error("backslashes are not allowed")
    if "?" in url or "#" in url:
        raise _url_error("query and fragment are not allowed")
    if "%" in url:
        # Decoding would let %2e%2e or %2f escape /echo.api/ on some servers; Amazon never encodes.
        raise _url_error("percent-encoding is not allowed")
    raise _url_error("character not allowed")


def normalise_cert_url(url: str) -> str:
    """Check a SignatureCertChainUrl against Amazon's rules; return its normal form."""
    if not isinstance(url, str) or not url:
        raise _url_error("missing or empty")
    if len(url) > _MAX_URL_LENGTH:
        raise _url_error("too long")
    if _URL_CHARACTERS.fullmatch(url) is None:
        _refuse_url_characters(url)
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() != "https":
        raise _url_error("scheme must be https")
    authority, slash, path_tail = rest.partition("/")
    if "@" in authority:
        raise _url_error("user info is not allowed")
    host, colon, port = authority.partition(":")
    if host.lower() != CERT_URL_HOST:
        raise _url_error("host must be " + CERT_URL_HOST)
    if colon and port != "443":
        raise _url_error("port must be 443")
    if not slash:
        raise _url_error("path must start with " + CERT_URL_PATH_PREFIX)
    path = _resolve_dot_segments("/" + path_tail)
    if not path.startswith(CERT_URL_PATH_PREFIX):
        raise _url_error("path must start with " + CERT_URL_PATH_PREFIX)
    return _URL_PREFIX + path


@functools.cache
def certifi_trust_roots() -> tuple[x509.Certificate, ...]:
    """Return certifi's root certificates, parsed once per process."""
    with open(certifi.where(), "rb") as bundle:
        data = bundle.read()
    with warnings.catch_warnings():
        # certifi ships one legacy root with a non-positive serial; cryptography warns about it.
        warnings.simplefilter("ignore")
        return tuple(x509.load_pem_x509_certificates(data))


@functools.cache
def _certifi_store() -> Store:
    return Store(list(certifi_trust_roots()))


def _as_store(trust_roots: Store | Sequence[x509.Certificate]) -> Store:
    if isinstance(trust_roots, Store):
        return trust_roots
    if not trust_roots:
        raise ValueError("trust_roots must hold at least one certificate")
    return Store(list(trust_roots))


def _leaf_names(leaf: x509.Certificate) -> list[str]:
    try:
        san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return [name.lower() for name in san.get_values_for_type(x509.DNSName)]


def verify_chain(
    certs: Sequence[x509.Certificate],
    now: datetime,
    trust_roots: Store | Sequence[x509.Certificate],
) -> SigningKey:
    """Verify an Alexa signing chain (leaf first) at `now`; return the leaf's RSA key and window."""
    if not certs:
        raise VerificationError(_CHAIN + "no certificate")
    if len(certs) > _MAX_CHAIN_CERTIFICATES:
        raise VerificationError(_CHAIN + "too many certificates")
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    leaf = certs[0]
    if now > leaf.not_valid_after_utc:
        raise VerificationError(_CHAIN + "signing certificate has expired")
    if now < leaf.not_valid_before_utc:
        raise VerificationError(_CHAIN + "signing certificate is not yet valid")
    if ALEXA_SIGNING_DNS_NAME not in _leaf_names(leaf):
        # The exact name, as Amazon words it: a wildcard SAN the TLS policy allows is refused.
        raise VerificationError(_CHAIN + "signing certificate is not for " + ALEXA_SIGNING_DNS_NAME)
    public_key = leaf.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise VerificationError(_CHAIN + "signing key is not RSA")
    verifier = (
        PolicyBuilder()
        .store(_as_store(trust_roots))
        .time(now)
        .build_server_verifier(x509.DNSName(ALEXA_SIGNING_DNS_NAME))
    )
    try:
        path = verifier.verify(leaf, list(certs[1:]))
    except X509VerificationError as exc:
        logger.info("Alexa signing chain refused: %s", exc)
        raise VerificationError(_CHAIN + "does not lead to a trusted root") from None
    return SigningKey(
        public_key=public_key,
        not_valid_before=max(cert.not_valid_before_utc for cert in path),
        not_valid_after=min(cert.not_valid_after_utc for cert in path),
    )


def _header(headers: HeaderSource | Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)  # case-insensitive for Flask's headers, exact for a dict
    if value is None:
        wanted = name.lower()
        for key, candidate in headers.items():
            if isinstance(key, str) and key.lower() == wanted:
                value = candidate
                break
        else:
            return None
    if not isinstance(value, str):
        raise VerificationError(name + " header is not text")
    return value


def _decode_signature(value: str) -> bytes:
    value = value.strip(" \t")
    if not value:
        raise VerificationError(SIGNATURE_HEADER + " header is empty")
    if len(value) > _MAX_SIGNATURE_HEADER_LENGTH:
        raise VerificationError(SIGNATURE_HEADER + " header is too long")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise VerificationError(SIGNATURE_HEADER + " header is not valid base64") from None


def _mapping(value: object) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None


class AlexaRequestVerifier:
    """Verifies Alexa's signature and timestamp; caches verified keys per URL; thread-safe."""

    def __init__(
        self,
        *,
        http: requests.Session | None = None,
        trust_roots: Sequence[x509.Certificate] | None = None,
        clock: Callable[[], datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        timeout: float = 1.5,
        max_chain_bytes: int = 64 * 1024,
        timestamp_tolerance: timedelta = timedelta(seconds=150),
        skill_event_tolerance: timedelta = timedelta(hours=1),
    ) -> None:
        """Configure the verifier; trust_roots defaults to certifi's bundle, loaded on first use.

        Without `http`, a `requests.Session` is made for the first certificate download.
        """
        if timeout <= 0 or max_chain_bytes <= 0:
            raise ValueError("timeout and max_chain_bytes must be positive")
        self._http = http
        self._store: Store | None = _as_store(trust_roots) if trust_roots is not None else None
        self._clock = clock
        self._timeout = timeout
        self._max_chain_bytes = max_chain_bytes
        self._timestamp_tolerance = timestamp_tolerance
        self._skill_event_tolerance = skill_event_tolerance
        self._cache: dict[str, SigningKey] = {}
        self._normal_urls: dict[str, str] = {}  # header value -> its checked normal form
        self._lock = threading.Lock()
        self._monotonic = monotonic
        self._downloads = threading.BoundedSemaphore(MAX_DOWNLOADS_IN_FLIGHT)
        self._fetching: dict[str, threading.Lock] = {}  # URL -> held while one request fetches it
        self._failed: dict[str, tuple[float, str]] = {}  # URL -> (refused until, reason)

    def verify(
        self,
        headers: HeaderSource | Mapping[str, str],
        raw_body: bytes,
        envelope: Mapping[str, Any],
    ) -> None:
        """Raise VerificationError unless the request is signed by Alexa and is fresh."""
        try:
            self._verify(headers, raw_body, envelope)
        except VerificationError:
            raise
        except Exception as exc:  # a security gate answers 400, never 500
            logger.warning("unexpected %s while verifying an Alexa request", type(exc).__name__)
            raise VerificationError("request could not be verified") from None

    def _verify(
        self,
        headers: HeaderSource | Mapping[str, str],
        raw_body: bytes,
        envelope: Mapping[str, Any],
    ) -> None:
        cert_url = _header(headers, CERT_URL_HEADER)
        if cert_url is None:
            raise VerificationError("missing " + CERT_URL_HEADER + " header")
        signature_b64 = _header(headers, SIGNATURE_HEADER)
        if signature_b64 is None:
            if _header(headers, LEGACY_SIGNATURE_HEADER) is not None:
                raise VerificationError(
                    "missing " + SIGNATURE_HEADER + " header (SHA-1 Signature is not accepted)"
                )
            raise VerificationError("missing " + SIGNATURE_HEADER + " header")
        if not isinstance(raw_body, (bytes, bytearray, memoryview)):
            raise VerificationError("request body is not bytes")
        url = self._normal_urls.get(cert_url)
        if url is None:  # checked once per distinct header value (Amazon uses a handful)
            url = normalise_cert_url(cert_url)
            if len(self._normal_urls) < _MAX_CACHED_URLS:
                self._normal_urls[cert_url] = url
        signature = _decode_signature(signature_b64)
        now = self._now()
        self._check_timestamp(envelope, now)
        key = self._signing_key(url, now)
        try:
            key.public_key.verify(signature, raw_body, _PKCS1V15, _SHA256)
        except InvalidSignature:
            raise VerificationError("signature does not match the body") from None

    def _now(self) -> datetime:
        now = self._clock()
        return now if now.tzinfo is not None else now.replace(tzinfo=UTC)

    def _check_timestamp(self, envelope: Mapping[str, Any], now: datetime) -> None:
        request = _mapping(envelope.get("request")) if isinstance(envelope, Mapping) else None
        if request is None:
            raise VerificationError("request object is missing")
        stamp = request.get("timestamp")
        if stamp is None or stamp == "":
            raise VerificationError("request timestamp is missing")
        if not isinstance(stamp, str):
            raise VerificationError("request timestamp is not ISO 8601 text")
        try:
            when = datetime.fromisoformat(stamp)
        except ValueError:
            raise VerificationError("request timestamp is not ISO 8601") from None
        if when.tzinfo is None:
            raise VerificationError("request timestamp has no time zone")
        request_type = request.get("type")
        tolerance = (
            self._skill_event_tolerance
            if isinstance(request_type, str) and request_type.startswith(SKILL_EVENT_PREFIX)
            else self._timestamp_tolerance
        )
        try:
            skew = now - when
        except OverflowError:
            raise VerificationError("request timestamp is out of range") from None
        if skew > tolerance:
            raise VerificationError("request timestamp is too old")
        if -skew > tolerance:
            raise VerificationError("request timestamp is in the future")

    def _signing_key(self, url: str, now: datetime) -> SigningKey:
        cached = self._known(url, now)
        if cached is not None:
            return cached
        with self._lock:
            fetching = self._fetching.setdefault(url, threading.Lock())
        # One request fetches a URL; the others wait for its result (a download is short).
        if not fetching.acquire(timeout=4 * self._timeout):
            raise VerificationError(_CHAIN + "download is taking too long")
        try:
            cached = self._known(url, now)  # fetched (or failed) while this request waited
            if cached is not None:
                return cached
            if not self._downloads.acquire(blocking=False):
                raise VerificationError(_CHAIN + "too many downloads at once; try again")
            try:
                certs = self._download_chain(url)
                store = self._store if self._store is not None else _certifi_store()
                key = verify_chain(certs, now, store)
            except VerificationError as error:
                self._remember_failure(url, error.reason)
                raise
            finally:
                self._downloads.release()
            with self._lock:
                if url not in self._cache and len(self._cache) >= _MAX_CACHED_URLS:
                    oldest = min(self._cache, key=lambda k: self._cache[k].not_valid_after)
                    del self._cache[oldest]
                self._cache[url] = key
            return key
        finally:
            fetching.release()
            with self._lock:
                if url in self._fetching and not fetching.locked():
                    del self._fetching[url]

    def _known(self, url: str, now: datetime) -> SigningKey | None:
        """The URL's verified key; raises the remembered reason for a URL that failed lately."""
        with self._lock:
            cached = self._cache.get(url)
            failed = self._failed.get(url)
        if cached is not None and cached.valid_at(now):
            return cached
        if failed is not None and self._monotonic() < failed[0]:
            raise VerificationError(failed[1])
        return None

    def _remember_failure(self, url: str, reason: str) -> None:
        with self._lock:
            moment = self._monotonic()
            for old in [u for u, (until, _r) in self._failed.items() if until <= moment]:
                del self._failed[old]
            if len(self._failed) >= _MAX_CACHED_URLS:  # ever-new URLs: forget the soonest to end
                del self._failed[min(self._failed, key=lambda u: self._failed[u][0])]
            self._failed[url] = (moment + FAILED_URL_MEMORY, reason)

    def _download_chain(self, url: str) -> list[x509.Certificate]:
        data = self._download(url)
        try:
            certs = x509.load_pem_x509_certificates(data)
        except ValueError:
            raise VerificationError(_CHAIN + "not a PEM certificate chain") from None
        return certs

    def _download(self, url: str) -> bytes:
        import requests  # the first certificate download loads it: start-up does not need it

        with self._lock:
            if self._http is None:
                self._http = requests.Session()
            http = self._http
        try:
            with http.get(url, timeout=self._timeout, stream=True, allow_redirects=False) as response:
                data = self._read_capped(url, response)
        except VerificationError:
            raise
        except requests.Timeout:
            logger.warning("Alexa certificate download %s timed out", url)
            raise VerificationError(_CHAIN + "download timed out") from None
        except Exception as exc:
            logger.warning("Alexa certificate download %s failed: %s", url, type(exc).__name__)
            raise VerificationError(_CHAIN + "download failed") from None
        if not data:
            raise VerificationError(_CHAIN + "download was empty")
        return data

    def _read_capped(self, url: str, response: requests.Response) -> bytes:
        """Read a 200 response's body, refusing it past max_chain_bytes or 2 x timeout in total."""
        status = response.status_code
        if status != 200:
            logger.warning("Alexa certificate download %s: HTTP %s", url, status)
            raise VerificationError(f"{_CHAIN}download failed (HTTP {status})")
        too_big = VerificationError(f"{_CHAIN}larger than {self._max_chain_bytes} bytes")
        declared = response.headers.get("Content-Length")
        if declared is not None and declared.isdigit() and int(declared) > self._max_chain_bytes:
            raise too_big
        deadline = time.monotonic() + 2 * self._timeout
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(chunk_size=16 * 1024):
            size += len(chunk)
            if size > self._max_chain_bytes:
                raise too_big
            if time.monotonic() > deadline:
                raise VerificationError(_CHAIN + "download timed out")
            chunks.append(chunk)
        return b"".join(chunks)


def check_application_id(envelope: Mapping[str, Any], allowed: frozenset[str]) -> None:
    """Raise VerificationError unless the application id is in `allowed` (empty: allow any)."""
    if not allowed:
        return
    application_id: object = None
    for path in (("context", "System", "application"), ("session", "application")):
        node: object = envelope
        for key in path:
            mapping = _mapping(node)
            node = mapping.get(key) if mapping is not None else None
        mapping = _mapping(node)
        application_id = mapping.get("applicationId") if mapping is not None else None
        if application_id is not None:
            break
    if not isinstance(application_id, str) or not application_id:
        raise VerificationError("application id is missing")
    if application_id not in allowed:
        raise VerificationError("application id is not allowed")
