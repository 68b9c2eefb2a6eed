"""What was said: reading check-ins back, and deleting and keeping less of them.

Anyone in the room may ask ("what did Tom say?"); reading someone's words aloud asks first,
once a session, and a household may choose that answers are read only to voices the
platform knows as theirs. A read-back is never kept in the state, only which answers to
read again, so "say that again" rebuilds it from the journal. An answer holding danger
words (dialogue.safety; saved before the screen knew them) is never read aloud or put on a
card, without a word about it; it can still be deleted. Deleting is confirmed first;
a household may keep its check-ins for a while only, and older ones then go without asking.

| step           | intent                           | does                            | next               |
|----------------|----------------------------------|---------------------------------|--------------------|
| any            | what did we say / Sam say …      | asks first (once a session)     | CONFIRM_READ       |
| any            | what did we say (not our voice)  | reads nothing, says why         | home               |
| any (agreed)   | what did we say last week        | the last finished one, by topic | PLAYBACK, home     |
| any (agreed)   | what did Sam say about …         | those answers                   | PLAYBACK           |
| any            | what did Sam say (nothing there) | says so, without asking first   | home, PLAYBACK     |
| any            | what did Kim say (unknown name)  | "who would you like to hear?"   | ASK_PERSON         |
| any            | say that again (after reading)   | the same, from the journal      | as before          |
| any            | only to our voices / anyone      | sets it (if voices known)       | home               |
| any            | when was our last check-in       | its date, how much said         | home               |
| any            | delete our check-ins             | asks to confirm (only those)    | CONFIRM_DELETE     |
| any            | delete our check-ins (none kept) | says so, and what else is kept  | home               |
| any            | delete everything we said        | asks to confirm (every kind)    | CONFIRM_DELETE     |
| any            | delete last week's check-in      | asks to confirm that one        | CONFIRM_DELETE     |
| any            | delete my answer about …         | asks to confirm that one answer | CONFIRM_DELETE     |
| any            | delete my answer (whose unknown) | "Priya's or Tom's?"             | WHOSE_ANSWER       |
| any            | only keep check-ins for 3 months | sets it (every kind), tidies    | home               |
| new session    | (keeping for a while)            | deletes older ones, then greets | home               |
| CONFIRM_READ   | yes / no                         | reads as asked / reads nothing  | PLAYBACK, home     |
| PLAYBACK       | next / yes / keep going          | the next topic, or "that's all" | PLAYBACK           |
| ASK_PERSON     | a name                           | theirs (asks first)             | CONFIRM_READ, home |
| ASK_PERSON     | not a name we know               | asks once more                  | ASK_PERSON         |
| WHOSE_ANSWER   | a name / "Tom's"                 | asks to confirm theirs          | CONFIRM_DELETE     |
| WHOSE_ANSWER   | no / not a name                  | keeps it / asks once more       | home, again        |
| CONFIRM_DELETE | yes, delete it / no, keep it     | deletes as asked / keeps it     | home               |

```mermaid
stateDiagram-v2
    [*] --> CONFIRM_READ: what did we say (first time this session)
    CONFIRM_READ --> PLAYBACK: yes
    CONFIRM_READ --> [*]: no
    [*] --> PLAYBACK: what did we say (allowed)
    PLAYBACK --> PLAYBACK: next / say that again
    PLAYBACK --> [*]: anything else
    [*] --> ASK_PERSON: what did (someone unknown) say
    ASK_PERSON --> ASK_PERSON: not a name we know
    ASK_PERSON --> CONFIRM_READ: a name we know
    [*] --> WHOSE_ANSWER: delete my answer (several people, no voice)
    WHOSE_ANSWER --> CONFIRM_DELETE: a name
    WHOSE_ANSWER --> [*]: no
    [*] --> CONFIRM_DELETE: delete our check-ins / everything / a check-in / an answer
    CONFIRM_DELETE --> [*]: yes / no
```
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from enum import Enum

from dialogue import intents
from dialogue.flows.checkin.common import (
    TOPICS,
    CheckInTopic,
    and_list,
    as_sentence,
    forget_progress,
    journal,
    not_for_this_voice,
    spoken_date,
    topic_name,
    voice_name,
)
from dialogue.flows.home import HomeStep
from dialogue.flows.home import launch as home_launch
from dialogue.model import Card, Event, Reply, Slot
from dialogue.ports import Answer, CheckInRecord, Kind
from dialogue.rules import Flow, Go, Rule, Turn
from dialogue.safety import is_danger
from dialogue.speech import Speech, join, to_text

RECENT = 8  # how many check-ins a read-back or a delete looks through


class ReadBackStep(Enum):
    """Where reading back or deleting stands."""

    PLAYBACK = "playback"
    ASK_PERSON = "ask_person"  # "who would you like to hear?"
    CONFIRM_READ = "confirm_read"  # "this will read out Tom's answers; is that okay?"
    WHOSE_ANSWER = "whose_answer"  # "whose answer should I delete?"
    CONFIRM_DELETE = "confirm_delete"


def _home(turn: Turn, key: str, **values: str) -> Go:
    return Go(HomeStep.MENU, Reply(turn.say(key, **values), reprompt=turn.say("reprompt.home")))


# --- reading back ----------------------------------------------------------------------------


def playback(turn: Turn) -> Go:
    """ "What did we say last week" / "what did Sam say about what's working"."""
    records = journal(turn).recent(RECENT)
    if not records:
        return _home(turn, "checkin.playback.nothing")
    person = _person_named(turn, turn.event.slot("person").value, records)
    topic = _topic_from_slot(turn)
    asked = turn.session.read_request or {}
    if topic is None and turn.step == ReadBackStep.ASK_PERSON and asked.get("topic") is not None:
        topic = TOPICS[int(asked["topic"] or 0)]  # "who would you like to hear?" about that topic
    if person is None and turn.event.slot("person").value:
        heard = turn.event.slot("person").value or ""
        turn.session.read_request = {"person": None, "topic": TOPICS.index(topic) if topic else None}
        speech = turn.say(
            "checkin.playback.unknown_person", heard=heard, known=and_list(turn, _known_names(turn, records))
        )
        return _ask_person(turn, speech)
    if (person is not None or topic is not None) and _first_found(turn, records, person, topic) is None:
        return _none_found(turn, person)  # nothing to read: say so, without asking to read it
    if not_for_this_voice(turn):
        # The household chose: answers are read only to voices the platform knows as theirs.
        return _home(turn, "checkin.voices.not_yours")
    if not turn.session.read_ok:
        # Anyone in the room can ask; reading someone's words aloud asks first, once a session.
        turn.session.read_request = {"person": person, "topic": TOPICS.index(topic) if topic else None}
        whose = (
            turn.say("checkin.consent.whose", name=person) if person else turn.say("checkin.consent.yours")
        )
        reply = Reply(
            turn.say("checkin.consent.ask", whose=whose), reprompt=turn.say("checkin.consent.reprompt")
        )
        return Go(ReadBackStep.CONFIRM_READ, reply)
    return _read(turn, records, person, topic)


def playback_named(turn: Turn) -> Go:
    """A bare name after "who would you like to hear?" (a platform may hear it as a name)."""
    return playback(_with_event(turn, intents.CHECKIN_PLAYBACK, {"person": turn.event.slot("name")}))


def missed_person(turn: Turn) -> Go:
    """Not a name we know: ask once more, keeping it short."""
    known = and_list(turn, _known_names(turn, journal(turn).recent(RECENT)))
    return _ask_person(turn, turn.say("checkin.playback.ask_person_again", known=known))


def _ask_person(turn: Turn, speech: Speech) -> Go:
    reply = Reply(
        speech,
        reprompt=turn.say("checkin.playback.ask_person_reprompt"),
        elicit=(intents.CHECKIN_PLAYBACK, "person"),
    )
    return Go(ReadBackStep.ASK_PERSON, reply)


def read_allowed(turn: Turn) -> Go:
    """Yes, read them: what was asked for, and no more asking this session."""
    asked = turn.session.read_request or {}
    turn.session.read_request = None
    turn.session.read_ok = True
    records = journal(turn).recent(RECENT)
    if not records:
        return _home(turn, "checkin.playback.nothing")
    person, topic = asked.get("person"), asked.get("topic")
    return _read(
        turn, records, str(person) if person else None, TOPICS[int(topic)] if topic is not None else None
    )


def read_declined(turn: Turn) -> Go:
    """No: nothing is read."""
    turn.session.read_request = None
    return _home(turn, "checkin.consent.declined")


def choose_readers(turn: Turn) -> Go:
    """ "Only read our answers to our own voices" (where voices are known) / "anyone can hear them"."""
    if (turn.event.slot("readers").resolved_id or "").upper() == "ANYONE":
        turn.household.voices_only = False
        return _home(turn, "checkin.voices.anyone")
    if voice_name(turn) is None:
        # no voice the platform recognises as one of ours: nothing here could keep that promise
        return _home(turn, "checkin.voices.cannot")
    turn.household.voices_only = True
    return _home(turn, "checkin.voices.only")


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
        intro = turn.say("checkin.playback.intro", date=spoken_date(turn, record.started_at))
        return _play_topic(turn, record, join(note, intro))
    return _play_filtered(turn, records, person, topic)


def _play_topic(turn: Turn, record: CheckInRecord, opening: Speech) -> Go:
    """Read back one topic of a check-in, then offer the next."""
    index = turn.session.playback_topic
    while index < len(TOPICS) and not _answers(turn, record, TOPICS[index], None):
        index += 1
    if index >= len(TOPICS):
        reply = Reply(join(opening, turn.say("checkin.playback.end")), reprompt=turn.say("reprompt.home"))
        return Go(ReadBackStep.PLAYBACK, reply)  # "next" again is "that's everything", not a question
    topic = TOPICS[index]
    turn.session.playback_topic = index + 1
    turn.session.replay = {"checkin": record.id, "topic": index}
    lines = [turn.say("checkin.playback.topic", topic=topic_name(turn, topic))]
    lines += [_said(turn, answer) for answer in _answers(turn, record, topic, None)]
    more = any(_answers(turn, record, later, None) for later in TOPICS[index + 1 :])
    reply = Reply(
        join(opening, *lines, turn.say("checkin.playback.more" if more else "checkin.playback.end")),
        reprompt=turn.say("checkin.playback.reprompt" if more else "reprompt.home"),
        card=_transcript_card(turn, record),
        private=True,
    )
    return Go(ReadBackStep.PLAYBACK, reply, offer=None)  # after the last, "next" is "that's all"


def playback_next(turn: Turn) -> Go:
    """The next topic of the check-in being read back."""
    if turn.session.playback_checkin is None:  # after one person's or one topic's answers
        reply = Reply(turn.say("checkin.playback.filtered_end"), reprompt=turn.say("reprompt.home"))
        return Go(ReadBackStep.PLAYBACK, reply)
    records = {record.id: record for record in journal(turn).recent(RECENT)}
    record = records.get(turn.session.playback_checkin)
    if record is None:
        return _home(turn, "checkin.playback.nothing")
    return _play_topic(turn, record, ())


def replay(turn: Turn) -> Go:
    """ "Say that again" after a read-back: read the same answers again, from the journal."""
    wanted = turn.session.replay or {}
    records = journal(turn).recent(RECENT)
    if "checkin" in wanted:
        record = next((r for r in records if r.id == wanted["checkin"]), None)
        if record is None:
            return _home(turn, "checkin.playback.nothing")
        turn.session.playback_checkin = record.id
        turn.session.playback_topic = int(wanted.get("topic") or 0)
        return _play_topic(turn, record, ())
    topic, person = wanted.get("topic"), wanted.get("person")
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
    """One person's answers, or one topic's, from the latest check-in that has them; "next"
    then goes on with a whole read-back under way, if there is one."""
    found = _first_found(turn, records, person, topic)
    if found is None:
        return _none_found(turn, person)
    record, answers = found
    intro = turn.say("checkin.playback.when", date=spoken_date(turn, record.started_at))
    lines = [
        join(
            ()
            if _names_the_topic(turn, a)
            else turn.say("checkin.playback.topic", topic=topic_name(turn, CheckInTopic(a.topic))),
            _said(turn, a),
        )
        for a in answers
    ]
    reply = Reply(
        join(intro, *lines),
        reprompt=turn.say("reprompt.home"),
        card=_transcript_card(turn, record, answers),
        private=True,
    )
    turn.session.replay = {"person": person, "topic": TOPICS.index(topic) if topic else None}
    return Go(ReadBackStep.PLAYBACK, reply)


def _first_found(
    turn: Turn, records: Sequence[CheckInRecord], person: str | None, topic: CheckInTopic | None
) -> tuple[CheckInRecord, list[Answer]] | None:
    """The latest check-in with answers of `person` (a name) about `topic`, and those answers."""
    for record in records:
        found = [
            answer for t in ([topic] if topic else TOPICS) for answer in _answers(turn, record, t, person)
        ]
        if found:
            return record, found
    return None


def _none_found(turn: Turn, person: str | None) -> Go:
    """Nothing of theirs about that; a whole read-back under way goes on with "next"."""
    said = _home(
        turn, "checkin.playback.none_for_person" if person else "checkin.playback.none", name=person or ""
    )
    if turn.session.playback_checkin is not None:
        return Go(ReadBackStep.PLAYBACK, said.reply)
    return said


def last_checkin(turn: Turn) -> Go:
    """When the last check-in was, and how much was said."""
    records = journal(turn).recent(1)
    if not records:
        return _home(turn, "checkin.playback.nothing")
    record = records[0]
    key = "checkin.last.done" if record.completed_at else "checkin.last.open"
    return _home(
        turn, key, date=spoken_date(turn, record.started_at), count=_count(turn, len(record.answers))
    )


# --- deleting --------------------------------------------------------------------------------


def ask_delete(turn: Turn) -> Go:
    """ "Delete our check-ins": every check-in, after a yes; the confirmation says what stays
    (appreciations, days) when there is any."""
    kept = journal(turn).kinds()
    others = kept - {Kind.CHECKIN}
    stay = turn.say("checkin.delete.others_stay", others=_kinds_said(turn, others)) if others else ()
    if Kind.CHECKIN not in kept:  # nothing of that kind: say so, and what there is
        turn.session.delete_request = None
        return Go(
            HomeStep.MENU,
            Reply(join(turn.say("checkin.delete.no_checkins"), stay), reprompt=turn.say("reprompt.home")),
        )
    turn.session.delete_request = {"kind": Kind.CHECKIN.value}
    return _confirm_delete(turn, join(turn.say("checkin.delete.confirm"), stay))


def ask_delete_everything(turn: Turn) -> Go:
    """ "Delete everything we said": every kind the journal keeps, after a yes."""
    turn.session.delete_request = {"kind": "all"}
    return _confirm_delete(turn, turn.say("checkin.delete.everything_confirm"))


def _kinds_said(turn: Turn, kinds: set[Kind]) -> str:
    """ "your appreciations and your days", in the journal's order."""
    said = turn.content.lists["checkin.kinds"]  # check-ins, appreciations, days: Kind's order
    return and_list(turn, [said[index] for index, kind in enumerate(Kind) if kind in kinds])


