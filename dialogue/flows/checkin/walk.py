"""The walkthrough: five topics, each asked of everyone by name, like a patient facilitator.

Each topic (appreciation, what's working well, what's lacking, anything unspoken or in
conflict, one wish for the coming week) is led in and guided once, when it is reached in
order; asking again, redoing or resuming names it once and never says "Next". At the
answer step the words are, in this order: a check-in command (skip, pause, redo, repeat,
help), another exercise's words (which stay here), a non-answer (filler or too little,
content data `checkin.non_answers`, never saved), else the answer. Every answer goes to the
journal (a port the host makes durable) before the skill says it is saved.

The progress is one `CheckInProgress` in the household state (which check-in, the place
being asked, the places done, the last answer), so "pause", "stop" or a dropped session
resume exactly where they left off, another day, in a new session. The flow's step holds
only while a check-in is under way.

| step      | intent                            | does                                    | next           |
|-----------|-----------------------------------|-----------------------------------------|----------------|
| ANSWERING | an answer                         | saves it, thanks, asks the next         | ANSWERING      |
| ANSWERING | a non-answer ("hmm", "wait")      | nothing saved; asks, twice moves on     | ANSWERING      |
| ANSWERING | the same answer again, at once    | a retry: thanks, not saved twice        | ANSWERING      |
| ANSWERING | skip / next / next person         | moves on without an answer              | ANSWERING      |
| ANSWERING | say that again / start over       | the same question and its guidance      | ANSWERING      |
| ANSWERING | help                              | about the topic, then the same question | ANSWERING      |
| ANSWERING | how many more are there           | which topic of five, then the question  | ANSWERING      |
| ANSWERING | another exercise ("a hug first")  | says how to pause for it, asks again    | ANSWERING      |
| ANSWERING | let me redo that / go back        | forgets the last answer, asks it again  | ANSWERING      |
| ANSWERING | pause / stop / cancel             | keeps progress, says how to resume      | end            |
| ANSWERING | Tom, you go first                 | asks Tom; the person asked comes after  | ANSWERING      |
| ANSWERING | other words, missed words         | stays here: "I didn't catch that"       | ANSWERING      |
| ANSWERING | the last answer                   | closes it, offers a weekly reminder     | home           |
| ANSWERING | the last answer (reminder set)    | closes it, offers an appreciation round | home           |
| any       | answer / redo / pause (under way) | as at the answer step                   | ANSWERING, end |
| any       | redo (just finished)              | reopens it, asks the last answer again  | ANSWERING      |
| any       | answer / redo / pause (none)      | "there's no check-in going"             | home           |

```mermaid
stateDiagram-v2
    [*] --> ANSWERING: begin / resume (from the names flow)
    ANSWERING --> ANSWERING: answer / non-answer / skip / redo / again / help / how many more / other words
    ANSWERING --> [*]: pause / stop / last topic done
    [*] --> ANSWERING: redo (just finished)
```
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum

from dialogue import intents
from dialogue.flows.checkin.common import TOPICS, journal, topic_name, under_way
from dialogue.flows.checkin.reminder import OFFER_REMIND, REMINDER, offer_reminder
from dialogue.flows.home import HomeStep
from dialogue.model import Reply
from dialogue.ports import Answer, Kind
from dialogue.rules import Flow, Go, Rule, Turn
from dialogue.speech import Speech, join
from dialogue.state import CheckInProgress

ANSWER_SLOT = (intents.ANSWER, "answer")
RETRY_WINDOW = timedelta(seconds=5)  # the same answer again within this is the platform's retry


class CheckInStep(Enum):
    """The walkthrough has one step: an answer is being asked for."""

    ANSWERING = "answering"


def begin_or_resume(turn: Turn, opening: Speech = ()) -> Go:
    """Begin a check-in with the household's names, or go on with the one under way."""
    household = turn.household
    if household.checkin is None:
        known = Kind.CHECKIN in journal(turn).kinds()  # they have done one: a shorter start
        household.checkin = CheckInProgress(id=journal(turn).start_checkin(turn.ports.clock()))
        household.checkin.asking = _next_place(turn)
        key = "checkin.begin.one" if len(household.names) == 1 else "checkin.begin.two"
        if known:
            key += "_again"
        return _ask(turn, join(opening, turn.say(key)), lead=True, guide=True)
    asking = _progress(turn).asking
    if asking is None:
        return _complete(turn, opening)
    resume = turn.say("checkin.resume", topic=topic_name(turn, TOPICS[asking[0]]))
    return _ask(turn, join(opening, resume), lead=False, guide=False)  # the topic, named once


