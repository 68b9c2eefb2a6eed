"""What help tells people to say is understood where help says it."""

from __future__ import annotations

import pytest

from dialogue.content import load_content
from skill.nlu import FALLBACK, recognizer_for

# help key -> (the place it is given, the phrases its words suggest)
HELP = {
    "help": (
        "home.menu",
        [
            "a question",
            "going deeper",
            "Remember when",
            "how was our day",
            "a hug",
            "a cuddle",
            "a tech-free evening",
            "photo show and tell",
            "a ritual idea",
            "our check-in",
            "appreciations",
            "the listening exercise",
            "the life balance wheel",
            "the kinds of intimacy",
            "the intimacy quiz",
        ],
    ),
    "help.wheel.rating": ("wheel.rating", ["seven", "skip", "stop"]),
    "help.deeper.asking": ("deeper.asking", ["next", "say that again", "let's stop here"]),
    "help.deeper.set_done": ("deeper.set_done", ["yes", "no"]),
    "help.photos.sharing": ("photos.sharing", ["next person"]),
    "help.photos.ready": ("photos.ready", ["yes", "no"]),
    "help.intimacy.choosing": (
        "intimacy.choosing",
        ["emotional", "physical", "spiritual", "intellectual", "social", "sexual"],
    ),
    "help.intimacy.quiz": ("intimacy.quiz", ["yes", "no", "skip", "never mind"]),
    "help.rituals.suggested": ("rituals.suggested", ["yes", "every Friday at seven", "another", "no thanks"]),
    "help.questions": ("questions.asked", ["next", "say that again", "a question about the future"]),
    "help.questions.choosing": (
        "questions.choosing",
        [
            "our relationship",
            "family",
            "hopes and dreams",
            "disappointments and hardship",
            "insecurities",
            "spirituality",
        ],
    ),
    "help.remember_when": ("remember_when.sharing", ["next person", "stop"]),
    "help.timed": (
        "home.menu",
        [
            "start a hug",
            "a bedtime cuddle",
            "start a tech-free evening for two hours",
            "how long is left",
            "end the tech-free evening",
        ],
    ),
    "help.timed.hugged": ("timed.hugged", ["another hug", "a one minute hug", "a question"]),
    "help.checkin": ("home.menu", ["start our check-in", "what did we say last week"]),
    "help.checkin.answering": ("checkin.answering", ["skip", "say that again", "let me redo that", "pause"]),
    "help.checkin_names.ask_name": ("checkin_names.ask_name", ["I'm Sam", "just me"]),
    "help.checkin_readback.playback": ("checkin_readback.playback", ["next", "stop"]),
}


@pytest.mark.parametrize("key", sorted(HELP))
def test_what_help_suggests_is_said_in_it_and_understood_there(key: str) -> None:
    where, phrases = HELP[key]
    text = " ".join(load_content().phrases[key]).lower()
    recognizer = recognizer_for("en-US")
    for phrase in phrases:
        assert phrase.lower() in text, (key, phrase)
        assert recognizer.understand(phrase, where).intent != FALLBACK, (key, where, phrase)