def ask_delete_checkin(turn: Turn) -> Go:
    """ "Delete last week's check-in": the latest one, after a yes."""
    records = journal(turn).recent(1)
    if not records:
        return _home(turn, "checkin.playback.nothing")
    record = records[0]
    turn.session.delete_request = {"checkin": record.id}
    count = _count(turn, len(record.answers))
    return _confirm_delete(
        turn, turn.say("checkin.delete.one_confirm", date=spoken_date(turn, record.started_at), count=count)
    )


def ask_delete_answer(turn: Turn) -> Go:
    """ "Delete my answer about what's lacking": that one answer, in the latest check-in that has it.

    "My" is the recognised voice; with several people and no voice to tell who, ask whose.
    """
    asked = turn.session.delete_request or {}
    topic = _topic_from_slot(turn)
    if topic is None and turn.step == ReadBackStep.WHOSE_ANSWER and asked.get("topic"):
        topic = CheckInTopic(str(asked["topic"]))
    if topic is None:
        return _home(turn, "checkin.delete.which")
    records = journal(turn).recent(RECENT)
    heard = turn.event.slot("person").value
    person = _person_named(turn, heard, records) or (None if heard else voice_name(turn))
    if heard and person is None:
        return _ask_whose(turn, topic, records, again=True)
    for record in records:
        found = _answers(turn, record, topic, person, aloud=False)
        if len(found) > 1:  # "my answer" with several people and no voice to tell who
            return _ask_whose(turn, topic, [record], again=False)
        if found:
            answer = found[0]
            turn.session.delete_request = {
                "checkin": record.id,
                "topic": answer.topic,
                "person": answer.person,
            }
            values = {"name": _speaker_name(turn, answer), "topic": topic_name(turn, topic)}
            speech = turn.say(
                "checkin.delete.answer_confirm", date=spoken_date(turn, record.started_at), **values
            )
            return _confirm_delete(turn, speech)
    turn.session.delete_request = None
    return _home(turn, "checkin.delete.no_answer")


