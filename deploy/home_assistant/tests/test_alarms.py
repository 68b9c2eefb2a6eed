"""Timed exercises and the weekly reminder on a satellite: said by Home Assistant, at the right time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.chat_session import async_get_chat_session
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.heart_to_heart.alarms import next_time
from tests.conftest import ZONE

AGENT = "conversation.heart_to_heart"


@pytest.fixture
def satellite(hass: HomeAssistant, home: MockConfigEntry) -> tuple[str, str]:
    """A voice satellite in the bedroom: its device id and its assist_satellite entity."""
    maker = MockConfigEntry(domain="esphome", title="Bedroom speaker")
    maker.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=maker.entry_id, identifiers={("esphome", "bedroom-voice-pe")}, name="Bedroom"
    )
    entity = er.async_get(hass).async_get_or_create(
        "assist_satellite", "esphome", "bedroom-voice-pe-satellite", device_id=device.id
    )
    return device.id, entity.entity_id


@pytest.fixture
def spoken(hass: HomeAssistant) -> dict[str, list[ServiceCall]]:
    """What Home Assistant was asked to say on satellites unprompted."""
    return {
        "announce": async_mock_service(hass, "assist_satellite", "announce"),
        "start_conversation": async_mock_service(hass, "assist_satellite", "start_conversation"),
    }


async def heard(
    hass: HomeAssistant, text: str, device_id: str | None, conversation_id: str | None = None
) -> conversation.ConversationResult:
    """A sentence as a satellite's pipeline hands it to the agent."""
    return await conversation.async_converse(
        hass, text, conversation_id, Context(), language="en", agent_id=AGENT, device_id=device_id
    )


def said(result: conversation.ConversationResult) -> str:
    return str(result.response.speech["plain"]["speech"])


async def later(hass: HomeAssistant, **delta: float) -> None:
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(**delta))
    await hass.async_block_till_done()


async def test_a_cuddle_ends_with_one_announcement_on_its_satellite_even_after_a_restart(
    hass: HomeAssistant,
    home: MockConfigEntry,
    satellite: tuple[str, str],
    spoken: dict[str, list[ServiceCall]],
) -> None:
    device, speaker = satellite
    started = await heard(hass, "start a bedtime cuddle for 10 minutes", device)
    assert "10 minutes" in said(started) and started.continue_conversation is False
    await later(hass, minutes=5)
    assert spoken["announce"] == []
    left = await heard(hass, "how long is left", device)
    assert "left of your bedtime cuddle" in said(left)

    # Home Assistant restarts: the integration is unloaded and set up again from storage.
    assert await hass.config_entries.async_reload(home.entry_id)
    await hass.async_block_till_done()

    await later(hass, minutes=9)
    assert spoken["announce"] == []
    await later(hass, minutes=11)
    (announced,) = spoken["announce"]
    assert announced.data["entity_id"] == speaker
    assert "cuddle" in announced.data["message"].lower() or "sleep" in announced.data["message"].lower()
    await later(hass, minutes=30)
    assert len(spoken["announce"]) == 1, "announced once"


async def test_cancel_it_means_no_announcement(
    hass: HomeAssistant,
    home: MockConfigEntry,
    satellite: tuple[str, str],
    spoken: dict[str, list[ServiceCall]],
) -> None:
    device, _speaker = satellite
    started = await heard(hass, "let's have a tech free evening for two hours", device)
    assert started.continue_conversation is False
    stopped = await heard(hass, "end the tech-free evening", device)
    assert "evening" in said(stopped).lower()
    await later(hass, hours=3)
    assert spoken["announce"] == []


async def test_the_hug_is_quiet_then_closed_and_listened_for_on_the_satellite(
    hass: HomeAssistant,
    home: MockConfigEntry,
    satellite: tuple[str, str],
    spoken: dict[str, list[ServiceCall]],
) -> None:
    device, speaker = satellite
    hug = await heard(hass, "can we have a hug", device)
    assert said(hug) and hug.continue_conversation is False, "the speaker does not listen during the hug"
    await later(hass, seconds=15)
    assert spoken["start_conversation"] == [] and spoken["announce"] == []
    await later(hass, seconds=40)
    (close,) = spoken["start_conversation"]
    assert close.data["entity_id"] == speaker
    assert "seconds" in close.data["start_message"] and "?" in close.data["start_message"]


