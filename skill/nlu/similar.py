"""The last near miss: the grammar sentence most like what was said, when nothing matched outright.

The grammar's sentences are expanded once per recogniser with their slots kept as
`{category}`, `{duration}`, … (a spread of each template's expansions, as deploy/models.py
picks Alexa's samples). What was said gets the same treatment: a category, topic or day
the grammar's lists know becomes `{category}`, `{topic}` or `{day}`; a stretch that reads as
a duration becomes `{duration}`, a clock time after "until" becomes `{until}` and after "at"
`{time}`. rapidfuzz then scores every sentence allowed at this step against it
(`token_set_ratio`, 0-100: the same words in any order, extra words forgiven less than
missing ones), and the best sentence counts only when it scores at least `SIMILAR_SCORE`
and beats the best sentence of every other intent by `SIMILAR_MARGIN`; both were chosen on
the corpus (tests/nlu/report.py). Its slots are the values found in what was said that
the sentence has a place for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hassil import Intents
from hassil.sample import sample_expression
from hassil.util import check_required_context
from rapidfuzz import fuzz, process

from dialogue.model import Slot
from skill.nlu import values

SIMILAR_SCORE = 80
SIMILAR_MARGIN = 5
SCORER = fuzz.ratio
_PER_TEMPLATE = 60
_WORD = re.compile(r"[a-z0-9':]+")
_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class _Sentence:
    intent: str
    text: str
    requires: dict[str, Any]


class SimilarSentences:
    """The grammar's sentences, ready to be compared with what was said."""

    def __init__(
        self, intents: Intents, list_ids: Mapping[str, Mapping[str, str]], wildcards: set[str]
    ) -> None:
        self.list_ids = list_ids
        sentences: dict[tuple[str, str], _Sentence] = {}
        for intent in intents.intents.values():
            for data in intent.data:
                if (data.metadata or {}).get("near_miss") is False:
                    continue  # an intent too consequential to guess (the grammar says why)
                for template in data.sentences:
                    texts = []
                    for text in sample_expression(
                        template.expression, intents.slot_lists, intents.expansion_rules, expand_lists=False
                    ):
                        texts.append(" ".join(text.lower().split()))
                        if len(texts) >= _PER_TEMPLATE * 20:
                            break
                    step = max(1, len(texts) // _PER_TEMPLATE)
                    for text in texts[::step]:
                        if any(slot in wildcards and slot not in _FOUND for slot in _SLOT.findall(text)):
                            continue  # names and free text cannot be found again in what was said
                        key = (intent.name, text)
                        sentences.setdefault(key, _Sentence(intent.name, text, dict(data.requires_context)))
        self.sentences = list(sentences.values())
        # the longest phrases first, so "hopes and dreams" is one category, not "dreams"
        self._phrases = sorted(
            (
                (words, name, ident)
                for name, table in list_ids.items()
                for words, ident in table.items()
                if words
            ),
            key=lambda item: -len(item[0]),
        )

    def closest(self, said: str, where: str) -> tuple[str, dict[str, Slot]] | None:
        """The intent and slots of the sentence most like `said` at `where`; None when none is close."""
        shaped, found = self._shape(said)
        context = {"step": where, "flow": where.split(".")[0]}
        allowed = [s for s in self.sentences if not s.requires or check_required_context(s.requires, context)]
        if not allowed:
            return None
        ranked = process.extract(shaped, [s.text for s in allowed], scorer=SCORER, limit=25, processor=None)
        if not ranked:
            return None
        _text, best_score, best_index = ranked[0]
        best = allowed[best_index]
        rival = max((score for _t, score, i in ranked[1:] if allowed[i].intent != best.intent), default=0.0)
        if best_score < SIMILAR_SCORE or best_score - rival < SIMILAR_MARGIN:
            return None
        slots = {name: slot for name, slot in found.items() if f"{{{name}}}" in best.text}
        return best.intent, slots

    def _shape(self, said: str) -> tuple[str, dict[str, Slot]]:
        """What was said, with the values the grammar knows put back as their slot names."""
        words = _WORD.findall(said.lower().replace("-", " "))
        found: dict[str, Slot] = {}
        text = " " + " ".join(words) + " "
        for phrase, name, ident in self._phrases:
            if name in found or f" {phrase} " not in text:
                continue
            found[name] = Slot(phrase, ident)
            text = text.replace(f" {phrase} ", f" {{{name}}} ", 1)
        words = text.split()
        words = _put_back(words, "duration", values.spoken_duration, found, after=None)
        words = _put_back(words, "until", values.spoken_time, found, after=("until", "till", "til"))
        words = _put_back(words, "time", values.spoken_time, found, after=("at", "around", "by"))
        return " ".join(words), found


_FOUND = {"duration", "until", "time"}


def _put_back(
    words: list[str],
    name: str,
    read: Callable[[str], str | None],
    found: dict[str, Slot],
    after: tuple[str, ...] | None,
) -> list[str]:
    """The longest stretch (of up to six words) that reads as a value, replaced by `{name}`."""
    for length in range(min(6, len(words)), 0, -1):
        for start in range(0, len(words) - length + 1):
            if after is not None and (start == 0 or words[start - 1] not in after):
                continue
            stretch = words[start : start + length]
            if any(word.startswith("{") for word in stretch):
                continue
            value = read(" ".join(stretch))
            if value is not None:
                found[name] = Slot(value)
                return words[:start] + [f"{{{name}}}"] + words[start + length :]
    return words