def _progress(turn: Turn) -> CheckInProgress:
    """The check-in under way, fitted to the people the household has now (a state migrated
    from before names closed a check-in may hold places of people no longer named)."""
    progress = turn.household.checkin
    assert progress is not None, "the walkthrough's step holds only while a check-in is under way"
    people = len(turn.household.names)
    progress.done = [place for place in progress.done if place[1] < people]
    if progress.last is not None and progress.last[1] >= people:
        progress.last = None
    if progress.asking is None or progress.asking[1] >= people or progress.asking in progress.done:
        progress.asking = _next_place(turn)
    return progress


def _next_place(turn: Turn) -> list[int] | None:
    """The first place (topic, then person) not yet answered or skipped."""
    progress = turn.household.checkin
    done = progress.done if progress is not None else []
    for topic in range(len(TOPICS)):
        for person in range(len(turn.household.names)):
            if [topic, person] not in done:
                return [topic, person]
    return None


def _ask(
    turn: Turn, opening: Speech = (), lead: bool | None = None, guide: bool | None = None, tip: Speech = ()
) -> Go:
    """Ask the current person about the current topic (`tip`, if any, just before the question).

    A topic reached in order is led in ("Next, what's working well.") and guided ("Think of
    the little things too."); by default both happen only when nobody has answered it yet.
    Asking again, redoing or resuming never leads in: the topic is named once.
    """
    progress = _progress(turn)
    if progress.asking is None:
        return _complete(turn, opening)
    index, person = progress.asking
    topic = TOPICS[index].value
    first_of_topic = not any(place[0] == index for place in progress.done)
    names = turn.household.names
    values = {"name": names[person], "other": names[1 - person] if len(names) == 2 else names[person]}
    said_lead = turn.say(f"checkin.topic.{topic}.lead") if (first_of_topic if lead is None else lead) else ()
    solo = "_solo" if len(names) == 1 else "_group" if len(names) > 2 else ""
    guide_key = f"checkin.topic.{topic}.guide"
    if solo and turn.content.has(guide_key + solo):
        guide_key += solo
    wants_guide = first_of_topic if guide is None else guide
    said_guide = turn.say(guide_key) if wants_guide and turn.content.has(guide_key) else ()
    question = turn.say_first([f"checkin.topic.{topic}.ask{solo}", f"checkin.topic.{topic}.ask"], **values)
    reply = Reply(
        join(opening, said_lead, said_guide, tip, question),
        reprompt=turn.say("checkin.answer.reprompt", name=values["name"]),
        elicit=ANSWER_SLOT,
    )
    return Go(CheckInStep.ANSWERING, reply)


def answer(turn: Turn) -> Go:
    """An answer: save it durably, thank the person, ask the next."""
    text = " ".join((turn.event.slot("answer").value or "").split())
    progress = _progress(turn)
    if progress.asking is None:
        return _complete(turn, ())
    if not text:
        return missed_answer(turn)
    if _not_an_answer(turn, text):
        return _unclear(turn)
    if _repeated(turn, progress, text):  # a retry of the request just answered: kept once
        name = turn.household.names[progress.last[1]] if progress.last else ""
        return _ask(turn, turn.say("checkin.answer.saved", name=name))
    turn.session.unclear = 0
    topic, person = progress.asking[0], _speaker(turn, progress.asking[1])
    name = turn.household.names[person]
    journal(turn).save_answer(
        Answer(
            checkin_id=progress.id,
            topic=TOPICS[topic].value,
            person=person,
            text=text,
            said_at=turn.ports.clock(),
            person_id=turn.event.person_id,
            name=name,
        )
    )
    turn.session.answered_at = turn.ports.clock().isoformat()
    place = [topic, person]
    if place not in progress.done:
        progress.done.append(place)
    progress.last = place
    progress.asking = _next_place(turn)
    return _ask(turn, turn.say("checkin.answer.saved", name=name))


def _repeated(turn: Turn, progress: CheckInProgress, text: str) -> bool:
    """The same words as the answer saved a moment ago: the platform sent the request again
    (its reply was lost), nobody said them twice. No one answers that fast after the skill
    has thanked them and asked the next person."""
    if progress.last is None or not turn.session.answered_at:
        return False
    if turn.ports.clock() - datetime.fromisoformat(turn.session.answered_at) > RETRY_WINDOW:
        return False
    topic, person = TOPICS[progress.last[0]].value, progress.last[1]
    for record in journal(turn).recent(1):
        if record.id == progress.id:
            return any(a.topic == topic and a.person == person and a.text == text for a in record.answers)
    return False