def _ask_whose(turn: Turn, topic: CheckInTopic, records: Sequence[CheckInRecord], again: bool) -> Go:
    """ "Whose answer about what's lacking should I delete: Priya's or Tom's?" """
    names = list(
        dict.fromkeys(_speaker_name(turn, a) for r in records for a in _answers(turn, r, topic, None))
    )
    owners = _or_list(turn, names)
    turn.session.delete_request = {"topic": topic.value}
    key = "checkin.delete.whose_again" if again else "checkin.delete.whose"
    reply = Reply(
        turn.say(key, topic=topic_name(turn, topic), owners=owners),
        reprompt=turn.say("checkin.delete.whose_reprompt", owners=owners),
        elicit=(intents.DELETE_ANSWER, "person"),
    )
    return Go(ReadBackStep.WHOSE_ANSWER, reply)


def _or_list(turn: Turn, names: Sequence[str]) -> str:
    """ "Priya's or Tom's", "Priya's, Tom's or Ava's"."""
    owned = [f"{name}'s" for name in names]
    if len(owned) <= 1:
        return "".join(owned)
    return to_text(turn.say("checkin.list_or", rest=", ".join(owned[:-1]), last=owned[-1]))


def whose_named(turn: Turn) -> Go:
    """A bare name after "whose answer should I delete?" (a platform may hear it as a name)."""
    return ask_delete_answer(_with_event(turn, intents.DELETE_ANSWER, {"person": turn.event.slot("name")}))


