"""The life balance wheel: each person rates areas of life from one to ten, kept, compared with last time.

From the first seed article's review of the areas of life (its trademarked name is not
spoken). The areas are content data (`wheel.areas`, spoken as `wheel.names`): our
relationship, health, work, money, fun, growth, family, friends. Each person in turn
(the check-in's names, or "one of you" and "the other") rates every area by voice; each
rating goes into the journal the moment it is said, encrypted, as an answer of an entry of
kind `wheel` (topic: the area; its id in `session.entry`). At the end each person hears
what changed since their last wheel ("relationship went from 6 to 8"), or, the first
time, their highest and lowest; then a gentle prompt to talk about the lowest area.

"How did our wheel look last time" reads the last wheel back with the read-back rules:
asked first, once a session; only to the household's own voices if they chose that.

| step    | intent                            | does                                            | next    |
|---------|-----------------------------------|-------------------------------------------------|---------|
| any     | let's do the life balance wheel   | explains; the first person, the first area      | RATING  |
| RATING  | a number from one to ten          | keeps it; the next area, or the next person     | RATING  |
| RATING  | the last rating                   | what changed since last time; the lowest area   | home    |
| RATING  | a number outside one to ten       | "from one to ten", the same area                | RATING  |
| RATING  | skip / next                       | the next area, nothing kept for this one        | RATING  |
| RATING  | say that again / missed words     | the same area again                             | RATING  |
| RATING  | stop / never mind                 | what was rated stays kept; goodbye / the menu   | end     |
| any     | carry on the wheel (left today)   | the next area after the last one rated          | RATING  |
| any     | how did our wheel look last time  | asks whether to read it aloud                   | READ_OK |
| any     | the same, allowed this session    | reads each person's last ratings                | home    |
| READ_OK | yes / no                          | reads them / reads nothing                      | home    |

```mermaid
stateDiagram-v2
    [*] --> RATING: let's do the life balance wheel
    RATING --> RATING: a rating / skip / again
    RATING --> home: the last rating (changes, the lowest area)
    RATING --> [*]: stop / never mind
    [*] --> READ_OK: how did our wheel look last time
    READ_OK --> home: yes (read) / no
```
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from enum import Enum

from dialogue import intents
from dialogue.flows.checkin.common import journal, not_for_this_voice
from dialogue.flows.home import HomeStep
from dialogue.model import Reply
from dialogue.ports import Answer, CheckInRecord, Kind
from dialogue.rules import Flow, Go, Rule, Turn
from dialogue.speech import Speech, join, to_text

RATING_SLOT = (intents.RATING, "rating")
RESUME_WITHIN = timedelta(hours=12)  # a wheel left unfinished longer ago starts afresh


class WheelStep(Enum):
    """Rating an area, or waiting for a yes to reading the ratings aloud."""

    RATING = "rating"
    READ_OK = "read_ok"


def _areas(turn: Turn) -> tuple[str, ...]:
    return turn.content.lists["wheel.areas"]


def _area_name(turn: Turn, area: str) -> str:
    """How an area is asked about: "your relationship", "money"."""
    return turn.content.lists["wheel.names"][_areas(turn).index(area)]


def _short(turn: Turn, area: str) -> str:
    """How an area is named in a summary: "relationship", "money"."""
    return turn.content.lists["wheel.short"][_areas(turn).index(area)]


def _people(turn: Turn) -> int:
    return 1 if len(turn.household.names) == 1 else 2


def _name(turn: Turn, person: int) -> str | None:
    names = turn.household.names
    return names[person] if person < len(names) else None


def _who(turn: Turn, person: int) -> str:
    return _name(turn, person) or turn.content.lists["daily.roles"][min(person, 1)]


# --- rating ----------------------------------------------------------------------------------


def start(turn: Turn) -> Go:
    """A new wheel: the first person, the first area; or, within half a day of one left
    unfinished ("stop", or a session that ran out), on from where it was left."""
    now = turn.ports.clock()
    records = journal(turn).recent(1, Kind.WHEEL)
    left = records[0] if records and records[0].completed_at is None else None
    if left is not None and now - left.started_at <= RESUME_WITHIN:
        turn.session.entry = left.id
        turn.session.turn, turn.session.given = _next_place(turn, left)
        if turn.session.turn < _people(turn):
            return _ask(turn, turn.say("wheel.resumed"), full=True)
        return _close(turn, ())
    if left is not None:
        journal(turn).complete_checkin(left.id, now)  # too old to pick up: kept as it is
    turn.session.entry = journal(turn).start_checkin(now, Kind.WHEEL)
    turn.session.turn = 0  # the person
    turn.session.given = 0  # the area
    return _ask(turn, turn.say("wheel.intro"))


def _next_place(turn: Turn, record: CheckInRecord) -> tuple[int, int]:
    """(person, area) after the last one rated in a wheel left unfinished."""
    areas = _areas(turn)
    rated = [(a.person, areas.index(a.topic)) for a in record.answers if a.topic in areas]
    if not rated:
        return 0, 0
    person, area = max(rated)
    return (person, area + 1) if area + 1 < len(areas) else (person + 1, 0)


def _ask(turn: Turn, opening: Speech = (), full: bool = False) -> Go:
    """The next area; to a person's first area (or after a pause, `full`) with the whole question."""
    person, index = turn.session.turn, turn.session.given
    area = _area_name(turn, _areas(turn)[index])
    name = _name(turn, person)
    if index == 0 or full:
        key = "wheel.ask_first" if name else "wheel.ask_first.roles"
        if person > 0 and not name:
            key = "wheel.ask_next_person.roles"
        question = turn.say(key, name=name or "", area=area)
    else:
        question = turn.say("wheel.ask", area=area)
    return Go(WheelStep.RATING, Reply(join(opening, question), reprompt=question, elicit=RATING_SLOT))


