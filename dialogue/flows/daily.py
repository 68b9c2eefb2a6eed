"""How was your day: one question to each person, kept in the journal, read back on request.

From the first seed article: closeness is built daily, by asking how the other's day was
and listening to the answer. The skill asks each person in turn (the check-in's names, or
"one of you" and "the other" without them); each answer goes into the journal, encrypted,
before the skill thanks them (an entry of kind `daily`, its id in `session.entry`). "What
did Sam say yesterday" reads them back with the check-in's read-back rules: asked first,
once a session; only to the household's own voices if they chose that; never an answer
holding danger words. Danger words said as an answer get the safe answer instead (the
screen runs before any rule) and are not kept.

In the evening (5 to 11 pm where the device is; its time zone kept in the household state
and fetched again only after a week) the greeting offers it, at most once a day, not once
it has been done that day, and after three offers turned down in a row, only once a week.

| step      | intent                                | does                                      | next      |
|-----------|---------------------------------------|-------------------------------------------|-----------|
| any       | how was our day / yes to the offer    | asks the first person                     | ANSWERING |
| ANSWERING | an answer                             | keeps it, thanks, asks the next person    | ANSWERING |
| ANSWERING | the last answer                       | keeps it, thanks them, back to the menu   | home      |
| ANSWERING | skip / next                           | the next person, nothing kept             | ANSWERING |
| ANSWERING | say that again / help                 | the same question (help says what to say) | ANSWERING |
| ANSWERING | missed words                          | "I didn't catch that", the same question  | ANSWERING |
| ANSWERING | stop                                  | what was said stays kept; goodbye         | end       |
| any       | what did Sam say yesterday (first)    | asks whether to read it aloud             | READ_OK   |
| any       | what did Sam say yesterday (allowed)  | reads that day's answers                  | home      |
| READ_OK   | yes / no                              | reads them / reads nothing                | home      |
| ANSWERING | Tom wants to go first (none answered) | Tom is asked first, then the other        | ANSWERING |
| ANSWERING | never mind                            | back to the menu; what was said is kept   | home      |
| any       | how was our day (done today)          | says so; offers to read it                | home      |
| any       | say that again (after reading)        | reads the same again                      | home      |
| home      | no, to the evening offer              | "what would you like to do?"; counted     | home      |

```mermaid
stateDiagram-v2
    [*] --> ANSWERING: how was our day / yes (evening offer)
    ANSWERING --> ANSWERING: answer / skip (next person)
    ANSWERING --> home: last answer
    ANSWERING --> [*]: stop
    [*] --> READ_OK: what did Sam say yesterday
    READ_OK --> home: yes (read) / no
```
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dialogue import intents
from dialogue.flows.checkin.common import as_sentence, entry_answers, journal, not_for_this_voice
from dialogue.flows.home import HomeStep
from dialogue.model import Reply
from dialogue.ports import Answer, CheckInRecord, Kind
from dialogue.rules import Flow, Go, Rule, Turn
from dialogue.safety import is_danger
from dialogue.speech import Speech, join

OFFER = "daily"  # what a "yes" to the evening greeting starts
OFFER_READ = "daily_read"  # what a "yes" reads, asked again the same day
TOPIC = "day"
ANSWER_SLOT = (intents.ANSWER, "answer")
RECENT = 14  # how many days a read-back looks through
EVENING = range(17, 23)  # local hours when the greeting may offer it
ZONE_KEPT = timedelta(days=7)  # the device's time zone is fetched again after this
DECLINES_BEFORE_WEEKLY = 3
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class DailyStep(Enum):
    """Waiting for someone's answer, or for a yes to reading answers aloud."""

    ANSWERING = "answering"
    READ_OK = "read_ok"


# --- the household's own clock ---------------------------------------------------------------


def household_zone(turn: Turn) -> ZoneInfo | None:
    """The device's time zone, kept in the household state and fetched again after a week."""
    household, now = turn.household, turn.ports.clock()
    fetched = datetime.fromisoformat(household.time_zone_at) if household.time_zone_at else None
    if fetched is None or now - fetched > ZONE_KEPT:
        household.time_zone = turn.ports.time_zone()
        household.time_zone_at = now.isoformat()
    try:
        return ZoneInfo(household.time_zone) if household.time_zone else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _local(turn: Turn, moment: datetime) -> datetime:
    zone = household_zone(turn)
    return moment.astimezone(zone) if zone is not None else moment


