"""Play the same-words conversation against a running server's /alexa and /web/turn; print
each turn as JSON.

    python -m tests.web.replay http://127.0.0.1:8000

Home Assistant's tests (deploy/home_assistant/tests/test_same_words.py) run this with the
project's interpreter against the server they started, then say the same words through
Home Assistant and require the same speech, turn by turn. The conversation is the one
tests/web/test_same_as_alexa.py plays in process; the server must run with ALEXA_VERIFY_SIGNATURES
off and the web simulator on.
"""

from __future__ import annotations

import json
import sys
import uuid
from typing import Any

import requests

from dialogue import intents
from tests.conftest import AlexaSession
from tests.web.test_same_as_alexa import CONVERSATION
from tests.web.test_turn import Page


class _Answer:
    """A requests response in the shape the test helpers read (Flask's test response)."""

    def __init__(self, response: requests.Response) -> None:
        self.status_code = response.status_code
        self._response = response

    def get_json(self, silent: bool = False) -> Any:
        try:
            return self._response.json()
        except ValueError:
            if silent:
                return None
            raise


class HttpClient:
    """Posts JSON to a running server, as Flask's test client posts to an app."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.session = requests.Session()

    def post(self, path: str, json: Any) -> _Answer:
        return _Answer(self.session.post(self.url + path, json=json, timeout=30))


def replay(url: str) -> list[dict[str, Any]]:
    """Every turn of the conversation through /alexa and /web/turn, as plain data."""
    client: Any = HttpClient(url)
    alexa = AlexaSession(client, f"amzn1.ask.account.REPLAY{uuid.uuid4().hex.upper()}")
    web = Page(client, session_id=f"replay-{uuid.uuid4().hex}")
    turns = []
    for words, intent, slots in CONVERSATION:
        spoken = alexa.launch() if intent == intents.LAUNCH else alexa.intent(intent, **slots)
        typed = web.say(words)
        turns.append(
            {
                "words": words,
                "intent": intent,
                "alexa": {"speech": spoken.speech, "ended": spoken.ended},
                "web": {"speech": typed["speech_text"], "ended": typed["end_session"]},
            }
        )
    return turns


if __name__ == "__main__":
    print(json.dumps(replay(sys.argv[1]), indent=1))
