"""Home: the greeting, the menu and the rules that work in every state.

| intent                                  | does                                                       |
|-----------------------------------------|------------------------------------------------------------|
| launch                                  | greets a first-time household apart from a returning one   |
| launch, returning, time zone known      | two suggestions for the hour there, untried ones first     |
| help                                    | the help line for the current flow and step                |
| stop, cancel                            | says goodbye and ends the session                          |
| repeat                                  | says the last reply again                                  |
| start over, go home, go back            | back to the menu                                           |
| yes / no                                | takes or declines what the last reply offered              |
| fallback (and anything unmatched)       | a short hint; twice in a row, the full list of what to say |
| fallback, a yes/no question at the menu | "Sorry, I missed that." and the question again             |
| session ended                           | nothing to say; the conversation is over                   |

```mermaid
stateDiagram-v2
    [*] --> MENU: launch
    MENU --> questions: a question / yes
    MENU --> remember_when: remember when
    MENU --> [*]: stop / cancel / no
```
"""

from __future__ import annotations

from enum import Enum

from dialogue import intents
from dialogue.model import Reply
from dialogue.rules import Go, Rule, Turn
from dialogue.speech import join, speech_from_data
from dialogue.state import Household


class HomeStep(Enum):
    """Home has one step: the menu."""

    MENU = "menu"


# What a returning household's greeting may suggest, by the part of the day where the device
# is, those not tried yet first: the intent that starts each (it is noted as tried when said).
STARTERS: dict[str, str] = {
    intents.ASK_QUESTION: "question",
    intents.DEEPER: "deeper",
    intents.PHOTOS: "photos",
    intents.START_EVENING: "evening",
    intents.CUDDLE: "cuddle",
    intents.HUG: "hug",
    intents.APPRECIATION: "appreciate",
    intents.LISTEN: "listen",
    intents.RITUAL: "ritual",
    intents.INTIMACY_KINDS: "intimacy",
    intents.INTIMACY_KIND: "intimacy",
    intents.INTIMACY_QUIZ: "quiz",
    intents.WHEEL: "wheel",
    intents.REMEMBER_WHEN: "remember",
    intents.START_CHECKIN: "checkin",
}
PARTS_OF_DAY: tuple[tuple[range, tuple[str, ...]], ...] = (
    (range(5, 11), ("ritual", "hug", "intimacy", "quiz")),
    (range(11, 17), ("quiz", "wheel", "ritual", "question", "intimacy")),
    (range(17, 21), ("question", "deeper", "photos", "evening", "appreciate", "remember", "listen")),
    (range(21, 24), ("cuddle", "deeper", "appreciate", "listen")),
    (range(0, 5), ("cuddle", "appreciate")),
)


def note_tried(household: Household, intent: str) -> None:
    """Remember that the household started this exercise (the greeting suggests others first)."""
    key = STARTERS.get(intent)
    if key is not None and key not in household.tried:
        household.tried.append(key)


def _suggestions(turn: Turn) -> tuple[str, str] | None:
    """Two things to suggest at this hour where the device is, untried ones first; None without
    the device's time zone."""
    from dialogue.flows import daily  # it builds on this module: imported when first needed

    zone = daily.household_zone(turn)
    if zone is None:
        return None
    hour = turn.ports.clock().astimezone(zone).hour
    fitting = next(keys for hours, keys in PARTS_OF_DAY if hour in hours)
    if turn.household.deeper is not None and "deeper" in fitting:  # a set paused: carry it on, first
        fitting = ("deeper_paused", *(key for key in fitting if key != "deeper"))
    untried = [key for key in fitting if key not in turn.household.tried]
    tried = [key for key in fitting if key not in untried]
    picks = untried + turn.ports.rng.sample(tried, len(tried))
    return picks[0], picks[1]


