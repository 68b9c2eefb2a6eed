"""What the check-in's four flows share: the topics, the journal, and how names, dates and
counts are said aloud."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum

from dialogue.ports import Answer, Journal, Kind
from dialogue.rules import Turn
from dialogue.speech import to_text
from dialogue.state import Household, State


class CheckInTopic(Enum):
    """The five topics, in the order they are asked."""

    APPRECIATION = "appreciation"
    WORKING_WELL = "working_well"
    LACKING = "lacking"
    UNSPOKEN = "unspoken"
    WISH = "wish"


TOPICS = list(CheckInTopic)


def journal(turn: Turn) -> Journal:
    """Where a household's answers are kept (the host makes it durable and encrypted)."""
    if turn.ports.journal is None:
        raise RuntimeError("this host keeps no check-in journal")
    return turn.ports.journal


def under_way(state: State) -> bool:
    """Whether a check-in is under way: its flow's steps hold only then."""
    return state.household.checkin is not None


def forget_progress(household: Household, checkin_ids: Sequence[int] | None = None) -> None:
    """The check-in under way is gone (deleted, or closed): the next one starts afresh.

    With `checkin_ids`, only when the one under way is among them.
    """
    progress = household.checkin
    if progress is not None and (checkin_ids is None or progress.id in checkin_ids):
        household.checkin = None


def topic_name(turn: Turn, topic: CheckInTopic) -> str:
    """The topic as said aloud: "what's working well"."""
    return turn.content.lists["checkin.topic_names"][TOPICS.index(topic)]


def and_list(turn: Turn, names: Sequence[str]) -> str:
    """Names as said aloud: "Priya", "Priya and Tom", "Priya, Tom and Ava"."""
    if len(names) <= 1:
        return "".join(names)
    return to_text(turn.say("checkin.list_and", rest=", ".join(names[:-1]), last=names[-1]))


def spoken_date(turn: Turn, moment: datetime) -> str:
    """ "Sunday, March 8": the day where the household is (its device's time zone, when known)."""
    from dialogue.flows.daily import household_zone  # daily builds on the check-in's modules

    zone = household_zone(turn)
    local = moment.astimezone(zone) if zone is not None else moment
    return f"{local:%A}, {local:%B} {local.day}"


def voice_name(turn: Turn) -> str | None:
    """Whose voice this is, where the platform recognises voices and the check-in has heard it."""
    index = turn.household.voices.get(turn.event.person_id or "")
    names = turn.household.names
    return names[index] if index is not None and index < len(names) else None


def not_for_this_voice(turn: Turn) -> bool:
    """The household chose to hear its words read only to its own voices, and this is not one."""
    return turn.household.voices_only and voice_name(turn) is None


def as_sentence(text: str) -> str:
    """Kept words as a sentence: transcripts carry no punctuation, a card and a screen want it."""
    return text if text[-1:] in ".!?" else f"{text}."


def entry_answers(turn: Turn, entry: int | None, kind: Kind) -> list[Answer]:
    """The answers kept so far in one entry under way (the newest of its kind), from the journal."""
    if entry is None:
        return []
    return [a for record in journal(turn).recent(1, kind) if record.id == entry for a in record.answers]
