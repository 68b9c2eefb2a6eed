"""The flows, in the order their entry rules are tried, the rules tried before all (the safe
answer to danger) and the global rules tried after them."""

from __future__ import annotations

from dialogue.flows import (
    alerts,
    appreciate,
    checkin,
    daily,
    deeper,
    home,
    intimacy,
    listen,
    photos,
    questions,
    remember_when,
    rituals,
    support,
    timed,
    wheel,
)
from dialogue.flows.home import HomeStep
from dialogue.rules import Action, Flow, Rule

HOME = Flow(name="home", steps=HomeStep)
FLOWS: dict[str, Flow] = {
    flow.name: flow
    for flow in (
        HOME,
        support.FLOW,
        questions.FLOW,
        remember_when.FLOW,
        listen.FLOW,
        appreciate.FLOW,  # before the check-in's: its launch rule lets go of a round, then tidies
        daily.FLOW,
        intimacy.FLOW,
        rituals.FLOW,
        wheel.FLOW,
        deeper.FLOW,
        photos.FLOW,
        *checkin.FLOWS,
        timed.FLOW,
        alerts.FLOW,
    )
}
FIRST_RULES: tuple[Rule, ...] = support.FIRST
GLOBAL_RULES: tuple[Rule, ...] = home.RULES
OFFERS: dict[str, Action] = {name: action for flow in FLOWS.values() for name, action in flow.offers}


def all_rules() -> list[Rule]:
    """Every rule of every flow, entry and global: what the interaction models must cover."""
    rules = [*FIRST_RULES, *GLOBAL_RULES]
    for flow in FLOWS.values():
        rules.extend(flow.rules)
        rules.extend(flow.entries)
    return rules
