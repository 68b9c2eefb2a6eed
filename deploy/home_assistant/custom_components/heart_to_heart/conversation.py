"""Heart to Heart as an Assist conversation agent: a thin client of the household's own server.

Each sentence Assist heard goes to the server with the conversation's state (new, or one
our last reply is waiting in), the language and the home's time zone; the server's reply
comes back as speech and whether the speaker listens again (`continue_conversation`).
Words to be said after a quiet (a hug's close) and the timers and reminders a turn started
are handed to the household's alarms (alarms.py), on the satellite that heard the turn.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from homeassistant.components import conversation
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import intent
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .client import ServerError, TokenRefused
from .const import DOMAIN, LANGUAGES

_LOGGER = logging.getLogger(__name__)
UNREACHABLE = "Sorry, I can't reach Heart to Heart right now. Please try again in a little while."
REFUSED = "Heart to Heart doesn't know this home any more. Please set it up again in Home Assistant."


async def async_setup_entry(
    hass: HomeAssistant, entry: ConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """The household's agent."""
    async_add_entities([HeartToHeartAgent(entry)])


def satellite_of(hass: HomeAssistant, device_id: str | None) -> str | None:
    """The Assist satellite entity of the device that heard the sentence, if it is one."""
    if device_id is None:
        return None
    entities = er.async_entries_for_device(er.async_get(hass), device_id)
    return next((entity.entity_id for entity in entities if entity.domain == "assist_satellite"), None)


def _waiting(chat_log: conversation.ChatLog) -> bool:
    """Whether this conversation already holds a reply (ours, or a reminder's question):
    then the sentence answers it; otherwise it begins a new session on the server."""
    return any(isinstance(content, conversation.AssistantContent) for content in chat_log.content[:-1])


class HeartToHeartAgent(conversation.ConversationEntity):
    """Heart to Heart's conversation agent for one household."""

    _attr_has_entity_name = True
    _attr_name = None

    def __init__(self, entry: ConfigEntry) -> None:
        self.entry = entry
        self._attr_unique_id = entry.entry_id
        self._attr_device_info = dr.DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name="Heart to Heart",
            manufacturer="Heart to Heart",
            entry_type=dr.DeviceEntryType.SERVICE,
        )

    @property
    def supported_languages(self) -> list[str] | Literal["*"]:
        """English, as the server's grammar is."""
        return LANGUAGES

    async def _async_handle_message(
        self, user_input: conversation.ConversationInput, chat_log: conversation.ChatLog
    ) -> conversation.ConversationResult:
        """Send the sentence to the server; say what it answers, keep what it asks to keep."""
        household = self.entry.runtime_data
        satellite = satellite_of(self.hass, user_input.device_id)
        body = {
            "text": user_input.text,
            "new_conversation": not _waiting(chat_log),
            "conversation_id": chat_log.conversation_id,
            "device_id": user_input.device_id,
            "language": user_input.language,
            "time_zone": self.hass.config.time_zone,
        }
        try:
            reply = await household.client.turn(body)
        except TokenRefused:
            return self._result(user_input, chat_log, REFUSED, listen=False)
        except ServerError as error:
            _LOGGER.warning("Heart to Heart's server: %s", error)
            return self._result(user_input, chat_log, UNREACHABLE, listen=False)
        await household.alarms.async_apply(list(reply.get("effects") or []), satellite)
        speech = str(reply.get("speech") or "")
        later: list[dict[str, Any]] = list(reply.get("later") or [])
        listen = bool(reply.get("continue_conversation"))
        if later and satellite is not None:
            household.alarms.say_later(later, satellite, speech)
        elif later:  # typed, or a speaker that is no satellite: no one to keep the quiet, say it all
            speech = " ".join([speech, *(str(part["say"]) for part in later)]).strip()
            listen = bool(later[-1].get("listen"))
        return self._result(user_input, chat_log, speech, listen=listen)

    def _result(
        self,
        user_input: conversation.ConversationInput,
        chat_log: conversation.ChatLog,
        speech: str,
        listen: bool,
    ) -> conversation.ConversationResult:
        chat_log.async_add_assistant_content_without_tools(
            conversation.AssistantContent(agent_id=user_input.agent_id, content=speech)
        )
        response = intent.IntentResponse(language=user_input.language)
        response.async_set_speech(speech)
        return conversation.ConversationResult(
            response=response, conversation_id=chat_log.conversation_id, continue_conversation=listen
        )
