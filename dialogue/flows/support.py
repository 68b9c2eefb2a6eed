"""When it matters: a safe answer to danger, and a calm pointer to outside help.

Words about violence, abuse or being afraid of a partner are screened out of every event
before any rule runs (dialogue.safety; the local recogniser screens whole utterances the
same way), so they reach this flow as a bare `SafetyIntent` wherever they were said: at
the menu, inside a check-in answer, while a name was asked for. The answer is short and
serious: the emergency number and the household's country's domestic-abuse helpline
(content data with a public source for each number), and the offer to say it again.
Nothing said is kept; a check-in under way keeps its place, with that answer unsaved. No
card is sent: the Alexa app is often shared, and a helpline on its screen could put
someone at risk.

"We keep fighting", "should we see a counsellor" get a calm, non-judgemental pointer to
couples counselling or a relationship coach, never a diagnosis.

| step  | intent                                  | does                                        | next |
|-------|-----------------------------------------|---------------------------------------------|------|
| any   | danger words, anywhere (tried first)    | the emergency number, the helpline; no card | home |
| offer | yes (to "say the number again?")        | the numbers again, and the same offer       | home |
| offer | no / stop / cancel                      | a quiet, caring close                       | end  |
| any   | we keep fighting / should we see a ...  | a pointer to a counsellor or a coach        | home |

```mermaid
stateDiagram-v2
    [*] --> home: danger words (anywhere) / yes to "again?"
    [*] --> home: we keep fighting / should we see a counsellor
    home --> [*]: no / stop / cancel (after the numbers)
```
"""

from __future__ import annotations

from enum import Enum

from dialogue import intents
from dialogue.flows.home import HomeStep
from dialogue.model import Reply
from dialogue.rules import Flow, Go, Rule, Turn
from dialogue.safety import helplines_for
from dialogue.speech import Speech, join

OFFER_AGAIN = "helpline_again"


class SupportStep(Enum):
    """Each answer here takes one turn and returns to the menu: no step of its own."""


def _numbers(turn: Turn, key: str) -> Speech:
    numbers = helplines_for(turn.event.locale)
    if numbers is None:
        return turn.say(f"{key}.unknown")
    return turn.say(key, emergency=numbers.emergency.spoken, helpline=numbers.say, extra=numbers.extra)


def safe_answer(turn: Turn) -> Go:
    """Danger words: the numbers to call, at once, with nothing of what was said kept."""
    speech = _numbers(turn, "safety.answer")
    if turn.session.flow.startswith("checkin"):  # it was said as an answer or a name
        speech = join(turn.say("safety.not_kept"), speech)
    return _offer_again(turn, speech)


def say_again(turn: Turn) -> Go:
    """A "yes" to "shall I say the number again?"."""
    return _offer_again(turn, _numbers(turn, "safety.again"))


def close(turn: Turn) -> Go:
    """A "no", "stop" or "cancel" after the numbers: a quiet close, not the usual cheerful one."""
    return Go(HomeStep.MENU, Reply(turn.say("safety.close"), end_session=True))


def after_numbers(turn: Turn) -> bool:
    """Guard: the last reply gave the numbers and offered them again."""
    return turn.session.offer == OFFER_AGAIN


def seek_support(turn: Turn) -> Go:
    """ "We keep fighting", "should we see a counsellor": where to find outside help."""
    return Go(HomeStep.MENU, Reply(turn.say("support.pointer"), reprompt=turn.say("reprompt.support")))


def _offer_again(turn: Turn, speech: Speech) -> Go:
    reply = Reply(speech, reprompt=turn.say("safety.reprompt"))
    return Go(HomeStep.MENU, reply, offer=OFFER_AGAIN)


# Tried before every other rule, in any flow and step (dialogue.engine).
FIRST: tuple[Rule, ...] = (Rule(intents.SAFETY, safe_answer),)

FLOW = Flow(
    name="support",
    steps=SupportStep,
    entries=(
        Rule(intents.NO, close, guard=after_numbers),
        Rule(intents.STOP, close, guard=after_numbers),
        Rule(intents.CANCEL, close, guard=after_numbers),
        Rule(intents.SEEK_SUPPORT, seek_support),
    ),
    offers=((OFFER_AGAIN, say_again),),
)
