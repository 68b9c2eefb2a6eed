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

| step     | intent                                 | does                                        | next     |
|----------|----------------------------------------|---------------------------------------------|----------|
| any      | let's do appreciations / yes to offer  | explains, asks the first giver              | THANKS   |
| THANKS   | an answer                              | keeps it, "how did that affect you?"        | AFFECTED |
| AFFECTED | an answer                              | keeps it, "what does it show about them?"   | SHOWS    |
| SHOWS    | an answer (first giver)                | keeps it, thanks; the other one gives       | THANKS   |
| SHOWS    | an answer (second giver)               | keeps it, thanks; "keep it?"                | KEEP     |
| THANKS…  | skip / next                            | moves on without that answer                | the next |
| THANKS…  | say that again / help                  | the same question (help: what to say first) | the same |
| THANKS…  | missed words                           | "I didn't catch that", the same question    | the same |
| THANKS…  | stop / cancel                          | deletes what was said, goodbye              | end      |
| KEEP     | keep it / yes                          | keeps the round, back to the menu           | home     |
| KEEP     | don't keep it / no                     | deletes the round, back to the menu         | home     |
| KEEP     | anything else                          | asks again: keep it, or don't keep it?      | KEEP     |
| any      | open the skill (a round left unchosen) | deletes it quietly, then greets             | home     |

```mermaid
stateDiagram-v2
    [*] --> THANKS: let's do appreciations
    THANKS --> AFFECTED: answer / skip
    AFFECTED --> SHOWS: answer / skip
    SHOWS --> THANKS: answer / skip (swap)
    SHOWS --> KEEP: answer / skip (both done)
    KEEP --> home: keep it / don't keep it
    THANKS --> [*]: stop (nothing kept)
```
"""

from __future__ import annotations

from enum import Enum

from dialogue import intents
from dialogue.flows.checkin import readback
from dialogue.flows.checkin.common import journal
from dialogue.flows.home import HomeStep
from dialogue.model import Reply
from dialogue.ports import Answer, Kind
from dialogue.rules import Flow, Go, Rule, Turn
from dialogue.speech import Speech, join

OFFER = "appreciation"  # what a "yes" starts when a check-in closes
ANSWER_SLOT = (intents.ANSWER, "answer")


class AppreciateStep(Enum):
    """Which part of one person's appreciation is asked for, or whether to keep the round."""

    THANKS = "thanks"
    AFFECTED = "affected"
    SHOWS = "shows"
    KEEP = "keep"


ORDER = (AppreciateStep.THANKS, AppreciateStep.AFFECTED, AppreciateStep.SHOWS)


def _people(turn: Turn) -> dict[str, str]:
    """Who gives and who receives this round: the check-in's two names in turn, or nobody named."""
    names = turn.household.names
    if len(names) < 2:
        return {}
    first, second = names[0], names[1]
    giver, receiver = (first, second) if turn.session.turn % 2 == 0 else (second, first)
    return {"giver": giver, "receiver": receiver}


def _say(turn: Turn, key: str) -> Speech:
    """The phrase with the two names, or its `.roles` wording when the names are not known."""
    people = _people(turn)
    if not people and turn.content.has(f"{key}.roles"):
        return turn.say(f"{key}.roles")
    return turn.say(key, **people)


def _ask(turn: Turn, step: AppreciateStep, opening: Speech = ()) -> Go:
    question = _say(turn, f"appreciate.ask.{step.value}")
    reply = Reply(join(opening, question), reprompt=question, elicit=ANSWER_SLOT)
    return Go(step, reply)


def start(turn: Turn) -> Go:
    """Explain the round and ask the first giver; a round left unchosen before is let go first."""
    _let_go(turn)
    turn.household.appreciation = journal(turn).start_checkin(turn.ports.clock(), Kind.APPRECIATION)
    turn.session.turn = 0
    return _ask(turn, AppreciateStep.THANKS, _say(turn, "appreciate.intro"))


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
    """Skip this part: the next question, without an answer."""
    return _onwards(turn, AppreciateStep(turn.session.step), skipped=True)


def _onwards(turn: Turn, step: AppreciateStep, skipped: bool = False) -> Go:
    if step is not AppreciateStep.SHOWS:
        opening = turn.say("appreciate.skipped") if skipped else ()
        return _ask(turn, ORDER[ORDER.index(step) + 1], opening)
    thanks = _say(turn, "appreciate.thanks")
    if turn.session.turn % 2 == 0:
        turn.session.turn = 1
        return _ask(turn, AppreciateStep.THANKS, join(thanks, _say(turn, "appreciate.swap")))
    question = turn.say("appreciate.keep.ask")
    return Go(
        AppreciateStep.KEEP, Reply(join(thanks, question), reprompt=turn.say("appreciate.keep.reprompt"))
    )


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
    _let_go(turn)
    return Go(HomeStep.MENU, Reply(turn.say("appreciate.stopped"), end_session=True))


def keep(turn: Turn) -> Go:
    """ "Keep it": the round stays in the journal, encrypted."""
    entry = turn.household.appreciation
    turn.household.appreciation = None
    if entry is not None:
        journal(turn).complete_checkin(entry, turn.ports.clock())
    return Go(HomeStep.MENU, Reply(turn.say("appreciate.kept"), reprompt=turn.say("reprompt.home")))


def let_go(turn: Turn) -> Go:
    """ "Don't keep it": the round is deleted now."""
    _let_go(turn)
    return Go(HomeStep.MENU, Reply(turn.say("appreciate.not_kept"), reprompt=turn.say("reprompt.home")))


def keep_unclear(turn: Turn) -> Go:
    """Not a choice: ask again, in few words."""
    speech = turn.say("appreciate.keep.reprompt")
    return Go(AppreciateStep.KEEP, Reply(join(turn.say("appreciate.missed"), speech), reprompt=speech))


def tidy_then_launch(turn: Turn) -> Go:
    """Opened again with a round never chosen: it goes, quietly, then the usual greeting (after
    the check-ins' own tidying, when the household keeps them only for a while)."""
    _let_go(turn)
    return readback.tidy_then_launch(turn)


def _let_go(turn: Turn) -> None:
    entry = turn.household.appreciation
    turn.household.appreciation = None
    if entry is not None:
        journal(turn).delete_checkin(entry)


def _left_unchosen(turn: Turn) -> bool:
    return turn.household.appreciation is not None and turn.ports.journal is not None


ASKING = ORDER
KEEPING = (AppreciateStep.KEEP,)
FLOW = Flow(
    name="appreciate",
    steps=AppreciateStep,
    rules=(
        Rule(intents.ANSWER, answer, ASKING),
        Rule(intents.NEXT, skip, ASKING),
        Rule(intents.NEXT_PERSON, skip, ASKING),
        Rule(intents.REPEAT, again, ASKING),
        Rule(intents.START_OVER, again, ASKING),
        Rule(intents.HELP, help_answering, ASKING),
        Rule(intents.STOP, stop, ASKING),
        Rule(intents.CANCEL, stop, ASKING),
        Rule(intents.FALLBACK, missed, ASKING),
        Rule(intents.KEEP_IT, keep, KEEPING),
        Rule(intents.YES, keep, KEEPING),
        Rule(intents.DISCARD_IT, let_go, KEEPING),
        Rule(intents.NO, let_go, KEEPING),
        Rule(intents.FALLBACK, keep_unclear, KEEPING),
    ),
    entries=(
        Rule(intents.APPRECIATION, start),
        Rule(intents.LAUNCH, tidy_then_launch, guard=_left_unchosen),
    ),
    offers=((OFFER, start),),
)
