"""Talking to Heart to Heart through Home Assistant's own conversation service and HTTP API."""

from __future__ import annotations

import sqlite3
from typing import Any

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_API_TOKEN, CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.heart_to_heart.const import DOMAIN
from tests.conftest import Server

AGENT = "conversation.heart_to_heart"


async def converse(hass: HomeAssistant, text: str, conversation_id: str | None = None) -> dict[str, Any]:
    """One sentence through the `conversation.process` action, as an automation would send it."""
    data = {"text": text, "agent_id": AGENT, "language": "en"}
    if conversation_id is not None:
        data["conversation_id"] = conversation_id
    result = await hass.services.async_call(
        "conversation",
        "process",
        data,
        blocking=True,
        return_response=True,
    )
    assert result is not None
    return dict(result)


def speech(result: dict[str, Any]) -> str:
    return str(result["response"]["speech"]["plain"]["speech"])


async def test_a_question_round_listens_while_it_waits_and_not_after_stop(
    hass: HomeAssistant, home: MockConfigEntry
) -> None:
    hello = await converse(hass, "hi")
    assert "Welcome to Heart to Heart" in speech(hello)
    assert hello["continue_conversation"] is True
    chat = hello["conversation_id"]
    question = await converse(hass, "um, a question about family", chat)
    assert "family" in speech(question).lower() and question["continue_conversation"] is True
    another = await converse(hass, "another one", chat)
    assert speech(another) != speech(question) and another["continue_conversation"] is True
    bye = await converse(hass, "stop", chat)
    assert "Goodbye" in speech(bye) and bye["continue_conversation"] is False


SAID = [
    "He made me breakfast on Tuesday",
    "She fixed my bike without being asked",
    "I'm grateful for our walk on Sunday",
    "Honestly the kitchen dancing was fun",
    "More evenings without phones",
    "More time outside together",
    "I've been worried about money",
    "Nothing unspoken this week",
    "A slow Saturday morning",
    "Dinner with your sister",
]


async def test_a_whole_check_in_is_kept_as_ciphertext_and_read_back_in_a_later_conversation(
    hass: HomeAssistant, home: MockConfigEntry, server: Server
) -> None:
    begun = await converse(hass, "let's do our check-in")
    chat = begun["conversation_id"]
    assert "first name" in speech(begun) and begun["continue_conversation"] is True
    for words in ("I'm Maya and this is Jonah", "yes", "that's everyone"):
        reply = await converse(hass, words, chat)
        assert reply["continue_conversation"] is True
    assert "Maya, what" in speech(reply)
    for words in SAID:
        reply = await converse(hass, words, chat)
        assert reply["conversation_id"] == chat
    assert "remind you every week" in speech(reply) and reply["continue_conversation"] is True
    ended = await converse(hass, "no thanks, that's all", chat)
    assert ended["continue_conversation"] is False

    on_disk = server.database_bytes()
    assert all(words.encode() not in on_disk for words in SAID), "only ciphertext on disk"
    with sqlite3.connect(server.database) as database:
        kept = [bytes(row[0]) for row in database.execute("SELECT ciphertext FROM answers")]
    assert len(kept) >= len(SAID) and all(cipher.startswith(b"gAAAAA") for cipher in kept)

    later = await converse(hass, "what did we say in our last check-in")  # a new conversation
    assert later["conversation_id"] != chat
    assert "out loud" in speech(later) and later["continue_conversation"] is True
    read = await converse(hass, "yes", later["conversation_id"])
    assert "He made me breakfast on Tuesday" in speech(read)
    assert "She fixed my bike without being asked" in speech(read)


