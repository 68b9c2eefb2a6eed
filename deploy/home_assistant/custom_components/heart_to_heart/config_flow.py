"""Adding Heart to Heart: the server's address and the household's token, checked before saving."""

from __future__ import annotations

import hashlib
from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_API_TOKEN, CONF_URL
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .client import HeartToHeartClient, ServerError, TokenRefused
from .const import DOMAIN

SCHEMA = vol.Schema({vol.Required(CONF_URL): str, vol.Required(CONF_API_TOKEN): str})


class HeartToHeartConfigFlow(ConfigFlow, domain=DOMAIN):
    """One entry per household: the server and its token."""

    VERSION = 1

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the address and token; keep them once the server accepts the token."""
        errors: dict[str, str] = {}
        if user_input is not None:
            url = user_input[CONF_URL].strip().rstrip("/")
            token = user_input[CONF_API_TOKEN].strip()
            client = HeartToHeartClient(async_get_clientsession(self.hass), url, token)
            try:
                await client.check()
            except TokenRefused:
                errors["base"] = "invalid_auth"
            except ServerError:
                errors["base"] = "cannot_connect"
            else:
                # the household, not the token itself, names the entry
                await self.async_set_unique_id(hashlib.sha256(token.encode()).hexdigest())
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title="Heart to Heart", data={CONF_URL: url, CONF_API_TOKEN: token}
                )
        return self.async_show_form(step_id="user", data_schema=SCHEMA, errors=errors)
