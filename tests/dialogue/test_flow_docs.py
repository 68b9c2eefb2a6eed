"""Each flow's module docstring (its table and its diagram) matches its rule table.

The table's words are for people ("start our check-in"), so what is checked is what a
reader relies on: every step the rules use is in the table and the diagram, and every step
the table or the diagram names exists.
"""

from __future__ import annotations

import re
import sys

import pytest

from dialogue.flows import FLOWS
from dialogue.rules import Flow

_STEP_WORD = re.compile(r"\b[A-Z][A-Z_]{2,}\b")


def _module_doc(flow: Flow) -> str:
    return sys.modules[flow.steps.__module__].__doc__ or ""


def _table_rows(doc: str) -> list[dict[str, str]]:
    lines = [line for line in doc.splitlines() if line.startswith("|")]
    if not lines:
        return []
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    return [dict(zip(header, row, strict=True)) for row in rows]


def _diagram(doc: str) -> str:
    found = re.search(r"```mermaid\n(.*?)```", doc, re.S)
    return found[1] if found else ""


FLOWS_WITH_STEPS = [flow for flow in FLOWS.values() if flow.name != "home"]


@pytest.mark.parametrize("flow", FLOWS_WITH_STEPS, ids=lambda flow: flow.name)
def test_every_step_the_rules_use_is_in_the_table_and_the_diagram(flow: Flow) -> None:
    doc = _module_doc(flow)
    rows = _table_rows(doc)
    assert rows and _diagram(doc), f"{flow.name}: its module docstring has a table and a diagram"
    used = {step.name for rule in flow.rules for step in rule.steps}
    if "step" in rows[0]:
        in_table = {row["step"] for row in rows}
        assert used <= in_table, f"{flow.name}: steps with rules but no table row: {used - in_table}"
    in_diagram = set(_STEP_WORD.findall(_diagram(doc)))
    assert used <= in_diagram, f"{flow.name}: steps with rules but not in the diagram: {used - in_diagram}"


@pytest.mark.parametrize("flow", FLOWS_WITH_STEPS, ids=lambda flow: flow.name)
def test_every_step_the_docstring_names_exists(flow: Flow) -> None:
    doc = _module_doc(flow)
    named = set(_STEP_WORD.findall(_diagram(doc)))
    for row in _table_rows(doc):
        named |= set(_STEP_WORD.findall(row.get("step", ""))) | set(_STEP_WORD.findall(row.get("next", "")))
    steps = {step.name for other in FLOWS.values() for step in other.steps}
    assert named <= steps, f"{flow.name}: the docstring names steps that do not exist: {named - steps}"
