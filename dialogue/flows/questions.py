"""Questions at dinner: a deep question from a chosen category, or from any.

Every household works through each deck without repeats: a question is asked again only
once its whole deck (or, for "any category", every deck) has been used, and never twice
in a row. The position is part of the household state, so it survives sessions and days.

| step     | intent                 | does                                     | next     |
|----------|------------------------|------------------------------------------|----------|
| any      | a question [about X]   | picks from X (or any), or asks which X   | ASKED    |
| any      | what categories        | lists the six categories                 | CHOOSING |
| any      | next / another one     | another from the last category           | ASKED    |
| ASKED    | say that again         | the question again, alone                | ASKED    |
| ASKED    | go back                | the question before this one             | ASKED    |
| CHOOSING | yes / next             | a question from any category             | ASKED    |

```mermaid
stateDiagram-v2
    [*] --> ASKED: a question [about X]
    [*] --> CHOOSING: what categories / unknown X
    CHOOSING --> ASKED: a question about X / next / yes
    ASKED --> ASKED: next / skip / again / back
    ASKED --> [*]: stop / no
```
"""

from __future__ import annotations

from enum import Enum

from dialogue import intents
from dialogue.content import Question
from dialogue.model import Card, Reply
from dialogue.rules import Flow, Go, Rule, Turn
from dialogue.speech import Pause, Say, Speech, join

OFFER_QUESTION = "question"
OFFER_ANOTHER = "another_question"


class QuestionStep(Enum):
    """Where a question round stands."""

    ASKED = "asked"
    CHOOSING = "choosing"


def ask(turn: Turn) -> Go:
    """A question, from the category named in the request or from any."""
    slot = turn.event.slot("category")
    if not slot.value and not slot.resolved_id:
        return _ask(turn, None)
    category = turn.content.category_for(slot)
    if category is None:
        return _unknown_category(turn, slot.value or "")
    return _ask(turn, category.id)


def another(turn: Turn) -> Go:
    """Another question from the category this round is about."""
    return _ask(turn, turn.session.category)


def another_from_last_time(turn: Turn) -> Go:
    """ "Another one" outside a round: continue the household's last category."""
    return _ask(turn, turn.household.last_category)


def any_category(turn: Turn) -> Go:
    """A question from any category."""
    return _ask(turn, None)


def list_categories(turn: Turn) -> Go:
    """Name the six categories and ask which one."""
    speech = turn.say("categories.list", categories=_category_names(turn))
    return Go(QuestionStep.CHOOSING, Reply(speech, reprompt=turn.say("reprompt.questions.choosing")))


def say_question_again(turn: Turn) -> Go:
    """Only the question, again."""
    question = _current(turn)
    speech = join(turn.say("question.again"), (Say(question.text),))
    return _asked(turn, question, speech)


def previous_question(turn: Turn) -> Go:
    """The question before the current one."""
    previous = turn.session.previous_question
    if previous is None or previous not in turn.content.questions:
        speech = join(turn.say("question.no_previous"), (Say(_current(turn).text),))
        return _asked(turn, _current(turn), speech)
    question = turn.content.questions[previous]
    turn.session.previous_question, turn.session.question = turn.session.question, previous
    speech = join(turn.say("question.previous"), (Say(question.text),))
    return _asked(turn, question, speech)


def _ask(turn: Turn, category_id: str | None) -> Go:
    question = pick_question(turn, category_id)
    first_in_session = turn.session.question is None
    turn.session.category = category_id
    turn.session.previous_question = turn.session.question
    turn.session.question = question.id
    turn.household.last_category = category_id
    turn.household.last_question = question.id
    category = turn.content.categories[question.category]
    intro = turn.say("question.intro", category=category.name)
    body: Speech = (Pause(400), Say(question.text), Pause(900))
    hint = turn.say("question.hint") if first_in_session else ()
    return _asked(turn, question, join(intro + body, hint))


def pick_question(turn: Turn, category_id: str | None) -> Question:
    """The next question for this household: unused in its deck, and not the last one asked."""
    decks = [category_id] if category_id else sorted(turn.content.categories)
    asked = turn.household.asked
    fresh = [q for deck in decks for q in _deck(turn, deck) if q.id not in asked.get(deck, [])]
    if not fresh:
        for deck in decks:
            asked[deck] = []
        fresh = [q for deck in decks for q in _deck(turn, deck)]
    candidates = [q for q in fresh if q.id != turn.household.last_question] or fresh
    question = turn.ports.rng.choice(candidates)
    asked.setdefault(question.category, []).append(question.id)
    return question


def _deck(turn: Turn, category_id: str) -> tuple[Question, ...]:
    return turn.content.categories[category_id].questions


def _current(turn: Turn) -> Question:
    return turn.content.questions[str(turn.session.question)]


def _asked(turn: Turn, question: Question, speech: Speech) -> Go:
    """A reply that reads a question; a "yes" afterwards means another one."""
    category = turn.content.categories[question.category]
    reply = Reply(
        speech,
        reprompt=turn.say("reprompt.questions"),
        card=Card(category.card_title, question.text),
    )
    return Go(QuestionStep.ASKED, reply, offer=OFFER_ANOTHER)


def _category_names(turn: Turn) -> str:
    names = [category.name for category in turn.content.categories.values()]
    return ", ".join(names[:-1]) + turn.content.lists["conjunction.and"][0] + names[-1]


def _unknown_category(turn: Turn, heard: str) -> Go:
    speech = turn.say("categories.unknown", heard=heard, categories=_category_names(turn))
    reply = Reply(speech, reprompt=turn.say("reprompt.questions.choosing"))
    return Go(QuestionStep.CHOOSING, reply, offer=OFFER_QUESTION)


def _is_asked(turn: Turn) -> bool:
    return turn.session.question in turn.content.questions


FLOW = Flow(
    name="questions",
    steps=QuestionStep,
    rules=(
        Rule(intents.NEXT, another),
        Rule(intents.REPEAT, say_question_again, (QuestionStep.ASKED,), _is_asked),
        Rule(intents.PREVIOUS, previous_question, (QuestionStep.ASKED,), _is_asked),
    ),
    entries=(
        Rule(intents.ASK_QUESTION, ask),
        Rule(intents.LIST_CATEGORIES, list_categories),
        Rule(intents.NEXT, another_from_last_time),
    ),
    offers=((OFFER_QUESTION, any_category), (OFFER_ANOTHER, another)),
)
