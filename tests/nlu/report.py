"""How well the recogniser understands the corpus: accuracy per intent and the confusion list.

    .venv/bin/python tests/nlu/report.py            # summary, per-intent table, every miss
    .venv/bin/python tests/nlu/report.py --misses   # only the misses

The corpus (tests/nlu/corpus.yaml) is written the way people talk, never from the grammar;
tests/nlu/test_corpus.py holds the recogniser to the thresholds below.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CORPUS = Path(__file__).resolve().parent / "corpus.yaml"
OFF_TOPIC = "none"
FALLBACK = "AMAZON.FallbackIntent"
# what the suite requires (issue 12): intent and slots right, off-topic lines left alone
MIN_ACCURACY = 0.97
MIN_REJECTION = 0.95


@dataclass(frozen=True)
class Line:
    """One corpus line: what was said, where, and what must be understood."""

    say: str
    where: str
    locale: str
    intent: str
    slots: dict[str, str]


@dataclass(frozen=True)
class Verdict:
    """One line's outcome."""

    line: Line
    intent: str
    slots: dict[str, str]
    how: str
    right: bool


def load(path: Path = CORPUS) -> list[Line]:
    """The corpus lines."""
    entries: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Line(
            say=str(entry["say"]),
            where=str(entry.get("in", "home.menu")),
            locale=str(entry.get("locale", "en-US")),
            intent=str(entry["intent"]),
            slots={str(k): str(v) for k, v in (entry.get("slots") or {}).items()},
        )
        for entry in entries
    ]


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^\w' ]+", " ", text.lower().replace("\u2019", "'")).split())


def judge(line: Line, intent: str, slots: dict[str, tuple[str | None, str | None]], how: str) -> Verdict:
    """Right when the intent is (or, off topic, nothing is) and every expected slot reads the same."""
    heard = {name: (resolved or value or "") for name, (value, resolved) in slots.items()}
    if line.intent == OFF_TOPIC:
        return Verdict(line, intent, heard, how, intent == FALLBACK)
    right = intent == line.intent and all(
        _plain(heard.get(name, "")) == _plain(expected) for name, expected in line.slots.items()
    )
    return Verdict(line, intent, heard, how, right)


Understand = Callable[[str, str, str], tuple[str, dict[str, tuple[str | None, str | None]], str]]


def run(understand: Understand, lines: list[Line] | None = None) -> list[Verdict]:
    """Every line's verdict; `understand(text, where, locale)` -> (intent, slots, how)."""
    verdicts = []
    for line in lines if lines is not None else load():
        intent, slots, how = understand(line.say, line.where, line.locale)
        verdicts.append(judge(line, intent, slots, how))
    return verdicts


def recogniser() -> Understand:
    """The shipped recogniser, as `run` calls it."""
    from skill.nlu import recognizer_for

    def understand(
        text: str, where: str, locale: str
    ) -> tuple[str, dict[str, tuple[str | None, str | None]], str]:
        found = recognizer_for(locale).understand(text, where)
        return found.intent, {k: (v.value, v.resolved_id) for k, v in found.slots.items()}, found.how

    return understand


@dataclass(frozen=True)
class Summary:
    """The figures the suite holds the recogniser to."""

    on_topic: int
    on_topic_right: int
    off_topic: int
    off_topic_rejected: int
    near_misses: int

    @property
    def accuracy(self) -> float:
        """Intent and slots right, over every line that means something."""
        return self.on_topic_right / self.on_topic

    @property
    def rejection(self) -> float:
        """Off-topic lines that triggered nothing."""
        return self.off_topic_rejected / self.off_topic


def summarise(verdicts: list[Verdict]) -> Summary:
    """Accuracy and rejection over the verdicts."""
    on = [v for v in verdicts if v.line.intent != OFF_TOPIC]
    off = [v for v in verdicts if v.line.intent == OFF_TOPIC]
    return Summary(
        len(on),
        sum(v.right for v in on),
        len(off),
        sum(v.right for v in off),
        sum(v.how == "near_miss" and v.right for v in verdicts),
    )


def report(verdicts: list[Verdict], misses_only: bool = False) -> str:
    """The summary, the per-intent table and the confusion list, as text."""
    summary = summarise(verdicts)
    out = [
        f"{len(verdicts)} lines: intent + slots right {summary.on_topic_right}/{summary.on_topic} "
        f"({summary.accuracy:.1%}, needs {MIN_ACCURACY:.0%}); off-topic rejected "
        f"{summary.off_topic_rejected}/{summary.off_topic} "
        f"({summary.rejection:.1%}, needs {MIN_REJECTION:.0%}); "
        f"right through a near miss {summary.near_misses}"
    ]
    if not misses_only:
        per: dict[str, Counter[bool]] = defaultdict(Counter)
        for verdict in verdicts:
            per[f"{verdict.line.intent} @ {verdict.line.where}"][verdict.right] += 1
        out.append("")
        out.append(f"{'intent @ where':62} right / lines")
        for key in sorted(per):
            counts = per[key]
            out.append(f"{key:62} {counts[True]:4} / {counts[True] + counts[False]}")
    confusion = Counter((v.line.intent, v.intent) for v in verdicts if not v.right)
    out.append("")
    out.append("confusions (expected -> heard: count)")
    for (expected, heard), count in confusion.most_common():
        out.append(f"  {expected} -> {heard}: {count}")
    out.append("")
    out.append("misses")
    for v in verdicts:
        if not v.right:
            out.append(
                f"  [{v.line.where} {v.line.locale}] {v.line.say!r}: "
                f"expected {v.line.intent} {v.line.slots or ''}, "
                f"heard {v.intent} {v.slots or ''} ({v.how})"
            )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Print the report for the shipped recogniser."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", action="store_true", help="only the summary and the misses")
    args = parser.parse_args(argv)
    print(report(run(recogniser()), misses_only=args.misses))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.exit(main())
