"""The two apps bench/serve_bench.py serves with gunicorn (deploy/gunicorn.conf.py).

- `signed_app()`: the real skill (`skill.create_app`) with signature verification ON. Its
  verifier trusts only the bench's throwaway root (``BENCH_TRUST_ROOT``, a PEM file) and
  fetches the signing chain for ``https://s3.amazonaws.com/echo.api/…`` from
  ``BENCH_CHAIN`` (a PEM file) through a `requests` adapter instead of the network, once:
  after the first request the verified key is cached, as in production. Its clock is
  fixed at ``BENCH_NOW`` (ISO 8601), the time the bench signed its envelopes at, so the
  150-second timestamp window is checked but never expires during a run.
- `bare_app`: Flask returning one fixed Alexa response to ``POST /alexa``: the floor.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import requests
from cryptography import x509
from flask import Flask, Response
from requests.adapters import BaseAdapter


class _LocalChain(BaseAdapter):
    """Answers any GET with the bench's certificate chain (stands in for Amazon's S3)."""

    def __init__(self, chain: bytes) -> None:
        super().__init__()
        self.chain = chain

    def send(  # the options requests passes (timeout, verify, …) are not needed here
        self, request: requests.PreparedRequest, *_args: Any, **_kwargs: Any
    ) -> requests.Response:
        response = requests.Response()
        response.status_code = 200
        response._content = self.chain
        response._content_consumed = True  # type: ignore[attr-defined]  # iter_content() yields _content
        response.raw = None
        response.url = str(request.url)
        response.request = request
        return response

    def close(self) -> None:
        pass


def signed_app() -> Flask:
    """The real app, verification on, trusting the bench's throwaway root."""
    from skill import create_app
    from skill.alexa.verification import AlexaRequestVerifier

    root = x509.load_pem_x509_certificate(Path(os.environ["BENCH_TRUST_ROOT"]).read_bytes())
    session = requests.Session()
    session.mount("https://s3.amazonaws.com/", _LocalChain(Path(os.environ["BENCH_CHAIN"]).read_bytes()))
    now = datetime.fromisoformat(os.environ["BENCH_NOW"])
    verifier = AlexaRequestVerifier(http=session, trust_roots=[root], clock=lambda: now)
    from skill.config import from_environment

    # A mapping given to create_app is the whole configuration: the bench's database and
    # answer key come from the environment it sets, so they are passed on explicitly.
    settings = {**from_environment(), "ALEXA_VERIFY_SIGNATURES": True, "ALEXA_VERIFIER": verifier}
    return create_app(settings)


FIXED_RESPONSE = json.dumps(
    {
        "version": "1.0",
        "response": {
            "outputSpeech": {
                "type": "SSML",
                "ssml": "<speak>Here's one about family. Who was your main caregiver growing up?"
                ' <break time="1s"/> Take your time with it.</speak>',
            },
            "card": {
                "type": "Simple",
                "title": "Family",
                "content": "Who was your main caregiver growing up?",
            },
            "reprompt": {
                "outputSpeech": {"type": "SSML", "ssml": "<speak>Another one, or a new topic?</speak>"}
            },
            "shouldEndSession": False,
        },
    },
    separators=(",", ":"),
)

bare_app = Flask("bare")


@bare_app.post("/alexa")
def bare_alexa() -> Response:
    """A fixed Alexa response: what Flask and gunicorn alone cost."""
    return Response(FIXED_RESPONSE, mimetype="application/json")