def _rating(turn: Turn) -> int | None:
    slot = turn.event.slot("rating")
    heard = (slot.resolved_id or slot.value or "").strip()  # "7": Alexa's AMAZON.NUMBER, the grammar's too
    try:
        return round(float(heard))
    except (ValueError, OverflowError):  # "seven" unresolved, "nan", "inf"
        return None


def rate(turn: Turn) -> Go:
    """A rating: kept (encrypted, durable) before the next area is asked."""
    rating = _rating(turn)
    if rating is None or turn.session.entry is None:
        return missed(turn)
    if not 1 <= rating <= 10:
        return again(turn, turn.say("wheel.out_of_range"))
    person = turn.session.turn
    journal(turn).save_answer(
        Answer(
            checkin_id=turn.session.entry,
            topic=_areas(turn)[turn.session.given],
            person=person,
            text=str(rating),
            said_at=turn.ports.clock(),
            person_id=turn.event.person_id,
            name=_name(turn, person),
        )
    )
    return _onwards(turn, turn.say("wheel.noted", value=str(rating)))


def skip(turn: Turn) -> Go:
    """No rating for this area."""
    return _onwards(turn, turn.say("wheel.skipped"))


def _onwards(turn: Turn, opening: Speech) -> Go:
    turn.session.given += 1
    if turn.session.given < len(_areas(turn)):
        return _ask(turn, opening)
    turn.session.given = 0
    turn.session.turn += 1
    if turn.session.turn < _people(turn):
        return _ask(turn, join(opening, turn.say("wheel.person_done")))
    return _close(turn, opening)


def missed(turn: Turn) -> Go:
    """Not one number from one to ten ("five or six", "eleven", words missed): why, and again."""
    return _ask(turn, turn.say("wheel.missed"))


def again(turn: Turn, opening: Speech = ()) -> Go:
    """The same area again."""
    return _ask(turn, opening)


def _close(turn: Turn, opening: Speech) -> Go:
    """What changed for each person since their last wheel, then the lowest area to talk about."""
    entry, turn.session.entry = turn.session.entry, None
    records = journal(turn).recent(2, Kind.WHEEL)
    now = next((r for r in records if r.id == entry), None)
    before = next((r for r in records if r.id != entry and r.completed_at is not None), None)
    if entry is not None:
        journal(turn).complete_checkin(entry, turn.ports.clock())
    ratings = _ratings(now)
    if not ratings:
        return Go(
            HomeStep.MENU, Reply(join(opening, turn.say("wheel.nothing")), reprompt=turn.say("reprompt.home"))
        )
    earlier = _ratings(before)
    lines = [
        _person_summary(turn, person, rated, earlier.get(person, {}))
        for person, rated in sorted(ratings.items())
    ]
    lowest = min(
        ((value, area) for rated in ratings.values() for area, value in rated.items()),
        key=lambda pair: (pair[0], _areas(turn).index(pair[1])),
    )[1]
    talk = turn.say(f"wheel.talk.{lowest}")
    speech = join(opening, turn.say("wheel.done"), *lines, talk)
    return Go(HomeStep.MENU, Reply(speech, reprompt=turn.say("reprompt.home"), private=True))


def _ratings(record: CheckInRecord | None) -> dict[int, dict[str, int]]:
    """person -> area -> rating, from one wheel."""
    found: dict[int, dict[str, int]] = {}
    for answer in record.answers if record is not None else ():
        if answer.text.isdigit():
            found.setdefault(answer.person, {})[answer.topic] = int(answer.text)
    return found


