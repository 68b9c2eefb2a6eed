"""Every phrase the README's "What you can say" table quotes is understood where it says."""

from __future__ import annotations

import re
from pathlib import Path

from skill.nlu import FALLBACK, recognizer_for

README = Path(__file__).resolve().parents[2] / "README.md"
WHERE = {
    "anywhere": "home.menu",
    "after a question": "questions.asked",
    "in a check-in": "checkin.answering",
    "afterwards": "home.menu",
    "at bedtime": "home.menu",
    "evening": "home.menu",
    "after a ritual idea": "rituals.suggested",
    "while rating": "wheel.rating",
    "going deeper": "deeper.asking",
}


def quoted_phrases() -> list[tuple[str, str]]:
    text = README.read_text(encoding="utf-8")
    table = text.split("## What you can say", 1)[1].split("\n\n", 2)[1]
    found = []
    for row in table.splitlines()[2:]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        where = WHERE[cells[0]]
        for phrase in re.findall(r'"([^"]+)"', cells[1]):
            if "…" not in phrase:
                found.append((where, phrase))
    return found


def test_the_readme_quotes_phrases() -> None:
    assert len(quoted_phrases()) >= 30


def test_every_phrase_the_readme_quotes_is_understood() -> None:
    recognizer = recognizer_for("en-US")
    missed = [
        (where, phrase)
        for where, phrase in quoted_phrases()
        if recognizer.understand(phrase, where).intent == FALLBACK
    ]
    assert missed == []
