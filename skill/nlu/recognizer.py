"""Local understanding: typed or recognised words -> an intent and its slots, through hassil.

For every host without Alexa's NLU (the browser, the terminal chat, a local assistant).
One `Recognizer` per locale reads the one grammar (`skill.nlu.grammar`) and is asked with
the words and where the conversation stands ("checkin.answering"), as Alexa's dialog
management knows the step:

0. Words about violence, abuse or fear of someone at home (`dialogue.safety`) are
   `SafetyIntent` with no slots, wherever they are said and whatever else they say: the
   words go no further, not even into an answer's free text. A plain request for the
   helpline number is `HelplineIntent`, wherever it is said.
1. The words are tidied without changing their length (curly apostrophes, "check-in" ->
   "check in", a leading "alexa,", and outside free-text steps openings such as "could you"
   and endings such as "please" blanked), so what hassil matches maps straight back to
   what was said; other fillers are the grammar's skip words.
2. hassil ranks every sentence template that matches the whole utterance in this context
   (a `prefer`red place-specific reading first, then fewest free-text slots, then most
   literal words). The first whose slots read as their kind wins: a duration must be one
   ("two hours" -> PT2H), a clock time one ("half past nine" -> 09:30), a first name a name
   ("I'm confused" is not one; "Priya and this is Tom" is two).
3. Where a person's own words are being taken (an answer, a name: `free_text` in the
   grammar), only that step's intents are tried; anything not a command is the free text,
   kept as said (case and all) with a pure lead-in ("my answer is") and hesitations ("um")
   taken off. A command said beside other words ("hang on, let me change that answer")
   still counts when it is a whole part of what was said (`_clause`).
4. Elsewhere, when nothing matched, near misses in turn: one part of what was said
   (`_clause`: clauses, or for unpunctuated speech the words before or after a gap); then
   words the grammar does not know corrected to the closest word it does with the same
   first letter (`_mend`, rapidfuzz ratio >= `NEAR_MISS_SCORE`; a word close to nothing
   means no near miss); then the grammar sentence most like what was said
   (`skill.nlu.similar`). "can u gimme a qestion" lands; "I need a coffee" falls back.

5. Words still unplaced (or only a near miss) outside a free-text step are tried against
   the grammar's `cues`, in order: words about a couple struggling or wanting counselling
   are `SeekSupportIntent` (the pointer to outside help rather than "I didn't catch
   that"), words that can only mean one exercise name it ("the one where one of us talks
   and the other just listens").

The result says how it was understood ("grammar", "near_miss" or "fallback"), so the host
can count misses per step without keeping any words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from typing import Any, Literal

from hassil import Intents, recognize_ranked
from hassil.expression import Expression, Group, TextChunk
from hassil.intents import TextSlotList, WildcardSlotList
from hassil.sample import sample_expression
from rapidfuzz import fuzz, process

from dialogue.intents import HELPLINE, SAFETY
from dialogue.model import Slot
from dialogue.safety import asks_for_helpline, is_danger
from skill.nlu import values
from skill.nlu.grammar import alexa_skeleton, grammar_for, source_grammar
from skill.nlu.similar import SimilarSentences

FALLBACK = "AMAZON.FallbackIntent"
FIRST_NAME = "AMAZON.FirstName"
FREE_TEXT = "AMAZON.SearchQuery"
# The similarity (0-100, rapidfuzz's ratio) from which an unknown word is read as a
# grammar word; chosen on the corpus (tests/nlu/corpus.yaml, see tests/nlu/report.py).
NEAR_MISS_SCORE = 80
How = Literal["grammar", "near_miss", "fallback"]
# The grammar's wildcard for a few trailing words of why ("a question about family for me
# and the kids"): heard, checked to be short, and let go.
LET_GO = "reason"
# Slots a custom list fills that may also hold words the list does not know (a wildcard of
# the grammar's, named `{unknown_…:slot}`): those reach the dialogue unresolved.
CUSTOM_UNKNOWN = {"category": "QuestionCategory"}
_LET_GO_WORDS = 6
# Several names said at once, and what people put between them
_MOST_NAMES = 6
_NAMES_APART = re.compile(
    r"\s*(?:,|&|\band\b)\s*(?:and\s+)?(?:(?:this|that|there)(?:'s|\s+is)\s+(?:(?:my|me|our)\s+\w+\s+)?|"
    r"(?:he|she)(?:'s|\s+is)\s+|i'm\s+|i\s+am\s+|(?:the\s+kids|our\s+kids|the\s+children|the\s+little\s+ones?)"
    r"(?:\s+are)?\s+|(?:my|our|me)\s+(?:husband|wife|partner|hubby|missus|wifey|boyfriend|girlfriend|fiance|"
    r"fiancee|son|daughter|mum|mom|dad|friend|kid)(?:'s\s+name)?(?:\s+is)?\s+|(?:his|her)\s+name(?:'s|\s+is)\s+|"
    r"(?:these|those)\s+are\s+(?:my|our)\s+(?:kids|children|sons|daughters|boys|girls)\s+|"
    r"(?:my|our)\s+(?:kids|children|sons|daughters|boys|girls)(?:\s+are)?\s+)?",
    re.IGNORECASE,
)
_SPEAKING = re.compile(r"\s+(?:here|speaking)\s*$", re.IGNORECASE)
_NOT_THAT_NAME = re.compile(r"[\s,]+(?:and\s+)?not\s+[^\W\d_][\w'-]*\s*$", re.IGNORECASE)
# the share of the words a part of an utterance must hold to be taken for the whole request
_MOST = 0.6
_MENU = "home.menu"
_REDO = "RedoAnswerIntent"
_FALSE_START = frozenset(
    "um umm uh er erm hmm oh ah hang on hold wait sorry no scratch that please actually so okay ok".split()
)
_REPEAT = "AMAZON.RepeatIntent"
_COMMAND_WORDS = 10
# Chat shorthand read as the words it stands for before a near miss is looked for.
_SHORTHAND = {
    "u": "you",
    "ur": "your",
    "r": "are",
    "y": "why",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
}

# A leading wake word, said or typed: replaced by spaces so positions still match the text.
_WAKE = re.compile(r"^\s*(?:(?:hey|ok|okay|hi)\s+)?alexa\b[\s,.!:;-]*", re.IGNORECASE)
# Politeness and hesitation at either end of a command, blanked before matching (hassil's
# skip words are all-or-nothing: "please" could not go while "like" in "we'd like" stays).
_LEADING = re.compile(
    r"^(?:\s*(?:um+|uh+(?!\s*huh)|er+m?|hmm+|ah+|oh|okay|ok|so|well|right|alright|please|hey|kindly|"
    r"do one thing|would you (?:please |kindly )?be so kind as to|would you mind|would you kindly|"
    r"(?:can|could|would|will|shall|may) (?:you|u|we|i)(?: please)?|you could|you can|reckon you could|"
    r"reckon we could|reckon)\b[\s,.!]*)+",
    re.IGNORECASE,
)
_TRAILING_POLITE = re.compile(
    r"(?:[\s,.!]*\b(?:please|pls|thanks|thank you|thx|mate|eh|cheers|ta|then|babe|honey|dear|yeah|only|"
    r"itself|obviously|would ya|would you|if you must|if that's all right|if that's alright|if that's ok|"
    r"if that's okay|if you don't mind|if you would)\b)+[\s,.!?]*$",
    re.IGNORECASE,
)
_WORD_HYPHEN = re.compile(r"(?<=[A-Za-z])-(?=[A-Za-z])")
# Hesitation at the start of someone's own words ("um, I…", "okay, um, I…"); "so" or "well"
# alone stay, as the corpus's writers kept them.
_HESITATION = re.compile(
    r"^(?:(?:(?:okay|ok|yeah|so|well|right)[\s,]+)*(?:um+|uh+|er+m?|hmm+|ah+|ugh+|oh)\b(?!-)[\s,.!]*)+",
    re.IGNORECASE,
)
_TRAILING = re.compile(r"[\s,;:-]+$")
_LENGTH = re.compile(r"\b(?:minutes?|mins?|hours?|hrs?|seconds?|secs?)\b")
_WORD = re.compile(r"[a-z']+")
_CLAUSE = re.compile(r"[,;:.!?]+")
# What a first name is not: words people say at the name step that are not names.
_NOT_NAMES = frozenset(
    """i me you we us he she they it him her them my your our their this that there here what who
    why how when where which not no yes yeah ok okay sure fine good great confused lost ready done
    sorry tired busy back home hungry both everyone everybody nobody someone somebody anyone
    the a an and or but so just only um uh er hmm well really very alone myself yourself
    help stop cancel repeat again skip next pause wait hang on hold yep yup nope nah called
    obviously actually really too also course please thanks cheers of everyone everybody
    let's lets begin start go ready done finished hi hello hey g'day gday hiya its idk dunno ugh""".split()
)


@dataclass(frozen=True)
class Understood:
    """What some words were taken to mean, and how."""

    intent: str
    slots: Mapping[str, Slot] = field(default_factory=dict)
    how: How = "grammar"


class Recognizer:
    """Understands one locale's sentences with the one grammar."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        grammar = grammar_for(locale, "local")
        self.intents = Intents.from_dict(grammar)
        self.slot_kinds: dict[str, str] = dict(alexa_skeleton()["slots"])
        self.free_text: dict[str, dict[str, Any]] = dict(source_grammar().get("free_text", {}))
        self.cues: dict[str, list[re.Pattern[str]]] = {
            intent: [re.compile(pattern) for pattern in patterns]
            for intent, patterns in source_grammar().get("cues", {}).items()
        }
        self.vocabulary = sorted(_vocabulary(self.intents))
        self._known = frozenset(self.vocabulary)
        # At a step that takes someone's own words, only its own intents are tried at all.
        self._heard_at: dict[tuple[str, bool], Intents] = {}
        for step, spec in self.free_text.items():
            for commands_only, names in (
                (False, {spec["intent"], *spec["commands"]}),
                (True, set(spec.get("clause_commands", ()))),
            ):
                subset = {name: intent for name, intent in self.intents.intents.items() if name in names}
                self._heard_at[(step, commands_only)] = replace(self.intents, intents=subset)
        self._ids = {
            name: {
                _plain(words): str(value.value_out)
                for value in slot_list.values
                for words in sample_expression(value.text_in)
            }
            for name, slot_list in self.intents.slot_lists.items()
            if isinstance(slot_list, TextSlotList)
        }

    def resolve(self, list_name: str, words: str) -> str | None:
        """The id a grammar list gives these words ("growing up" -> FAMILY), as Alexa resolves synonyms."""
        return self._ids.get(list_name, {}).get(_plain(words))

    def understand(self, text: str, where: str = "home.menu") -> Understood:
        """The intent and slots for `text` said at `where` ("flow.step"), or the fallback."""
        if is_danger(text, self.locale):
            return Understood(SAFETY)
        if asks_for_helpline(text, self.locale):
            return Understood(HELPLINE)
        understood = self._understand(text, where)
        if understood.how == "near_miss" and "time" in understood.slots and _LENGTH.search(text.lower()):
            # "make it fifteen minutes instead": a length, never the clock time a near miss left
            understood = Understood(FALLBACK, how="fallback")
        if understood.how == "grammar":
            return understood
        if where not in self.free_text:
            plain = _plain(text)
            for intent, patterns in self.cues.items():
                if any(pattern.search(plain) for pattern in patterns):
                    return Understood(intent)
        if understood.intent == SAFETY:
            # Too serious to guess: "he beat me at chess" is not "he beat me". Real danger
            # words were screened above.
            return Understood(FALLBACK, how="fallback")
        return understood

    def _understand(self, text: str, where: str) -> Understood:
        said = _tidy(text)
        if not said.strip():
            return Understood(FALLBACK, how="fallback")
        free = self.free_text.get(where)
        if free is None:
            said = _without_politeness(said)
        found = self._match(said, where, text)
        if found is not None and (free is None or found.intent != free["intent"]):
            return found
        if free is not None:
            # "can we change our names", "let's finish this later please": a command with its
            # politeness; the words are kept whole if they turn out to be the answer.
            polite = _without_politeness(said)
            command = self._match(polite, where, literal=True) if polite != said else None
            if command is not None and command.intent != free["intent"]:
                return command
        # Two clauses ("we give up, end the phone-free night"): one of them may be the request.
        # Where someone's own words are taken, only a clause that is wholly a command of the
        # step's `clause_commands` counts ("scratch that, I want to answer again").
        clause = self._clause(said, where, free)
        if clause is not None:
            return Understood(clause.intent, clause.slots, "grammar" if free is not None else "near_miss")
        if found is not None:
            return found
        if free is not None:
            return Understood(FALLBACK, how="fallback")
        mended = self._mend(said)
        if mended is not None:
            found = self._match(mended, where)
            if found is not None:
                return Understood(found.intent, found.slots, "near_miss")
        closest = self.similar.closest(mended or said, where)
        if closest is not None:
            return Understood(closest[0], closest[1], "near_miss")
        return Understood(FALLBACK, how="fallback")

    @cached_property
    def similar(self) -> SimilarSentences:
        """The grammar's sentences for the last near miss (built on first use)."""
        wildcards = {
            name
            for name, slot_list in self.intents.slot_lists.items()
            if isinstance(slot_list, WildcardSlotList)
        }
        return SimilarSentences(self.intents, self._ids, wildcards)

    def _clause(self, said: str, where: str, free: Mapping[str, Any] | None) -> Understood | None:
        """The request in one part of what was said: the part with most words understood, the later on a tie.

        The parts are the clauses between punctuation or, when a recogniser heard none, the
        words before and after each gap. "phones away, tech free night till ten, go on" is the
        evening until ten; "we give up end the phone free night" the end of it. A part must be
        two words or more and match a sentence by its words, not a slot alone ("the meaning of
        life" inside a question about the weather is not a request for a question); at the
        menu, where requests for other skills arrive, a part cut at a gap must also be most
        of what was said.
        """
        heard = []
        total = len(_WORD.findall(said.lower()))
        parts, punctuated = _parts(said)
        for position, part in enumerate(parts):
            words = len(_WORD.findall(part.lower()))
            if (words < 2 and not (punctuated and free is not None)) or (
                not punctuated and where == _MENU and words < _MOST * total
            ):
                continue  # "hug" out of "hug the dog", "turn off" out of "turn off the lights"
            if free is not None and words > _COMMAND_WORDS:
                continue  # a command beside someone's answer is short
            if free is not None and len(parts) > 1 and _filler_words(part) == words:
                continue  # "sorry, it's Jordan": the "sorry" is a false start, not "say that again"
            if free is None:
                part = _without_politeness(part)
            found = self._match(part, where, literal=True, commands_only=free is not None)
            if found is not None:
                heard.append((words, position, found))
        if not heard:
            return None
        words, _position, found = max(heard, key=lambda item: item[:2])
        if free is not None and found.intent == _REDO and words < total - _filler_words(said):
            # "mornings are working, no wait, let me redo that": the words beside the redo were
            # this person's unfinished answer, not the last one saved: ask them again instead.
            return Understood(_REPEAT)
        return found

    def _match(
        self,
        said: str,
        where: str,
        original: str | None = None,
        literal: bool = False,
        commands_only: bool = False,
    ) -> Understood | None:
        """The first ranked match whose slots read as their kinds; slot words are cut from `original`.

        `said` is the tidied text hassil matches; `original` (the same length) what was said.
        Where someone's own words are taken only that step's intents are tried, and with
        `commands_only` only the commands that may stand in a part of what was said.
        """
        context = {"step": where, "flow": where.split(".")[0]}
        grammar = self._heard_at.get((where, commands_only), self.intents)
        for result in recognize_ranked(
            said, grammar, intent_context=context, language="en", best_metadata_key="prefer"
        ):
            name = result.intent.name
            if literal and result.text_chunks_matched == 0:
                continue
            slots = self._slots(original if original is not None else said, result)
            if slots is not None:
                return Understood(name, slots)
        return None

    def _slots(self, said: str, result: Any) -> dict[str, Slot] | None:
        """The result's slots as Alexa would fill them; None when one does not read as its kind."""
        slots: dict[str, Slot] = {}
        for name, entity in result.entities.items():
            kind = self.slot_kinds.get(name, "")
            if not entity.is_wildcard:  # a grammar list: the words heard and their id
                slots[name] = Slot(_spoken(said, entity), str(entity.value))
                continue
            heard = _spoken(said, entity)
            if kind == CUSTOM_UNKNOWN.get(name) and len(heard.split()) > 3:
                return None  # an unknown topic is named in a few words, not a sentence
            if name == LET_GO:
                if len(heard.split()) > _LET_GO_WORDS:
                    return None
                continue
            if kind == FREE_TEXT:
                # Hesitation alone ("hmm") is kept as said: the dialogue decides it is no answer.
                words = _HESITATION.sub("", heard).strip() or heard.strip()
                if not words:
                    return None
                slots[name] = Slot(words)
            elif kind == FIRST_NAME:
                unhesitating = _HESITATION.sub("", heard)
                names = _names_in(unhesitating) if name == "name" else None
                if names is None:
                    first = unhesitating.split(",")[0]
                    if not _looks_like_a_name(first):
                        return None
                    names = _TRAILING.sub("", first.strip(" .!?"))
                slots[name] = Slot(names)
            else:
                value = values.resolve(kind, heard)
                if value is None:
                    return None
                slots[name] = Slot(value)
        return slots

    def _mend(self, said: str) -> str | None:
        """The words with each unknown one corrected to its closest grammar word.

        None when nothing changed, or when a word is close to nothing the grammar knows:
        "can u gimme a qestion" is mended, "order more paper towels" is not "more".
        """
        words = _WORD.findall(said.lower())
        out: list[str] = []
        for word in words:
            word = _SHORTHAND.get(word, word)
            if word in self._known:
                out.append(word)
                continue
            # A slip keeps the first letter ("qestion"); "money" is not "honey".
            same_start = [known for known in self.vocabulary if known[:1] == word[:1]]
            best = process.extractOne(word, same_start, scorer=fuzz.ratio, score_cutoff=NEAR_MISS_SCORE)
            if best is None:
                return None  # a word nothing in the grammar is close to: not a slip of the keyboard
            out.append(best[0])
        return " ".join(out) if out != words else None


