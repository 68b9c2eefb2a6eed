"""The appreciation round: each in turn thanks the other, then says what it meant and what it shows.

From the second seed article's advanced appreciation: naming something the other did is
the start; saying how it affected you, and what it shows about them as a person, is what
makes it land. One person gives (`session.turn` 0, then 1 for the swap) and the other
receives; the household's names say who, when the check-in knows two, and otherwise each
line has a wording without names (its `.roles` phrase). It is offered when a check-in
closes, after its own appreciation topic, and "let's do appreciations" starts it anywhere.

Every answer goes into the journal, encrypted, the moment it is said (an entry of kind
`appreciation`, its id in `household.appreciation` until they choose), and never into the
state. At the end: "keep it" keeps the round; "don't keep it" deletes it. A round left
before that choice (stopped, or the session dropped) is deleted when the household next
opens the skill or starts another round: nothing is kept that they did not choose to keep.

| step     | intent                                   | does                                      | next     |
|----------|------------------------------------------|-------------------------------------------|----------|
| any      | let's do appreciations / yes to offer    | explains, asks the first giver            | THANKS   |
| THANKS   | Tom goes first (before anyone has given) | Tom gives first                           | THANKS   |
| THANKS   | an answer                                | keeps it, "how did that affect you?"      | AFFECTED |
| AFFECTED | an answer                                | keeps it, "what does it show about them?" | SHOWS    |
| SHOWS    | an answer (first giver)                  | keeps it, thanks; the other one gives     | THANKS   |
| SHOWS    | an answer (second giver)                 | keeps it, thanks; "keep it?"              | KEEP     |
| THANKS   | skip / no thanks / next                  | passes: the other, or "keep it?"          | THANKS   |
| AFFECTED | skip / no / next                         | moves on without that answer              | SHOWS    |
| SHOWS    | skip / no / next                         | moves on without that answer              | THANKS   |
| THANKS…  | go back, let me change that              | forgets the last answer, asks it again    | its step |
| THANKS…  | say that again / help                    | the same question (help first)            | the same |
| THANKS…  | missed words                             | "I didn't catch that", the same question  | the same |
| THANKS…  | stop / cancel                            | deletes what was said, goodbye            | end      |
| KEEP     | keep it / yes                            | keeps the round, back to the menu         | home     |
| KEEP     | don't keep it / no                       | deletes the round, back to the menu       | home     |
| KEEP     | say that again                           | the question alone                        | KEEP     |
| KEEP     | anything else                            | asks again: keep it, or don't keep it?    | KEEP     |
| any      | what did we appreciate (first time)      | asks whether to read it aloud             | READ_OK  |
| any      | what did we appreciate (allowed)         | reads the last round kept                 | home     |
| READ_OK  | yes / no                                 | reads it / reads nothing                  | home     |
| any      | open the skill (a round left unchosen)   | deletes it quietly, then greets           | home     |

```mermaid
stateDiagram-v2
    [*] --> THANKS: let's do appreciations
    THANKS --> AFFECTED: answer / skip
    AFFECTED --> SHOWS: answer / skip
    SHOWS --> THANKS: answer / skip (swap)
    SHOWS --> KEEP: answer / skip (both done)
    SHOWS --> AFFECTED: go back, let me change that
    AFFECTED --> THANKS: go back, let me change that
    THANKS --> THANKS: Tom goes first / skip (the other gives)
    THANKS --> KEEP: skip (both done)
    KEEP --> home: keep it / don't keep it
    THANKS --> [*]: stop (nothing kept)
    [*] --> READ_OK: what did we appreciate (first time this session)
    READ_OK --> home: yes (read) / no
```
"""

from __future__ import annotations

from enum import Enum

from dialogue import intents
from dialogue.flows.checkin import readback
from dialogue.flows.checkin.common import (
    as_sentence,
    entry_answers,
    journal,
    not_for_this_voice,
    spoken_date,
)
from dialogue.flows.home import HomeStep
from dialogue.flows.pairs import in_turn, say_named
from dialogue.model import Reply
from dialogue.ports import Answer, CheckInRecord, Kind
from dialogue.rules import Flow, Go, Rule, Turn
from dialogue.safety import is_danger
from dialogue.speech import Speech, join

