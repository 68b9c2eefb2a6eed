"""Remember when…: people take turns finishing the sentence with a happy memory they share.

The skill invites one person at a time, with a nudge towards a kind of memory (a trip, a
funny moment, the day you met…), never the same nudge twice in a game until all are used.
Whatever is said while a memory is being shared is taken as the memory itself, so the
game moves on to the next person instead of saying it did not understand.

| step    | intent                                    | does                         | next    |
|---------|-------------------------------------------|------------------------------|---------|
| any     | let's play remember when / your turn      | explains, invites the first  | SHARING |
| SHARING | next person / next / yes / remember when  | thanks, invites the next     | SHARING |
| SHARING | anything not understood (the memory)      | thanks, invites the next     | SHARING |
| SHARING | start over                                | starts the game again        | SHARING |

```mermaid
stateDiagram-v2
    [*] --> SHARING: remember when
    SHARING --> SHARING: next person / a memory
    SHARING --> [*]: stop / no
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
    return _invite(turn, turn.say("remember.intro"), turn.say("remember.first_person"))


def next_turn(turn: Turn) -> Go:
    """Thank the last person and invite the next."""
    turn.session.turn += 1
    return _invite(turn, turn.say("remember.thanks"), turn.say("remember.next_person"))


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
        Rule(intents.REMEMBER_WHEN, next_turn),
        Rule(intents.FALLBACK, next_turn),
        Rule(intents.START_OVER, start),
    ),
    entries=(
        Rule(intents.REMEMBER_WHEN, start),
        Rule(intents.NEXT_PERSON, start),
    ),
    offers=((OFFER_NEXT_TURN, next_turn),),
)
