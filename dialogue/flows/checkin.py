"""The weekly check-in: a kind facilitator that walks a household through five topics.

Setup happens once: the skill learns the first names of one to six people (several may
come in one breath: "I'm Priya and this is Tom"), confirming them. Then each
topic (appreciation, what's working well, what's lacking, anything unspoken or in
conflict, one wish for the coming week) is led in and guided once, when it is reached in
order, and asked of each person by name; asking again, redoing or resuming names it once
and never says "Next". Filler or too little to be an answer (content data,
`checkin.non_answers`) is never saved. Every answer goes to the journal (a port the host
makes durable) before the skill says it is saved. Progress lives in the household state,
so "pause", "stop" or a dropped session resume exactly where they left off, another day,
in a new session; a read-back is never kept there, only which answers to read again.

| step           | intent                          | does                                   | next           |
|----------------|---------------------------------|----------------------------------------|----------------|
| any            | start our check-in              | learns names, or begins / resumes | ASK_NAME, ANSWERING |
| ASK_NAME       | a name, or several              | "Sam, did I get that right?"           | CONFIRM_NAME   |
| ASK_NAME       | just me / that's everyone / no / skip | begins with whoever is named     | ANSWERING      |
| ASK_NAME       | help / say that again / yes     | explains / asks again, still listening | ASK_NAME       |
| CONFIRM_NAME   | yes                             | keeps them: "anyone else?"; six begin  | ASK_NAME       |
| CONFIRM_NAME   | no / another name               | asks again / checks the new one        | ASK_NAME       |
| CONFIRM_NAME   | skip / next                     | asks "is that right?" again            | CONFIRM_NAME   |
| CONFIRM_NAME   | yes, that's everyone            | keeps them and begins                  | ANSWERING      |
| ANSWERING      | an answer                       | saves it, thanks, asks the next        | ANSWERING      |
| ANSWERING      | a non-answer ("hmm", "wait")    | nothing saved: asks gently; twice, moves on | ANSWERING |
| ANSWERING      | skip / next / next person       | moves on without an answer             | ANSWERING      |
| ANSWERING      | say that again / help           | the same question (help first)         | ANSWERING      |
| ANSWERING      | let me redo that                | forgets the last answer, asks it again | ANSWERING      |
| ANSWERING      | pause / stop / cancel           | keeps progress, says how to resume     | end            |
| ANSWERING      | another exercise's words        | stays here: "I didn't catch that"      | ANSWERING      |
| any            | change our names                | new people: closes a check-in under way | ASK_NAME      |
| any            | what did we say / Sam say …     | asks first (once a session)            | CONFIRM_READ   |
| any            | what did we say … (voices only, not ours) | reads nothing, says why      | home           |
| any            | only read answers to our voices / anyone | sets it (voices must be known) | home        |
| CONFIRM_READ   | yes / no                        | reads as asked / reads nothing         | PLAYBACK, home |
| any (allowed)  | what did we say last week       | the last finished check-in, by topic   | PLAYBACK       |
| PLAYBACK       | next / yes                      | the next topic (at the end: that's all) | PLAYBACK      |
| any            | what did Sam say about …        | that answer                            | home           |
| any            | what did Kim say (unknown name) | "who would you like to hear from?"     | ASK_PERSON     |
| ASK_PERSON     | a name / not a name             | their answers / asks once more | home, ASK_PERSON |
| any            | say that again (after read-back)| the same answers again, from journal   | as before      |
| any            | when was our last check-in      | its date and how much was said         | home           |
| any            | delete our check-ins            | asks to confirm                        | CONFIRM_DELETE |
| any            | delete last week's check-in     | asks to confirm that one               | CONFIRM_DELETE |
| any            | delete my answer about …        | asks to confirm that one answer        | CONFIRM_DELETE |
| any            | only keep check-ins for 3 months| sets it, deletes older ones now        | home           |
| new session    | (keeps check-ins for a while)   | deletes older ones quietly, then greets | home          |
| CONFIRM_DELETE | yes / no                        | deletes what was asked / keeps it      | home           |

```mermaid
stateDiagram-v2
    [*] --> ASK_NAME: start (no names yet)
    ASK_NAME --> CONFIRM_NAME: a name
    CONFIRM_NAME --> ASK_NAME: yes (anyone else?) / no
    CONFIRM_NAME --> ANSWERING: yes (six names) / that's everyone
    ASK_NAME --> ASK_NAME: help / again / yes
    ASK_NAME --> ANSWERING: just me / that's everyone / no
    [*] --> ANSWERING: start (names known)
    ANSWERING --> ANSWERING: answer / non-answer / skip / redo / again / help / other words
    ANSWERING --> ASK_NAME: change our names
    ANSWERING --> [*]: pause / stop / last topic done
    [*] --> CONFIRM_READ: what did we say (first time this session)
    CONFIRM_READ --> PLAYBACK: yes
    CONFIRM_READ --> [*]: no
    [*] --> PLAYBACK: what did we say (allowed)
    PLAYBACK --> PLAYBACK: next / say that again
    [*] --> ASK_PERSON: what did (someone unknown) say
    ASK_PERSON --> [*]: a name we know
    [*] --> CONFIRM_DELETE: delete our check-ins
    CONFIRM_DELETE --> [*]: yes / no
```
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from enum import Enum

from dialogue import intents
from dialogue.effects import REMINDERS_SCOPE, WEEKDAYS, CancelReminder, Recurrence, ScheduleReminder
from dialogue.flows.alerts import remember_request
from dialogue.flows.home import HomeStep
from dialogue.flows.home import launch as home_launch
from dialogue.flows.timed import clock_time, device_zone
from dialogue.model import Card, Event, Reply
from dialogue.ports import Answer, CheckInRecord, Journal
from dialogue.rules import Flow, Go, Rule, Turn
from dialogue.speech import Speech, join, to_text

ANSWER_SLOT = (intents.ANSWER, "answer")
REMINDER = "checkin"  # the purpose under which the weekly reminder is kept in household.alerts
OFFER_REMIND = "checkin_remind"
DEFAULT_DAY, DEFAULT_TIME = "SU", "20:00"  # the seed article's "every Sunday night at 8 pm"
NAME_SLOT = (intents.NAME, "name")
MAX_PEOPLE = 6  # one person up to a family of six
# how several names said at once are told apart: "Priya, Tom and Ava"
_NAME_SEPARATOR = re.compile(r"\s*(?:,|\band\b)\s*")
_NAME_START = re.compile(r"((?:^|,\s*|\band\s+))([a-z])")


class CheckInStep(Enum):
    """Where the check-in conversation stands."""

    ASK_NAME = "ask_name"
    CONFIRM_NAME = "confirm_name"
    ANSWERING = "answering"
    PLAYBACK = "playback"
    ASK_PERSON = "ask_person"  # "who would you like to hear from?"
    CONFIRM_READ = "confirm_read"  # "this will read out Tom's answers; is that okay?"
    CONFIRM_DELETE = "confirm_delete"


class CheckInTopic(Enum):
    """The five topics, in the order they are asked."""

    APPRECIATION = "appreciation"
    WORKING_WELL = "working_well"
    LACKING = "lacking"
    UNSPOKEN = "unspoken"
    WISH = "wish"


TOPICS = list(CheckInTopic)


def _journal(turn: Turn) -> Journal:
    if turn.ports.journal is None:
        raise RuntimeError("this host keeps no check-in journal")
    return turn.ports.journal


def _key(topic: CheckInTopic, person: int) -> str:
    return f"{topic.value}:{person}"


def _unkey(key: str) -> tuple[CheckInTopic, int]:
    topic, person = key.split(":")
    return CheckInTopic(topic), int(person)


# --- setup: learning names ----------------------------------------------------------------


def start(turn: Turn) -> Go:
    """ "Start our check-in": learn names first, then begin or resume."""
    if not turn.household.names:
        return _ask_name(turn, turn.say("checkin.setup.first"))
    return _begin_or_resume(turn)


def change_names(turn: Turn) -> Go:
    """Forget the names and learn them again: new names are new people.

    A check-in under way is closed as it stands, its answers kept under the names they were
    said with (each answer keeps its speaker's name), so no one's words move to someone else
    and the next check-in starts fresh with the new names.
    """
    household = turn.household
    kept: Speech = ()
    if household.checkin_id is not None:
        _journal(turn).complete_checkin(household.checkin_id, turn.ports.clock())
        household.checkin_id, household.checkin_current, household.checkin_last = None, None, None
        household.checkin_done = []
        kept = turn.say("checkin.setup.kept")
    household.names = []
    household.voices = {}
    return _ask_name(turn, join(kept, turn.say("checkin.setup.again")))


def heard_name(turn: Turn) -> Go:
    """One name or several ("Priya, Tom and Ava") were said: check them before keeping them."""
    if not _split_names(turn.event.slot("name").value):
        return _ask_name(turn, turn.say("checkin.setup.missed"))
    # said back as heard (each name capitalised), told apart once confirmed
    name = _NAME_START.sub(
        lambda found: found[1] + found[2].upper(), _clean_name(turn.event.slot("name").value)
    )
    turn.session.heard_name = name
    reply = Reply(
        turn.say("checkin.setup.confirm", name=name),
        reprompt=turn.say("checkin.setup.confirm_reprompt", name=name),
    )
    return Go(CheckInStep.CONFIRM_NAME, reply)


def name_confirmed(turn: Turn) -> Go:
    """Yes, those are the names: keep them, then ask who else, or begin when six are here."""
    names = turn.household.names
    for name in _split_names(turn.session.heard_name):
        if name.lower() not in (known.lower() for known in names) and len(names) < MAX_PEOPLE:
            names.append(name)
    turn.session.heard_name = None
    if len(names) >= MAX_PEOPLE:
        return _begin_or_resume(turn, turn.say("checkin.setup.full", everyone=_and_list(turn, names)))
    if len(names) == 1:
        return _ask_name(turn, turn.say("checkin.setup.second", name=names[0]))
    return _ask_name(turn, turn.say("checkin.setup.more", everyone=_and_list(turn, names)))


def check_name_again(turn: Turn) -> Go:
    """Anything but yes, no or a name while a name is being checked: ask the same again."""
    name = turn.session.heard_name or ""
    reply = Reply(
        turn.say("checkin.setup.confirm_reprompt", name=name),
        reprompt=turn.say("checkin.setup.confirm_reprompt", name=name),
    )
    return Go(CheckInStep.CONFIRM_NAME, reply)


def name_rejected(turn: Turn) -> Go:
    """No, not that name: ask again."""
    turn.session.heard_name = None
    return _ask_name(turn, turn.say("checkin.setup.retry"))


def just_me(turn: Turn) -> Go:
    """ "Just me", "that's everyone", "no one else": begin with whoever has been named."""
    names = turn.household.names
    if not names:
        return _ask_name(turn, turn.say("checkin.setup.first_needed"))
    if len(names) == 1:
        return _begin_or_resume(turn, turn.say("checkin.setup.done_one", name=names[0]))
    return _begin_or_resume(turn, turn.say("checkin.setup.done_two", everyone=_and_list(turn, names)))


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


def _ask_name(turn: Turn, speech: Speech) -> Go:
    reply = Reply(speech, reprompt=turn.say("checkin.setup.reprompt"), elicit=NAME_SLOT)
    return Go(CheckInStep.ASK_NAME, reply)


def _clean_name(value: str | None) -> str:
    words = " ".join((value or "").split())[:40]
    return words[:1].upper() + words[1:]


def _split_names(value: str | None) -> list[str]:
    """ "Priya, Tom and Ava" -> ["Priya", "Tom", "Ava"]; a single name stays as it was said."""
    names = [name for part in _NAME_SEPARATOR.split(value or "") if (name := _clean_name(part))]
    if len(names) < 2:
        whole = _clean_name(value)
        return [whole] if whole else []
    return names[:MAX_PEOPLE]


def _and_list(turn: Turn, names: Sequence[str]) -> str:
    """Names as said aloud: "Priya", "Priya and Tom", "Priya, Tom and Ava"."""
    if len(names) <= 1:
        return "".join(names)
    return to_text(turn.say("checkin.list_and", rest=", ".join(names[:-1]), last=names[-1]))


# --- the walkthrough ------------------------------------------------------------------------


def _begin_or_resume(turn: Turn, opening: Speech = ()) -> Go:
    household = turn.household
    if household.checkin_id is None:
        household.checkin_id = _journal(turn).start_checkin(turn.ports.clock())
        household.checkin_done = []
        household.checkin_last = None
        household.checkin_current = _next_pending(turn)
        key = "checkin.begin.one" if len(household.names) == 1 else "checkin.begin.two"
        return _ask_current(turn, join(opening, turn.say(key)), lead=True, guide=True)
    _fit_progress(turn)
    if household.checkin_current is None:
        return _complete(turn, opening)
    topic, _person = _unkey(str(household.checkin_current))
    resume = turn.say("checkin.resume", topic=_topic_name(turn, topic))
    return _ask_current(turn, join(opening, resume), lead=False, guide=True)


def _fit_progress(turn: Turn) -> None:
    """Progress only for people the household has now: names changed mid-check-in never break it."""
    household = turn.household
    people = len(household.names)
    household.checkin_done = [key for key in household.checkin_done if _unkey(key)[1] < people]
    if household.checkin_last is not None and _unkey(household.checkin_last)[1] >= people:
        household.checkin_last = None
    current = household.checkin_current
    if current is None or _unkey(current)[1] >= people or current in household.checkin_done:
        household.checkin_current = _next_pending(turn)


def _next_pending(turn: Turn) -> str | None:
    for topic in TOPICS:
        for person in range(len(turn.household.names)):
            key = _key(topic, person)
            if key not in turn.household.checkin_done:
                return key
    return None


def _ask_current(turn: Turn, opening: Speech = (), lead: bool | None = None, guide: bool | None = None) -> Go:
    """Ask the current person about the current topic.

    A topic reached in order is led in ("Next, what's working well.") and guided ("Think of
    the little things too."); by default both happen only when nobody has answered it yet.
    Asking again, redoing or resuming never leads in: the topic is named once.
    """
    _fit_progress(turn)
    key = turn.household.checkin_current
    if key is None:
        return _complete(turn, opening)
    topic, person = _unkey(key)
    first_of_topic = not any(done.startswith(f"{topic.value}:") for done in turn.household.checkin_done)
    names = turn.household.names
    values = {"name": names[person], "other": names[1 - person] if len(names) == 2 else names[person]}
    said_lead = (
        turn.say(f"checkin.topic.{topic.value}.lead") if (first_of_topic if lead is None else lead) else ()
    )
    wants_guide = first_of_topic if guide is None else guide
    solo = "_solo" if len(names) == 1 else "_group" if len(names) > 2 else ""
    guide_key = f"checkin.topic.{topic.value}.guide"
    if solo and turn.content.has(guide_key + solo):
        guide_key += solo
    said_guide = turn.say(guide_key) if wants_guide and turn.content.has(guide_key) else ()
    question = turn.say_first(
        [f"checkin.topic.{topic.value}.ask{solo}", f"checkin.topic.{topic.value}.ask"], **values
    )
    reply = Reply(
        join(opening, said_lead, said_guide, question),
        reprompt=turn.say("checkin.answer.reprompt", name=values["name"]),
        elicit=ANSWER_SLOT,
    )
    return Go(CheckInStep.ANSWERING, reply)


def answer(turn: Turn) -> Go:
    """An answer: save it durably, thank the person, ask the next."""
    text = " ".join((turn.event.slot("answer").value or "").split())
    key = turn.household.checkin_current
    if key is None or turn.household.checkin_id is None:
        return _begin_or_resume(turn)
    if not text:
        return _ask_current(turn, turn.say("checkin.answer.missed"), lead=False, guide=False)
    if _not_an_answer(turn, text):
        return _unclear(turn)
    turn.session.unclear = 0
    topic, person = _unkey(key)
    person = _speaker(turn, person)
    answer = Answer(
        checkin_id=turn.household.checkin_id,
        topic=topic.value,
        person=person,
        text=text,
        said_at=turn.ports.clock(),
        person_id=turn.event.person_id,
        name=turn.household.names[person],
    )
    _journal(turn).save_answer(answer)
    done_key = _key(topic, person)
    if done_key not in turn.household.checkin_done:
        turn.household.checkin_done.append(done_key)
    turn.household.checkin_last = done_key
    turn.household.checkin_current = _next_pending(turn)
    thanks = turn.say("checkin.answer.saved", name=turn.household.names[person])
    return _ask_current(turn, thanks)


def _not_an_answer(turn: Turn, text: str) -> bool:
    """Filler or too little to be an answer ("what", "hang on", "um, er, I dunno"), or a name
    alone (who is speaking, not what they answer): the words are content data."""
    words = "".join(c for c in text.lower() if c.isalnum() or c in " '").split()
    if not words:
        return False  # no words to judge ("<3"): kept as said
    fillers = set(turn.content.lists.get("checkin.filler_words", ()))
    plain = " ".join(word for word in words if word not in fillers)
    names = {name.lower() for name in turn.household.names}
    return not plain or plain in turn.content.lists.get("checkin.non_answers", ()) or plain in names


def _unclear(turn: Turn) -> Go:
    """Nothing to keep: ask again gently, offering to skip; the second time in a row, move on."""
    turn.session.unclear += 1
    if turn.session.unclear >= 2:
        turn.session.unclear = 0
        return skip(turn, turn.say("checkin.answer.unclear_moving_on"))
    name = turn.household.names[_unkey(str(turn.household.checkin_current))[1]]
    return _ask_current(turn, turn.say("checkin.answer.unclear", name=name), lead=False, guide=False)


def _speaker(turn: Turn, asked: int) -> int:
    """Who answered: a recognised voice if Alexa knows it, else the person asked."""
    voice = turn.event.person_id
    if voice is None:
        return asked
    known = turn.household.voices.get(voice)
    if known is None or known >= len(turn.household.names):
        turn.household.voices[voice] = asked
        return asked
    return known


def skip(turn: Turn, said: Speech | None = None) -> Go:
    """Move on without an answer."""
    turn.session.unclear = 0
    key = turn.household.checkin_current
    if key is not None and key not in turn.household.checkin_done:
        turn.household.checkin_done.append(key)
    turn.household.checkin_current = _next_pending(turn)
    return _ask_current(turn, said if said is not None else turn.say("checkin.skipped"))


def ask_again(turn: Turn) -> Go:
    """The same question again, with its guidance but without leading in again."""
    return _ask_current(turn, lead=False, guide=True)


def help_answering(turn: Turn) -> Go:
    """Help at the answer step: what the topic is about, then the same question, still listening."""
    return _ask_current(turn, turn.say("help.checkin.answering"), lead=False, guide=True)


def ask_name_again(turn: Turn) -> Go:
    """The name question again: the first name, or who else is checking in."""
    names = turn.household.names
    if len(names) > 1:
        return _ask_name(turn, turn.say("checkin.setup.more_again", everyone=_and_list(turn, names)))
    if names:
        return _ask_name(turn, turn.say("checkin.setup.second_again", name=names[0]))
    return _ask_name(turn, turn.say("checkin.setup.first_again"))


def help_naming(turn: Turn) -> Go:
    """Help at the name step; the name is still being listened for."""
    return _ask_name(turn, turn.say("help.checkin.ask_name"))


# A platform may read someone's answer as another exercise's words (a name, a category, a
# hug, a yes): while an answer is asked for, those stay in the check-in as a missed answer,
# never a jump elsewhere.
_OTHER_EXERCISES = frozenset(
    {
        intents.ASK_QUESTION,
        intents.LIST_CATEGORIES,
        intents.REMEMBER_WHEN,
        intents.HUG,
        intents.CUDDLE,
        intents.START_EVENING,
        intents.EVENING_TIME_LEFT,
        intents.END_EVENING,
        intents.NAME,
        intents.JUST_ME,
        intents.YES,
        intents.NO,
        intents.HOME,
    }
)


def _while_answering(turn: Turn) -> bool:
    """Guard: another exercise's words, said while an answer is asked for (they stay here)."""
    return _in_checkin(turn) and turn.event.intent in _OTHER_EXERCISES


def redo(turn: Turn) -> Go:
    """Forget the last answer and ask for it again."""
    last = turn.household.checkin_last
    if last is None or turn.household.checkin_id is None:
        return _ask_current(turn, turn.say("checkin.redo.nothing"))
    topic, person = _unkey(last)
    _journal(turn).remove_answer(turn.household.checkin_id, topic.value, person)
    turn.household.checkin_done.remove(last)
    turn.household.checkin_last = None
    turn.household.checkin_current = last
    again = turn.say("checkin.redo.again", name=turn.household.names[person])
    return _ask_current(turn, again, lead=False, guide=False)


def pause(turn: Turn) -> Go:
    """Keep everything and stop for now."""
    key = turn.household.checkin_current
    topic = _topic_name(turn, _unkey(key)[0]) if key else ""
    return Go(HomeStep.MENU, Reply(turn.say("checkin.paused", topic=topic), end_session=True))


def _complete(turn: Turn, opening: Speech) -> Go:
    household = turn.household
    if household.checkin_id is not None:
        _journal(turn).complete_checkin(household.checkin_id, turn.ports.clock())
    household.checkin_id = None
    household.checkin_current = None
    household.checkin_done = []
    household.checkin_last = None
    people = len(household.names)
    key = (
        "checkin.complete.one"
        if people == 1
        else "checkin.complete.two"
        if people == 2
        else "checkin.complete.group"
    )
    if REMINDER in household.alerts:
        return Go(HomeStep.MENU, Reply(join(opening, turn.say(key)), end_session=True))
    when = _spoken_schedule(turn, DEFAULT_DAY, DEFAULT_TIME)
    offer = turn.say("checkin.reminder.offer", when=when)
    reply = Reply(
        join(opening, turn.say(key), offer), reprompt=turn.say("checkin.reminder.offer_reprompt", when=when)
    )
    return Go(HomeStep.MENU, reply, offer=OFFER_REMIND)


def _topic_name(turn: Turn, topic: CheckInTopic) -> str:
    return turn.content.lists["checkin.topic_names"][TOPICS.index(topic)]


def _in_checkin(turn: Turn) -> bool:
    return turn.household.checkin_id is not None and turn.household.checkin_current is not None


def missed_answer(turn: Turn) -> Go:
    """Words that did not come through as an answer: ask again, gently."""
    return _ask_current(turn, turn.say("checkin.answer.missed"), lead=False, guide=False)


def missed_name(turn: Turn) -> Go:
    """Words that did not come through as a name."""
    return _ask_name(turn, turn.say("checkin.setup.missed"))


def not_running(turn: Turn) -> Go:
    """Check-in words with no check-in under way."""
    return Go(HomeStep.MENU, Reply(turn.say("checkin.not_running"), reprompt=turn.say("reprompt.home")))


# --- afterwards: playback, last check-in, delete ------------------------------------------


def playback(turn: Turn) -> Go:
    """ "What did we say last week" / "what did Sam say about what's working"."""
    records = _journal(turn).recent(8)
    if not records:
        return _nothing_saved(turn)
    person = _person_named(turn, turn.event.slot("person").value, records)
    topic = _topic_from_slot(turn)
    asked = turn.session.read_request or {}
    if topic is None and turn.step == CheckInStep.ASK_PERSON and asked.get("topic") is not None:
        topic = TOPICS[int(asked["topic"] or 0)]  # "who would you like to hear from?" about that topic
    if person is None and turn.event.slot("person").value:
        heard = turn.event.slot("person").value or ""
        known = _known_names(turn, records)
        turn.session.read_request = {"person": None, "topic": TOPICS.index(topic) if topic else None}
        speech = turn.say("checkin.playback.unknown_person", heard=heard, known=_and_list(turn, known))
        reply = Reply(
            speech,
            reprompt=turn.say("checkin.playback.ask_person_reprompt"),
            elicit=(intents.CHECKIN_PLAYBACK, "person"),
        )
        return Go(CheckInStep.ASK_PERSON, reply)
    if turn.household.voices_only and _voice_name(turn) is None:
        # The household chose: answers are read only to voices the platform knows as theirs.
        reply = Reply(turn.say("checkin.voices.not_yours"), reprompt=turn.say("reprompt.home"))
        return Go(HomeStep.MENU, reply)
    if not turn.session.read_ok:
        # Anyone in the room can ask; reading someone's words aloud asks first, once a session.
        turn.session.read_request = {"person": person, "topic": TOPICS.index(topic) if topic else None}
        whose = (
            turn.say("checkin.consent.whose", name=person) if person else turn.say("checkin.consent.yours")
        )
        reply = Reply(
            turn.say("checkin.consent.ask", whose=whose), reprompt=turn.say("checkin.consent.reprompt")
        )
        return Go(CheckInStep.CONFIRM_READ, reply)
    return _read(turn, records, person, topic)


def choose_readers(turn: Turn) -> Go:
    """ "Only read our answers to our own voices" (where voices are known) / "anyone can hear them"."""
    wanted = (turn.event.slot("readers").resolved_id or "").upper()
    if wanted == "ANYONE":
        turn.household.voices_only = False
        return Go(HomeStep.MENU, Reply(turn.say("checkin.voices.anyone"), reprompt=turn.say("reprompt.home")))
    if _voice_name(turn) is None:
        # no voice the platform recognises as one of ours: nothing here could keep that promise
        return Go(HomeStep.MENU, Reply(turn.say("checkin.voices.cannot"), reprompt=turn.say("reprompt.home")))
    turn.household.voices_only = True
    return Go(HomeStep.MENU, Reply(turn.say("checkin.voices.only"), reprompt=turn.say("reprompt.home")))


def read_allowed(turn: Turn) -> Go:
    """Yes, read them: what was asked for, and no more asking this session."""
    asked = turn.session.read_request or {}
    turn.session.read_request = None
    turn.session.read_ok = True
    records = _journal(turn).recent(8)
    if not records:
        return _nothing_saved(turn)
    person, topic = asked.get("person"), asked.get("topic")
    return _read(
        turn, records, str(person) if person else None, TOPICS[int(topic)] if topic is not None else None
    )


def read_declined(turn: Turn) -> Go:
    """No: nothing is read."""
    turn.session.read_request = None
    return Go(HomeStep.MENU, Reply(turn.say("checkin.consent.declined"), reprompt=turn.say("reprompt.home")))


def _read(turn: Turn, records: Sequence[CheckInRecord], person: str | None, topic: CheckInTopic | None) -> Go:
    if person is None and topic is None:
        # The last finished check-in; say so when a newer one is still under way.
        finished = [record for record in records if record.completed_at is not None]
        record = finished[0] if finished else records[0]
        note: Speech = ()
        if record is not records[0]:
            note = turn.say("checkin.playback.in_progress")
        elif record.completed_at is None:
            note = turn.say("checkin.playback.unfinished")
        turn.session.playback_checkin = record.id
        turn.session.playback_topic = 0
        intro = turn.say("checkin.playback.intro", date=_spoken_date(record.started_at))
        return _play_topic(turn, record, join(note, intro))
    return _play_filtered(turn, records, person, topic)


def _play_topic(turn: Turn, record: CheckInRecord, opening: Speech) -> Go:
    """Read back one topic of a check-in, then offer the next."""
    index = turn.session.playback_topic
    while index < len(TOPICS) and not _answers(turn, record, TOPICS[index], None):
        index += 1
    if index >= len(TOPICS):
        reply = Reply(join(opening, turn.say("checkin.playback.end")), reprompt=turn.say("reprompt.home"))
        return Go(CheckInStep.PLAYBACK, reply)  # "next" again is "that's everything", not a question
    topic = TOPICS[index]
    turn.session.playback_topic = index + 1
    turn.session.replay = {"checkin": record.id, "topic": index}
    lines = [turn.say("checkin.playback.topic", topic=_topic_name(turn, topic))]
    lines += [_said(turn, answer) for answer in _answers(turn, record, topic, None)]
    more = any(_answers(turn, record, later, None) for later in TOPICS[index + 1 :])
    ending = turn.say("checkin.playback.more") if more else turn.say("checkin.playback.end")
    reply = Reply(
        join(opening, *lines, ending),
        reprompt=turn.say("checkin.playback.reprompt") if more else turn.say("reprompt.home"),
        card=_transcript_card(turn, record),
        private=True,
    )
    return Go(CheckInStep.PLAYBACK if more else HomeStep.MENU, reply, offer=None)


def playback_next(turn: Turn) -> Go:
    """The next topic of the check-in being read back."""
    records = {record.id: record for record in _journal(turn).recent(8)}
    record = records.get(turn.session.playback_checkin or -1)
    if record is None:
        return _nothing_saved(turn)
    return _play_topic(turn, record, ())


def replay(turn: Turn) -> Go:
    """ "Say that again" after a read-back: read the same answers again, from the journal."""
    wanted = turn.session.replay or {}
    records = _journal(turn).recent(8)
    if "checkin" in wanted:
        record = next((r for r in records if r.id == wanted["checkin"]), None)
        if record is None:
            return _nothing_saved(turn)
        turn.session.playback_checkin = record.id
        turn.session.playback_topic = int(wanted.get("topic") or 0)
        return _play_topic(turn, record, ())
    topic = wanted.get("topic")
    person = wanted.get("person")
    return _play_filtered(
        turn,
        records,
        str(person) if person is not None else None,
        TOPICS[int(topic)] if topic is not None else None,
    )


def _replaying(turn: Turn) -> bool:
    return turn.session.replay is not None


def _play_filtered(
    turn: Turn, records: Sequence[CheckInRecord], person: str | None, topic: CheckInTopic | None
) -> Go:
    for record in records:
        topics = [topic] if topic else TOPICS
        found = [answer for t in topics for answer in _answers(turn, record, t, person)]
        if found:
            intro = turn.say("checkin.playback.when", date=_spoken_date(record.started_at))
            lines = [
                join(
                    ()
                    if _names_the_topic(turn, a)
                    else turn.say("checkin.playback.topic", topic=_topic_name(turn, CheckInTopic(a.topic))),
                    _said(turn, a),
                )
                for a in found
            ]
            reply = Reply(
                join(intro, *lines),
                reprompt=turn.say("reprompt.home"),
                card=_transcript_card(turn, record),
                private=True,
            )
            turn.session.replay = {"person": person, "topic": TOPICS.index(topic) if topic else None}
            return Go(HomeStep.MENU, reply)
    values = {"name": person or ""}
    speech = turn.say(
        "checkin.playback.none_for_person" if person is not None else "checkin.playback.none", **values
    )
    return Go(HomeStep.MENU, Reply(speech, reprompt=turn.say("reprompt.home")))


def last_checkin(turn: Turn) -> Go:
    """When the last check-in was, and how much was said."""
    records = _journal(turn).recent(1)
    if not records:
        return _nothing_saved(turn)
    record = records[0]
    key = "checkin.last.done" if record.completed_at else "checkin.last.open"
    speech = turn.say(key, date=_spoken_date(record.started_at), count=_count(turn, len(record.answers)))
    return Go(HomeStep.MENU, Reply(speech, reprompt=turn.say("reprompt.home")))


def ask_delete(turn: Turn) -> Go:
    """Deleting is for good: confirm first."""
    turn.session.delete_request = None
    reply = Reply(turn.say("checkin.delete.confirm"), reprompt=turn.say("checkin.delete.reprompt"))
    return Go(CheckInStep.CONFIRM_DELETE, reply)


def ask_delete_checkin(turn: Turn) -> Go:
    """ "Delete last week's check-in": the latest one, after a yes."""
    records = _journal(turn).recent(1)
    if not records:
        return _nothing_saved(turn)
    record = records[0]
    turn.session.delete_request = {"checkin": record.id}
    count = _count(turn, len(record.answers))
    speech = turn.say("checkin.delete.one_confirm", date=_spoken_date(record.started_at), count=count)
    return Go(CheckInStep.CONFIRM_DELETE, Reply(speech, reprompt=turn.say("checkin.delete.reprompt")))


def ask_delete_answer(turn: Turn) -> Go:
    """ "Delete my answer about what's lacking": that one answer, in the latest check-in that has it."""
    topic = _topic_from_slot(turn)
    if topic is None:
        return Go(HomeStep.MENU, Reply(turn.say("checkin.delete.which"), reprompt=turn.say("reprompt.home")))
    records = _journal(turn).recent(8)
    person = _person_named(turn, turn.event.slot("person").value, records) or _voice_name(turn)
    for record in records:
        found = _answers(turn, record, topic, person)
        if len(found) > 1:  # "my answer" with several people and no voice to tell who
            return Go(
                HomeStep.MENU, Reply(turn.say("checkin.delete.whose"), reprompt=turn.say("reprompt.home"))
            )
        if found:
            answer = found[0]
            turn.session.delete_request = {
                "checkin": record.id,
                "topic": answer.topic,
                "person": answer.person,
            }
            values = {"name": _speaker_name(turn, answer), "topic": _topic_name(turn, topic)}
            speech = turn.say("checkin.delete.answer_confirm", date=_spoken_date(record.started_at), **values)
            return Go(CheckInStep.CONFIRM_DELETE, Reply(speech, reprompt=turn.say("checkin.delete.reprompt")))
    return Go(HomeStep.MENU, Reply(turn.say("checkin.delete.no_answer"), reprompt=turn.say("reprompt.home")))


def _voice_name(turn: Turn) -> str | None:
    """Whose voice this is, where the platform recognises voices and the check-in has heard it."""
    index = turn.household.voices.get(turn.event.person_id or "")
    names = turn.household.names
    return names[index] if index is not None and index < len(names) else None


def delete_confirmed(turn: Turn) -> Go:
    """Yes: delete what was asked (one answer, one check-in, or every answer of the household)."""
    asked = turn.session.delete_request
    turn.session.delete_request = None
    household = turn.household
    if asked and "topic" in asked:
        _journal(turn).remove_answer(int(asked["checkin"]), str(asked["topic"]), int(asked["person"]))
        return Go(
            HomeStep.MENU, Reply(turn.say("checkin.delete.answer_done"), reprompt=turn.say("reprompt.home"))
        )
    if asked:
        _journal(turn).delete_checkin(int(asked["checkin"]))
        if household.checkin_id == asked["checkin"]:
            household.checkin_id, household.checkin_current, household.checkin_last = None, None, None
            household.checkin_done = []
        return Go(
            HomeStep.MENU, Reply(turn.say("checkin.delete.one_done"), reprompt=turn.say("reprompt.home"))
        )
    count = _journal(turn).delete_all()
    household.checkin_id, household.checkin_current, household.checkin_last = None, None, None
    household.checkin_done = []
    key = "checkin.delete.done" if count else "checkin.delete.empty"
    return Go(HomeStep.MENU, Reply(turn.say(key), reprompt=turn.say("reprompt.home")))


def keep_for(turn: Turn) -> Go:
    """ "Only keep our check-ins for three months" (or "forever"): older ones go without asking."""
    said = turn.event.slot("duration").value
    days = _days(said)
    if said and days is None:  # "for an hour": not a time to keep check-ins for
        return Go(HomeStep.MENU, Reply(turn.say("checkin.keep.how_long"), reprompt=turn.say("reprompt.home")))
    turn.household.retention_days = days
    if days is None:
        return Go(HomeStep.MENU, Reply(turn.say("checkin.keep.forever"), reprompt=turn.say("reprompt.home")))
    gone = _tidy(turn)
    key = "checkin.keep.set_and_deleted" if gone else "checkin.keep.set"
    speech = turn.say(key, period=_spoken_days(turn, days))
    return Go(HomeStep.MENU, Reply(speech, reprompt=turn.say("reprompt.home")))


def tidy_then_launch(turn: Turn) -> Go:
    """A new session of a household that keeps check-ins for a while: older ones go first, quietly."""
    _tidy(turn)
    return home_launch(turn)


def _keeps_for_a_while(turn: Turn) -> bool:
    return turn.household.retention_days is not None and turn.ports.journal is not None


def _tidy(turn: Turn) -> int:
    """Delete the check-ins older than the household keeps them; how many went."""
    household = turn.household
    if household.retention_days is None:
        return 0
    gone = _journal(turn).delete_before(turn.ports.clock() - timedelta(days=household.retention_days))
    if household.checkin_id in gone:  # the check-in under way was that old: start afresh next time
        household.checkin_id, household.checkin_current, household.checkin_last = None, None, None
        household.checkin_done = []
    return len(gone)


_MOST_DAYS = 100 * 365
_ISO_DAYS = re.compile(r"P(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)W)?(?:([0-9]+)D)?(?:T.*)?")


def _days(value: str | None) -> int | None:
    """An AMAZON.DURATION of days or more ("P3M", "P1Y", "P6W") in days; None when none was given."""
    found = _ISO_DAYS.fullmatch((value or "").strip().upper())
    if not value or found is None:
        return None
    years, months, weeks, days = (int(part or 0) for part in found.groups())
    total = years * 365 + months * 30 + weeks * 7 + days
    return min(total, _MOST_DAYS) or None  # "P99999Y" is "as long as you like", not a date before year 1


def _spoken_days(turn: Turn, days: int) -> str:
    """ "3 months", "1 year", "6 weeks", "10 days"."""
    words = turn.content.lists["checkin.periods"]  # year, years, month, months, week, weeks, day, days
    for index, size in enumerate((365, 30, 7, 1)):
        if days % size == 0:
            count = days // size
            return f"{count} {words[index * 2 + (count != 1)]}"
    return f"{days} {words[7]}"


def delete_declined(turn: Turn) -> Go:
    """No: keep everything."""
    return Go(HomeStep.MENU, Reply(turn.say("checkin.delete.kept"), reprompt=turn.say("reprompt.home")))


def _nothing_saved(turn: Turn) -> Go:
    return Go(HomeStep.MENU, Reply(turn.say("checkin.playback.nothing"), reprompt=turn.say("reprompt.home")))


def _answers(turn: Turn, record: CheckInRecord, topic: CheckInTopic, person: str | None) -> list[Answer]:
    """A topic's answers in a check-in, in speaking order; only `person`'s (a name) when given."""
    wanted = person.lower() if person else None
    return [
        answer
        for answer in sorted(record.answers, key=lambda a: a.person)
        if answer.topic == topic.value and (wanted is None or _speaker_name(turn, answer).lower() == wanted)
    ]


def _speaker_name(turn: Turn, answer: Answer) -> str:
    """Who said an answer: the name kept with it, else (older answers) the name at that place now."""
    if answer.name:
        return answer.name
    names = turn.household.names
    return names[answer.person] if answer.person < len(names) else names[0] if names else ""


def _names_the_topic(turn: Turn, answer: Answer) -> bool:
    """Whether the answer's line names its topic itself ("Tom's wish: …")."""
    text = answer.text.strip()
    first = text.split(maxsplit=1)[0].lower().strip(",.!?") if text else ""
    own_words = first in turn.content.lists.get("checkin.own_openings", ())
    return not own_words and turn.content.has(f"checkin.playback.said.{answer.topic}")


def _said(turn: Turn, answer: Answer) -> Speech:
    """ "Priya said: I appreciated the dinner." or, for words without their opening (Alexa takes
    "I appreciated" off as the carrier phrase), "Priya appreciated: that you cooked dinner." """
    name = _speaker_name(turn, answer)
    # Transcripts carry no punctuation: end the sentence so the card and the screen read well.
    text = answer.text if answer.text[-1:] in ".!?" else f"{answer.text}."
    key = (
        f"checkin.playback.said.{answer.topic}" if _names_the_topic(turn, answer) else "checkin.playback.said"
    )
    return turn.say(key, name=name, answer=text)


def _known_names(turn: Turn, records: Sequence[CheckInRecord]) -> list[str]:
    """Everyone with answers to read back, and everyone the household is now, first seen first."""
    names = [*turn.household.names, *(_speaker_name(turn, a) for r in records for a in r.answers)]
    return list(dict.fromkeys(name for name in names if name))


def _person_named(turn: Turn, heard: str | None, records: Sequence[CheckInRecord]) -> str | None:
    """The name asked about, as the household knows it now or as an answer was kept under."""
    wanted = (heard or "").strip().lower()
    return next((name for name in _known_names(turn, records) if wanted and name.lower() == wanted), None)


def playback_named(turn: Turn) -> Go:
    """A bare name after "who would you like to hear from?" (a platform may hear it as a name)."""
    named = Event(intents.CHECKIN_PLAYBACK, {"person": turn.event.slot("name")}, locale=turn.event.locale)
    return playback(Turn(turn.state, named, turn.ports, turn.content, turn.step, turn.offers))


def missed_person(turn: Turn) -> Go:
    """Not a name we know: ask once more, keeping it short."""
    records = _journal(turn).recent(8)
    speech = turn.say(
        "checkin.playback.ask_person_again", known=_and_list(turn, _known_names(turn, records))
    )
    reply = Reply(
        speech,
        reprompt=turn.say("checkin.playback.ask_person_reprompt"),
        elicit=(intents.CHECKIN_PLAYBACK, "person"),
    )
    return Go(CheckInStep.ASK_PERSON, reply)


def _topic_from_slot(turn: Turn) -> CheckInTopic | None:
    slot = turn.event.slot("topic")
    if slot.resolved_id and slot.resolved_id.lower() in {t.value for t in TOPICS}:
        return CheckInTopic(slot.resolved_id.lower())
    words = (slot.value or "").lower()
    for index, synonyms in enumerate(turn.content.lists.get("checkin.topic_words", ())):
        if words and any(word in words for word in synonyms.split("|")):
            return TOPICS[index]
    return None


# --- the weekly reminder ---------------------------------------------------------------------


def schedule_reminder(turn: Turn) -> Go:
    """ "Remind us every Sunday at eight" / "change our check-in to Saturday"."""
    current = turn.household.alerts.get(REMINDER, {})
    day = _weekday(turn.event.slot("day").value) or current.get("day") or DEFAULT_DAY
    at = _check_in_time(turn.event.slot("time").value) or current.get("time") or DEFAULT_TIME
    return _schedule(turn, day, at)


def remind_as_offered(turn: Turn) -> Go:
    """A "yes" to the reminder offer, or a permission just granted: schedule what was asked."""
    params = (turn.household.pending or {}).get("params", {}) if turn.household.pending else {}
    current = turn.household.alerts.get(REMINDER, {})
    day = str(params.get("day") or current.get("day") or DEFAULT_DAY)
    at = str(params.get("time") or current.get("time") or DEFAULT_TIME)
    return _schedule(turn, day, at)


def _schedule(turn: Turn, day: str, at: str) -> Go:
    before = turn.household.alerts.get(REMINDER)
    cancel = (CancelReminder(before["id"], REMINDER),) if before and before.get("id") else ()
    zone = device_zone(turn)
    first = _next_occurrence(turn.ports.clock(), day, at, zone)
    reminder = ScheduleReminder(
        at=first,
        text=to_text(turn.say("checkin.reminder.text")),
        purpose=REMINDER,
        time_zone=getattr(zone, "key", None),
        recurrence=Recurrence("WEEKLY", (day,)),
    )
    remember_request(turn, OFFER_REMIND, REMINDER, REMINDERS_SCOPE, day=day, time=at)
    turn.household.alerts[REMINDER] = {"kind": "reminder", "id": "", "day": day, "time": at}
    speech = turn.say("checkin.reminder.set", when=_spoken_schedule(turn, day, at))
    return Go(HomeStep.MENU, Reply(speech, end_session=True, effects=(*cancel, reminder)))


def stop_reminders(turn: Turn) -> Go:
    """ "Stop the reminders": delete the weekly reminder."""
    running = turn.household.alerts.pop(REMINDER, None)
    if running is None:
        return Go(HomeStep.MENU, Reply(turn.say("checkin.reminder.none"), reprompt=turn.say("reprompt.home")))
    effects = (CancelReminder(running["id"], REMINDER),) if running.get("id") else ()
    return Go(HomeStep.MENU, Reply(turn.say("checkin.reminder.stopped"), end_session=True, effects=effects))


def _weekday(value: str | None) -> str | None:
    code = (value or "").strip().upper()[:2]
    return code if code in WEEKDAYS else None


def _check_in_time(value: str | None) -> str | None:
    """An AMAZON.TIME for a check-in: "eight" (08:00) is read as 8 pm, and said back aloud."""
    parsed = clock_time(value)
    if parsed is None:
        return None
    hour = parsed.hour + 12 if 1 <= parsed.hour <= 9 else parsed.hour
    return f"{hour:02d}:{parsed.minute:02d}"


def _next_occurrence(now: datetime, day: str, at: str, zone: object) -> datetime:
    """The first reminder: the next `day` at `at`, wall clock in the device's zone (naive)."""
    local = now.astimezone(zone if zone is not None else UTC)  # type: ignore[arg-type]
    hour, minute = (int(part) for part in at.split(":"))
    days_ahead = (WEEKDAYS.index(day) - local.weekday()) % 7
    first = datetime.combine(local.date() + timedelta(days=days_ahead), time(hour, minute))
    if first <= local.replace(tzinfo=None):
        first += timedelta(days=7)
    return first


def _spoken_schedule(turn: Turn, day: str, at: str) -> str:
    hour, minute = (int(part) for part in at.split(":"))
    suffix = turn.content.lists["clock.suffix"][0 if hour < 12 else 1]
    spoken = f"{hour % 12 or 12}" + (f":{minute:02d}" if minute else "") + f" {suffix}"
    weekday = turn.content.lists["checkin.weekdays"][WEEKDAYS.index(day)]
    return to_text(turn.say("checkin.reminder.when", day=weekday, time=spoken))


def _count(turn: Turn, number: int) -> str:
    none, one, many = turn.content.lists["checkin.answer_count"]
    return none if number == 0 else one if number == 1 else f"{number} {many}"


def _spoken_date(moment: datetime) -> str:
    return f"{moment:%A}, {moment:%B} {moment.day}"


def _transcript_card(turn: Turn, record: CheckInRecord) -> Card:
    lines = []
    for topic in TOPICS:
        for answer in _answers(turn, record, topic, None):
            said = to_text(_said(turn, answer))
            lines.append(f"{_topic_name(turn, topic).capitalize()}: {said}")
    title = to_text(turn.say("checkin.card.title", date=_spoken_date(record.started_at)))
    return Card(title, "\n".join(lines))


FLOW = Flow(
    name="checkin",
    steps=CheckInStep,
    rules=(
        Rule(intents.NAME, heard_name, (CheckInStep.ASK_NAME, CheckInStep.CONFIRM_NAME)),
        Rule(intents.JUST_ME, just_me, (CheckInStep.ASK_NAME,)),
        Rule(intents.JUST_ME, confirmed_and_everyone, (CheckInStep.CONFIRM_NAME,)),
        Rule(intents.NEXT, no_one_else, (CheckInStep.ASK_NAME,)),
        Rule(intents.NEXT, check_name_again, (CheckInStep.CONFIRM_NAME,)),
        Rule(intents.YES, name_confirmed, (CheckInStep.CONFIRM_NAME,)),
        Rule(intents.NO, name_rejected, (CheckInStep.CONFIRM_NAME,)),
        Rule(intents.REPEAT, ask_name_again, (CheckInStep.ASK_NAME,)),
        Rule(intents.YES, ask_name_again, (CheckInStep.ASK_NAME,)),
        Rule(intents.NO, no_one_else, (CheckInStep.ASK_NAME,)),
        Rule(intents.HELP, help_naming, (CheckInStep.ASK_NAME,)),
        Rule(intents.FALLBACK, missed_name, (CheckInStep.ASK_NAME,)),
        Rule(intents.ANSWER, answer, (CheckInStep.ANSWERING,), _in_checkin),
        Rule(intents.NEXT, skip, (CheckInStep.ANSWERING,), _in_checkin),
        Rule(intents.REPEAT, ask_again, (CheckInStep.ANSWERING,), _in_checkin),
        Rule(intents.PREVIOUS, redo, (CheckInStep.ANSWERING,), _in_checkin),
        Rule(intents.STOP, pause, (CheckInStep.ANSWERING,), _in_checkin),
        Rule(intents.CANCEL, pause, (CheckInStep.ANSWERING,), _in_checkin),
        Rule(intents.START_OVER, ask_again, (CheckInStep.ANSWERING,), _in_checkin),
        Rule(intents.HELP, help_answering, (CheckInStep.ANSWERING,), _in_checkin),
        Rule(intents.NEXT_PERSON, skip, (CheckInStep.ANSWERING,), _in_checkin),
        Rule(intents.FALLBACK, missed_answer, (CheckInStep.ANSWERING,), _in_checkin),
        Rule(intents.ANY, missed_answer, (CheckInStep.ANSWERING,), _while_answering),
        Rule(intents.NEXT, playback_next, (CheckInStep.PLAYBACK,)),
        Rule(intents.NAME, playback_named, (CheckInStep.ASK_PERSON,)),
        Rule(intents.YES, read_allowed, (CheckInStep.CONFIRM_READ,)),
        Rule(intents.NO, read_declined, (CheckInStep.CONFIRM_READ,)),
        Rule(intents.FALLBACK, missed_person, (CheckInStep.ASK_PERSON,)),
        Rule(intents.YES, playback_next, (CheckInStep.PLAYBACK,)),
        Rule(intents.YES, delete_confirmed, (CheckInStep.CONFIRM_DELETE,)),
        Rule(intents.NO, delete_declined, (CheckInStep.CONFIRM_DELETE,)),
    ),
    entries=(
        Rule(intents.REPEAT, replay, guard=_replaying),
        Rule(intents.START_CHECKIN, start),
        Rule(intents.CHANGE_NAMES, change_names),
        Rule(intents.ANSWER, answer, guard=_in_checkin),
        Rule(intents.REDO_ANSWER, redo, guard=_in_checkin),
        Rule(intents.PAUSE_CHECKIN, pause, guard=_in_checkin),
        Rule(intents.CHECKIN_PLAYBACK, playback),
        Rule(intents.LAST_CHECKIN, last_checkin),
        Rule(intents.DELETE_CHECKINS, ask_delete),
        Rule(intents.DELETE_CHECKIN, ask_delete_checkin),
        Rule(intents.DELETE_ANSWER, ask_delete_answer),
        Rule(intents.KEEP_CHECKINS, keep_for),
        Rule(intents.READ_BACK_VOICES, choose_readers),
        Rule(intents.LAUNCH, tidy_then_launch, guard=_keeps_for_a_while),
        Rule(intents.SCHEDULE_CHECKIN, schedule_reminder),
        Rule(intents.STOP_CHECKIN_REMINDERS, stop_reminders),
        Rule(intents.ANSWER, not_running),
        Rule(intents.REDO_ANSWER, not_running),
        Rule(intents.PAUSE_CHECKIN, not_running),
        Rule(intents.NAME, start, guard=lambda turn: not turn.household.names),
        Rule(intents.NAME, not_running),
        Rule(intents.JUST_ME, not_running),
    ),
    offers=((OFFER_REMIND, remind_as_offered),),
)