async def test_a_typed_hug_has_no_satellite_to_keep_the_quiet_so_it_is_said_whole(
    hass: HomeAssistant, home: MockConfigEntry, spoken: dict[str, list[ServiceCall]]
) -> None:
    hug = await heard(hass, "hug time", None)
    assert "seconds" in said(hug) and hug.continue_conversation is True
    await later(hass, minutes=1)
    assert spoken["start_conversation"] == [] and spoken["announce"] == []


async def test_the_weekly_reminder_starts_a_conversation_that_a_yes_carries_on(
    hass: HomeAssistant,
    home: MockConfigEntry,
    satellite: tuple[str, str],
    spoken: dict[str, list[ServiceCall]],
) -> None:
    device, speaker = satellite
    set_up = await heard(hass, "remind us every Sunday at eight to do our check-in", device)
    assert "Sunday" in said(set_up)
    now = dt_util.utcnow().astimezone(ZoneInfo(ZONE))
    sunday = (now + timedelta(days=(6 - now.weekday()) % 7)).replace(
        hour=20, minute=0, second=0, microsecond=0
    )
    if sunday <= now:
        sunday += timedelta(days=7)
    async_fire_time_changed(hass, sunday - timedelta(minutes=1))
    await hass.async_block_till_done()
    assert spoken["start_conversation"] == []
    async_fire_time_changed(hass, sunday + timedelta(seconds=1))
    await hass.async_block_till_done()
    (started,) = spoken["start_conversation"]
    assert started.data["entity_id"] == speaker
    assert "Ready for your check-in?" in started.data["start_message"]
    async_fire_time_changed(hass, sunday + timedelta(days=6))
    await hass.async_block_till_done()
    assert len(spoken["start_conversation"]) == 1, "once this week"
    async_fire_time_changed(hass, sunday + timedelta(days=7, seconds=1))
    await hass.async_block_till_done()
    assert len(spoken["start_conversation"]) == 2, "and again the next Sunday"

    # The satellite says it and listens; its answer comes in that new conversation, which
    # Home Assistant opens holding the question (assist_satellite's start_conversation).
    with (
        async_get_chat_session(hass) as session,
        conversation.async_get_chat_log(hass, session) as chat_log,
    ):
        chat_log.async_add_assistant_content_without_tools(
            conversation.AssistantContent(agent_id=speaker, content=started.data["start_message"])
        )
    answer = await heard(hass, "yes, let's do it", device, session.conversation_id)
    assert "check-in" in said(answer) and "first name" in said(answer)
    assert answer.continue_conversation is True


def test_a_weekly_reminder_comes_due_at_its_local_time_across_the_clock_change() -> None:
    weekly = {
        "at": "2026-10-18T20:00:00",
        "time_zone": "Europe/London",
        "recurrence": {"freq": "WEEKLY", "days": ["SU"], "interval": 1},
    }
    before_change = datetime(2026, 10, 18, 19, 30, tzinfo=UTC)  # 20:30 BST: this week's has passed
    assert next_time(weekly, before_change) == datetime(2026, 10, 25, 20, 0, tzinfo=UTC)  # GMT by then
    daily: dict[str, Any] = {
        "at": "2026-12-03T07:30:00",
        "time_zone": "Europe/London",
        "recurrence": {"freq": "DAILY", "days": [], "interval": 1},
    }
    assert next_time(daily, datetime(2026, 12, 5, 8, 0, tzinfo=UTC)) == datetime(
        2026, 12, 6, 7, 30, tzinfo=UTC
    )
    once = {"at": "2026-12-03T07:30:00", "time_zone": "Europe/London", "recurrence": None}
    assert next_time(once, datetime(2026, 12, 3, 7, 0, tzinfo=UTC)) == datetime(
        2026, 12, 3, 7, 30, tzinfo=UTC
    )
    assert next_time(once, datetime(2026, 12, 4, tzinfo=UTC)) is None
