"""Everything read back that a user said is SSML-escaped, on every read-back path.

`READ_BACK_PATHS` lists each place where the skill speaks a person's own words: the events
that lead there, and the event that carries the words.  Every hostile text in
`HOSTILE_TEXTS` goes through every path, and the SSML from `to_ssml` must be well-formed XML
whose text holds the words literally and whose elements are exactly those of the same reply
to a harmless word: nothing the user said became markup.  tests/skill/test_hostile_input.py
plays the same table through POST /alexa.

To cover a new read-back path, add a `ReadBack` (the check-in's names and answers are here).
Characters XML cannot hold at all (NUL, lone surrogates) never reach the core: the Alexa
adapter refuses them (tests/skill/test_hostile_input.py).
"""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogue import Event, Ports, Reply, Slot, State, intents, respond, to_ssml


def default_ports() -> Ports:
    return Ports(rng=random.Random(7), clock=lambda: datetime(2026, 11, 22, 19, 0, tzinfo=UTC))


@dataclass(frozen=True)
class ReadBack:
    """One path on which the skill reads back what a person said."""

    name: str
    setup: tuple[Event, ...]  # the events that lead to the point where the words are spoken
    carrier: Callable[[str], Event]  # the event carrying the person's words
    ports: Callable[[], Ports] = field(default=default_ports)
    then: tuple[Event, ...] = ()  # events after the carrier, up to the reply that reads back
    spoken: Callable[[str], str] = field(default=lambda text: text)  # how the path says the words


def journal_ports() -> Ports:
    from tests.dialogue.conftest import MemoryJournal

    ports = default_ports()
    ports.journal = MemoryJournal()
    return ports


def as_name(text: str) -> str:
    """A first name as the check-in keeps it: spaces folded, 40 characters, capital first."""
    words = " ".join(text.split())[:40]
    return words[:1].upper() + words[1:]


CHECK_IN_FOR_ONE = (
    Event(intents.LAUNCH, new_session=True),
    Event(intents.START_CHECKIN),
    Event(intents.NAME, slots={"name": Slot(value="jo")}),
    Event(intents.YES),
    Event(intents.JUST_ME),
)


READ_BACK_PATHS = [
    ReadBack(
        "a question about a category the skill does not have",
        setup=(Event(intents.LAUNCH, new_session=True),),
        carrier=lambda text: Event(intents.ASK_QUESTION, slots={"category": Slot(value=text)}),
    ),
    ReadBack(
        "a partner's first name, confirmed",
        setup=(Event(intents.LAUNCH, new_session=True), Event(intents.START_CHECKIN)),
        carrier=lambda text: Event(intents.NAME, slots={"name": Slot(value=text)}),
        ports=journal_ports,
        spoken=as_name,
    ),
    ReadBack(
        "a check-in answer, played back",
        setup=CHECK_IN_FOR_ONE,
        carrier=lambda text: Event(intents.ANSWER, slots={"answer": Slot(value=text)}),
        ports=journal_ports,
        then=(Event(intents.CHECKIN_PLAYBACK), Event(intents.YES)),
    ),
]

HOSTILE_TEXTS = [
    "<",
    ">",
    "&",
    '"',
    "'",
    '<break time="10s"/>',
    '<audio src="https://evil"/>',
    "</speak>",
    "</speak><speak>",
    '<prosody rate="x-slow">slow</prosody>',
    '<say-as interpret-as="expletive">word</say-as>',
    "<!-- hidden -->",
    "<![CDATA[x]]>",
    "<?xml version='1.0'?>",
    "&amp; &lt; &#60; &#x3c;",
    'Tom & Jerry\'s "<3"',
]
HARMLESS = "gardening"


def speak(path: ReadBack, text: str) -> Reply:
    """The core's reply when a person's words arrive on this path."""
    state, ports = State(), path.ports()
    for event in path.setup:
        state, _ = respond(state, event, ports)
    state, reply = respond(state, path.carrier(text), ports)
    for event in path.then:
        state, reply = respond(state, event, ports)
    return reply


def _spoken_form(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _elements(root: ET.Element) -> list[tuple[str, list[tuple[str, str]]]]:
    return [(element.tag, sorted(element.attrib.items())) for element in root.iter()]


def assert_read_back_safely(ssml: str, text: str) -> None:
    """Well-formed SSML that speaks `text` literally and has no element made from it."""
    root = ET.fromstring(ssml)
    assert root.tag == "speak"
    assert _spoken_form(text) in _spoken_form("".join(root.itertext())), ssml
    for element in root.iter():
        assert element.tag in {"speak", "break", "audio"}, ssml
        for value in element.attrib.values():
            assert value not in text, ssml


def assert_same_markup_as_a_harmless_word(path: ReadBack, text: str) -> None:
    reply, harmless = speak(path, text), speak(path, HARMLESS)
    assert_read_back_safely(to_ssml(reply.speech), path.spoken(text))
    assert _elements(ET.fromstring(to_ssml(reply.speech))) == _elements(
        ET.fromstring(to_ssml(harmless.speech))
    )
    if reply.reprompt is not None:
        ET.fromstring(to_ssml(reply.reprompt))


@pytest.mark.parametrize("path", READ_BACK_PATHS, ids=lambda path: path.name)
def test_the_harmless_word_is_read_back(path: ReadBack) -> None:
    # The baseline is a real read-back: otherwise the checks below would prove nothing.
    spoken = "".join(ET.fromstring(to_ssml(speak(path, HARMLESS).speech)).itertext())
    assert path.spoken(HARMLESS) in spoken


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
@pytest.mark.parametrize("path", READ_BACK_PATHS, ids=lambda path: path.name)
def test_markup_in_what_a_user_said_is_spoken_not_obeyed(path: ReadBack, text: str) -> None:
    assert_same_markup_as_a_harmless_word(path, text)


# Words without ASCII letters cannot name a category or an intent, so every one is read back.
_markup = st.sampled_from(list("<>&\"'/=!?[]-;#: \t\n") + ["&amp;", "]]>", "</speak>", "<break/>"])
_readable = st.characters(
    exclude_categories=["Cc", "Cs", "Cn"],
    exclude_characters="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
)
_texts = st.lists(st.one_of(_markup, _readable), min_size=1, max_size=30).map("".join).filter(str.strip)


@settings(max_examples=300, deadline=None)
@given(text=_texts)
@pytest.mark.parametrize("path", READ_BACK_PATHS, ids=lambda path: path.name)
def test_any_text_is_read_back_literally(path: ReadBack, text: str) -> None:
    assert_same_markup_as_a_harmless_word(path, text)
