"""A thin client of the Heart to Heart server's local-assistant endpoint (`/assist/...`).

It sends the text Home Assistant heard and hands back the server's JSON; nothing is
understood or kept here. The household is the server's: its token, sent as a bearer token.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from .const import TIMEOUT_SECONDS


class ServerError(Exception):
    """The server could not be reached, or did not answer as expected."""


class TokenRefused(ServerError):
    """The server does not know this token (HTTP 401): wrong, or its household was deleted."""


class HeartToHeartClient:
    """Talks to one Heart to Heart server for one household."""

    def __init__(self, session: aiohttp.ClientSession, url: str, token: str) -> None:
        self._session = session
        self._url = url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"}

    async def turn(self, body: dict[str, Any]) -> dict[str, Any]:
        """One turn: what was heard (or a reminder come due) in, what to say out."""
        return await self._request("POST", "/assist/turn", body)

    async def check(self) -> None:
        """Raise unless the server is there and knows the token."""
        await self._request("GET", "/assist/household")

    async def erase(self) -> bool:
        """Delete everything the server keeps for this household (its token stops working)."""
        answer = await self._request("DELETE", "/assist/household")
        return bool(answer.get("deleted"))

    async def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            async with self._session.request(
                method,
                self._url + path,
                json=body,
                headers=self._headers,
                timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS),
            ) as response:
                if response.status == 401:
                    raise TokenRefused("the server does not know this token")
                if response.status != 200:
                    raise ServerError(f"the server answered HTTP {response.status}")
                answer = await response.json()
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            raise ServerError(f"the server could not be reached: {type(error).__name__}") from error
        if not isinstance(answer, dict):
            raise ServerError("the server's answer is not a JSON object")
        return answer