def _not_an_answer(turn: Turn, text: str) -> bool:
    """Filler or too little to be an answer ("what", "hang on", "um, er, I dunno"), or a name
    alone (who is speaking, not what they answer): the words are content data."""
    words = "".join(c for c in text.lower() if c.isalnum() or c in " '").split()
    if not words:
        return False  # no words to judge ("<3"): kept as said
    fillers = set(turn.content.lists.get("checkin.filler_words", ()))
    plain = " ".join(word for word in words if word not in fillers)
    names = {name.lower() for name in turn.household.names}
    return not plain or plain in turn.content.lists.get("checkin.non_answers", ()) or plain in names


def _unclear(turn: Turn) -> Go:
    """Nothing to keep: ask again gently, offering to skip; the second time in a row, move on."""
    turn.session.unclear += 1
    if turn.session.unclear >= 2:
        return skip(turn, turn.say("checkin.answer.unclear_moving_on"))
    asking = _progress(turn).asking or [0, 0]
    name = turn.household.names[asking[1]]
    return _ask(turn, turn.say("checkin.answer.unclear", name=name), lead=False, guide=False)


def _speaker(turn: Turn, asked: int) -> int:
    """Who answered: a recognised voice if Alexa knows it, else the person asked."""
    voice = turn.event.person_id
    if voice is None:
        return asked
    known = turn.household.voices.get(voice)
    if known is None or known >= len(turn.household.names):
        turn.household.voices[voice] = asked
        return asked
    return known


def skip(turn: Turn, said: Speech | None = None) -> Go:
    """Move on without an answer."""
    turn.session.unclear = 0
    progress = _progress(turn)
    if progress.asking is not None and progress.asking not in progress.done:
        progress.done.append(progress.asking)
    progress.asking = _next_place(turn)
    return _ask(turn, said if said is not None else turn.say("checkin.skipped"))


def ask_again(turn: Turn) -> Go:
    """The same question again, with its guidance but without leading in again."""
    return _ask(turn, lead=False, guide=True)


def help_answering(turn: Turn) -> Go:
    """Help at the answer step: what the topic is about, what can be said, then the same question."""
    return _ask(turn, lead=False, guide=True, tip=turn.say("help.checkin.answering"))


def how_far(turn: Turn) -> Go:
    """ "How many more of these are there": which of the five topics this is, then the question."""
    progress = _progress(turn)
    if progress.asking is None:
        return _complete(turn, ())
    index = progress.asking[0]
    where = turn.say(
        "checkin.progress",
        ordinal=turn.content.lists["checkin.ordinals"][index],
        topic=topic_name(turn, TOPICS[index]),
        left=turn.content.lists["checkin.topics_left"][len(TOPICS) - 1 - index],
    )
    return _ask(turn, where, lead=False, guide=False)


def elsewhere(turn: Turn) -> Go:
    """Another exercise's words while someone answers ("can we do a hug first"): how to pause
    for it, then the same question; nothing is saved."""
    return _ask(turn, turn.say("checkin.answer.elsewhere"), lead=False, guide=False)


def missed_answer(turn: Turn) -> Go:
    """Words that did not come through as an answer: ask again, gently."""
    return _ask(turn, turn.say("checkin.answer.missed"), lead=False, guide=False)


def goes_first(turn: Turn) -> Go:
    """ "Tom, you go first": Tom answers now, and the person asked still has their turn after."""
    progress = _progress(turn)
    wanted = (turn.event.slot("name").value or "").strip().lower()
    names = [name.lower() for name in turn.household.names]
    if progress.asking is None or wanted not in names:
        return missed_answer(turn)
    place = [progress.asking[0], names.index(wanted)]
    if place == progress.asking:  # it is their turn already
        return _ask(turn, lead=False, guide=False)
    if place in progress.done:  # they have had their turn on this topic
        return _ask(
            turn,
            turn.say("checkin.go_first_done", name=turn.household.names[place[1]]),
            lead=False,
            guide=False,
        )
    progress.asking = place
    first = turn.say("checkin.go_first", name=turn.household.names[place[1]])
    return _ask(turn, first, lead=False, guide=False)


def redo(turn: Turn) -> Go:
    """Forget the last answer and ask for it again."""
    progress = _progress(turn)
    last = progress.last
    if last is None:
        return _ask(turn, turn.say("checkin.redo.nothing"))
    journal(turn).remove_answer(progress.id, TOPICS[last[0]].value, last[1])
    progress.done.remove(last)
    progress.last = None
    progress.asking = last
    return _ask(
        turn, turn.say("checkin.redo.again", name=turn.household.names[last[1]]), lead=False, guide=False
    )