OFFER = "appreciation"  # what a "yes" starts when a check-in closes
ANSWER_SLOT = (intents.ANSWER, "answer")


class AppreciateStep(Enum):
    """Which part of one person's appreciation is asked for, or whether to keep the round."""

    THANKS = "thanks"
    AFFECTED = "affected"
    SHOWS = "shows"
    KEEP = "keep"
    READ_OK = "read_ok"


ORDER = (AppreciateStep.THANKS, AppreciateStep.AFFECTED, AppreciateStep.SHOWS)


def _people(turn: Turn) -> dict[str, str]:
    """Who gives and who receives this round: the check-in's two names in turn, or nobody named."""
    pair = in_turn(turn, turn.session.turn)
    return {"giver": pair[0], "receiver": pair[1]} if pair else {}


def _say(turn: Turn, key: str) -> Speech:
    """The phrase with the two names, or its `.roles` wording when the names are not known."""
    return say_named(turn, key, _people(turn))


def _ask(turn: Turn, step: AppreciateStep, opening: Speech = ()) -> Go:
    question = _say(turn, f"appreciate.ask.{step.value}")
    reply = Reply(join(opening, question), reprompt=question, elicit=ANSWER_SLOT)
    return Go(step, reply)


def start(turn: Turn) -> Go:
    """Explain the round and ask the first giver; a round left unchosen before is let go first."""
    let_go(turn)
    turn.household.appreciation = journal(turn).start_checkin(turn.ports.clock(), Kind.APPRECIATION)
    turn.session.turn = 0
    turn.session.given = 0
    return _ask(turn, AppreciateStep.THANKS, _say(turn, "appreciate.intro"))


def goes_first(turn: Turn) -> Go:
    """ "Tom wants to go first", before anyone has given: Tom gives first, then the other."""
    wanted = (turn.event.slot("name").value or "").strip().lower()
    names = [name.lower() for name in turn.household.names[:2]]
    if turn.session.given or wanted not in names or _said_this_turn(turn):
        return missed(turn)
    turn.session.turn = names.index(wanted)
    return _ask(turn, AppreciateStep.THANKS, turn.say("appreciate.sure"))


def answer(turn: Turn) -> Go:
    """An answer: kept encrypted at once, then the next question."""
    text = " ".join((turn.event.slot("answer").value or "").split())
    entry = turn.household.appreciation
    if not text or entry is None:
        return missed(turn)
    step = AppreciateStep(turn.session.step)
    names = _people(turn)
    journal(turn).save_answer(
        Answer(
            checkin_id=entry,
            topic=step.value,
            person=turn.session.turn % 2,
            text=text,
            said_at=turn.ports.clock(),
            person_id=turn.event.person_id,
            name=names.get("giver"),
        )
    )
    return _onwards(turn, step)


def skip(turn: Turn) -> Go:
    """Skip: at the first question this person passes; later, that part is left out."""
    step = AppreciateStep(turn.session.step)
    if step is AppreciateStep.THANKS:
        return _next_giver(turn, turn.say("appreciate.passed"))
    return _onwards(turn, step, skipped=True)


def _onwards(turn: Turn, step: AppreciateStep, skipped: bool = False) -> Go:
    if step is not AppreciateStep.SHOWS:
        opening = turn.say("appreciate.skipped") if skipped else ()
        return _ask(turn, ORDER[ORDER.index(step) + 1], opening)
    said = _said_this_turn(turn)
    return _next_giver(turn, _say(turn, "appreciate.thanks") if said else turn.say("appreciate.skipped"))


def _next_giver(turn: Turn, opening: Speech) -> Go:
    """This person's turn is over: the other gives, or, both done, "shall I keep these?"."""
    turn.session.given += 1
    if turn.session.given < 2:
        turn.session.turn = 1 - turn.session.turn % 2
        return _ask(turn, AppreciateStep.THANKS, join(opening, _say(turn, "appreciate.swap")))
    if not _held(turn):  # both passed: nothing to keep
        let_go(turn)
        reply = Reply(join(opening, turn.say("appreciate.nothing")), reprompt=turn.say("reprompt.home"))
        return Go(HomeStep.MENU, reply)
    question = turn.say("appreciate.keep.ask")
    reply = Reply(join(opening, question), reprompt=turn.say("appreciate.keep.reprompt"))
    return Go(AppreciateStep.KEEP, reply)


