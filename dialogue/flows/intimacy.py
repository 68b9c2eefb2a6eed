"""The six kinds of intimacy: what each one is, and a short quiz on which the household leans to.

From the first seed article: emotional, physical, spiritual, intellectual, social and sexual
intimacy. "What is spiritual intimacy?" is answered in two or three spoken sentences with
an example (content data, our own words), then leads to the matching exercise or question
deck where there is one: a "yes" starts it (emotional: the appreciation round; physical:
a twenty-second hug; spiritual: the spirituality deck; intellectual: hopes and dreams;
social: a tech-free evening; sexual: none, it is theirs to talk about).

The quiz reads six statements of our own, one per kind, each answered yes or no; the
kinds answered yes are the ones they lean towards, and the first of them leads on the
same way. Nothing of the quiz is kept beyond the session.

| step     | intent                               | does                                          | next     |
|----------|--------------------------------------|-----------------------------------------------|----------|
| any      | what is spiritual intimacy           | explains it; offers what fits                 | home     |
| any      | what kinds of intimacy are there     | names the six, asks which                     | CHOOSING |
| CHOOSING | spiritual / what is spiritual …      | explains it; offers what fits                 | home     |
| CHOOSING | yes / next                           | explains the first, emotional                 | home     |
| CHOOSING | missed words                         | names the six again                           | CHOOSING |
| any      | which kind of intimacy do we lean to | the first statement                           | QUIZ     |
| QUIZ     | yes / no                             | counts it; the next statement                 | QUIZ     |
| QUIZ     | the last yes / no                    | the kinds they lean to; offers what fits      | home     |
| QUIZ     | skip / next                          | the next statement, not counted               | QUIZ     |
| QUIZ     | say that again                       | the same statement                            | QUIZ     |
| QUIZ     | missed words                         | "a yes or a no is fine", the same statement   | QUIZ     |
| QUIZ     | never mind                           | back to the menu                              | home     |
| home     | yes / no, to what fits the kind      | starts it / "what would you like?"            | (its)    |

```mermaid
stateDiagram-v2
    [*] --> home: what is spiritual intimacy (offers what fits)
    [*] --> CHOOSING: what kinds of intimacy are there
    CHOOSING --> home: a kind / yes
    [*] --> QUIZ: which kind do we lean towards
    QUIZ --> QUIZ: yes / no / skip / again
    QUIZ --> home: the last answer / never mind
```
"""

from __future__ import annotations

from enum import Enum

from dialogue import intents
from dialogue.flows.appreciate import OFFER as OFFER_APPRECIATION
from dialogue.flows.home import HomeStep
from dialogue.flows.questions import OFFER_ANOTHER
from dialogue.flows.timed import OFFER_EVENING, OFFER_HUG
from dialogue.model import Reply
from dialogue.rules import Flow, Go, Rule, Turn
from dialogue.speech import Speech, join

KINDS = ("emotional", "physical", "spiritual", "intellectual", "social", "sexual")
# What a "yes" after hearing about a kind starts: an offer, and the deck it asks from.
LEADS: dict[str, tuple[str | None, str | None]] = {
    "emotional": (OFFER_APPRECIATION, None),
    "physical": (OFFER_HUG, None),
    "spiritual": (OFFER_ANOTHER, "SPIRITUALITY"),
    "intellectual": (OFFER_ANOTHER, "HOPES_AND_DREAMS"),
    "social": (OFFER_EVENING, None),
    "sexual": (None, None),
}


LEAD = "intimacy_"  # + the kind: the offer after hearing about it


class IntimacyStep(Enum):
    """Choosing a kind to hear about, or answering the quiz."""

    CHOOSING = "choosing"
    QUIZ = "quiz"


def _kind(turn: Turn) -> str | None:
    slot = turn.event.slot("kind")
    heard = (slot.resolved_id or slot.value or "").strip().lower()
    return next((kind for kind in KINDS if heard.startswith(kind[:5])), None)


def _names(turn: Turn, kinds: list[str]) -> str:
    spoken = [turn.content.lists["intimacy.names"][KINDS.index(kind)] for kind in kinds]
    if len(spoken) == 1:
        return spoken[0]
    return f"{', '.join(spoken[:-1])} {turn.content.lists['intimacy.and'][0]} {spoken[-1]}"


def _lead(turn: Turn, kind: str, opening: Speech) -> Go:
    """What fits the kind, offered; or, where nothing does, back to the menu."""
    offer, deck = LEADS[kind]
    if offer is None:
        menu = turn.say("intimacy.lead.none")
        return Go(HomeStep.MENU, Reply(join(opening, menu), reprompt=turn.say("reprompt.home")))
    if deck is not None:  # "yes", or "another one", asks from that deck
        turn.session.category = turn.household.last_category = deck
    question = turn.say(f"intimacy.lead.{kind}")
    return Go(HomeStep.MENU, Reply(join(opening, question), reprompt=question), offer=LEAD + kind)


def take_lead(turn: Turn) -> Go:
    """ "Yes" to what fits the kind: that exercise starts as its own offer would."""
    offer, _deck = LEADS[str(turn.session.offer).removeprefix(LEAD)]
    return turn.offers[str(offer)](turn)