def missed_whose(turn: Turn) -> Go:
    """Not a name: ask once more whose answer it is."""
    asked = turn.session.delete_request or {}
    if not asked.get("topic"):
        return delete_declined(turn)
    topic = CheckInTopic(str(asked["topic"]))
    return _ask_whose(turn, topic, journal(turn).recent(RECENT), again=True)


def _confirm_delete(turn: Turn, speech: Speech) -> Go:
    return Go(ReadBackStep.CONFIRM_DELETE, Reply(speech, reprompt=turn.say("checkin.delete.reprompt")))


def delete_confirmed(turn: Turn) -> Go:
    """Yes: delete what was asked (one answer, one check-in, or every answer of the household)."""
    asked = turn.session.delete_request
    turn.session.delete_request = None
    if asked and "person" in asked:
        journal(turn).remove_answer(int(asked["checkin"]), str(asked["topic"]), int(asked["person"]))
        return _home(turn, "checkin.delete.answer_done")
    if asked and "checkin" in asked:
        journal(turn).delete_checkin(int(asked["checkin"]))
        forget_progress(turn.household, [int(asked["checkin"])])
        return _home(turn, "checkin.delete.one_done")
    if asked and asked.get("kind") == Kind.CHECKIN.value:
        count = journal(turn).delete_kind(Kind.CHECKIN)
        forget_progress(turn.household)
        return _home(turn, "checkin.delete.done" if count else "checkin.delete.empty")
    count = journal(turn).delete_all()
    forget_progress(turn.household)
    turn.household.appreciation = None  # a round not yet chosen went too
    turn.session.entry = None
    turn.household.names, turn.household.voices = [], {}  # their names were something they said too
    return _home(turn, "checkin.delete.everything_done" if count else "checkin.delete.empty")


