"""Scale-out: two separate gunicorn servers on one PostgreSQL serve the same households.

Each server is its own process tree (`gunicorn -c deploy/gunicorn.conf.py`, one sync
worker, its own port), sharing only `DATABASE_URL` and `ANSWER_KEYS`, as two machines
would. One conversation's turns alternate between them over real HTTP: a question deck,
a check-in (names, answers, a pause on one and the resume on the other, playback), and a
tech-free evening whose timer lives at a local stand-in for Amazon's Timers API. Then a
worker is killed with SIGKILL under load, and every answer the skill confirmed is stored.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from flask import Flask

from dialogue import intents
from dialogue.flows.checkin.common import TOPICS
from skill.storage import HouseholdKey
from tests.conftest import AlexaReply
from tests.skill.test_serving import AmazonTimers, Gunicorn, HttpAlexa, HttpClient

RUN = uuid.uuid4().hex[:8]


def household(label: str) -> str:
    return f"amzn1.ask.account.SCALE{label}{RUN}"


@pytest.fixture(scope="module")
def amazon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AmazonTimers]:
    stub = AmazonTimers(tmp_path_factory.mktemp("amazon"))
    yield stub
    stub.close()


@pytest.fixture(scope="module")
def migrated(postgres_url: str) -> str:
    """Migrate once before the servers start, so two workers never race to create tables."""
    from skill import create_app
    from tests.conftest import TEST_ANSWER_KEY

    app = create_app({"DATABASE_URL": postgres_url, "ANSWER_KEYS": TEST_ANSWER_KEY})
    app.extensions["store"].dispose()
    return postgres_url


@pytest.fixture(scope="module")
def servers(
    migrated: str, amazon: AmazonTimers, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Gunicorn, Gunicorn]]:
    logs = tmp_path_factory.mktemp("servers")
    env = {"DATABASE_URL": migrated, "ALEXA_VERIFY_SIGNATURES": "false", **amazon.env}
    pair = (Gunicorn(env, logs / "a.log"), Gunicorn(env, logs / "b.log"))
    try:
        for server in pair:
            server.wait_ready()
        yield pair
    finally:
        for server in pair:
            server.stop()


@pytest.fixture(scope="module")
def inspector(migrated: str) -> Iterator[Flask]:
    """An in-process app on the same database and keys: reads what the servers stored."""
    from skill import create_app
    from tests.conftest import TEST_ANSWER_KEY

    app = create_app({"DATABASE_URL": migrated, "ANSWER_KEYS": TEST_ANSWER_KEY, "AUTO_MIGRATE": False})
    yield app
    app.extensions["store"].dispose()


class Alternating:
    """One household whose every turn goes to the other server than the turn before."""

    def __init__(self, servers: tuple[Gunicorn, Gunicorn], user: str, api: str) -> None:
        self.clients = [HttpClient(server.url) for server in servers]
        self.alexa = HttpAlexa(self.clients[0], user, api)
        self.turns = 0
        self.served_by: list[str] = []

    def __getattr__(self, name: str) -> Callable[..., AlexaReply]:
        method: Callable[..., AlexaReply] = getattr(self.alexa, name)

        def turn(*args: Any, **kwargs: Any) -> AlexaReply:
            client = self.clients[self.turns % 2]
            self.alexa.client = client
            self.served_by.append(client.base_url)
            self.turns += 1
            reply = method(*args, **kwargs)
            assert reply.status == 200, reply.body
            return reply

        return turn


def test_a_question_deck_continues_across_servers_without_repeats(
    servers: tuple[Gunicorn, Gunicorn], amazon: AmazonTimers
) -> None:
    talk = Alternating(servers, household("DECK"), amazon.url)
    talk.launch()
    first = talk.intent(intents.ASK_QUESTION, category=("family", "FAMILY"))
    assert first.card is not None
    asked = [first.card["content"]]
    for _ in range(8):  # the family deck holds nine questions
        reply = talk.intent(intents.NEXT)
        assert reply.card is not None
        asked.append(reply.card["content"])
    assert len(set(asked)) == 9, asked
    assert len(set(talk.served_by)) == 2


def saved(reply: AlexaReply) -> bool:
    return "Saved" in reply.speech or "kept" in reply.speech


def test_a_check_in_is_paused_on_one_server_and_resumed_on_the_other(
    servers: tuple[Gunicorn, Gunicorn], amazon: AmazonTimers
) -> None:
    talk = Alternating(servers, household("CHECKIN"), amazon.url)
    talk.launch()
    talk.intent(intents.START_CHECKIN)
    talk.intent(intents.NAME, name="sam")
    talk.intent(intents.YES)
    talk.intent(intents.NAME, name="alex")
    talk.intent(intents.YES)
    begun = talk.intent(intents.NO)  # "anyone else joining?"
    assert "Sam" in begun.speech
    answers = ["your soup on Tuesday", "the walk we took", "more time together"]
    for text in answers:
        assert saved(talk.intent(intents.ANSWER, answer=text))
    paused = talk.intent(intents.PAUSE_CHECKIN)
    assert paused.ended
    talk.launch()
    resumed = talk.intent(intents.START_CHECKIN)
    assert "Alex" in resumed.speech  # the fourth question is Alex's, on the other server
    answers.append("the dishes")
    assert saved(talk.intent(intents.ANSWER, answer=answers[-1]))
    talk.intent(intents.PAUSE_CHECKIN)
    talk.intent(intents.CHECKIN_PLAYBACK)  # asks first: anyone in the room can ask
    playback = talk.intent(intents.YES)
    assert playback.card is not None
    for text in answers:
        assert text in playback.card["content"]


def test_a_tech_free_evening_started_on_one_server_is_ended_on_the_other(
    servers: tuple[Gunicorn, Gunicorn], amazon: AmazonTimers
) -> None:
    talk = Alternating(servers, household("EVENING"), amazon.url)
    started = talk.intent(intents.START_EVENING, duration="PT2H")
    assert "2 hours" in started.speech
    [created] = [call for call in amazon.calls if call[0] == "POST" and call[2].get("duration") == "PT2H"]
    left = talk.intent(intents.EVENING_TIME_LEFT)
    assert "tech-free evening" in left.speech.lower() and "no tech-free" not in left.speech.lower()
    timers_before = {call[1] for call in amazon.calls if call[0] == "DELETE"}
    ended = talk.intent(intents.END_EVENING)
    assert "welcome back" in ended.speech.lower()
    deleted = {call[1] for call in amazon.calls if call[0] == "DELETE"} - timers_before
    assert len(deleted) == 1 and deleted.pop().startswith("/v1/alerts/timers/timer-")
    after = talk.intent(intents.EVENING_TIME_LEFT)
    assert "no tech-free evening" in after.speech.lower()
    assert created[2]["timerLabel"]


def test_killing_a_worker_under_load_loses_no_confirmed_answer(
    servers: tuple[Gunicorn, Gunicorn], amazon: AmazonTimers, inspector: Flask
) -> None:
    victim = servers[0]
    [worker] = victim.worker_pids()
    users = [household(f"KILL{n}") for n in range(16)]
    confirmed: dict[str, list[str]] = {user: [] for user in users}
    failures: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    enough = threading.Event()

    def one_household(index: int, user: str) -> None:
        try:
            talk = HttpAlexa(HttpClient(servers[index % 2].url), user, amazon.url)
            steps: tuple[Callable[[], AlexaReply], ...] = (
                lambda: talk.intent(intents.START_CHECKIN),
                lambda: talk.intent(intents.NAME, name="sam"),
                lambda: talk.intent(intents.YES),
                lambda: talk.intent(intents.NAME, name="alex"),
                lambda: talk.intent(intents.YES),
                lambda: talk.intent(intents.NO),
            )
            for step in steps:
                assert step().status == 200
            for number in range(12):  # ten questions; the last two find the check-in finished
                talk.client = HttpClient(servers[(index + number) % 2].url)
                text = f"answer {number} from {index}"
                try:
                    reply = talk.intent(intents.ANSWER, answer=text)
                except requests.ConnectionError as error:  # the killed worker's connection
                    with lock:
                        failures.append(f"{text}: {type(error).__name__}")
                    talk.session_id = None
                    continue
                if reply.status == 200 and saved(reply):
                    with lock:
                        confirmed[user].append(text)
                        if sum(map(len, confirmed.values())) >= 50:
                            enough.set()
        except BaseException as error:  # noqa: BLE001 - asserted below
            errors.append(error)

    threads = [threading.Thread(target=one_household, args=(n, user)) for n, user in enumerate(users)]
    for thread in threads:
        thread.start()
    assert enough.wait(30), "the load never got going"
    # Make sure the kill lands mid-request: a turn held up in Amazon's (slow) Timers API.
    amazon.delay, calls_before = 5.0, len(amazon.calls)
    in_flight: dict[str, BaseException | AlexaReply] = {}

    def slow_turn() -> None:
        try:
            slow = HttpAlexa(HttpClient(victim.url), household("KILLSLOW"), amazon.url)
            in_flight["reply"] = slow.intent(intents.START_EVENING, duration="PT2H")
        except requests.RequestException as error:
            in_flight["error"] = error

    slow = threading.Thread(target=slow_turn)
    slow.start()
    deadline = time.monotonic() + 30
    while len(amazon.calls) == calls_before and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(worker, signal.SIGKILL)
    slow.join(20)
    amazon.delay = 0.0
    for thread in threads:
        thread.join(60)
    assert errors == []

    store = inspector.extensions["store"]
    total_confirmed = total_stored = 0
    for user in users:
        exported = store.export(HouseholdKey("alexa", user))
        assert exported is not None
        stored = [a["text"] for c in exported["checkins"] for a in c["answers"]]
        assert set(confirmed[user]) <= set(stored), user  # every confirmed answer is there
        assert len(stored) == len(set(stored)) and all(
            t.endswith(f"from {users.index(user)}") for t in stored
        )
        # Nothing half-written: the answers and the household's progress were committed together.
        state = exported["state"]
        progress = state["household"].get("checkin")
        if progress is not None:
            order = [topic.value for topic in TOPICS]
            open_checkin = [c for c in exported["checkins"] if c["completed_at"] is None]
            answered = {(order.index(a["topic"]), a["person"]) for c in open_checkin for a in c["answers"]}
            assert answered == {tuple(place) for place in progress["done"]}
        total_confirmed += len(confirmed[user])
        total_stored += sum(1 for text in stored if text in confirmed[user])
    assert total_confirmed == total_stored >= 50
    assert isinstance(in_flight.get("error"), requests.ConnectionError), in_flight  # cut off mid-turn
    deadline = time.monotonic() + 20
    while victim.worker_pids() in ([], [worker]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert victim.worker_pids() not in ([], [worker])  # gunicorn replaced the worker
    assert requests.get(victim.url + "/readyz", timeout=10).status_code == 200
    log = victim.log()  # the request log names intents, never what was said
    assert "answer 1 from" not in log and '"intent":"AnswerIntent"' in log
    assert all(json.loads(line)["event"] == "request" for line in log.splitlines() if line.startswith("{"))