def evening_offer_due(turn: Turn) -> bool:
    """Whether the greeting offers the daily question now: evening, not done or offered today, not
    turned down too often (then once a week)."""
    household = turn.household
    if turn.ports.journal is None or household.checkin is not None or household_zone(turn) is None:
        return False
    now = _local(turn, turn.ports.clock())
    today = now.date().isoformat()
    if now.hour not in EVENING or today in (household.daily_done, household.daily_offered):
        return False
    offered = household.daily_offered
    if household.daily_declined >= DECLINES_BEFORE_WEEKLY and offered:
        return now.date() - date.fromisoformat(offered) >= timedelta(days=7)
    return True


def mark_offered(turn: Turn) -> None:
    """The greeting offered it today."""
    turn.household.daily_offered = _local(turn, turn.ports.clock()).date().isoformat()
    turn.household.daily_declined += 1  # until they take it: taking it sets this back to 0


# --- asking ----------------------------------------------------------------------------------


def _people(turn: Turn) -> int:
    return 1 if len(turn.household.names) == 1 else 2


def _name(turn: Turn, person: int) -> str | None:
    names = turn.household.names
    return names[person] if person < len(names) and len(names) >= 1 else None


def _person(turn: Turn) -> int:
    """Who is asked now: turn 0 is the first name, unless the second asked to go first."""
    if _people(turn) < 2:
        return 0
    return (turn.session.turn + turn.session.given) % 2


def _ask(turn: Turn, opening: Speech = ()) -> Go:
    person = _person(turn)
    first = turn.session.turn == 0
    name = _name(turn, person)
    if name is not None:
        question = turn.say("daily.ask" if first else "daily.ask_next", name=name)
    else:
        question = turn.say("daily.ask.roles" if first else "daily.ask_next.roles")
    return Go(DailyStep.ANSWERING, Reply(join(opening, question), reprompt=question, elicit=ANSWER_SLOT))


def start(turn: Turn) -> Go:
    """Begin: a new entry for today, the first person asked."""
    turn.household.daily_declined = 0
    turn.session.entry = journal(turn).start_checkin(turn.ports.clock(), Kind.DAILY)
    turn.session.turn = 0
    turn.session.given = 0
    return _ask(turn, turn.say("daily.intro"))


def answer(turn: Turn) -> Go:
    """Keep the answer (encrypted, durable) before thanking; then the next person, or the close."""
    text = " ".join((turn.event.slot("answer").value or "").split())
    if not text or turn.session.entry is None:
        return missed(turn)
    person = _person(turn)
    journal(turn).save_answer(
        Answer(
            checkin_id=turn.session.entry,
            topic=TOPIC,
            person=person,
            text=text,
            said_at=turn.ports.clock(),
            person_id=turn.event.person_id,
            name=_name(turn, person),
        )
    )
    turn.household.daily_done = _local(turn, turn.ports.clock()).date().isoformat()
    name = _name(turn, person)
    thanks = turn.say("daily.thanks", name=name) if name else turn.say("daily.thanks.roles")
    return _onwards(turn, thanks)


def skip(turn: Turn) -> Go:
    """Skip this person: nothing kept for them."""
    return _onwards(turn, turn.say("daily.skipped"))


def _onwards(turn: Turn, opening: Speech) -> Go:
    if turn.session.turn + 1 < _people(turn):
        turn.session.turn += 1
        return _ask(turn, opening)
    close = turn.say("daily.close" if _finish(turn) else "daily.close_nothing")
    return Go(HomeStep.MENU, Reply(join(opening, close), reprompt=turn.say("reprompt.home")))


def _finish(turn: Turn) -> bool:
    """The day's entry is done (what was said stays kept); whether anything was said in it."""
    entry, turn.session.entry = turn.session.entry, None
    if entry is None:
        return False
    said = _said_in_entry(turn, entry)
    journal(turn).complete_checkin(entry, turn.ports.clock())
    return said


def again(turn: Turn) -> Go:
    """The same question again."""
    return _ask(turn)


def asking(turn: Turn) -> bool:
    """Whether the day's question is under way this session (someone's answer still to come)."""
    return turn.session.entry is not None


def resume(turn: Turn) -> Go:
    """Back after the safe answer: the words were not kept, and that person is not asked again."""
    return _onwards(turn, turn.say("daily.resume"))


def goes_first(turn: Turn) -> Go:
    """ "Tom wants to go first", before anyone has answered: Tom is asked first, then the other."""
    wanted = (turn.event.slot("name").value or "").strip().lower()
    names = [name.lower() for name in turn.household.names[:2]]
    if turn.session.turn != 0 or wanted not in names or _said_in_entry(turn):
        return missed(turn)
    if names.index(wanted) == 1:
        turn.session.given = 1  # the second name first: `_person` reads this
    return _ask(turn, turn.say("appreciate.sure"))