def delete_declined(turn: Turn) -> Go:
    """No: keep everything."""
    turn.session.delete_request = None
    return _home(turn, "checkin.delete.kept")


# --- keeping less ----------------------------------------------------------------------------


def keep_for(turn: Turn) -> Go:
    """ "Only keep our check-ins for three months" (or "forever"): older ones go without asking."""
    said = turn.event.slot("duration").value
    days = _days(said)
    if said and days is None:  # "for an hour": not a time to keep check-ins for
        return _home(turn, "checkin.keep.how_long")
    turn.household.retention_days = days
    if days is None:
        return _home(turn, "checkin.keep.forever")
    key = "checkin.keep.set_and_deleted" if _tidy(turn) else "checkin.keep.set"
    return _home(turn, key, period=_spoken_days(turn, days))


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
    gone = journal(turn).delete_before(turn.ports.clock() - timedelta(days=household.retention_days))
    forget_progress(household, gone)  # the check-in under way was that old: start afresh next time
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


# --- the words kept ------------------------------------------------------------------------


def _answers(
    turn: Turn, record: CheckInRecord, topic: CheckInTopic, person: str | None, *, aloud: bool = True
) -> list[Answer]:
    """A topic's answers in a check-in, in speaking order; only `person`'s (a name) when given.

    To be read `aloud`, an answer holding danger words (saved before the screen knew them,
    dialogue.safety) is left out, silently: whoever else is in the room never hears it, and
    it is on no card. It can still be deleted.
    """
    wanted = person.lower() if person else None
    return [
        answer
        for answer in sorted(record.answers, key=lambda a: a.person)
        if answer.topic == topic.value
        and (wanted is None or _speaker_name(turn, answer).lower() == wanted)
        and not (aloud and is_danger(answer.text, turn.event.locale))
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
    text = as_sentence(answer.text)
    key = (
        f"checkin.playback.said.{answer.topic}" if _names_the_topic(turn, answer) else "checkin.playback.said"
    )
    return turn.say(key, name=_speaker_name(turn, answer), answer=text)


def _transcript_card(turn: Turn, record: CheckInRecord, only: Sequence[Answer] | None = None) -> Card:
    """The check-in's answers for the app's card; `only` those, when one person's were asked for."""
    lines = [
        f"{topic_name(turn, topic).capitalize()}: {to_text(_said(turn, answer))}"
        for topic in TOPICS
        for answer in _answers(turn, record, topic, None)
        if only is None or answer in only
    ]
    return Card(
        to_text(turn.say("checkin.card.title", date=spoken_date(turn, record.started_at))), "\n".join(lines)
    )


def _known_names(turn: Turn, records: Sequence[CheckInRecord]) -> list[str]:
    """Everyone with answers to read back, and everyone the household is now, first seen first."""
    names = [*turn.household.names, *(_speaker_name(turn, a) for r in records for a in r.answers)]
    return list(dict.fromkeys(name for name in names if name))


def _person_named(turn: Turn, heard: str | None, records: Sequence[CheckInRecord]) -> str | None:
    """The name asked about, as the household knows it now or as an answer was kept under."""
    known = _known_names(turn, records)
    wanted = (heard or "").strip().lower()
    if wanted.endswith("'s"):  # "Tom's"
        wanted = wanted[:-2]
    exact = next((name for name in known if wanted and name.lower() == wanted), None)
    if exact is not None or not wanted:
        return exact
    # "it's mine, Priya": the one name we know among the words
    words = {word.removesuffix("'s") for word in re.findall(r"[\w']+", wanted)}
    among = [name for name in known if name.lower() in words]
    return among[0] if len(among) == 1 else None


def _topic_from_slot(turn: Turn) -> CheckInTopic | None:
    slot = turn.event.slot("topic")
    if slot.resolved_id and slot.resolved_id.lower() in {t.value for t in TOPICS}:
        return CheckInTopic(slot.resolved_id.lower())
    words = (slot.value or "").lower()
    for index, synonyms in enumerate(turn.content.lists.get("checkin.topic_words", ())):
        if words and any(word in words for word in synonyms.split("|")):
            return TOPICS[index]
    return None


def _count(turn: Turn, number: int) -> str:
    none, one, many = turn.content.lists["checkin.answer_count"]
    return none if number == 0 else one if number == 1 else f"{number} {many}"


def _with_event(turn: Turn, intent: str, slots: dict[str, Slot]) -> Turn:
    """The same turn, as if `intent` had been heard with `slots`."""
    event = Event(intent, slots, locale=turn.event.locale, person_id=turn.event.person_id)
    return Turn(turn.state, event, turn.ports, turn.content, turn.step, turn.offers)


PLAYING, ASK_PERSON = (ReadBackStep.PLAYBACK,), (ReadBackStep.ASK_PERSON,)
CONFIRM_READ, WHOSE, CONFIRM_DELETE = (
    (ReadBackStep.CONFIRM_READ,),
    (ReadBackStep.WHOSE_ANSWER,),
    (ReadBackStep.CONFIRM_DELETE,),
)
FLOW = Flow(
    name="checkin_readback",
    steps=ReadBackStep,
    rules=(
        Rule(intents.NEXT, playback_next, PLAYING),
        Rule(intents.YES, playback_next, PLAYING),
        Rule(intents.NAME, playback_named, ASK_PERSON),
        Rule(intents.FALLBACK, missed_person, ASK_PERSON),
        Rule(intents.YES, read_allowed, CONFIRM_READ),
        Rule(intents.NO, read_declined, CONFIRM_READ),
        Rule(intents.NAME, whose_named, WHOSE),
        Rule(intents.NO, delete_declined, WHOSE),
        Rule(intents.FALLBACK, missed_whose, WHOSE),
        Rule(intents.YES, delete_confirmed, CONFIRM_DELETE),
        Rule(intents.DISCARD_IT, delete_confirmed, CONFIRM_DELETE),  # "yes, delete it"
        Rule(intents.NO, delete_declined, CONFIRM_DELETE),
        Rule(intents.KEEP_IT, delete_declined, CONFIRM_DELETE),  # "no, keep it"
    ),
    entries=(
        Rule(intents.REPEAT, replay, guard=_replaying),
        Rule(intents.CHECKIN_PLAYBACK, playback),
        Rule(intents.LAST_CHECKIN, last_checkin),
        Rule(intents.DELETE_CHECKINS, ask_delete),
        Rule(intents.DELETE_EVERYTHING, ask_delete_everything),
        Rule(intents.DELETE_CHECKIN, ask_delete_checkin),
        Rule(intents.DELETE_ANSWER, ask_delete_answer),
        Rule(intents.KEEP_CHECKINS, keep_for),
        Rule(intents.READ_BACK_VOICES, choose_readers),
        Rule(intents.LAUNCH, tidy_then_launch, guard=_keeps_for_a_while),
    ),
)
