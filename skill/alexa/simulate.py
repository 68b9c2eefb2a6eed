"""Alexa request envelopes as Amazon sends them, for the terminal chat and local trials."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

LOCAL_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"


@dataclass
class SimulatedDevice:
    """One speaker and one Alexa account, keeping its session between requests."""

    user_id: str = field(default_factory=lambda: f"amzn1.ask.account.LOCAL{uuid.uuid4().hex}")
    application_id: str = LOCAL_SKILL_ID
    locale: str = "en-US"
    session_id: str | None = None
    person_id: str | None = None

    def launch(self) -> dict[str, Any]:
        """ "Alexa, open heart to heart"."""
        return self._envelope({"type": "LaunchRequest"})

    def intent(self, name: str, slots: dict[str, tuple[str, str | None]] | None = None) -> dict[str, Any]:
        """An IntentRequest with slots given as (heard words, resolved id or None)."""
        filled = {slot: _slot(slot, heard, resolved) for slot, (heard, resolved) in (slots or {}).items()}
        intent = {"name": name, "confirmationStatus": "NONE", "slots": filled}
        return self._envelope({"type": "IntentRequest", "dialogState": "STARTED", "intent": intent})

    def session_ended(self, reason: str = "USER_INITIATED") -> dict[str, Any]:
        """The session closed."""
        return self._envelope({"type": "SessionEndedRequest", "reason": reason})

    def closed(self) -> None:
        """The skill ended the session: the next request starts a new one."""
        self.session_id = None

    def _envelope(self, request: dict[str, Any]) -> dict[str, Any]:
        new = self.session_id is None
        if new:
            self.session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"
        application = {"applicationId": self.application_id}
        user = {"userId": self.user_id}
        system: dict[str, Any] = {
            "application": application,
            "user": user,
            "device": {"deviceId": "amzn1.ask.device.LOCAL", "supportedInterfaces": {}},
            "apiEndpoint": "https://api.amazonalexa.com",
            "apiAccessToken": "local-token",
        }
        if self.person_id:
            system["person"] = {"personId": self.person_id}
        request.update(
            requestId=f"amzn1.echo-api.request.{uuid.uuid4()}",
            timestamp=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            locale=self.locale,
        )
        return {
            "version": "1.0",
            "session": {
                "new": new,
                "sessionId": self.session_id,
                "application": application,
                "attributes": {},
                "user": user,
            },
            "context": {"System": system},
            "request": request,
        }


def _slot(name: str, heard: str, resolved: str | None) -> dict[str, Any]:
    slot: dict[str, Any] = {"name": name, "value": heard, "confirmationStatus": "NONE", "source": "USER"}
    authority = "amzn1.er-authority.echo-sdk.LOCAL.QuestionCategory"
    if resolved is None:
        status: dict[str, Any] = {"status": {"code": "ER_SUCCESS_NO_MATCH"}}
    else:
        status = {
            "status": {"code": "ER_SUCCESS_MATCH"},
            "values": [{"value": {"name": heard, "id": resolved}}],
        }
    slot["resolutions"] = {"resolutionsPerAuthority": [{"authority": authority, **status}]}
    return slot
