"""The dialogue engine: one event in, the next state and a reply out.

`respond` is deterministic given its inputs: the clock and randomness come from the
ports. Every event is screened first (dialogue.safety): danger words in any slot make it a
bare `SafetyIntent`, so no flow sees them. Then the first rules (the safe answer) are
tried, then the current flow's rules (for its step), then every flow's entry rules, then
the global rules, first to last; anything unmatched is handled as a fallback.
"""

from __future__ import annotations

from enum import Enum

from dialogue import intents
from dialogue.content import Content, load_content
from dialogue.flows import FIRST_RULES, FLOWS, GLOBAL_RULES, HOME, OFFERS
from dialogue.flows.home import HomeStep, fallback, note_tried
from dialogue.model import Event, Reply
from dialogue.ports import Ports
from dialogue.rules import Flow, Go, Rule, Turn
from dialogue.safety import screened
from dialogue.speech import speech_to_data
from dialogue.state import Session, State

_FALLBACK = Rule(intents.FALLBACK, fallback)


def respond(
    state: State, event: Event, ports: Ports, content: Content | None = None, *, handed_over: bool = False
) -> tuple[State, Reply]:
    """Handle one event: returns the new state and what to say.

    The input state is not changed, unless the caller hands it over (`handed_over=True`:
    it will not be used again, as when it was just loaded from the store): then it is
    updated in place, which spares a copy on every turn.
    """
    if not handed_over:
        state = state.copy()
    if event.new_session:
        state.session = Session()
        state.household.visits += 1
    event = screened(event)
    flow, step = _where(state)
    turn = Turn(state, event, ports, content or load_content(), step, OFFERS)
    rule = _match(turn, flow, step)
    outcome = rule.action(turn)
    note_tried(state.household, rule.intent)
    _advance(state, rule, outcome)
    return state, outcome.reply


def _where(state: State) -> tuple[Flow, Enum]:
    """The flow and step the stored session names; anything unknown, or a flow that no longer
    holds (its check-in was deleted, say), is the home menu."""
    flow = FLOWS.get(state.session.flow, HOME)
    if flow.holds is not None and not flow.holds(state):
        return HOME, HomeStep.MENU
    try:
        return flow, flow.steps(state.session.step)
    except ValueError:
        return HOME, HomeStep.MENU


def _match(turn: Turn, flow: Flow, step: Enum) -> Rule:
    for rule in FIRST_RULES:
        if rule.matches(turn, None):
            return rule
    for rule in flow.rules:
        if rule.matches(turn, step):
            return rule
    for other in FLOWS.values():
        for rule in other.entries:
            if rule.matches(turn, None):
                return rule
    for rule in GLOBAL_RULES:
        if rule.matches(turn, None):
            return rule
    return _FALLBACK


def _advance(state: State, rule: Rule, outcome: Go) -> None:
    session = state.session
    if outcome.reply.end_session:
        state.session = Session()
        return
    if rule.action is not fallback:
        session.fallbacks = 0
    session.flow = _flow_name(outcome.step)
    session.step = str(outcome.step.value)
    session.offer = outcome.offer
    if outcome.reply.private:
        # A household's words never sit in the state: "repeat" rebuilds them from the journal.
        session.last_speech = None
        session.last_reprompt = None
    elif rule.intent != intents.REPEAT:
        session.replay = None
        session.last_speech = speech_to_data(outcome.reply.speech)
        reprompt = outcome.reply.reprompt
        session.last_reprompt = speech_to_data(reprompt) if reprompt else None


def _flow_name(step: Enum) -> str:
    for flow in FLOWS.values():
        if isinstance(step, flow.steps):
            return flow.name
    raise LookupError(f"{step!r} belongs to no flow")
