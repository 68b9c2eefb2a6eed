"""Nothing slow holds a lock: Amazon's calls run after the turn has committed.

A stand-in for Amazon's Timers API (`responses`, at the HTTP level, so ask-sdk-core's
client really runs) holds household A's timer call on an event. While it is held, other
households' turns, and household A's own turns from another device, complete; then the
call's outcome lands on household A's state as it is by then. No timing is measured: a
turn that waited for the held call could only finish after it is released, and the test
releases it only once the other turns are done (a generous join stops a deadlock from
hanging the run).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import responses
from flask import Flask
from sqlalchemy import text

from dialogue import intents
from tests.conftest import AlexaReply, AlexaSession
from tests.skill.test_timers import TIMERS, sent, timer_created

GUARD = 60.0  # seconds before a wait counts as a deadlock (never reached when the code is right)


@pytest.fixture(params=["sqlite", "postgresql"])
def app(
    request: pytest.FixtureRequest, make_app: Callable[[dict[str, Any]], Flask], sqlite_url: str
) -> Flask:
    url = sqlite_url if request.param == "sqlite" else str(request.getfixturevalue("postgres_url"))
    return make_app({"DATABASE_URL": url, "ALEXA_VERIFY_SIGNATURES": False})


class HeldAmazon:
    """Creates timers, but holds each creation until the test lets it go."""

    def __init__(self, api: responses.RequestsMock, timer_id: str) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.timer_id = timer_id
        api.add_callback(responses.POST, TIMERS, callback=self._create)
        api.delete(f"{TIMERS}/{timer_id}")
        api.get(TIMERS, json={"timers": [], "totalCount": 0})  # nothing made yet while it is held

    def _create(self, _request: Any) -> tuple[int, dict[str, str], str]:
        self.entered.set()
        assert self.release.wait(GUARD), "the test never released the held call"
        return 200, {"Content-Type": "application/json"}, json.dumps(timer_created(self.timer_id, "PT15M"))


@pytest.fixture
def held(amazon: responses.RequestsMock) -> Iterator[HeldAmazon]:
    stand_in = HeldAmazon(amazon, f"held-{uuid.uuid4().hex[:8]}")
    yield stand_in
    stand_in.release.set()


def in_background(call: Callable[[], AlexaReply]) -> tuple[threading.Thread, list[AlexaReply]]:
    replies: list[AlexaReply] = []
    thread = threading.Thread(target=lambda: replies.append(call()), daemon=True)
    thread.start()
    return thread, replies


def household() -> str:
    return f"amzn1.ask.account.HELD{uuid.uuid4().hex[:12].upper()}"


def cuddle_held_at_amazon(app: Flask, held: HeldAmazon) -> tuple[str, threading.Thread, list[AlexaReply]]:
    """A new household asks for a 15-minute cuddle; its timer call is now held at Amazon."""
    a = household()
    starting, started = in_background(
        lambda: AlexaSession(app.test_client(), a).intent(intents.CUDDLE, duration="PT15M")
    )
    assert held.entered.wait(GUARD), "household A's timer call never reached Amazon"
    return a, starting, started


def test_other_households_and_the_same_one_are_answered_while_amazon_holds_a_call(
    app: Flask, held: HeldAmazon, amazon: responses.RequestsMock
) -> None:
    a, starting, started = cuddle_held_at_amazon(app, held)

    def others() -> list[AlexaReply]:
        b = AlexaSession(app.test_client(), household())
        replies = [b.launch(), b.intent(intents.ASK_QUESTION), b.intent(intents.NEXT)]
        replies.append(AlexaSession(app.test_client(), a).intent(intents.EVENING_TIME_LEFT))
        return replies

    others_done: list[list[AlexaReply]] = []
    meanwhile = threading.Thread(target=lambda: others_done.append(others()), daemon=True)
    meanwhile.start()
    meanwhile.join(GUARD)
    finished_while_held = not meanwhile.is_alive() and starting.is_alive()  # A's call still held
    held.release.set()  # only now: every turn above had to finish while A's call was held
    starting.join(GUARD)
    assert finished_while_held and others_done, "a turn waited for another household's call to Amazon"
    launch, question, another, time_left = others_done[0]
    assert launch.status == question.status == another.status == 200 and "?" in question.speech
    assert "cuddl" in time_left.speech.lower() and "15 minutes" in time_left.speech  # A's own turn too
    (cuddle,) = started
    assert cuddle.status == 200 and "cuddl" in cuddle.speech.lower()

    # The timer's id reached the household's state as it was after those turns: "cancel it" finds it.
    ended = AlexaSession(app.test_client(), a).intent(intents.END_EVENING)
    assert ended.status == 200
    assert len(sent(amazon, "DELETE", f"{TIMERS}/{held.timer_id}")) == 1


def test_a_timer_cancelled_while_it_was_being_made_is_taken_back(
    app: Flask, held: HeldAmazon, amazon: responses.RequestsMock
) -> None:
    a, starting, started = cuddle_held_at_amazon(app, held)
    cancelled = AlexaSession(app.test_client(), a).intent(intents.END_EVENING)
    assert cancelled.status == 200 and sent(amazon, "DELETE", f"{TIMERS}/{held.timer_id}") == []
    held.release.set()
    starting.join(GUARD)
    assert started and started[0].status == 200
    # Amazon made the timer after the household had cancelled it: it is deleted, it never rings.
    assert len(sent(amazon, "DELETE", f"{TIMERS}/{held.timer_id}")) == 1
    left = AlexaSession(app.test_client(), a).intent(intents.EVENING_TIME_LEFT)
    assert "no" in left.speech.lower()


def test_a_timer_whose_id_never_reached_the_state_is_found_by_its_label_and_cancelled(
    app: Flask, amazon: responses.RequestsMock
) -> None:
    a = household()
    amazon.post(TIMERS, json=timer_created("lost-1", "PT15M"))
    assert AlexaSession(app.test_client(), a).intent(intents.CUDDLE, duration="PT15M").status == 200
    engine = app.extensions["store"].engine
    with engine.begin() as conn:  # as if the worker had stopped between the commit and the outcome
        state = json.loads(
            conn.execute(text("SELECT state FROM households WHERE platform_user = :u"), {"u": a}).scalar_one()
        )
        assert state["household"]["alerts"]["cuddle"]["id"] == "lost-1"
        state["household"]["alerts"]["cuddle"]["id"] = ""
        conn.execute(
            text("UPDATE households SET state = :s WHERE platform_user = :u"),
            {"s": json.dumps(state), "u": a},
        )
    others = {**timer_created("theirs-1"), "timerLabel": "Pasta"}
    amazon.get(
        TIMERS, json={"timers": [timer_created("lost-1", "PT15M") | {"timerLabel": "Bedtime cuddle"}, others]}
    )
    amazon.delete(f"{TIMERS}/lost-1")
    ended = AlexaSession(app.test_client(), a).intent(intents.END_EVENING)
    assert ended.status == 200 and "sorry" not in ended.speech.lower()
    assert len(sent(amazon, "DELETE", f"{TIMERS}/lost-1")) == 1
    assert sent(amazon, "DELETE", f"{TIMERS}/theirs-1") == []  # another timer is left alone