async def test_the_http_api_gets_the_same_agent(
    hass: HomeAssistant, home: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    client = await hass_client()

    async def post(text: str, conversation_id: str | None = None) -> dict[str, Any]:
        body = {"text": text, "agent_id": AGENT, "language": "en"}
        if conversation_id is not None:
            body["conversation_id"] = conversation_id
        answer = await client.post("/api/conversation/process", json=body)
        assert answer.status == 200
        return dict(await answer.json())

    question = await post("could you ask us a question about us")
    assert question["continue_conversation"] is True
    assert question["response"]["speech"]["plain"]["speech"]
    chat = question["conversation_id"]
    next_one = await post("next", chat)
    assert next_one["continue_conversation"] is True and next_one["conversation_id"] == chat
    bye = await post("that's enough for tonight, bye", chat)
    assert bye["continue_conversation"] is False


async def test_a_wrong_token_is_refused_when_set_up_and_when_talking(
    hass: HomeAssistant, socket_enabled: None, server: Server
) -> None:
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    flow = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert flow["type"] is FlowResultType.FORM
    wrong = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_URL: server.url, CONF_API_TOKEN: "h2h_someone-elses-guess"}
    )
    assert wrong["type"] is FlowResultType.FORM and wrong["errors"] == {"base": "invalid_auth"}
    nowhere = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_URL: "http://127.0.0.1:9", CONF_API_TOKEN: server.token()}
    )
    assert nowhere["errors"] == {"base": "cannot_connect"}
    token = server.token()
    made = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_URL: server.url + "/", CONF_API_TOKEN: f" {token} "}
    )
    assert made["type"] is FlowResultType.CREATE_ENTRY
    assert made["data"] == {CONF_URL: server.url, CONF_API_TOKEN: token}
    await hass.async_block_till_done()

    stranger = MockConfigEntry(domain=DOMAIN, data={CONF_URL: server.url, CONF_API_TOKEN: "h2h_not-issued"})
    stranger.add_to_hass(hass)
    assert await hass.config_entries.async_setup(stranger.entry_id)
    await hass.async_block_till_done()
    entity = er.async_get(hass).async_get_entity_id("conversation", DOMAIN, stranger.entry_id)
    assert entity is not None
    result = await hass.services.async_call(
        "conversation",
        "process",
        {"text": "a question about family", "agent_id": entity},
        blocking=True,
        return_response=True,
    )
    assert result is not None
    assert "doesn't know this home" in result["response"]["speech"]["plain"]["speech"]
    assert result["continue_conversation"] is False
    for entry in hass.config_entries.async_entries(DOMAIN):
        await hass.config_entries.async_unload(entry.entry_id)


async def test_removing_the_integration_deletes_the_household_on_the_server(
    hass: HomeAssistant, home: MockConfigEntry, server: Server
) -> None:
    chat = (await converse(hass, "start our check-in"))["conversation_id"]
    for words in ("I'm Sam", "yes", "that's everyone", "the dinner you cooked on Friday"):
        await converse(hass, words, chat)
    with sqlite3.connect(server.database) as database:
        before = database.execute("SELECT count(*) FROM answers").fetchone()[0]
    assert before >= 1
    session = async_get_clientsession(hass)
    auth = {"Authorization": f"Bearer {home.data[CONF_API_TOKEN]}"}
    async with session.get(server.url + "/assist/household", headers=auth) as answer:
        assert answer.status == 200
    await hass.config_entries.async_remove(home.entry_id)
    await hass.async_block_till_done()
    async with session.get(server.url + "/assist/household", headers=auth) as answer:
        assert answer.status == 401, "the household and its token are gone"
    with sqlite3.connect(server.database) as database:
        after = database.execute("SELECT count(*) FROM answers").fetchone()[0]
    assert after == before - 1


async def test_a_server_that_cannot_be_reached_gets_a_spoken_apology(
    hass: HomeAssistant, socket_enabled: None
) -> None:
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_URL: "http://127.0.0.1:9", CONF_API_TOKEN: "h2h_x"})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    result = await converse(hass, "a question about family")
    assert "can't reach Heart to Heart" in speech(result) and result["continue_conversation"] is False
    await hass.config_entries.async_unload(entry.entry_id)
