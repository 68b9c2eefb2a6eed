"""A safe answer to danger: the screen for words about violence, abuse or fear, and the helplines.

Everything here is data in `dialogue/content/safety.json` (schema beside it): for each
supported country the emergency number and a domestic-abuse helpline, each with the public
page it was taken from; which locale means which country; and, per language, the patterns
that mark words as danger. The patterns want a person doing harm ("he shoved me", "I'm
scared of my husband", "she won't let me see my family"), not the words alone, so that an
honest check-in answer such as "it hurt me when you forgot" or "he beat me at chess" is
kept as said.

Words that only name abuse (`named`: "domestic violence") count as danger unless they
name the helpline being asked for. A second list (`helpline`) marks a plain request for
the numbers ("what's the domestic abuse helpline number"), answered without assuming
anything happened.

`screened(event)` runs on every event before any rule (dialogue.engine): when a slot holds
danger words, the event becomes `SafetyIntent` with no slots at all, so no flow ever sees
the words, nothing saves them and nothing can log them. The local recogniser (skill.nlu)
screens a whole utterance the same way before it looks at the grammar.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from dialogue import intents
from dialogue.model import Event

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "-": " ", "\u2013": " ", "\u2014": " "})
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Number:
    """A number to call: as written, as spoken, and the public page it was taken from."""

    number: str
    spoken: str
    source: str


@dataclass(frozen=True)
class Helplines:
    """What the safe answer says in one country."""

    country: str
    emergency: Number
    helpline: Number
    helpline_name: str
    say: str  # the helpline sentence, number included, in the product's voice
    extra: str  # said when asked again: another way in (a text line, a silent 999 call)


@cache
def _data() -> dict[str, Any]:
    from dialogue.content import validate  # the content package imports nothing from here

    document: dict[str, Any] = json.loads(
        resources.files("dialogue.content").joinpath("safety.json").read_text(encoding="utf-8")
    )
    validate(document, "safety.schema.json", "safety.json")
    for locale, country in document["locales"].items():
        if country not in document["countries"]:
            raise ValueError(f"safety.json: locale {locale} names {country}, which has no helplines")
    return document


@cache
def _screen(kind: str, language: str) -> re.Pattern[str]:
    patterns = _data()[kind].get(language) or _data()[kind]["en"]
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns), re.IGNORECASE)


def _plain(text: str) -> str:
    return _SPACES.sub(" ", text.translate(_APOSTROPHES)).strip().lower()


def is_danger(text: str | None, locale: str = "en-US") -> bool:
    """Whether these words speak of violence, abuse or fear of someone at home."""
    if not text:
        return False
    language, plain = locale.split("-")[0].lower(), _plain(text)
    if _screen("danger", language).search(plain) is not None:
        return True
    # "Domestic abuse" named: danger, unless it only names the helpline asked for.
    named = _screen("named", language).search(plain) is not None
    return named and _screen("helpline", language).search(plain) is None


def asks_for_helpline(text: str | None, locale: str = "en-US") -> bool:
    """Whether the words ask for the helpline or the emergency number, without danger words."""
    if not text:
        return False
    return _screen("helpline", locale.split("-")[0].lower()).search(_plain(text)) is not None


def screened(event: Event) -> Event:
    """The event as the flows may see it: danger words in any slot make it a bare `SafetyIntent`;
    a slot asking for the helpline ("my answer is: give me the helpline number") a bare
    `HelplineIntent`. Either way no slot goes further."""
    values = [slot.value for slot in event.slots.values()]
    if event.intent == intents.SAFETY or any(is_danger(value, event.locale) for value in values):
        intent = intents.SAFETY
    elif event.intent == intents.HELPLINE or any(asks_for_helpline(v, event.locale) for v in values):
        intent = intents.HELPLINE
    else:
        return event
    if event.intent == intent and not event.slots:
        return event
    return Event(intent, new_session=event.new_session, person_id=event.person_id, locale=event.locale)


def supported_countries() -> list[str]:
    """Every country with helplines, in the data's order."""
    return list(_data()["countries"])


def locale_countries() -> dict[str, str]:
    """Which country each supported locale stands for."""
    return dict(_data()["locales"])


def helplines_for(locale: str, country: str | None = None) -> Helplines | None:
    """The numbers for the household's country: named, else its locale's; None if we have none.

    A host that knows only a language (a local assistant sends "en") passes the country
    from its own configuration.
    """
    data = _data()
    country = (country or data["locales"].get(locale) or locale.rpartition("-")[2]).upper()
    entry = data["countries"].get(country)
    if entry is None:
        return None
    emergency, helpline = entry["emergency"], entry["helpline"]
    return Helplines(
        country=country,
        emergency=Number(emergency["number"], emergency["spoken"], emergency["source"]),
        helpline=Number(helpline["number"], helpline["spoken"], helpline["source"]),
        helpline_name=helpline["name"],
        say=helpline["say"],
        extra=helpline["extra"],
    )