def reopen(turn: Turn) -> Go:
    """ "Let me redo that" right after the last answer closed the check-in: open it again."""
    checkin_id, *last = turn.session.finished or (0, 0, 0)
    turn.session.finished = None
    journal(turn).reopen_checkin(checkin_id)
    people = range(len(turn.household.names))
    every_place = [[topic, person] for topic in range(len(TOPICS)) for person in people]
    turn.household.checkin = CheckInProgress(id=checkin_id, done=every_place, last=last)
    return redo(turn)


def _just_finished(turn: Turn) -> bool:
    return turn.household.checkin is None and turn.session.finished is not None


def pause(turn: Turn) -> Go:
    """Keep everything and stop for now."""
    asking = _progress(turn).asking
    topic = topic_name(turn, TOPICS[asking[0]]) if asking else ""
    return Go(HomeStep.MENU, Reply(turn.say("checkin.paused", topic=topic), end_session=True))


def _complete(turn: Turn, opening: Speech) -> Go:
    """Every place is done: close the check-in and thank them; offer a weekly reminder."""
    household = turn.household
    progress = household.checkin
    if progress is not None:
        journal(turn).complete_checkin(progress.id, turn.ports.clock())
        if progress.last is not None:  # "let me redo that" may still open it again this session
            turn.session.finished = [progress.id, *progress.last]
    household.checkin = None
    people = len(household.names)
    key = "checkin.complete." + ("one" if people == 1 else "two" if people == 2 else "group")
    if REMINDER in household.alerts:
        if people != 2:
            return Go(HomeStep.MENU, Reply(join(opening, turn.say(key)), end_session=True))
        # the reminder is set: offer to take the check-in's appreciation further, as a round
        offer = turn.say("appreciate.offer")
        return Go(
            HomeStep.MENU, Reply(join(opening, turn.say(key), offer), reprompt=offer), offer="appreciation"
        )
    offer, reprompt = offer_reminder(turn)
    return Go(
        HomeStep.MENU, Reply(join(opening, turn.say(key), offer), reprompt=reprompt), offer=OFFER_REMIND
    )


def not_running(turn: Turn) -> Go:
    """Check-in words with no check-in under way."""
    return Go(HomeStep.MENU, Reply(turn.say("checkin.not_running"), reprompt=turn.say("reprompt.home")))


def _under_way(turn: Turn) -> bool:
    return under_way(turn.state)


# A platform may read someone's answer as another exercise's words (a name, a category, a
# hug, a yes): while an answer is asked for, those stay in the check-in as a missed answer,
# never a jump elsewhere.
_OTHER_EXERCISES = frozenset(
    {
        intents.ASK_QUESTION,
        intents.LIST_CATEGORIES,
        intents.REMEMBER_WHEN,
        intents.HUG,
        intents.CUDDLE,
        intents.START_EVENING,
        intents.EVENING_TIME_LEFT,
        intents.END_EVENING,
        intents.NAME,
        intents.JUST_ME,
        intents.YES,
        intents.NO,
        intents.HOME,
    }
)

ANSWERING = (CheckInStep.ANSWERING,)
FLOW = Flow(
    name="checkin",
    steps=CheckInStep,
    holds=under_way,
    rules=(
        Rule(intents.ANSWER, answer, ANSWERING),
        Rule(intents.NEXT, skip, ANSWERING),
        Rule(intents.NEXT_PERSON, skip, ANSWERING),
        Rule(intents.REPEAT, ask_again, ANSWERING),
        Rule(intents.START_OVER, ask_again, ANSWERING),
        Rule(intents.HELP, help_answering, ANSWERING),
        Rule(intents.CHECKIN_PROGRESS, how_far, ANSWERING),
        Rule(intents.PREVIOUS, redo, ANSWERING),
        Rule(intents.STOP, pause, ANSWERING),
        Rule(intents.CANCEL, pause, ANSWERING),
        Rule(intents.NAME, goes_first, ANSWERING),
        Rule(intents.FALLBACK, missed_answer, ANSWERING),
        Rule(intents.ANY, elsewhere, ANSWERING, lambda turn: turn.event.intent in _OTHER_EXERCISES),
    ),
    entries=(
        Rule(intents.ANSWER, answer, guard=_under_way),
        Rule(intents.REDO_ANSWER, redo, guard=_under_way),
        Rule(intents.PAUSE_CHECKIN, pause, guard=_under_way),
        Rule(intents.REDO_ANSWER, reopen, guard=_just_finished),
        Rule(intents.ANSWER, not_running),
        Rule(intents.REDO_ANSWER, not_running),
        Rule(intents.PAUSE_CHECKIN, not_running),
    ),
)
