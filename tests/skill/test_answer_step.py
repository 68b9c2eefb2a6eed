"""What is said while a check-in answer is asked for, and what must happen, on every path.

Each line is played three ways, each in a fresh household whose check-in has one answer
saved (Sam's) and now asks Alex:
- through the core, as the event the words become;
- through `POST /web/turn` as typed words (the local recogniser decides);
- through `POST /alexa` as the intent and slots Alexa is assumed to send for those words
  (the `alexa` column: our assumption, since Alexa's own understanding is not run here;
  free words come as AnswerIntent's `answer` with the carrier phrase taken off).

Outcomes: `saved` (Alex's answer is kept, as said), `asked` (nothing kept, Alex asked
again), `skipped` (nothing kept, the next person asked), `paused` (the session ends, all
kept), `redone` (Sam's answer forgotten, Sam asked again).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from dialogue import Event, Slot, intents
from skill.storage import HouseholdKey
from tests.conftest import AlexaSession
from tests.dialogue.conftest import Talk


@dataclass(frozen=True)
class Said:
    words: str
    alexa: tuple[str, dict[str, str]]  # what Alexa is assumed to send
    outcome: str
    kept: str | None = None  # the text kept on Alexa, when saved (the carrier phrase is gone)
    kept_locally: str | None = None  # the text kept from typed words, when not the words whole


def answer(text: str) -> tuple[str, dict[str, str]]:
    return (intents.ANSWER, {"answer": text})


LINES = [
    # real answers, of every shape
    Said(
        "I appreciated that you cooked dinner",
        answer("that you cooked dinner"),
        "saved",
        "that you cooked dinner",
    ),
    Said(
        "I'm grateful Priya took my mum to the hospital", answer("Priya took my mum to the hospital"), "saved"
    ),
    Said("the long walk on Sunday", answer("the long walk on Sunday"), "saved"),
    Said("sleep", answer("sleep"), "saved"),
    Said("more hugs", answer("more hugs"), "saved"),
    Said(
        "I wish we could hug for ten minutes every morning",
        answer("we could hug for ten minutes every morning"),
        "saved",
    ),
    Said(
        "a question I keep asking myself is whether we rush too much",
        answer("a question I keep asking myself is whether we rush too much"),
        "saved",
    ),
    Said("next week I'd love a proper date", answer("next week I'd love a proper date"), "saved"),
    Said("stop checking your phone at dinner", answer("stop checking your phone at dinner"), "saved"),
    Said("help around the house a bit more", answer("help around the house a bit more"), "saved"),
    Said("go back to how we were before the baby", answer("go back to how we were before the baby"), "saved"),
    Said("yes, we're doing really well", answer("yes, we're doing really well"), "saved"),
    Said(
        "remember when we danced in the kitchen, more of that",
        answer("remember when we danced in the kitchen, more of that"),
        "saved",
    ),
    Said("a tech-free evening every week", answer("a tech-free evening every week"), "saved"),
    Said("my answer is patience", answer("patience"), "saved", "patience", "patience"),
    Said(
        "um I really liked our walk",
        answer("I really liked our walk"),
        "saved",
        None,
        "I really liked our walk",
    ),
    Said(
        "Um, my answer is: more time outside.",
        answer("more time outside"),
        "saved",
        None,
        "more time outside",
    ),
    Said("honestly the communication has been great", answer("the communication has been great"), "saved"),
    Said("what's lacking is time alone", answer("time alone"), "saved"),
    Said("family dinners", answer("family dinners"), "saved"),
    Said("the kids and their homework routine", answer("the kids and their homework routine"), "saved"),
    Said(
        "you making me laugh when I was stressed", answer("you making me laugh when I was stressed"), "saved"
    ),
    Said("Tom fixing the bike", answer("Tom fixing the bike"), "saved"),
    Said("spending less time on screens", answer("spending less time on screens"), "saved"),
    Said("I feel like we've been apart a lot", answer("we've been apart a lot"), "saved"),
    Said("something unspoken is that I'm tired", answer("that I'm tired"), "saved"),
    Said("we need more money talk, less arguing", answer("more money talk, less arguing"), "saved"),
    Said("a hug when I come home", answer("a hug when I come home"), "saved"),
    Said("the cuddle before bed", answer("the cuddle before bed"), "saved"),
    Said("more questions like this", answer("more questions like this"), "saved"),
    Said("that you planned my birthday", answer("that you planned my birthday"), "saved"),
    # filler and too little to be an answer
    Said("hmm", answer("hmm"), "asked"),
    Said("um", (intents.FALLBACK, {}), "asked"),
    Said("wait", answer("wait"), "asked"),
    Said("hang on", answer("hang on"), "asked"),
    Said("I don't know", answer("I don't know"), "asked"),
    Said("I'm not sure", answer("I'm not sure"), "asked"),
    Said("what", answer("what"), "asked"),
    Said("yes", (intents.YES, {}), "asked"),
    Said("okay", answer("okay"), "asked"),
    Said("that's a tough one", answer("that's a tough one"), "asked"),
    Said("let me think", answer("let me think"), "asked"),
    Said("no idea", answer("no idea"), "asked"),
    # asking again and help: the same question, still listening
    Said("say that again", (intents.REPEAT, {}), "asked"),
    Said("can you repeat the question", (intents.REPEAT, {}), "asked"),
    Said("sorry, what was the question?", (intents.REPEAT, {}), "asked"),
    Said("what do you mean", (intents.HELP, {}), "asked"),
    Said("help", (intents.HELP, {}), "asked"),
    Said("how does this part work", (intents.HELP, {}), "asked"),
    Said("start over", (intents.START_OVER, {}), "asked"),
    Said("mornings are working. no wait, let me redo that", (intents.REPEAT, {}), "asked"),
    # another exercise's words stay in the check-in
    Said("a question about family", (intents.ASK_QUESTION, {"category": "family"}), "saved"),
    Said("start a hug", (intents.HUG, {}), "saved"),
    Said("let's play remember when", (intents.REMEMBER_WHEN, {}), "saved"),
    Said("my name is Robin", (intents.NAME, {"name": "Robin"}), "saved"),
    Said("just me", (intents.JUST_ME, {}), "saved"),
    # skip and pass the turn
    Said("skip", (intents.NEXT, {}), "skipped"),
    Said("pass", (intents.NEXT, {}), "skipped"),
    Said("I'll pass", (intents.NEXT, {}), "skipped"),
    Said("next person", (intents.NEXT_PERSON, {}), "skipped"),
    Said("your turn", (intents.NEXT_PERSON, {}), "skipped"),
    Said("skip this question", (intents.NEXT, {}), "skipped"),
    Said("I'd rather not say", (intents.NEXT, {}), "skipped"),
    Said("let's move on", (intents.NEXT, {}), "skipped"),
    # pause and stop keep everything
    Said("pause", (intents.PAUSE_CHECKIN, {}), "paused"),
    Said("let's finish later", (intents.PAUSE_CHECKIN, {}), "paused"),
    Said("let's stop for tonight", (intents.PAUSE_CHECKIN, {}), "paused"),
    Said("we have to go", (intents.PAUSE_CHECKIN, {}), "paused"),
    Said("stop", (intents.STOP, {}), "paused"),
    Said("cancel", (intents.CANCEL, {}), "paused"),
    Said("that's enough for tonight", (intents.PAUSE_CHECKIN, {}), "paused"),
    Said("hold on pause this the baby's crying", (intents.PAUSE_CHECKIN, {}), "paused"),
    # redo the last answer
    Said("let me redo that", (intents.REDO_ANSWER, {}), "redone"),
    Said("can I change my answer", (intents.REDO_ANSWER, {}), "redone"),
    Said("scratch that", (intents.REDO_ANSWER, {}), "redone"),
    Said("hang on, let me change that answer", (intents.REDO_ANSWER, {}), "redone"),
    Said("wait, let me redo that", (intents.REDO_ANSWER, {}), "redone"),
    Said("go back", (intents.PREVIOUS, {}), "redone"),
    Said("that's not what I meant", (intents.REDO_ANSWER, {}), "redone"),
    Said("start my answer over", (intents.REDO_ANSWER, {}), "redone"),
]
# Alexa's reading of another exercise's words keeps nothing (the words are lost to the
# platform's intent); locally the same words are the answer itself.
ALEXA_OUTCOME = {
    "a question about family": "asked",
    "start a hug": "asked",
    "let's play remember when": "asked",
    "my name is Robin": "asked",
    "just me": "asked",
}


def test_the_table_is_as_big_as_promised() -> None:
    assert len(LINES) >= 80
    assert len({line.words for line in LINES}) == len(LINES)


def judge(outcome: str, answers: dict[str, str], step: str, ended: bool, asked: str, text: str) -> None:
    """The household after the line: what is kept and who is asked, as `outcome` says."""
    if outcome == "saved":
        assert set(answers) == {"Sam", "Alex"} and not ended and "Sam," in asked
        assert answers["Alex"].lower().strip(" .") == text.lower().strip(" .")
    elif outcome == "asked":
        assert set(answers) == {"Sam"} and step == "answering" and "Alex," in asked and not ended
    elif outcome == "skipped":
        assert set(answers) == {"Sam"} and step == "answering" and "Sam," in asked
    elif outcome == "paused":
        assert set(answers) == {"Sam"} and ended
    elif outcome == "redone":
        assert answers == {} and step == "answering" and "Sam," in asked
    else:
        raise AssertionError(outcome)


def _core_event(line: Said) -> Event:
    intent, slots = line.alexa
    if line.outcome == "saved" and line.alexa[0] != intents.ANSWER:
        return Event(intents.ANSWER, {"answer": Slot(line.words)})  # locally, the words themselves
    return Event(intent, {name: Slot(value) for name, value in slots.items()})


@pytest.mark.parametrize("line", LINES, ids=lambda line: line.words)
def test_through_the_core(line: Said) -> None:
    talk = Talk()
    talk.open()
    talk.say(intents.START_CHECKIN)
    talk.say(intents.NAME, name="Sam and Alex")
    talk.say(intents.YES)
    talk.say(intents.NO)
    talk.say(intents.ANSWER, answer="the flowers")
    event = _core_event(line)
    talk.say(event.intent, None, **dict(event.slots))
    answers = {("Sam", "Alex")[a.person]: a.text for a in talk.journal.answers.values()}
    reply = talk.reply
    assert reply is not None
    expected_text = line.words if line.alexa[0] != intents.ANSWER else line.alexa[1]["answer"]
    judge(line.outcome, answers, talk.state.session.step, reply.end_session, talk.text, expected_text)


def _household_answers(app: Flask, key: HouseholdKey) -> dict[str, str]:
    exported = app.extensions["store"].export(key) or {"checkins": []}
    return {a["name"]: a["text"] for c in exported["checkins"] for a in c["answers"]}


def _state_step(app: Flask, key: HouseholdKey) -> str:
    with app.extensions["store"].turn(key) as record:
        return str(json.loads(record.state or "{}").get("session", {}).get("step", "menu"))


@pytest.mark.parametrize("line", LINES, ids=lambda line: line.words)
def test_through_the_web_as_words(app: Flask, line: Said) -> None:
    client = app.test_client()
    session = f"answer-step-{abs(hash(line.words)) % 10**12:012d}"
    key = HouseholdKey("web", session)
    app.extensions["store"].delete_household(key)
    reply: dict[str, Any] = {}
    for words in (
        "start our check in",
        "I'm Sam and this is Alex",
        "yes",
        "that's everyone",
        "the flowers",
        line.words,
    ):
        reply = client.post("/web/turn", json={"session_id": session, "utterance": words}).get_json()
        assert "fault" not in reply
    kept = line.kept_locally or line.words
    judge(
        line.outcome,
        _household_answers(app, key),
        _state_step(app, key),
        reply["end_session"],
        reply["speech_text"],
        kept,
    )


@pytest.mark.parametrize("line", LINES, ids=lambda line: line.words)
def test_through_alexa_as_its_intents(app: Flask, line: Said) -> None:
    user = f"amzn1.ask.account.ANSWERSTEP{abs(hash(line.words)) % 10**12:012d}"
    key = HouseholdKey("alexa", user)
    app.extensions["store"].delete_household(key)
    alexa = AlexaSession(app.test_client(), user)
    alexa.launch()
    steps: list[Callable[[], Any]] = [
        lambda: alexa.intent(intents.START_CHECKIN),
        lambda: alexa.intent(intents.NAME, name="Sam"),
        lambda: alexa.intent(intents.YES),
        lambda: alexa.intent(intents.NAME, name="Alex"),
        lambda: alexa.intent(intents.YES),
        lambda: alexa.intent(intents.NO),
        lambda: alexa.intent(intents.ANSWER, answer="the flowers"),
    ]
    for step in steps:
        step()
    intent, slots = line.alexa
    reply = alexa.intent(intent, **slots)
    outcome = ALEXA_OUTCOME.get(line.words, line.outcome)
    kept = line.kept or (slots.get("answer") if intent == intents.ANSWER else "")
    judge(outcome, _household_answers(app, key), _state_step(app, key), reply.ended, reply.speech, kept or "")