def _held(turn: Turn) -> list[Answer]:
    """What this round holds so far (read from the journal: the words are never in the state)."""
    return entry_answers(turn, turn.household.appreciation, Kind.APPRECIATION)


def _said_this_turn(turn: Turn) -> bool:
    return any(a.person == turn.session.turn % 2 for a in _held(turn))


def redo(turn: Turn) -> Go:
    """ "Go back, I want to change that": the last answer of this round is forgotten and asked again."""
    held = sorted(_held(turn), key=lambda a: a.said_at)
    entry = turn.household.appreciation
    if not held or entry is None:
        return again(turn)
    last = held[-1]
    journal(turn).remove_answer(entry, last.topic, last.person)
    if last.person != turn.session.turn % 2:  # back across the swap
        turn.session.given -= 1
        turn.session.turn = last.person
    return _ask(turn, AppreciateStep(last.topic), turn.say("appreciate.redo"))


def again(turn: Turn) -> Go:
    """The same question again."""
    return _ask(turn, AppreciateStep(turn.session.step))


def help_answering(turn: Turn) -> Go:
    """What to say at this part, then the same question."""
    step = AppreciateStep(turn.session.step)
    return _ask(turn, step, turn.say(f"help.appreciate.{step.value}"))


def missed(turn: Turn) -> Go:
    """Words that did not come through: the same question, gently."""
    return _ask(turn, AppreciateStep(turn.session.step), turn.say("appreciate.missed"))


def stop(turn: Turn) -> Go:
    """Stopped before choosing: nothing of this round is kept."""
    let_go(turn)
    return Go(HomeStep.MENU, Reply(turn.say("appreciate.stopped"), end_session=True))


def keep(turn: Turn) -> Go:
    """ "Keep it": the round stays in the journal, encrypted."""
    entry = turn.household.appreciation
    turn.household.appreciation = None
    if entry is not None:
        journal(turn).complete_checkin(entry, turn.ports.clock())
    return Go(HomeStep.MENU, Reply(turn.say("appreciate.kept"), reprompt=turn.say("reprompt.home")))


def discard(turn: Turn) -> Go:
    """ "Don't keep it": the round is deleted now."""
    let_go(turn)
    return Go(HomeStep.MENU, Reply(turn.say("appreciate.not_kept"), reprompt=turn.say("reprompt.home")))


def keep_again(turn: Turn) -> Go:
    """ "Say that again" at the choice: the question alone."""
    speech = turn.say("appreciate.keep.reprompt")
    return Go(AppreciateStep.KEEP, Reply(speech, reprompt=speech))


def keep_unclear(turn: Turn) -> Go:
    """Not a choice: ask again, in few words."""
    speech = turn.say("appreciate.keep.reprompt")
    return Go(AppreciateStep.KEEP, Reply(join(turn.say("appreciate.missed"), speech), reprompt=speech))


def read_back(turn: Turn) -> Go:
    """ "What did we appreciate": the last round kept, after asking once a session."""
    record = _last_kept(turn)
    if record is None:
        return Go(
            HomeStep.MENU, Reply(turn.say("appreciate.read.nothing"), reprompt=turn.say("reprompt.home"))
        )
    if not_for_this_voice(turn):
        return Go(
            HomeStep.MENU, Reply(turn.say("checkin.voices.not_yours"), reprompt=turn.say("reprompt.home"))
        )
    if not turn.session.read_ok:
        reply = Reply(turn.say("appreciate.read.consent"), reprompt=turn.say("checkin.consent.reprompt"))
        return Go(AppreciateStep.READ_OK, reply)
    return _read(turn, record)


def read_allowed(turn: Turn) -> Go:
    """Yes, read it (and no more asking this session)."""
    turn.session.read_ok = True
    return read_back(turn)


def read_declined(turn: Turn) -> Go:
    """No: nothing is read."""
    return Go(HomeStep.MENU, Reply(turn.say("checkin.consent.declined"), reprompt=turn.say("reprompt.home")))


def _last_kept(turn: Turn) -> CheckInRecord | None:
    for record in journal(turn).recent(4, Kind.APPRECIATION):
        if record.completed_at is not None and _readable(turn, record):
            return record
    return None


