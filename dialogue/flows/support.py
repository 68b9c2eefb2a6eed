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

| step  | intent                                   | does                                        | next |
|-------|------------------------------------------|---------------------------------------------|------|
| any   | danger words, anywhere (tried first)     | the emergency number, the helpline; no card | home |
| any   | what's the domestic abuse helpline       | the numbers, assuming nothing happened      | home |
| offer | yes / repeat (after the numbers)         | the numbers again, with another way in      | home |
| offer | help, "what do I do" (after the numbers) | the numbers again, with another way in      | home |
| offer | carry on / next (after the numbers)      | back to what the words interrupted, or menu | any  |
| offer | no / stop / cancel (after the numbers)   | a quiet, caring close                       | end  |
| offer | other words (after the numbers)          | what can be said now, gently                | home |
| any   | we keep fighting / should we see a ...   | a pointer to a counsellor or a coach        | home |
| offer | yes / asked again (after the pointer)    | how to find one                             | home |
| offer | no / stop / cancel (after the pointer)   | a warm close                                | end  |

```mermaid
stateDiagram-v2
    [*] --> home: danger words (anywhere) / the helpline number / yes, repeat
    home --> checkin: carry on (a check-in under way)
    home --> daily: carry on (the day's question under way)
    home --> [*]: no / stop / cancel
    [*] --> home: we keep fighting / should we see a counsellor / yes (tips)
```
"""

from __future__ import annotations

from enum import Enum

from dialogue import intents
from dialogue.flows.appreciate import let_go as let_go_of_round
from dialogue.flows.checkin.common import under_way
from dialogue.flows.checkin.walk import begin_or_resume
from dialogue.flows.daily import asking as daily_asking
from dialogue.flows.daily import resume as daily_resume
from dialogue.flows.home import HomeStep, menu
from dialogue.model import Reply
from dialogue.rules import Flow, Go, Rule, Turn
from dialogue.safety import helplines_for
from dialogue.speech import Speech

OFFER_AGAIN = "say_again"  # a neutral name: the state may be read by someone else in the home
OFFER_TIPS = "support_tips"


class SupportStep(Enum):
    """Each answer here takes one turn and returns to the menu: no step of its own."""


def _numbers(turn: Turn, key: str, **values: str | Speech) -> Speech:
    numbers = helplines_for(turn.event.locale)
    if numbers is None:
        return turn.say(f"{key}.unknown", **values)
    return turn.say(
        key, emergency=numbers.emergency.spoken, helpline=numbers.say, extra=numbers.extra, **values
    )


def safe_answer(turn: Turn) -> Go:
    """Danger words: the numbers to call, at once, with nothing of what was said kept."""
    flow = turn.session.flow
    if turn.session.offer != OFFER_AGAIN:  # the numbers asked for again keep where it started
        turn.session.came_from = flow
    said_as_words = flow.startswith("checkin") or flow in ("daily", "appreciate")  # an answer or a name
    if flow == "appreciate":
        let_go_of_round(turn)  # the round is interrupted: what was said of it goes too
    not_kept = turn.say("safety.not_kept") if said_as_words else ()
    return _offer_again(turn, _numbers(turn, "safety.answer", not_kept=not_kept))


def give_numbers(turn: Turn) -> Go:
    """ "What's the domestic abuse helpline number": the numbers, assuming nothing happened."""
    return _offer_again(turn, _numbers(turn, "safety.numbers"))


def say_again(turn: Turn) -> Go:
    """A "yes" (or "repeat") after the numbers: them again, with another way in where there is one."""
    return _offer_again(turn, _numbers(turn, "safety.again"))


def carry_on(turn: Turn) -> Go:
    """ "Carry on" after the numbers: back to the check-in or the day's question the words
    interrupted (the next person's turn there), else the menu."""
    came_from, turn.session.came_from = turn.session.came_from or "", None
    if came_from.startswith("checkin") and under_way(turn.state):
        return begin_or_resume(turn)
    if came_from == "daily" and daily_asking(turn):
        return daily_resume(turn)
    return menu(turn)


def close(turn: Turn) -> Go:
    """A "no", "stop" or "cancel" after the numbers: a quiet close, not the usual cheerful one."""
    return Go(HomeStep.MENU, Reply(turn.say("safety.close"), end_session=True))


def missed_after_numbers(turn: Turn) -> Go:
    """Words not understood after the numbers: what can be said now, without a cheerful menu."""
    return _offer_again(turn, turn.say("safety.missed"))


def after_numbers(turn: Turn) -> bool:
    """Guard: the last reply gave the numbers and offered them again."""
    return turn.session.offer == OFFER_AGAIN


def seek_support(turn: Turn) -> Go:
    """ "We keep fighting", "should we see a counsellor": where to find outside help; asked
    again right after, how to find someone."""
    if turn.session.offer == OFFER_TIPS:
        return tips(turn)
    reply = Reply(turn.say("support.pointer"), reprompt=turn.say("reprompt.support_tips"))
    return Go(HomeStep.MENU, reply, offer=OFFER_TIPS)


def tips(turn: Turn) -> Go:
    """How to find a counsellor or a coach."""
    return Go(HomeStep.MENU, Reply(turn.say("support.tips"), reprompt=turn.say("reprompt.support")))


def support_close(turn: Turn) -> Go:
    """A "no" or "stop" after the pointer: a warm close."""
    return Go(HomeStep.MENU, Reply(turn.say("support.close"), end_session=True))


def after_pointer(turn: Turn) -> bool:
    """Guard: the last reply pointed to outside help and offered tips."""
    return turn.session.offer == OFFER_TIPS


def _offer_again(turn: Turn, speech: Speech) -> Go:
    key = "safety.reprompt"
    came_from = turn.session.came_from or ""
    if came_from.startswith("checkin") and under_way(turn.state):
        key = "safety.reprompt.checkin"
    elif came_from == "daily" and daily_asking(turn):
        key = "safety.reprompt.daily"
    # Private: the numbers are not kept in the state for "repeat" (the offer says them again),
    # so a household that walks away leaves no trace of them behind.
    reply = Reply(speech, reprompt=turn.say(key), private=True)
    return Go(HomeStep.MENU, reply, offer=OFFER_AGAIN)


# Tried before every other rule, in any flow and step (dialogue.engine).
FIRST: tuple[Rule, ...] = (
    Rule(intents.SAFETY, safe_answer),
    Rule(intents.HELPLINE, give_numbers),
)

FLOW = Flow(
    name="support",
    steps=SupportStep,
    entries=(
        Rule(intents.REPEAT, say_again, guard=after_numbers),
        Rule(intents.HELP, say_again, guard=after_numbers),  # "what do I do": the numbers, gently
        Rule(intents.NEXT, carry_on, guard=after_numbers),
        Rule(intents.NO, close, guard=after_numbers),
        Rule(intents.STOP, close, guard=after_numbers),
        Rule(intents.CANCEL, close, guard=after_numbers),
        Rule(intents.FALLBACK, missed_after_numbers, guard=after_numbers),
        Rule(intents.NO, support_close, guard=after_pointer),
        Rule(intents.STOP, support_close, guard=after_pointer),
        Rule(intents.CANCEL, support_close, guard=after_pointer),
        Rule(intents.SEEK_SUPPORT, seek_support),
    ),
    offers=((OFFER_AGAIN, say_again), (OFFER_TIPS, tips)),
)