def _person_summary(turn: Turn, person: int, rated: dict[str, int], before: dict[str, int]) -> Speech:
    """ "For Sam, relationship went from 6 to 8, and money from 5 to 4." or, the first time,
    the highest and the lowest."""
    who = _capital(_who(turn, person))
    ordered = sorted(rated, key=_areas(turn).index)
    if before:
        changes = [(a, before[a], rated[a]) for a in ordered if a in before and before[a] != rated[a]]
        changes.sort(key=lambda change: -abs(change[2] - change[1]))
        if not changes:
            return turn.say("wheel.summary.same", name=who)
        parts = [
            to_text(
                turn.say(
                    "wheel.change" if i == 0 else "wheel.change.more",
                    area=_short(turn, a),
                    before=str(b),
                    now=str(n),
                )
            )
            for i, (a, b, n) in enumerate(changes[:3])
        ]
        return turn.say("wheel.summary.changed", name=who, changes=_listed(turn, parts))
    high = max(ordered, key=lambda area: rated[area])
    low = min(ordered, key=lambda area: rated[area])
    return turn.say(
        "wheel.summary.first",
        name=who,
        high=_short(turn, high),
        high_value=str(rated[high]),
        low=_short(turn, low),
        low_value=str(rated[low]),
    )


def _listed(turn: Turn, parts: list[str]) -> str:
    """ "a", "a and b", "a, b, and c"."""
    word = turn.content.lists["intimacy.and"][0]
    if len(parts) < 2:
        return "".join(parts)
    return f"{', '.join(parts[:-1])}{',' if len(parts) > 2 else ''} {word} {parts[-1]}"


def _capital(words: str) -> str:
    return words[:1].upper() + words[1:]


def stop(turn: Turn) -> Go:
    """Stop here: what was rated stays kept, and the wheel can be carried on later today."""
    turn.session.entry = None
    return Go(HomeStep.MENU, Reply(turn.say("wheel.stopped"), end_session=True))


def cancel(turn: Turn) -> Go:
    """ "Never mind": the menu; what was rated stays kept, to carry on later today."""
    turn.session.entry = None
    return Go(HomeStep.MENU, Reply(turn.say("wheel.cancelled"), reprompt=turn.say("reprompt.home")))


def help_rating(turn: Turn) -> Go:
    """What to say, then the same area."""
    return _ask(turn, turn.say("help.wheel.rating"))


# --- reading back ----------------------------------------------------------------------------


def read_back(turn: Turn) -> Go:
    """ "How did our wheel look last time": asked first, once a session."""
    last = _last(journal(turn).recent(3, Kind.WHEEL))
    if last is None:
        return _home(turn, "wheel.read.nothing")
    if not_for_this_voice(turn):
        return _home(turn, "checkin.voices.not_yours")
    if not turn.session.read_ok:
        reply = Reply(turn.say("wheel.consent"), reprompt=turn.say("checkin.consent.reprompt"))
        return Go(WheelStep.READ_OK, reply)
    return _read(turn, last)


def read_allowed(turn: Turn) -> Go:
    """Yes: read them (and no more asking this session)."""
    turn.session.read_ok = True
    return read_back(turn)


def read_declined(turn: Turn) -> Go:
    """No: nothing is read."""
    return _home(turn, "checkin.consent.declined")


def _last(records: Sequence[CheckInRecord]) -> CheckInRecord | None:
    return next((r for r in records if r.completed_at is not None and _ratings(r)), None)


def _read(turn: Turn, record: CheckInRecord) -> Go:
    """ "Last time, Sam gave relationship 8, health 6, …" for each person."""
    lines = []
    for person, rated in sorted(_ratings(record).items()):
        parts = [
            to_text(turn.say("wheel.read.area", area=_short(turn, a), value=str(rated[a])))
            for a in sorted(rated, key=_areas(turn).index)
        ]
        lines.append(
            turn.say("wheel.read.person", name=_capital(_who(turn, person)), ratings=_listed(turn, parts))
        )
    speech = join(turn.say("wheel.read.intro"), *lines, turn.say("wheel.read.end"))
    return Go(HomeStep.MENU, Reply(speech, reprompt=turn.say("reprompt.home"), private=True))


def _home(turn: Turn, key: str) -> Go:
    return Go(HomeStep.MENU, Reply(turn.say(key), reprompt=turn.say("reprompt.home")))


RATING, READ_OK = (WheelStep.RATING,), (WheelStep.READ_OK,)
FLOW = Flow(
    name="wheel",
    steps=WheelStep,
    rules=(
        Rule(intents.RATING, rate, RATING),
        Rule(intents.NEXT, skip, RATING),
        Rule(intents.REPEAT, again, RATING),
        Rule(intents.FALLBACK, missed, RATING),
        Rule(intents.HELP, help_rating, RATING),
        Rule(intents.STOP, stop, RATING),
        Rule(intents.CANCEL, cancel, RATING),
        Rule(intents.YES, read_allowed, READ_OK),
        Rule(intents.NO, read_declined, READ_OK),
    ),
    entries=(
        Rule(intents.WHEEL, start),
        Rule(intents.WHEEL_READ_BACK, read_back),
    ),
)