def _readable(turn: Turn, record: CheckInRecord) -> list[Answer]:
    """A round's answers in the order they were said, never one holding danger words."""
    began = {a.person: min(b.said_at for b in record.answers if b.person == a.person) for a in record.answers}
    ordered = sorted(record.answers, key=lambda a: (began[a.person], a.person, ORDER_NAMES.index(a.topic)))
    return [a for a in ordered if not is_danger(a.text, turn.event.locale)]


def _read(turn: Turn, record: CheckInRecord) -> Go:
    lines: list[Speech] = [turn.say("appreciate.read.intro", date=spoken_date(turn, record.started_at))]
    roles = turn.content.lists["appreciate.roles"]
    for answer in _readable(turn, record):
        name = answer.name or roles[min(answer.person, 1)]
        lines.append(turn.say(f"appreciate.read.{answer.topic}", name=name, answer=as_sentence(answer.text)))
    turn.session.replay = {"appreciation": record.id}  # "say that again" reads it from the journal
    reply = Reply(
        join(*lines, turn.say("appreciate.read.end")), reprompt=turn.say("reprompt.home"), private=True
    )
    return Go(HomeStep.MENU, reply)


def read_again(turn: Turn) -> Go:
    """ "Say that again" after a round was read: the same round, from the journal again."""
    wanted = (turn.session.replay or {}).get("appreciation")
    record = next((r for r in journal(turn).recent(4, Kind.APPRECIATION) if r.id == wanted), None)
    if record is None:
        return read_back(turn)
    return _read(turn, record)


def _replaying(turn: Turn) -> bool:
    return "appreciation" in (turn.session.replay or {})


def tidy_then_launch(turn: Turn) -> Go:
    """Opened again with a round never chosen: it goes, quietly, then the usual greeting (after
    the check-ins' own tidying, when the household keeps them only for a while)."""
    let_go(turn)
    return readback.tidy_then_launch(turn)


def let_go(turn: Turn) -> None:
    """The round not yet chosen, deleted now (stopped, interrupted, or left behind)."""
    entry = turn.household.appreciation
    turn.household.appreciation = None
    if entry is not None:
        journal(turn).delete_checkin(entry)


def _left_unchosen(turn: Turn) -> bool:
    return turn.household.appreciation is not None and turn.ports.journal is not None


ORDER_NAMES = [step.value for step in ORDER]
ASKING = ORDER
KEEPING = (AppreciateStep.KEEP,)
READING = (AppreciateStep.READ_OK,)
FLOW = Flow(
    name="appreciate",
    steps=AppreciateStep,
    rules=(
        Rule(intents.ANSWER, answer, ASKING),
        Rule(intents.NAME, goes_first, (AppreciateStep.THANKS,)),
        Rule(intents.NEXT, skip, ASKING),
        Rule(intents.NEXT_PERSON, skip, ASKING),
        Rule(intents.NO, skip, ASKING),
        Rule(intents.PREVIOUS, redo, ASKING),
        Rule(intents.REDO_ANSWER, redo, ASKING),
        Rule(intents.REPEAT, again, ASKING),
        Rule(intents.START_OVER, again, ASKING),
        Rule(intents.HELP, help_answering, ASKING),
        Rule(intents.STOP, stop, ASKING),
        Rule(intents.CANCEL, stop, ASKING),
        Rule(intents.FALLBACK, missed, ASKING),
        Rule(intents.KEEP_IT, keep, KEEPING),
        Rule(intents.YES, keep, KEEPING),
        Rule(intents.DISCARD_IT, discard, KEEPING),
        Rule(intents.NO, discard, KEEPING),
        Rule(intents.REPEAT, keep_again, KEEPING),
        Rule(intents.FALLBACK, keep_unclear, KEEPING),
        Rule(intents.YES, read_allowed, READING),
        Rule(intents.NO, read_declined, READING),
    ),
    entries=(
        Rule(intents.APPRECIATION, start),
        Rule(intents.APPRECIATION_READ_BACK, read_back),
        Rule(intents.REPEAT, read_again, guard=_replaying),
        Rule(intents.LAUNCH, tidy_then_launch, guard=_left_unchosen),
    ),
    offers=((OFFER, start),),
)
