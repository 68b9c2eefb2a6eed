"""Who is checking in: the first names of one to six people, learnt by voice and confirmed.

Several names may come in one breath ("I'm Priya and this is Tom", "Priya, Tom and Ava").
Names said again are new people, never a rename: "change our names" closes a check-in under
way as it stands (each answer keeps the name it was said under) and learns the names afresh.

| step         | intent                                | does                             | next           |
|--------------|---------------------------------------|----------------------------------|----------------|
| any          | start our check-in                    | learns names / begins / resumes  | ASK_NAME, walk |
| offer        | yes (to "ready for your check-in?")   | the same as "start our check-in" | ASK_NAME, walk |
| any          | change our names                      | new people; closes one under way | ASK_NAME       |
| any          | a name (none known yet)               | starts: learns names             | ASK_NAME       |
| any          | a name / just me (none going)         | "there's no check-in going"      | home           |
| ASK_NAME     | a name, or several                    | "Sam, did I get that right?"     | CONFIRM_NAME   |
| ASK_NAME     | just me / that's everyone / no / next | begins with whoever is named     | walk           |
| ASK_NAME     | help / say that again / yes           | explains / asks again            | ASK_NAME       |
| ASK_NAME     | anything else                         | "I didn't catch the name"        | ASK_NAME       |
| CONFIRM_NAME | a name                                | checks the new one               | CONFIRM_NAME   |
| CONFIRM_NAME | no, it's Mia (one of several)         | corrects the one like it         | CONFIRM_NAME   |
| CONFIRM_NAME | yes                                   | "anyone else?"; six begin        | ASK_NAME, walk |
| CONFIRM_NAME | yes, that's everyone                  | keeps them and begins            | walk           |
| CONFIRM_NAME | no                                    | asks again                       | ASK_NAME       |
| CONFIRM_NAME | skip / next                           | asks "is that right?" again      | CONFIRM_NAME   |

```mermaid
stateDiagram-v2
    [*] --> ASK_NAME: start (no names yet) / change our names / yes to "ready?"
    ASK_NAME --> CONFIRM_NAME: a name
    ASK_NAME --> ASK_NAME: help / again / yes / not a name
    ASK_NAME --> walk: just me / that's everyone / no
    CONFIRM_NAME --> CONFIRM_NAME: another name / next
    CONFIRM_NAME --> ASK_NAME: yes (anyone else?) / no
    CONFIRM_NAME --> walk: yes (six names) / yes, that's everyone
    [*] --> walk: start (names known)
```
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from enum import Enum

from dialogue import intents
from dialogue.flows.checkin.common import and_list, forget_progress, journal
from dialogue.flows.checkin.reminder import OFFER_START
from dialogue.flows.checkin.walk import begin_or_resume, not_running
from dialogue.model import Reply
from dialogue.rules import Flow, Go, Rule, Turn
from dialogue.speech import Speech, join

NAME_SLOT = (intents.NAME, "name")
MAX_PEOPLE = 6  # one person up to a family of six
# how several names said at once are told apart: "Priya, Tom and Ava"
_NAME_SEPARATOR = re.compile(r"\s*(?:,|\band\b)\s*")
_NAME_START = re.compile(r"((?:^|,\s*|\band\s+))([a-z])")


class NamesStep(Enum):
    """Where learning the names stands."""

    ASK_NAME = "ask_name"
    CONFIRM_NAME = "confirm_name"


def start(turn: Turn) -> Go:
    """ "Start our check-in": learn names first, then begin or resume."""
    if not turn.household.names:
        return _ask_name(turn, turn.say("checkin.setup.first"))
    return begin_or_resume(turn)


def change_names(turn: Turn) -> Go:
    """Forget the names and learn them again: new names are new people.

    A check-in under way is closed as it stands, its answers kept under the names they were
    said with (each answer keeps its speaker's name), so no one's words move to someone else
    and the next check-in starts fresh with the new names.
    """
    household = turn.household
    kept: Speech = ()
    if household.checkin is not None:
        journal(turn).complete_checkin(household.checkin.id, turn.ports.clock())
        forget_progress(household)
        kept = turn.say("checkin.setup.kept")
    household.names = []
    household.voices = {}
    return _ask_name(turn, join(kept, turn.say("checkin.setup.again")))


def heard_name(turn: Turn) -> Go:
    """One name or several ("Priya, Tom and Ava") were said: check them before keeping them.

    While several are being checked, one name alone ("no, it's Mia") corrects the one it
    sounds most like ("Maya"), keeping the others.
    """
    said = _split_names(turn.event.slot("name").value)
    if not said:
        return _ask_name(turn, turn.say("checkin.setup.missed"))
    # said back as heard (each name capitalised), told apart once confirmed
    name = _NAME_START.sub(
        lambda found: found[1] + found[2].upper(), _clean_name(turn.event.slot("name").value)
    )
    checking = _split_names(turn.session.heard_name)
    if turn.step == NamesStep.CONFIRM_NAME and len(checking) > 1 and len(said) == 1:
        name = _said_together(_corrected(checking, said[0]))
    turn.session.heard_name = name
    reply = Reply(
        turn.say("checkin.setup.confirm", name=name),
        reprompt=turn.say("checkin.setup.confirm_reprompt", name=name),
    )
    return Go(NamesStep.CONFIRM_NAME, reply)


def name_confirmed(turn: Turn) -> Go:
    """Yes, those are the names: keep them, then ask who else, or begin when six are here."""
    names = turn.household.names
    for name in _split_names(turn.session.heard_name):
        if name.lower() not in (known.lower() for known in names) and len(names) < MAX_PEOPLE:
            names.append(name)
    turn.session.heard_name = None
    if turn.session.just_one:  # "just me" came before the name
        turn.session.just_one = False
        return just_me(turn)
    if len(names) >= MAX_PEOPLE:
        return begin_or_resume(turn, turn.say("checkin.setup.full", everyone=and_list(turn, names)))
    if len(names) == 1:
        return _ask_name(turn, turn.say("checkin.setup.second", name=names[0]))
    return _ask_name(turn, turn.say("checkin.setup.more", everyone=and_list(turn, names)))


def check_name_again(turn: Turn) -> Go:
    """Anything but yes, no or a name while a name is being checked: ask the same again."""
    name = turn.session.heard_name or ""
    reply = Reply(
        turn.say("checkin.setup.confirm_reprompt", name=name),
        reprompt=turn.say("checkin.setup.confirm_reprompt", name=name),
    )
    return Go(NamesStep.CONFIRM_NAME, reply)


def name_rejected(turn: Turn) -> Go:
    """No, not that name: ask again (for all of them, if several were heard)."""
    several = len(_split_names(turn.session.heard_name)) > 1
    turn.session.heard_name = None
    return _ask_name(turn, turn.say("checkin.setup.retry_many" if several else "checkin.setup.retry"))


def just_me(turn: Turn) -> Go:
    """ "Just me", "that's everyone", "no one else": begin with whoever has been named."""
    names = turn.household.names
    if not names:
        turn.session.just_one = True
        return _ask_name(turn, turn.say("checkin.setup.first_needed"))
    if len(names) == 1:
        return begin_or_resume(turn, turn.say("checkin.setup.done_one", name=names[0]))
    return begin_or_resume(turn, turn.say("checkin.setup.done_two", everyone=and_list(turn, names)))


def confirmed_and_everyone(turn: Turn) -> Go:
    """ "Yes, that's everyone" while names are being checked: keep them and begin."""
    if turn.session.heard_name:
        name_confirmed(turn)
    return just_me(turn)


def no_one_else(turn: Turn) -> Go:
    """ "No" to "anyone else?": begin; before any name, ask for one."""
    if turn.household.names:
        return just_me(turn)
    return ask_name_again(turn)


def ask_name_again(turn: Turn) -> Go:
    """The name question again: the first name, or who else is checking in."""
    names = turn.household.names
    if len(names) > 1:
        return _ask_name(turn, turn.say("checkin.setup.more_again", everyone=and_list(turn, names)))
    if names:
        return _ask_name(turn, turn.say("checkin.setup.second_again", name=names[0]))
    return _ask_name(turn, turn.say("checkin.setup.first_again"))


def help_naming(turn: Turn) -> Go:
    """Help at the name step; the name is still being listened for."""
    return _ask_name(turn, turn.say("help.checkin_names.ask_name"))


def missed_name(turn: Turn) -> Go:
    """Words that did not come through as a name."""
    return _ask_name(turn, turn.say("checkin.setup.missed"))


def _ask_name(turn: Turn, speech: Speech) -> Go:
    reply = Reply(speech, reprompt=turn.say("checkin.setup.reprompt"), elicit=NAME_SLOT)
    return Go(NamesStep.ASK_NAME, reply)


def _clean_name(value: str | None) -> str:
    words = " ".join((value or "").split())[:40]
    return words[:1].upper() + words[1:]


def _corrected(names: list[str], name: str) -> list[str]:
    """`names` with the one most like `name` replaced by it ("Maya" -> "Mia"); all of them
    replaced when none is alike (then `name` was a new start, not a correction)."""
    likeness = [SequenceMatcher(None, known.lower(), name.lower()).ratio() for known in names]
    best = max(range(len(names)), key=lambda index: likeness[index])
    if likeness[best] < 0.5:
        return [name]
    return [name if index == best else known for index, known in enumerate(names)]


def _said_together(names: list[str]) -> str:
    """ "Dana, Leo and Mia": as several names are said, and read back by `_split_names`."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _split_names(value: str | None) -> list[str]:
    """ "Priya, Tom and Ava" -> ["Priya", "Tom", "Ava"]; a single name stays as it was said."""
    names = [name for part in _NAME_SEPARATOR.split(value or "") if (name := _clean_name(part))]
    if len(names) < 2:
        whole = _clean_name(value)
        return [whole] if whole else []
    return names[:MAX_PEOPLE]


ASK, CONFIRM = (NamesStep.ASK_NAME,), (NamesStep.CONFIRM_NAME,)
FLOW = Flow(
    name="checkin_names",
    steps=NamesStep,
    rules=(
        Rule(intents.NAME, heard_name, (*ASK, *CONFIRM)),
        Rule(intents.JUST_ME, just_me, ASK),
        Rule(intents.NEXT, no_one_else, ASK),
        Rule(intents.NO, no_one_else, ASK),
        Rule(intents.YES, ask_name_again, ASK),
        Rule(intents.REPEAT, ask_name_again, ASK),
        Rule(intents.HELP, help_naming, ASK),
        Rule(intents.FALLBACK, missed_name, ASK),
        Rule(intents.YES, name_confirmed, CONFIRM),
        Rule(intents.JUST_ME, confirmed_and_everyone, CONFIRM),
        Rule(intents.NO, name_rejected, CONFIRM),
        Rule(intents.NEXT, check_name_again, CONFIRM),
    ),
    entries=(
        Rule(intents.START_CHECKIN, start),
        Rule(intents.CHANGE_NAMES, change_names),
        Rule(intents.NAME, start, guard=lambda turn: not turn.household.names),
        Rule(intents.NAME, not_running),
        Rule(intents.JUST_ME, not_running),
    ),
    offers=((OFFER_START, start),),
)
