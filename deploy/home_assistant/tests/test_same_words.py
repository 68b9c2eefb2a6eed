"""One conversation through /alexa, /web/turn and Home Assistant: the same words, turn by turn.

The Alexa and browser turns are played by the project's own helper (tests/web/replay.py,
on the project's interpreter) against the same server; every turn draws its choices from
the server's one seed, so any difference is an adapter drifting apart. Home Assistant has
no pauses: the hug's words come whole when typed, which is what is compared. And where a
couple talk over a question, words not for the skill are overheard: silence, on purpose.
"""

from __future__ import annotations

import json
import subprocess

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.conftest import PROJECT, PYTHON, Server
from tests.test_conversation import converse, speech


async def test_alexa_the_browser_and_home_assistant_say_the_same_thing_turn_by_turn(
    hass: HomeAssistant, home: MockConfigEntry, server: Server
) -> None:
    played = subprocess.run(
        [str(PYTHON), "-m", "tests.web.replay", server.url],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    turns = json.loads(played.stdout)
    assert len(turns) >= 25
    chat: str | None = None
    for number, turn in enumerate(turns, start=1):
        said = await converse(hass, turn["words"], chat)
        where = f"turn {number}: {turn['words']!r}"
        if speech(said) == "":  # overheard: the couple talking over a question, not to the skill
            assert turn["intent"] == "AMAZON.FallbackIntent" and said["continue_conversation"] is False, where
            chat = said["conversation_id"]  # the satellite keeps the conversation
            continue
        assert speech(said) == turn["alexa"]["speech"] == turn["web"]["speech"], where
        assert said["continue_conversation"] is (not turn["alexa"]["ended"]), where
        assert turn["web"]["ended"] == turn["alexa"]["ended"], where
        chat = said["conversation_id"] if said["continue_conversation"] else None
