"""Settings, read from the environment once, at app creation; or a mapping that is the whole configuration."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

DEFAULT_MAX_BODY_BYTES = 128 * 1024
DEFAULT_WEB_RATE_LIMIT = 20


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() not in ("0", "false", "no", "off")


def _count(value: str | None, default: int) -> int:
    text = (value or "").strip()
    return int(text) if text.isascii() and text.isdigit() else default


def _list(value: str | None) -> frozenset[str]:
    return frozenset(item.strip() for item in (value or "").split(",") if item.strip())


# Every environment variable the app reads its settings from (a served test clears them all).
ENVIRONMENT_NAMES = (
    "DATABASE_URL",
    "ALEXA_VERIFY_SIGNATURES",
    "ALEXA_SKILL_IDS",
    "AUTO_MIGRATE",
    "MAX_BODY_BYTES",
    "ANSWER_KEYS",
    "WEB_SIMULATOR",
    "WEB_RATE_LIMIT",
    "TRUSTED_PROXIES",
    "ASSIST_API",
)


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings the environment gives, under the names the app uses."""
    env = os.environ if environ is None else environ
    return {
        "DATABASE_URL": env.get("DATABASE_URL") or None,
        "ALEXA_VERIFY_SIGNATURES": _flag(env.get("ALEXA_VERIFY_SIGNATURES"), True),
        "ALEXA_SKILL_IDS": _list(env.get("ALEXA_SKILL_IDS")),
        "AUTO_MIGRATE": _flag(env.get("AUTO_MIGRATE"), True),
        "MAX_CONTENT_LENGTH": int(env.get("MAX_BODY_BYTES") or DEFAULT_MAX_BODY_BYTES),
        "ANSWER_KEYS": env.get("ANSWER_KEYS") or None,
        # a local-trial feature: off unless asked for (`make run` and `flask chat` turn it on)
        "WEB_SIMULATOR": _flag(env.get("WEB_SIMULATOR"), False),
        # new browser households per client and minute (0: no limit, for trials and tests)
        "WEB_RATE_LIMIT": _count(env.get("WEB_RATE_LIMIT"), DEFAULT_WEB_RATE_LIMIT),
        # the local assistants' endpoint (Home Assistant, skill.assist): off unless asked for
        "ASSIST_API": _flag(env.get("ASSIST_API"), False),
        # addresses of the reverse proxies whose X-Forwarded-For names the client
        "TRUSTED_PROXIES": _list(env.get("TRUSTED_PROXIES")),
    }


def normalise(config: Mapping[str, Any]) -> dict[str, Any]:
    """Accept a test's mapping with friendly types (a list of skill ids, a 'false' string)."""
    settings = dict(config)
    if isinstance(settings.get("ALEXA_SKILL_IDS"), str):
        settings["ALEXA_SKILL_IDS"] = _list(settings["ALEXA_SKILL_IDS"])
    elif settings.get("ALEXA_SKILL_IDS") is not None:
        settings["ALEXA_SKILL_IDS"] = frozenset(settings["ALEXA_SKILL_IDS"])
    if isinstance(settings.get("TRUSTED_PROXIES"), str):
        settings["TRUSTED_PROXIES"] = _list(settings["TRUSTED_PROXIES"])
    for switch in ("ALEXA_VERIFY_SIGNATURES", "WEB_SIMULATOR", "ASSIST_API"):
        if isinstance(settings.get(switch), str):
            settings[switch] = _flag(settings[switch], True)
    return settings
