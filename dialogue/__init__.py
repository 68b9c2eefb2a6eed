"""Heart to Heart's platform-neutral dialogue core: an Event in, a Reply out.

It imports no web framework, voice SDK or database library; hosts translate their
requests into `Event`s and carry out the `Reply`.
"""

from dialogue.engine import respond
from dialogue.model import Card, Effect, Event, Reply, Slot
from dialogue.ports import Ports
from dialogue.speech import Speech, to_ssml, to_text
from dialogue.state import State

__all__ = [
    "Card",
    "Effect",
    "Event",
    "Ports",
    "Reply",
    "Slot",
    "Speech",
    "State",
    "respond",
    "to_ssml",
    "to_text",
]
