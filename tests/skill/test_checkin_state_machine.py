"""Random check-ins against the real store: never a fault, and exactly the answers confirmed aloud are kept.

Hypothesis plays sequences of everything a household can do around a check-in (names given,
corrected and changed half-way, answers and filler, skips, redo, repeat, help, pauses and
new sessions, read-backs, deletes, words of other exercises) through `Conversation` on a
real SQLite file with encryption. After every turn: no exception, no apology, and the
decrypted journal holds each answer the skill said it saved exactly once, and nothing else.
"""

from __future__ import annotations

import re
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, settings
from hypothesis import event as note
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from dialogue import Event, Slot, intents, to_text
from skill.conversation import Conversation
from skill.storage import HouseholdKey, SqlStore, migrate
from skill.storage.crypto import AnswerCipher
from tests.conftest import TEST_ANSWER_KEY

SAVED = re.compile(r"(?:\. Saved\.|I've kept that\.)")
CLEARED = "I've cleared that one"
DELETED = "answers are deleted"
APOLOGY = ("went wrong on my side", "ran into a problem")
NAMES = ["sam", "alex", "Priya", "jo", "Tom"]
FILLER = ["hmm", "wait", "I don't know", "yes", "hang on"]
OTHER_EXERCISES = [intents.ASK_QUESTION, intents.HUG, intents.REMEMBER_WHEN, intents.NEXT_PERSON, intents.YES]
PLAIN = [
    intents.START_CHECKIN,
    intents.YES,
    intents.NO,
    intents.JUST_ME,
    intents.NEXT,
    intents.REPEAT,
    intents.PREVIOUS,
    intents.REDO_ANSWER,
    intents.PAUSE_CHECKIN,
    intents.STOP,
    intents.CANCEL,
    intents.HELP,
    intents.START_OVER,
    intents.CHANGE_NAMES,
    intents.CHECKIN_PLAYBACK,
    intents.LAST_CHECKIN,
    intents.DELETE_CHECKINS,
    intents.FALLBACK,
]


class CheckInMachine(RuleBasedStateMachine):
    """One household's check-ins, played at random."""

    @initialize()
    def open_store(self) -> None:
        self.folder = TemporaryDirectory()
        self.store = SqlStore(
            f"sqlite:///{Path(self.folder.name) / 'machine.sqlite3'}", AnswerCipher([TEST_ANSWER_KEY])
        )
        migrate(self.store)
        self.conversation = Conversation(self.store)
        self.key = HouseholdKey("web", "state-machine-household")
        self.kept: list[str] = []  # answers the skill said it saved, oldest first
        self.counter = 0
        self.new_session = True

    def teardown(self) -> None:
        store = getattr(self, "store", None)
        if store is not None:
            store.dispose()
            self.folder.cleanup()

    def _say(self, event: Event) -> str:
        event = Event(event.intent, event.slots, new_session=self.new_session, locale="en-US")
        reply = self.conversation.turn(self.key, event)
        self.new_session = reply.end_session or not reply.listens
        text = to_text(reply.speech)
        assert not any(sorry in text for sorry in APOLOGY), text
        return text

    @rule()
    def launch(self) -> None:
        self.new_session = True
        self._say(Event(intents.LAUNCH))

    @rule(intent=st.sampled_from(PLAIN))
    def plain(self, intent: str) -> None:
        text = self._say(Event(intent))
        self._account(text)

    @rule(first=st.sampled_from(NAMES), second=st.sampled_from([None, *NAMES]))
    def check_in_begins(self, first: str, second: str | None) -> None:
        """What most households do first: start, give one or two names, confirm them."""
        for event in (
            Event(intents.START_CHECKIN),
            Event(intents.NAME, {"name": Slot(first)}),
            Event(intents.YES),
            Event(intents.NAME, {"name": Slot(second)}) if second else Event(intents.JUST_ME),
            Event(intents.YES),
        ):
            self._account(self._say(event))

    @rule()
    def answer_again(self) -> None:
        """Answers are most of a check-in (a second rule makes them as likely as they are)."""
        self.answer()

    @rule(name=st.sampled_from(NAMES))
    def name(self, name: str) -> None:
        self._account(self._say(Event(intents.NAME, {"name": Slot(name)})))

    @rule()
    def answer(self) -> None:
        self.counter += 1
        words = f"answer number {self.counter} about our week"
        text = self._say(Event(intents.ANSWER, {"answer": Slot(words)}))
        if SAVED.search(text):
            self.kept.append(words)
            note("an answer was saved")
        self._account(text)

    @rule(words=st.sampled_from(FILLER))
    def filler(self, words: str) -> None:
        text = self._say(Event(intents.ANSWER, {"answer": Slot(words)}))
        assert not SAVED.search(text), text
        self._account(text)

    @rule(intent=st.sampled_from(OTHER_EXERCISES))
    def other_exercise(self, intent: str) -> None:
        self._account(self._say(Event(intent, {"name": Slot("grateful for the dinner")})))

    @rule(name=st.sampled_from(NAMES))
    def read_back_someone(self, name: str) -> None:
        self._say(Event(intents.CHECKIN_PLAYBACK, {"person": Slot(name)}))

    @rule()
    def session_ends(self) -> None:
        self._say(Event(intents.SESSION_ENDED))
        self.new_session = True

    def _account(self, text: str) -> None:
        if CLEARED in text and self.kept:
            self.kept.pop()
            note("an answer was redone")
        if DELETED in text:
            self.kept.clear()
            note("the answers were deleted")

    @precondition(lambda self: hasattr(self, "store"))
    @rule()
    def journal_holds_exactly_what_was_confirmed(self) -> None:
        exported = self.store.export(self.key)
        stored = [a["text"] for c in (exported or {}).get("checkins", []) for a in c["answers"]]
        assert sorted(stored) == sorted(self.kept)
        assert len(set(stored)) == len(stored)


CheckInMachine.TestCase.settings = settings(
    max_examples=500,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
TestCheckInMachine = CheckInMachine.TestCase
