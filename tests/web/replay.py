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

from dialogue import intents
from tests.conftest import AlexaSession
from tests.skill.test_serving import HttpClient
from tests.web.test_same_as_alexa import CONVERSATION
from tests.web.test_turn import Page


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
