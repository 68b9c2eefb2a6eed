"""Heart to Heart on Home Assistant: a conversation agent that talks to the household's own
Heart to Heart server on the local network, and keeps its timers and reminders.

Removing the integration's entry deletes everything the server keeps for the household.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_API_TOKEN, CONF_URL, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .alarms import Alarms, alarms_store
from .client import HeartToHeartClient, ServerError

_LOGGER = logging.getLogger(__name__)
PLATFORMS = [Platform.CONVERSATION]


@dataclass
class Household:
    """What an entry holds while it is loaded."""

    client: HeartToHeartClient
    alarms: Alarms


def _client(hass: HomeAssistant, entry: ConfigEntry) -> HeartToHeartClient:
    return HeartToHeartClient(async_get_clientsession(hass), entry.data[CONF_URL], entry.data[CONF_API_TOKEN])


async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Load the household: its client, its kept timers and reminders, its agent."""
    client = _client(hass, entry)
    alarms = Alarms(hass, entry.entry_id, client)
    await alarms.async_load()
    entry.runtime_data = Household(client, alarms)
    entry.async_on_unload(alarms.async_unload)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Unload the agent; the alarms stop with the entry."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """The household removed the integration: delete all the server keeps for it, and the
    timers and reminders kept here."""
    try:
        await _client(hass, entry).erase()
    except ServerError as error:
        _LOGGER.error("Heart to Heart's server kept this household's data; delete it there: %s", error)
    await alarms_store(hass, entry.entry_id).async_remove()