def launch(turn: Turn) -> Go:
    """Greet: the first visit explains, later visits are brief, a paused check-in is mentioned;
    in the evening, a returning household is asked how their day was (dialogue.flows.daily)."""
    from dialogue.flows import daily  # it builds on this module: imported when first needed

    if turn.household.checkin is not None:
        key = "launch.checkin_open"
    elif turn.household.visits <= 1:
        key = "launch.first"
    elif daily.evening_offer_due(turn):
        daily.mark_offered(turn)
        offer = turn.say("daily.offer")
        return Go(
            HomeStep.MENU, Reply(join(turn.say("launch.evening"), offer), reprompt=offer), offer=daily.OFFER
        )
    else:
        picks = _suggestions(turn)
        if picks is not None:
            items = turn.content.lists["launch.items"]
            keys = turn.content.lists["launch.keys"]
            first, second = (items[keys.index(pick)] for pick in picks)
            speech = turn.say("launch.suggest", first=first, second=second)
            return Go(HomeStep.MENU, Reply(speech, reprompt=turn.say("reprompt.home")))
        key = "launch.returning"
    return Go(HomeStep.MENU, Reply(turn.say(key), reprompt=turn.say("reprompt.home")))


def menu(turn: Turn) -> Go:
    """Back to the menu."""
    return Go(HomeStep.MENU, Reply(turn.say("menu"), reprompt=turn.say("reprompt.home")))


def goodbye(turn: Turn) -> Go:
    """End the session warmly."""
    key = "goodbye.one" if len(turn.household.names) == 1 else "goodbye"  # no "each other" for one
    return Go(HomeStep.MENU, Reply(turn.say(key), end_session=True))


def session_ended(turn: Turn) -> Go:
    """The platform closed the session: nothing may be spoken."""
    return Go(HomeStep.MENU, Reply((), end_session=True))


def help_here(turn: Turn) -> Go:
    """Help that fits where the conversation is."""
    reply = Reply(turn.for_step("help"), reprompt=turn.for_step("reprompt"))
    return _stay(turn, reply, offer=turn.session.offer)


def repeat(turn: Turn) -> Go:
    """Say the last reply again, word for word."""
    if turn.session.last_speech is None:
        return help_here(turn)
    last = speech_from_data(turn.session.last_speech)
    reprompt = turn.session.last_reprompt
    again = Reply(last, reprompt=speech_from_data(reprompt) if reprompt else None)
    return _stay(turn, again, offer=turn.session.offer)


def fallback(turn: Turn) -> Go:
    """Not understood: a short hint first; the second time in a row, everything that can be said."""
    turn.session.fallbacks += 1
    waiting = turn.session.last_reprompt
    if turn.session.flow == "home" and turn.session.offer in turn.offers and waiting:  # asked at the menu
        speech = join(turn.say("fallback.offer"), speech_from_data(waiting))
        return _stay(turn, Reply(speech, reprompt=speech_from_data(waiting)), offer=turn.session.offer)
    if turn.session.fallbacks == 1:
        speech = turn.for_step("fallback")
    else:
        speech = join(turn.say("fallback.again"), turn.for_step("options"))
    return _stay(turn, Reply(speech, reprompt=turn.for_step("reprompt")), offer=turn.session.offer)


def nothing_offered(turn: Turn) -> bool:
    """Guard: the last reply offered nothing, so a yes or no has no meaning here."""
    return turn.session.offer not in turn.offers


def take_offer(turn: Turn) -> Go:
    """A "yes": start what the last reply offered."""
    return turn.offers[str(turn.session.offer)](turn)


def decline(turn: Turn) -> Go:
    """A "no" to what was offered: part kindly."""
    return goodbye(turn)


def _stay(turn: Turn, reply: Reply, offer: str | None = None) -> Go:
    """Keep the current flow and step."""
    return Go(turn.step, reply, offer=offer)


RULES: tuple[Rule, ...] = (
    Rule(intents.LAUNCH, launch),
    Rule(intents.SESSION_ENDED, session_ended),
    Rule(intents.HELP, help_here),
    Rule(intents.STOP, goodbye),
    Rule(intents.CANCEL, goodbye),
    Rule(intents.REPEAT, repeat),
    Rule(intents.START_OVER, menu),
    Rule(intents.HOME, menu),
    Rule(intents.PREVIOUS, menu),
    Rule(intents.YES, fallback, guard=nothing_offered),
    Rule(intents.YES, take_offer),
    Rule(intents.NO, fallback, guard=nothing_offered),
    Rule(intents.NO, decline),
    Rule(intents.FALLBACK, fallback),
)