def cancel(turn: Turn) -> Go:
    """ "Never mind": back to the menu; anything already said stays kept."""
    key = "daily.cancelled" if _finish(turn) else "daily.cancelled_nothing"
    return Go(HomeStep.MENU, Reply(turn.say(key), reprompt=turn.say("reprompt.home")))


def decline_offer(turn: Turn) -> Go:
    """ "No thanks" to the evening offer: they opened the skill for something else."""
    return Go(HomeStep.MENU, Reply(turn.say("daily.declined"), reprompt=turn.say("reprompt.home")))


def _offered(turn: Turn) -> bool:
    return turn.session.offer == OFFER


def already_today(turn: Turn) -> Go:
    """Asked again the same day: the answers are kept already; offer to hear them."""
    reply = Reply(turn.say("daily.already"), reprompt=turn.say("daily.already"))
    return Go(HomeStep.MENU, reply, offer=OFFER_READ)


def _done_today(turn: Turn) -> bool:
    today = _local(turn, turn.ports.clock()).date().isoformat()
    return turn.household.daily_done == today and bool(
        _found(turn, journal(turn).recent(1, Kind.DAILY), None, None)
    )


def _said_in_entry(turn: Turn, entry: int | None = None) -> bool:
    return bool(entry_answers(turn, entry if entry is not None else turn.session.entry, Kind.DAILY))


def help_answering(turn: Turn) -> Go:
    """What to say, then the same question."""
    return _ask(turn, turn.say("help.daily.answering"))


def missed(turn: Turn) -> Go:
    """Words that did not come through: the same question, gently."""
    return _ask(turn, turn.say("daily.missed"))


def stop(turn: Turn) -> Go:
    """Stop here: what was said stays kept."""
    key = "daily.stopped" if _finish(turn) else "daily.stopped_nothing"
    return Go(HomeStep.MENU, Reply(turn.say(key), end_session=True))


# --- reading back ----------------------------------------------------------------------------


def read_back(turn: Turn) -> Go:
    """ "What did Sam say yesterday": that day's answers (the latest day when none is named)."""
    person = (turn.event.slot("person").value or "").strip() or None
    day = _day_asked(turn)
    records = journal(turn).recent(RECENT, Kind.DAILY)
    person = _known_name(turn, person)
    found = _found(turn, records, person, day)
    if not found:
        when = _spoken_day(turn, day)
        if person:
            return _home(turn, "daily.read.nothing_person", name=person, when=when)
        return _home(turn, "daily.read.nothing", when=when)
    if not_for_this_voice(turn):
        return _home(turn, "checkin.voices.not_yours")
    turn.session.replay = {"daily": day.isoformat() if day else "", "person": person}
    if not turn.session.read_ok:
        turn.session.daily_request = {"person": person, "day": day.isoformat() if day else None}
        whose = turn.say("daily.consent.whose", name=person) if person else turn.say("daily.consent.yours")
        reply = Reply(turn.say("daily.consent", whose=whose), reprompt=turn.say("checkin.consent.reprompt"))
        return Go(DailyStep.READ_OK, reply)
    return _read(turn, found)


def read_allowed(turn: Turn) -> Go:
    """Yes, read them (and no more asking this session)."""
    asked = turn.session.daily_request or {}
    turn.session.daily_request = None
    turn.session.read_ok = True
    said_day = asked.get("day")
    day = date.fromisoformat(said_day) if said_day else None
    turn.session.replay = {"daily": said_day or "", "person": asked.get("person")}
    found = _found(turn, journal(turn).recent(RECENT, Kind.DAILY), asked.get("person"), day)
    if not found:
        return _home(turn, "daily.read.nothing", when=_spoken_day(turn, day))
    return _read(turn, found)


def read_again(turn: Turn) -> Go:
    """ "Say that again" after a day was read: the same answers, from the journal again."""
    wanted = turn.session.replay or {}
    said_day, person = str(wanted.get("daily") or ""), wanted.get("person")
    day = date.fromisoformat(said_day) if said_day else None
    found = _found(turn, journal(turn).recent(RECENT, Kind.DAILY), str(person) if person else None, day)
    if not found:
        return _home(turn, "daily.read.nothing", when=_spoken_day(turn, day))
    return _read(turn, found)


def _replaying(turn: Turn) -> bool:
    return "daily" in (turn.session.replay or {}) and turn.session.read_ok


def read_offered(turn: Turn) -> Go:
    """Yes, to "would you like to hear it?": today's answers."""
    return read_back(turn)


def _read_offered(turn: Turn) -> bool:
    return turn.session.offer == OFFER_READ


