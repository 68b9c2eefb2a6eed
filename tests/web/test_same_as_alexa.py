"""One conversation through POST /alexa, POST /web/turn and POST /assist/turn (a local
assistant: Home Assistant's integration sends its text there): the same words, turn by turn.

A local speaker differs on purpose in one way: words not meant for the skill while a couple
talk over a question are overheard, not answered (silence, the microphone closed).

The apps are built with the same `RNG_SEED`, so every variant the content offers is chosen
alike; any difference is the adapters drifting apart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dialogue import intents
from skill.assist import issue_token
from tests.conftest import AlexaSession
from tests.skill.test_assist import Speaker
from tests.web.test_turn import Page

Slots = dict[str, str | tuple[str, str | None]]

# (what the person types in the page, what Alexa's NLU would send: intent and slots)
CONVERSATION: list[tuple[str, str, Slots]] = [
    ("open heart to heart", intents.LAUNCH, {}),
    ("a question about family", intents.ASK_QUESTION, {"category": ("family", "FAMILY")}),
    ("another one", intents.NEXT, {}),
    ("say that again", intents.REPEAT, {}),
    ("go back", intents.PREVIOUS, {}),
    ("what categories are there", intents.LIST_CATEGORIES, {}),
    ("hopes and dreams", intents.ASK_QUESTION, {"category": ("hopes and dreams", "HOPES_AND_DREAMS")}),
    ("the weather in paris tomorrow", intents.FALLBACK, {}),
    ("what's the capital of peru", intents.FALLBACK, {}),
    ("help", intents.HELP, {}),
    ("let's play remember when", intents.REMEMBER_WHEN, {}),
    ("next person", intents.NEXT_PERSON, {}),
    ("start a hug", intents.HUG, {}),
    ("yes", intents.YES, {}),
    ("start our check in", intents.START_CHECKIN, {}),
    ("my name is Sam", intents.NAME, {"name": "sam"}),
    ("yes", intents.YES, {}),
    ("just me", intents.JUST_ME, {}),
    ("The long walk we took on Sunday", intents.ANSWER, {"answer": "The long walk we took on Sunday"}),
    ("skip", intents.NEXT, {}),
    ("say that again", intents.REPEAT, {}),
    ("pause", intents.PAUSE_CHECKIN, {}),
    ("what did we say last week", intents.CHECKIN_PLAYBACK, {}),
    ("when was our last check in", intents.LAST_CHECKIN, {}),
    ("delete our check ins", intents.DELETE_CHECKINS, {}),
    ("no", intents.NO, {}),
    ("start over", intents.START_OVER, {}),
    ("stop", intents.STOP, {}),
    ("a question about us", intents.ASK_QUESTION, {"category": ("us", "RELATIONSHIP")}),
    ("stop", intents.STOP, {}),
]


def test_the_web_alexa_and_assist_adapters_say_the_same_thing_turn_by_turn(
    make_app: Any, tmp_path: Path
) -> None:
    config = {"ALEXA_VERIFY_SIGNATURES": False, "RNG_SEED": 20261129, "ASSIST_API": True}
    alexa_app = make_app({**config, "DATABASE_URL": f"sqlite:///{tmp_path / 'alexa.sqlite3'}"})
    web_app = make_app({**config, "DATABASE_URL": f"sqlite:///{tmp_path / 'web.sqlite3'}"})
    assist_app = make_app({**config, "DATABASE_URL": f"sqlite:///{tmp_path / 'assist.sqlite3'}"})
    alexa = AlexaSession(alexa_app.test_client())
    web = Page(web_app.test_client(), session_id="same-conversation-web")
    speaker = Speaker(assist_app.test_client(), issue_token(assist_app.extensions["store"]))
    compared = 0
    for words, intent, slots in CONVERSATION:
        spoken = alexa.launch() if intent == intents.LAUNCH else alexa.intent(intent, **slots)
        assert spoken.status == 200
        typed = web.say(words)
        assert typed["heard"]["intent"] == intent, words
        turn = f"turn {compared + 1}: {words!r}"
        assert typed["speech_text"] == spoken.speech, turn
        assert (typed["reprompt_text"] or "") == spoken.reprompt, turn
        assert typed["end_session"] == spoken.ended, turn
        card = spoken.card
        assert typed["card"] == (
            None if card is None else {"title": card["title"], "text": card["content"]}
        ), turn
        heard = speaker.say(words)  # a new conversation on the speaker after a reply that did not listen
        assert heard["heard"]["intent"] == intent, words
        if heard.get("overheard"):  # after a question, words not for the skill are the couple's talk
            assert intent == intents.FALLBACK and heard["speech"] == "" and not heard["continue_conversation"]
            compared += 1
            continue
        assert heard["speech_text"] == spoken.speech, turn
        assert speaker.everything(heard) == spoken.speech, f"{turn}: said now and later, every word"
        assert heard["end_session"] == spoken.ended, turn
        compared += 1
    assert compared == len(CONVERSATION)
