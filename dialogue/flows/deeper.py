"""Going deeper: a longer session of questions in three sets of rising depth, both answering each.

The second seed article cites a study of closeness built by gradual, back-and-forth
self-disclosure; this follows its shape (sets that go a little deeper each time, both
answering every question, taking turns to go first) with questions of our own
(`deeper.set_one` to `deeper.set_three` in the content). The skill only paces: it asks, says who
answers first, and when that person says "next" asks the other; nothing anyone answers is
heard or kept. Where they are (the set, the question) is kept in the household state, so
"let's stop here" pauses and "let's go deeper" another day picks up at the same question.

| step     | intent                              | does                                    | next     |
|----------|-------------------------------------|-----------------------------------------|----------|
| any      | let's go deeper                     | set one's first question, or where left | ASKING   |
| ASKING   | next / done (one has answered)      | the same question to the other          | ASKING   |
| ASKING   | next / done (both have answered)    | the next question, the other first      | ASKING   |
| ASKING   | next / done (a set's last question) | set done: go on to the next now?        | SET_DONE |
| ASKING   | next / done (the third set's last)  | all three done; back to the menu        | home     |
| ASKING   | say that again                      | the question again                      | ASKING   |
| ASKING   | let's stop here / stop / cancel     | the place is kept for another day       | end      |
| ASKING   | missed words                        | "say next when you're ready"            | ASKING   |
| SET_DONE | yes                                 | the next set's first question           | ASKING   |
| SET_DONE | no                                  | the place is kept for another day       | end      |

```mermaid
stateDiagram-v2
    [*] --> ASKING: let's go deeper (a new start, or where they left off)
    ASKING --> ASKING: next (the other person, or the next question)
    ASKING --> SET_DONE: next (a set's last question)
    SET_DONE --> ASKING: yes (the next set)
    SET_DONE --> [*]: no (kept for another day)
    ASKING --> [*]: let's stop here (kept for another day)
    ASKING --> home: next (the third set's last question)
```
"""

from __future__ import annotations

from enum import Enum

from dialogue import intents
from dialogue.flows.home import HomeStep
from dialogue.flows.pairs import in_turn
from dialogue.model import Reply
from dialogue.rules import Flow, Go, Rule, Turn
from dialogue.speech import Say, Speech, join

SETS = ("one", "two", "three")  # the sets' names in the content keys


class DeeperStep(Enum):
    """A question asked; or a set done, waiting for "go on now?"."""

    ASKING = "asking"
    SET_DONE = "set_done"


def _questions(turn: Turn, number: int) -> tuple[str, ...]:
    return turn.content.lists[f"deeper.set_{SETS[number]}"]


def _place(turn: Turn) -> tuple[int, int]:
    """(set, question), both from 0, kept in the household state across sessions."""
    kept = turn.household.deeper or {}
    return int(kept.get("set", 0)), int(kept.get("question", 0))


def _keep(turn: Turn, number: int, question: int) -> None:
    turn.household.deeper = {"set": number, "question": question}


def _ask(turn: Turn, opening: Speech = ()) -> Go:
    number, question = _place(turn)
    text: Speech = (Say(_questions(turn, number)[question]),)
    pair = in_turn(turn, question)  # the first name first on even questions, the second on odd
    if turn.session.turn == 0:
        who = turn.say("deeper.first", name=pair[0]) if pair else turn.say("deeper.first.roles")
    else:
        who = turn.say("deeper.second", name=pair[1]) if pair else turn.say("deeper.second.roles")
    speech = join(opening, who, text) if turn.session.turn == 0 else join(opening, who)
    reprompt = turn.say("reprompt.deeper.asking")
    return Go(DeeperStep.ASKING, Reply(join(speech, turn.say("deeper.when_done")), reprompt=reprompt))


def start(turn: Turn) -> Go:
    """A new start, or where they left off."""
    turn.session.turn = 0
    number, question = _place(turn)
    if turn.household.deeper is None:
        _keep(turn, 0, 0)
        return _ask(turn, turn.say("deeper.intro"))
    if question == 0:
        return _ask(turn, turn.say(f"deeper.set_intro.{SETS[number]}"))
    return _ask(turn, turn.say("deeper.resumed"))


def onwards(turn: Turn) -> Go:
    """ "Next": the other person, or the next question, or the end of the set."""
    if turn.session.turn == 0:
        turn.session.turn = 1
        return _ask(turn)
    turn.session.turn = 0
    number, question = _place(turn)
    if question + 1 < len(_questions(turn, number)):
        _keep(turn, number, question + 1)
        return _ask(turn, turn.say("deeper.next_question"))
    if number + 1 < len(SETS):
        _keep(turn, number + 1, 0)
        ask = turn.say(f"deeper.set_done.{SETS[number]}")
        return Go(DeeperStep.SET_DONE, Reply(ask, reprompt=turn.say("reprompt.deeper.set_done")))
    turn.household.deeper = None
    return Go(HomeStep.MENU, Reply(turn.say("deeper.all_done"), reprompt=turn.say("reprompt.home")))


def next_set(turn: Turn) -> Go:
    """Yes, go on: the next set's first question."""
    turn.session.turn = 0
    number, _question = _place(turn)
    return _ask(turn, turn.say(f"deeper.set_intro.{SETS[number]}"))


def pause(turn: Turn) -> Go:
    """Stop here: the place is kept (a question half answered starts again with its first)."""
    number, question = _place(turn)
    key = "deeper.paused_between" if question == 0 else "deeper.paused"
    return Go(
        HomeStep.MENU,
        Reply(turn.say(key, set=SETS[number]), end_session=True),
    )


def again(turn: Turn) -> Go:
    """The question again, to whoever is answering."""
    number, question = _place(turn)
    return Go(
        DeeperStep.ASKING,
        Reply(
            join((Say(_questions(turn, number)[question]),), turn.say("deeper.when_done")),
            reprompt=turn.say("reprompt.deeper.asking"),
        ),
    )


def waiting(turn: Turn) -> Go:
    """Words not for the skill (they are talking to each other): a gentle hint."""
    return Go(
        DeeperStep.ASKING,
        Reply(turn.say("deeper.waiting"), reprompt=turn.say("reprompt.deeper.asking")),
    )


ASKING, SET_DONE = (DeeperStep.ASKING,), (DeeperStep.SET_DONE,)
FLOW = Flow(
    name="deeper",
    steps=DeeperStep,
    rules=(
        Rule(intents.NEXT, onwards, ASKING),
        Rule(intents.NEXT_PERSON, onwards, ASKING),
        Rule(intents.YES, onwards, ASKING),  # "ok", "yes", "done": the answer is finished
        Rule(intents.REPEAT, again, ASKING),
        Rule(intents.PAUSE_CHECKIN, pause, ASKING),
        Rule(intents.STOP, pause, ASKING),
        Rule(intents.CANCEL, pause, ASKING),
        Rule(intents.FALLBACK, waiting, ASKING),
        Rule(intents.YES, next_set, SET_DONE),
        Rule(intents.NO, pause, SET_DONE),
        Rule(intents.PAUSE_CHECKIN, pause, SET_DONE),
        Rule(intents.STOP, pause, SET_DONE),
    ),
    entries=(Rule(intents.DEEPER, start),),
)