def _filler_words(said: str) -> int:
    """How many of the words are hesitation or a false start ("hang on", "wait", "sorry")."""
    return sum(word in _FALSE_START for word in _WORD.findall(said.lower()))


def _parts(said: str) -> tuple[list[str], bool]:
    """The clauses between punctuation (True); without any, what comes before and after each gap (False)."""
    clauses = [clause for clause in _CLAUSE.split(said) if clause.strip()]
    if len(clauses) > 1:
        return clauses, True
    words = said.split()
    cuts = [part for cut in range(1, len(words)) for part in (" ".join(words[:cut]), " ".join(words[cut:]))]
    return cuts, False


def _tidy(text: str) -> str:
    """The words as matched: same length as said, so hassil's spans point into the original."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    wake = _WAKE.match(text)
    if wake is not None:
        text = " " * wake.end() + text[wake.end() :]
    return _WORD_HYPHEN.sub(" ", text)


def _plain(text: str) -> str:
    return " ".join(_WORD.findall(text.lower().replace("\u2019", "'").replace("-", " ")))


def _without_politeness(text: str) -> str:
    """The text with its openings ("could you") and endings ("please") blanked, same length."""
    return _blank(_TRAILING_POLITE, _blank(_LEADING, text))


def _blank(pattern: re.Pattern[str], text: str) -> str:
    """The text with what the pattern matches replaced by as many spaces (unless nothing would be left)."""
    blanked = pattern.sub(lambda found: " " * len(found[0]), text)
    return blanked if blanked.strip() else text


def _spoken(said: str, entity: Any) -> str:
    """What the person said for a slot, as they said it (case and inner punctuation kept)."""
    span = entity.text_span
    if span is not None:
        return said[span[0] : span[1]].strip()
    return str(entity.text).strip()


def _names_in(heard: str) -> str | None:
    """The first names in what was said, one or several ("Priya and this is Tom" -> "Priya and Tom")."""
    # "Priya here, and …": who is speaking, then the rest; "Mia, not Maya": the correction
    heard = _NOT_THAT_NAME.sub("", heard.strip(" .!?"))
    parts = [_SPEAKING.sub("", part) for part in _NAMES_APART.split(heard) if part.strip()]
    if not 1 <= len(parts) <= _MOST_NAMES or not all(_looks_like_a_name(part) for part in parts):
        return None
    names = [part.strip(" .,!?") for part in parts]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _looks_like_a_name(heard: str) -> bool:
    words = [word.strip(".,!?").lower() for word in heard.split()]
    if not 1 <= len(words) <= 2 or any(not re.fullmatch(r"[^\W\d_][\w'.-]*", w) for w in words):
        return False
    return not any(word in _NOT_NAMES for word in words)


def _vocabulary(intents: Intents) -> set[str]:
    """Every word a grammar sentence, rule or list value can contain."""
    words: set[str] = set()

    def walk(expression: Expression) -> None:
        if isinstance(expression, TextChunk):
            words.update(_WORD.findall(expression.text.lower()))
        elif isinstance(expression, Group):
            for item in expression.items:
                walk(item)

    for intent in intents.intents.values():
        for data in intent.data:
            for sentence in data.sentences:
                walk(sentence.expression)
    for rule in intents.expansion_rules.values():
        walk(rule.expression)
    for slot_list in intents.slot_lists.values():
        if isinstance(slot_list, TextSlotList):
            for value in slot_list.values:
                walk(value.text_in)
    for skip in intents.skip_words:
        words.update(_WORD.findall(skip.lower()))
    words.update(values.SPOKEN_WORDS)  # numbers, units, days: what durations and times are made of
    return words


@cache
def recognizer_for(locale: str = "en-US") -> Recognizer:
    """A recogniser for one locale, built once per process."""
    return Recognizer(locale)