def read_declined(turn: Turn) -> Go:
    """No: nothing is read."""
    turn.session.daily_request = None
    return _home(turn, "checkin.consent.declined")


def _read(turn: Turn, answers: Sequence[Answer]) -> Go:
    """ "Yesterday, Sam said: busy but fine. Alex said: quiet." """
    when = _spoken_day(turn, _local(turn, answers[0].said_at).date())
    first, *rest = answers
    if not rest and not first.name:  # one answer, no names: "one of you said", never "the other said"
        first = replace(first, person=0)
    lines = [
        turn.say(
            "daily.read.first",
            when=_capital(when),
            name=_who(turn, first),
            answer=as_sentence(first.text),
        )
    ]
    lines += [
        turn.say("daily.read.said", name=_capital(_who(turn, a)), answer=as_sentence(a.text)) for a in rest
    ]
    speech = join(*lines, turn.say("daily.read.end"))
    return Go(HomeStep.MENU, Reply(speech, reprompt=turn.say("reprompt.home"), private=True))


def _known_name(turn: Turn, heard: str | None) -> str | None:
    """The household's own spelling of a name heard ("priya" is Priya)."""
    if not heard:
        return None
    for name in turn.household.names:
        if name.lower() == heard.lower():
            return name
    return heard[:1].upper() + heard[1:]


def _found(
    turn: Turn, records: Sequence[CheckInRecord], person: str | None, day: date | None
) -> list[Answer]:
    """The answers of the latest day kept (or of `day`), only `person`'s when named; never one
    holding danger words."""
    for record in records:
        answers = [
            a
            for a in sorted(record.answers, key=lambda a: (a.said_at, a.person))
            if (person is None or _who(turn, a).lower() == person.lower())
            and not is_danger(a.text, turn.event.locale)
        ]
        if answers and (day is None or _local(turn, answers[0].said_at).date() == day):
            return answers
    return []


def _day_asked(turn: Turn) -> date | None:
    said = (turn.event.slot("spoken_day").resolved_id or turn.event.slot("spoken_day").value or "").lower()
    today = _local(turn, turn.ports.clock()).date()
    if said == "today":
        return today
    if said == "yesterday":
        return today - timedelta(days=1)
    if said in WEEKDAYS:  # the last such day, today included
        return today - timedelta(days=(today.weekday() - WEEKDAYS.index(said)) % 7)
    return None


def _spoken_day(turn: Turn, day: date | None) -> str:
    """ "today", "yesterday", "on Tuesday"; "lately" for no day."""
    words = turn.content.lists["daily.days"]  # today, yesterday, on, lately
    today = _local(turn, turn.ports.clock()).date()
    if day is None:
        return words[3]
    if day == today:
        return words[0]
    if day == today - timedelta(days=1):
        return words[1]
    return f"{words[2]} {day:%A}"


def _who(turn: Turn, answer: Answer) -> str:
    if answer.name:
        return answer.name
    return turn.content.lists["daily.roles"][min(answer.person, 1)]


def _capital(words: str) -> str:
    return words[:1].upper() + words[1:]


def _home(turn: Turn, key: str, **values: str) -> Go:
    return Go(HomeStep.MENU, Reply(turn.say(key, **values), reprompt=turn.say("reprompt.home")))


ANSWERING, READ_OK = (DailyStep.ANSWERING,), (DailyStep.READ_OK,)
FLOW = Flow(
    name="daily",
    steps=DailyStep,
    rules=(
        Rule(intents.ANSWER, answer, ANSWERING),
        Rule(intents.NEXT, skip, ANSWERING),
        Rule(intents.NEXT_PERSON, skip, ANSWERING),
        Rule(intents.REPEAT, again, ANSWERING),
        Rule(intents.START_OVER, again, ANSWERING),
        Rule(intents.HELP, help_answering, ANSWERING),
        Rule(intents.STOP, stop, ANSWERING),
        Rule(intents.FALLBACK, missed, ANSWERING),
        Rule(intents.NAME, goes_first, ANSWERING),
        Rule(intents.CANCEL, cancel, ANSWERING),
        Rule(intents.YES, read_allowed, READ_OK),
        Rule(intents.NO, read_declined, READ_OK),
    ),
    entries=(
        Rule(intents.DAILY, already_today, guard=_done_today),
        Rule(intents.DAILY, start),
        Rule(intents.DAILY_READ_BACK, read_back),
        Rule(intents.REPEAT, read_again, guard=_replaying),
        Rule(intents.NO, decline_offer, guard=_offered),
    ),
    offers=((OFFER, start), (OFFER_READ, read_offered)),
)
