"""Remember when…: people take turns finishing the sentence with a happy memory they share.

The skill invites one person at a time (by name, when the check-in has learned two or more
names), with a nudge towards a kind of memory (a trip, a funny moment, the day you met…),
never the same nudge twice in a game until all are used; "give me a hint" or "I can't
think of one" gets another nudge, not praise, and "we're done" goes back to the menu.
Whatever is said while a memory is being shared is taken as the memory itself, so the
game moves on to the next person instead of saying it did not understand.

| step    | intent                                    | does                         | next    |
|---------|-------------------------------------------|------------------------------|---------|
| any     | let's play remember when / your turn      | explains, invites the first  | SHARING |
| SHARING | next person / next / yes / your go, Tom   | passes on (to Tom), invites  | SHARING |
| SHARING | remember when … (a memory told)           | thanks, invites the next     | SHARING |
| SHARING | anything not understood (the memory)      | thanks, invites the next     | SHARING |
| SHARING | give me a hint / I can't think of one     | a fresh nudge, same person   | SHARING |
| SHARING | start over                                | starts the game again        | SHARING |
| SHARING | we're done / something else (home)        | the menu (global rule)       | home    |

```mermaid
stateDiagram-v2
    [*] --> SHARING: remember when
    SHARING --> SHARING: next person / a memory / a hint
    SHARING --> [*]: stop / no / we're done (the menu)
```
"""

from __future__ import annotations

from enum import Enum

from dialogue import intents
from dialogue.model import Reply
from dialogue.rules import Flow, Go, Rule, Turn
from dialogue.speech import Speech, join

OFFER_NEXT_TURN = "remember_next"


class RememberStep(Enum):
    """The game has one step: someone is sharing a memory."""

    SHARING = "sharing"


def start(turn: Turn) -> Go:
    """Explain the game in a line and invite the first person."""
    turn.session.turn = 0
    turn.session.nudges = []
    name = _whose_turn(turn)
    first = turn.say("remember.first_named", name=name) if name else turn.say("remember.first_person")
    return _invite(turn, turn.say("remember.intro"), first)


def shared(turn: Turn) -> Go:
    """A memory was told: thank them for it, and invite the next person."""
    return _pass_on(turn, turn.say("remember.thanks"))


def next_turn(turn: Turn) -> Go:
    """ "Your turn", "next person", "your go, Tom": pass the turn on, to whoever is named."""
    named = (turn.event.slot("person").value or "").strip().lower()
    names = [name.lower() for name in turn.household.names]
    if named in names and len(names) > 1:
        turn.session.turn = names.index(named) - 1  # _pass_on moves on by one, to them
    return _pass_on(turn, ())


def _pass_on(turn: Turn, opening: Speech) -> Go:
    turn.session.turn += 1
    name = _whose_turn(turn)
    person = turn.say("remember.next_named", name=name) if name else turn.say("remember.next_person")
    return _invite(turn, opening, person)


def wants_a_hint(turn: Turn) -> bool:
    """Guard: "I can't think of one", "give me a hint" (help with a memory, not with the game)."""
    return turn.event.slot("need").resolved_id == "hint" or turn.event.slot("need").value == "hint"


def hint(turn: Turn) -> Go:
    """ "I can't think of one", "give me a hint": a fresh nudge for the same person, no praise."""
    return _invite(turn, turn.say("remember.hint"), ())


def _whose_turn(turn: Turn) -> str | None:
    """The name of whoever's turn it is, when two or more names are known (from the check-in)."""
    names = turn.household.names
    return names[turn.session.turn % len(names)] if len(names) > 1 else None


def _invite(turn: Turn, opening: Speech, person: Speech) -> Go:
    nudge = turn.say("remember.nudge", nudge=_pick_nudge(turn))
    speech = join(opening, person, nudge, turn.say("remember.stem"))
    reply = Reply(speech, reprompt=turn.say("reprompt.remember_when"))
    return Go(RememberStep.SHARING, reply, offer=OFFER_NEXT_TURN)


def _pick_nudge(turn: Turn) -> str:
    nudges = turn.content.lists["remember.nudges"]
    unused = [i for i in range(len(nudges)) if i not in turn.session.nudges]
    if not unused:
        turn.session.nudges = []
        unused = list(range(len(nudges)))
    choice = turn.ports.rng.choice(unused)
    turn.session.nudges.append(choice)
    return nudges[choice]


FLOW = Flow(
    name="remember_when",
    steps=RememberStep,
    rules=(
        Rule(intents.NEXT_PERSON, next_turn),
        Rule(intents.NEXT, next_turn),
        Rule(intents.REMEMBER_WHEN, shared),  # "remember when we got lost in Rome" is a memory
        Rule(intents.FALLBACK, shared),
        Rule(intents.HELP, hint, guard=wants_a_hint),
        Rule(intents.START_OVER, start),
    ),
    entries=(
        Rule(intents.REMEMBER_WHEN, start),
        Rule(intents.NEXT_PERSON, start),
    ),
    offers=((OFFER_NEXT_TURN, next_turn),),
)
