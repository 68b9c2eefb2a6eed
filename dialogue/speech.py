"""Speech as data: text, pauses and sounds, rendered to SSML for Alexa or plain text for a screen.

Every piece of text is escaped when rendered, so anything a user said can be placed in a
reply without care. Templates from the content files use `{name}` placeholders and two
markers: `{pause:700}` (milliseconds) and `{sound:key}` (a sound from the content).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# XML escapes for text and for a double-quoted attribute (xml.sax.saxutils would do the same
# but imports urllib.request, http.client and ssl: a tenth of the skill's cold start).
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"})
_ATTRIBUTE_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})

MAX_BREAK_MS = 10_000  # Alexa's longest single <break>
DEFAULT_PAUSE_MS = 500


@dataclass(frozen=True)
class Say:
    """Words to speak."""

    text: str


@dataclass(frozen=True)
class Pause:
    """Silence, in milliseconds."""

    ms: int


@dataclass(frozen=True)
class Sound:
    """A short sound from the platform's library, named by URL."""

    src: str


Segment = Say | Pause | Sound
Speech = tuple[Segment, ...]

_TOKEN = re.compile(r"\{([a-z_]+)(?::([^}]+))?\}")
# Characters XML 1.0 does not allow (controls, lone surrogates, U+FFFE/U+FFFF): never spoken.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"\s+")


class Template:
    """A content template parsed once: its fixed parts, and the names of its placeholders.

    `fill` then only substitutes; a template without placeholders is the same speech every
    time and is built once.
    """

    def __init__(self, template: str, sounds: Mapping[str, str]) -> None:
        parts: list[Segment | str] = []  # a str is a placeholder's name
        position = 0
        for match in _TOKEN.finditer(template):
            if match.start() > position:
                parts.append(Say(template[position : match.start()]))
            name, argument = match.group(1), match.group(2)
            if name == "pause":
                parts.append(Pause(int(argument) if argument else DEFAULT_PAUSE_MS))
            elif name == "sound":
                parts.append(Sound(sounds[str(argument)]))
            else:
                parts.append(name)
            position = match.end()
        if position < len(template):
            parts.append(Say(template[position:]))
        self._parts = tuple(parts)
        fixed = not any(isinstance(part, str) for part in parts)
        self._speech: Speech | None = tidy(parts) if fixed else None  # type: ignore[arg-type]

    def fill(self, values: Mapping[str, str | Speech]) -> Speech:
        """The speech, with each placeholder replaced by its value (text or speech)."""
        if self._speech is not None:
            return self._speech
        parts: list[Segment] = []
        for part in self._parts:
            if isinstance(part, str):
                value = values[part]
                parts.extend([Say(value)] if isinstance(value, str) else value)
            else:
                parts.append(part)
        return tidy(parts)


def join(*pieces: Speech) -> Speech:
    """Speak several pieces one after another, with a short pause between them."""
    parts: list[Segment] = []
    for piece in pieces:
        if not piece:
            continue
        if parts:
            parts.append(Pause(DEFAULT_PAUSE_MS // 2))
        parts.extend(piece)
    return tidy(parts)


def tidy(parts: list[Segment] | Speech) -> Speech:
    """Merge neighbouring text and pauses, and drop empty text."""
    out: list[Segment] = []
    for part in parts:
        if isinstance(part, Say) and not part.text.strip():
            if part.text and out and isinstance(out[-1], Say):
                out[-1] = Say(out[-1].text + part.text)
            continue
        if out and isinstance(part, Say) and isinstance(out[-1], Say):
            out[-1] = Say(out[-1].text + part.text)
        elif out and isinstance(part, Pause) and isinstance(out[-1], Pause):
            out[-1] = Pause(out[-1].ms + part.ms)
        else:
            out.append(part)
    return tuple(out)


def to_ssml(speech: Speech) -> str:
    """Render speech as Alexa SSML, escaping all text and splitting long pauses."""
    body: list[str] = []
    for part in speech:
        if isinstance(part, Say):
            body.append(_normalise_space(part.text).translate(_TEXT_ESCAPES))
        elif isinstance(part, Pause):
            remaining = part.ms
            while remaining > 0:
                chunk = min(remaining, MAX_BREAK_MS)
                body.append(f'<break time="{chunk}ms"/>')
                remaining -= chunk
        else:
            body.append(f'<audio src="{part.src.translate(_ATTRIBUTE_ESCAPES)}"/>')
    return "<speak>" + "".join(body).strip() + "</speak>"


def to_text(speech: Speech) -> str:
    """Render speech as plain text for a screen or a terminal: pauses become spaces."""
    words = " ".join(_normalise_space(part.text) for part in speech if isinstance(part, Say))
    return re.sub(r"\s+([,.?!])", r"\1", _normalise_space(words)).strip()


def silence_ms(speech: Speech) -> int:
    """Total pause length in a piece of speech, in milliseconds."""
    return sum(part.ms for part in speech if isinstance(part, Pause))


def _normalise_space(text: str) -> str:
    return _SPACES.sub(" ", _NOT_XML.sub("", text))


def speech_to_data(speech: Speech) -> list[list[str | int]]:
    """Serialise speech for storage (see dialogue.state)."""
    data: list[list[str | int]] = []
    for part in speech:
        if isinstance(part, Say):
            data.append(["say", part.text])
        elif isinstance(part, Pause):
            data.append(["pause", part.ms])
        else:
            data.append(["sound", part.src])
    return data


def speech_from_data(data: list[list[str | int]]) -> Speech:
    """Inverse of speech_to_data."""
    parts: list[Segment] = []
    for kind, value in data:
        if kind == "say":
            parts.append(Say(str(value)))
        elif kind == "pause":
            parts.append(Pause(int(value)))
        elif kind == "sound":
            parts.append(Sound(str(value)))
    return tuple(parts)