def decline_lead(turn: Turn) -> Go:
    """ "No" to it: not that, thanks; the menu (a no to the skill's own offers is goodbye)."""
    return Go(HomeStep.MENU, Reply(turn.say("intimacy.lead.declined"), reprompt=turn.say("reprompt.home")))


def _lead_waiting(turn: Turn) -> bool:
    return str(turn.session.offer).startswith(LEAD)


def explain(turn: Turn) -> Go:
    """ "What is spiritual intimacy?": two or three sentences, then what fits it."""
    kind = _kind(turn)
    if kind is None:
        return list_kinds(turn)
    return _lead(turn, kind, turn.say(f"intimacy.about.{kind}"))


def explain_first(turn: Turn) -> Go:
    """ "Yes" to "which would you like to hear about?": the first kind."""
    return _lead(turn, KINDS[0], turn.say(f"intimacy.about.{KINDS[0]}"))


def list_kinds(turn: Turn) -> Go:
    """Name the six and ask which one."""
    speech = turn.say("intimacy.kinds", kinds=_names(turn, list(KINDS)))
    return Go(IntimacyStep.CHOOSING, Reply(speech, reprompt=turn.say("reprompt.intimacy.choosing")))


def missed_kind(turn: Turn) -> Go:
    """Words that name no kind: the six again."""
    speech = join(turn.say("intimacy.missed_kind"), turn.say("reprompt.intimacy.choosing"))
    return Go(IntimacyStep.CHOOSING, Reply(speech, reprompt=turn.say("reprompt.intimacy.choosing")))


# --- the quiz --------------------------------------------------------------------------------


def _statement(turn: Turn, opening: Speech = ()) -> Go:
    kind = KINDS[turn.session.turn]
    statement = turn.say(f"intimacy.quiz.{kind}")
    ask = turn.say("intimacy.quiz.ask")
    reply = Reply(join(opening, statement, ask), reprompt=join(statement, ask))
    return Go(IntimacyStep.QUIZ, reply)


def start_quiz(turn: Turn) -> Go:
    """Six statements, yes or no each."""
    turn.session.turn = 0
    turn.session.leans = []
    intro = turn.say("intimacy.quiz.intro.one" if len(turn.household.names) == 1 else "intimacy.quiz.intro")
    return _statement(turn, intro)


def quiz_yes(turn: Turn) -> Go:
    """That one sounds like them: counted."""
    turn.session.leans = [*turn.session.leans, KINDS[turn.session.turn]]
    return _onwards(turn)


def quiz_no(turn: Turn) -> Go:
    """Not them: the next statement."""
    return _onwards(turn)


def quiz_skip(turn: Turn) -> Go:
    """Skipped: not counted either way."""
    return _onwards(turn, turn.say("intimacy.quiz.skipped"))


def _onwards(turn: Turn, opening: Speech = ()) -> Go:
    turn.session.turn += 1
    if turn.session.turn < len(KINDS):
        return _statement(turn, opening or turn.say("intimacy.quiz.next"))  # a skip says its own
    leans, turn.session.leans = list(turn.session.leans), []
    if not leans:
        speech = join(opening, turn.say("intimacy.quiz.none"))
        return Go(HomeStep.MENU, Reply(speech, reprompt=turn.say("reprompt.home")))
    key = "intimacy.quiz.result" if len(leans) < 4 else "intimacy.quiz.result_many"
    result = turn.say(key, kinds=_names(turn, leans))
    return _lead(turn, leans[0], join(opening, result))


def quiz_again(turn: Turn) -> Go:
    """The same statement again."""
    return _statement(turn)


def quiz_missed(turn: Turn) -> Go:
    """Not a yes or a no: gently, the same statement."""
    return _statement(turn, turn.say("intimacy.quiz.missed"))


def quiz_cancel(turn: Turn) -> Go:
    """ "Never mind": back to the menu."""
    turn.session.leans = []
    return Go(HomeStep.MENU, Reply(turn.say("intimacy.quiz.cancelled"), reprompt=turn.say("reprompt.home")))


CHOOSING, QUIZ = (IntimacyStep.CHOOSING,), (IntimacyStep.QUIZ,)
FLOW = Flow(
    name="intimacy",
    steps=IntimacyStep,
    rules=(
        Rule(intents.INTIMACY_KIND, explain, CHOOSING),
        Rule(intents.YES, explain_first, CHOOSING),
        Rule(intents.NEXT, explain_first, CHOOSING),
        Rule(intents.FALLBACK, missed_kind, CHOOSING),
        Rule(intents.YES, quiz_yes, QUIZ),
        Rule(intents.NO, quiz_no, QUIZ),
        Rule(intents.NEXT, quiz_skip, QUIZ),
        Rule(intents.REPEAT, quiz_again, QUIZ),
        Rule(intents.FALLBACK, quiz_missed, QUIZ),
        Rule(intents.CANCEL, quiz_cancel, QUIZ),
    ),
    entries=(
        Rule(intents.INTIMACY_KIND, explain),
        Rule(intents.INTIMACY_KINDS, list_kinds),
        Rule(intents.INTIMACY_QUIZ, start_quiz),
        Rule(intents.NO, decline_lead, guard=_lead_waiting),
    ),
    offers=tuple((LEAD + kind, take_lead) for kind, (offer, _deck) in LEADS.items() if offer),
)
