"""POST /assist/turn, the local assistants' endpoint (Home Assistant), through Flask's test client.

What a household's own speaker would get: the words to say now and later, whether it
listens, the timers and reminders to keep; households opened only by their token, whose
hash alone is stored; answers kept encrypted on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from dialogue.speech import Pause, Say, Sound
from skill.assist import household_of, issue_token, spoken_parts

ZONE = "Europe/London"


class Speaker:
    """One home's assistant: its token, and whether its conversation is a new one."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client = client
        self.token = token
        self.listening = False  # the last reply asked for an answer in the same conversation

    def send(self, body: dict[str, Any]) -> dict[str, Any]:
        result = self.client.post(
            "/assist/turn", json=body, headers={"Authorization": f"Bearer {self.token}"}
        )
        assert result.status_code == 200, result.get_json()
        reply: dict[str, Any] = result.get_json()
        # after overheard talk the speaker's conversation goes on (Home Assistant keeps its id)
        listens = reply["continue_conversation"] or any(part["listen"] for part in reply["later"])
        self.listening = listens or bool(reply.get("overheard"))
        return reply

    def say(self, words: str, new: bool | None = None) -> dict[str, Any]:
        """Words heard; a new conversation unless the last reply was listening (or `new` says)."""
        fresh = not self.listening if new is None else new
        return self.send({"text": words, "new_conversation": fresh, "language": "en", "time_zone": ZONE})

    def everything(self, reply: dict[str, Any]) -> str:
        return " ".join([reply["speech"], *(part["say"] for part in reply["later"])]).strip()


def assist_app(make_app: Callable[[dict[str, Any]], Flask], url: str) -> Flask:
    return make_app({"DATABASE_URL": url, "ASSIST_API": True, "ALEXA_VERIFY_SIGNATURES": False})


@pytest.fixture
def app(make_app: Callable[[dict[str, Any]], Flask], sqlite_url: str) -> Flask:
    return assist_app(make_app, sqlite_url)


def speaker_for(app: Flask) -> Speaker:
    return Speaker(app.test_client(), issue_token(app.extensions["store"]))


@pytest.fixture
def home(app: Flask) -> Speaker:
    return speaker_for(app)


def answer_rows(app: Flask) -> list[tuple[int, bytes]]:
    with app.extensions["store"].engine.connect() as conn:
        rows = conn.execute(text("SELECT household_id, ciphertext FROM answers ORDER BY id")).all()
    return [(int(household), bytes(cipher)) for household, cipher in rows]


# --- tokens ------------------------------------------------------------------------------------


def test_a_token_from_the_command_opens_a_household_that_keeps_only_its_hash(
    app: Flask, tmp_path: Path
) -> None:
    result = app.test_cli_runner().invoke(args=["assist-token"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("h2h_") and len(token) > 40
    assert "cannot be shown again" in result.stderr
    client = app.test_client()
    checked = client.get("/assist/household", headers={"Authorization": f"Bearer {token}"})
    assert checked.status_code == 200 and checked.get_json() == {"household": "ok"}
    with app.extensions["store"].engine.connect() as conn:
        stored = conn.execute(text("SELECT platform, platform_user FROM households")).all()
    assert stored == [("assist", hashlib.sha256(token.encode()).hexdigest())]
    database = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    app.extensions["store"].dispose()
    on_disk = b"".join(path.read_bytes() for path in database.parent.glob(database.name + "*"))
    assert token.encode() not in on_disk, "the token itself is never stored"


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "Authorization: Bearer"),
        ("Bearer", "Authorization: Bearer"),
        ("Basic dXNlcjpwYXNz", "Authorization: Bearer"),
        ("Bearer h2h_not-a-token-anyone-was-given", "opens no household"),
    ],
)
def test_a_missing_or_wrong_token_is_refused_with_401(app: Flask, header: str | None, reason: str) -> None:
    client = app.test_client()
    headers = {"Authorization": header} if header else {}
    for result in (
        client.post("/assist/turn", json={"text": "a question"}, headers=headers),
        client.get("/assist/household", headers=headers),
        client.delete("/assist/household", headers=headers),
    ):
        assert result.status_code == 401
        assert reason in result.get_json()["error"]
        assert result.headers["WWW-Authenticate"].startswith("Bearer")
    with app.extensions["store"].engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM households")).scalar() == 0, "no household was made"


def test_the_endpoint_is_not_there_unless_asked_for(
    make_app: Callable[[dict[str, Any]], Flask], sqlite_url: str
) -> None:
    plain = make_app({"DATABASE_URL": sqlite_url})
    token = issue_token(plain.extensions["store"])
    result = plain.test_client().post(
        "/assist/turn", json={"text": "a question"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert result.status_code == 404


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ([], "JSON object"),
        ({}, "exactly one of"),
        ({"text": "hi", "reminder": "checkin"}, "exactly one of"),
        ({"text": "   "}, "text is empty"),
        ({"text": 7}, "text must be text"),
        ({"text": "x" * 501}, "longer than 500"),
        ({"reminder": "dentist"}, "reminder must be one of"),
        ({"text": "hi", "new_conversation": "yes"}, "new_conversation must be true or false"),
        ({"text": "hi", "language": "fr"}, "language must be English"),
        ({"text": "hi", "time_zone": "Mars/Olympus"}, "IANA time zone"),
    ],
)
def test_a_malformed_turn_is_a_400_with_its_reason(home: Speaker, body: Any, reason: str) -> None:
    result = home.client.post("/assist/turn", json=body, headers={"Authorization": f"Bearer {home.token}"})
    assert result.status_code == 400
    assert reason in result.get_json()["error"]


def test_a_body_that_is_not_json_is_a_400(home: Speaker) -> None:
    result = home.client.post(
        "/assist/turn",
        data=b"{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {home.token}"},
    )
    assert result.status_code == 400 and "not valid JSON" in result.get_json()["error"]


def test_a_fault_inside_a_turn_is_a_spoken_apology(
    app: Flask, home: Speaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("the database fell over")

    monkeypatch.setattr(app.extensions["conversation"], "exchange", broken)
    reply = home.say("a question")
    assert reply["fault"] is True and "sorry" in reply["speech"].lower()
    assert reply["continue_conversation"] is True


# --- talking -----------------------------------------------------------------------------------


def test_a_question_round_listens_while_it_waits_and_stops_on_stop(home: Speaker) -> None:
    hello = home.say("hi there")
    assert hello["new_session"] is True and "Welcome to Heart to Heart" in hello["speech"]
    assert hello["continue_conversation"] is True and hello["later"] == []
    question = home.say("um a question about family")
    assert question["heard"]["slots"] == {"category": "FAMILY"}
    assert "family" in question["speech"] and question["continue_conversation"] is True
    another = home.say("another one")
    assert another["heard"]["intent"] == "AMAZON.NextIntent" and another["speech"] != question["speech"]
    bye = home.say("stop")
    assert bye["continue_conversation"] is False and bye["end_session"] is True


def test_a_new_conversation_is_understood_at_the_menu_not_as_an_answer(app: Flask, home: Speaker) -> None:
    home.say("start our check-in")
    home.say("I'm Maya and this is Jonah")
    home.say("yes")
    asked = home.say("that's everyone")
    assert "Maya, what" in asked["speech"] and asked["continue_conversation"] is True
    # They walked away; later, a new conversation on the speaker:
    later = home.say("a question about family", new=True)
    assert later["new_session"] is True and later["heard"]["intent"] == "AskQuestionIntent"
    assert answer_rows(app) == [], "the words were a request, not an answer to keep"


def test_the_hug_is_said_then_kept_quiet_then_closed_by_the_speaker(home: Speaker) -> None:
    reply = home.say("can we have a hug")
    assert reply["speech"] and reply["continue_conversation"] is False, "quiet during the hug"
    (close,) = reply["later"]
    assert close["after_seconds"] == 20 and close["listen"] is True
    assert "20 seconds" in close["say"] or "twenty seconds" in close["say"]
    assert reply["speech_text"] == home.everything(reply), "nothing said is lost in the split"


def test_a_cuddle_timer_how_long_is_left_and_cancel_it(home: Speaker) -> None:
    started = home.say("start a bedtime cuddle for 10 minutes")
    (timer,) = started["effects"]
    assert timer["type"] == "timer" and timer["duration_seconds"] == 600 and timer["purpose"] == "cuddle"
    assert timer["announce"] and started["continue_conversation"] is False
    left = home.say("how long is left")
    assert "10 minutes left" in left["speech"]
    cancelled = home.say("cancel it", new=False)
    assert cancelled["effects"] == [{"type": "cancel_timer", "id": timer["id"], "purpose": "cuddle"}]


def test_the_weekly_reminder_asks_if_they_are_ready_and_yes_starts_the_check_in(home: Speaker) -> None:
    home.say("start our check-in")
    home.say("I'm Maya and this is Jonah")
    home.say("yes")
    home.say("stop")
    set_up = home.say("remind us every Sunday at eight")
    (reminder,) = set_up["effects"]
    assert reminder["type"] == "reminder" and reminder["purpose"] == "checkin"
    assert reminder["recurrence"] == {"freq": "WEEKLY", "days": ["SU"], "interval": 1}
    assert reminder["at"].endswith("T20:00:00") and reminder["time_zone"] == ZONE
    due = home.send({"reminder": "checkin", "time_zone": ZONE})
    assert due["new_session"] is True and "Ready for your check-in?" in due["speech"]
    assert due["continue_conversation"] is True
    begun = home.say("yes let's do it")
    assert "Maya, what" in begun["speech"] and begun["continue_conversation"] is True


def test_removing_the_household_erases_it_and_its_token(app: Flask, home: Speaker) -> None:
    home.say("start our check-in")
    home.say("I'm Sam")
    home.say("yes")
    home.say("that's everyone")
    home.say("the dinner you cooked on Friday")
    assert len(answer_rows(app)) == 1
    auth = {"Authorization": f"Bearer {home.token}"}
    erased = home.client.delete("/assist/household", headers=auth)
    assert erased.status_code == 200 and erased.get_json() == {"deleted": True}
    assert answer_rows(app) == []
    assert home.client.get("/assist/household", headers=auth).status_code == 401


def test_a_whole_check_in_is_kept_encrypted_scoped_and_read_back_later(
    make_app: Callable[[dict[str, Any]], Flask], database_url: str
) -> None:
    app = assist_app(make_app, database_url)
    with app.extensions["store"].engine.begin() as conn:  # PostgreSQL is shared by the whole run
        for table in ("answers", "checkins", "households"):
            conn.execute(text(f"DELETE FROM {table}"))
    home, neighbours = speaker_for(app), speaker_for(app)
    neighbours.say("hello")
    home.say("let's do our check-in")
    home.say("I'm Maya and this is Jonah")
    home.say("yes")
    home.say("that's everyone")
    said = [
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
    for words in said:
        reply = home.say(words)
        assert reply["continue_conversation"] is True or words == said[-1]
    assert "remind you every week" in reply["speech"], reply["speech"]

    rows = answer_rows(app)
    assert len(rows) == len(said)
    household_id = {row for row, _cipher in rows}
    assert len(household_id) == 1
    key = Fernet(app.config["ANSWER_KEYS"].split(",")[0].encode())
    plain = [json.loads(key.decrypt(cipher).decode().lstrip("\x1e"))["text"] for _h, cipher in rows]
    assert plain == said
    assert all(words.encode() not in cipher for words, (_h, cipher) in zip(said, rows, strict=True))

    store = app.extensions["store"]
    assert [a["text"] for a in store.export(household_of(home.token))["checkins"][0]["answers"]] == said
    assert store.export(household_of(neighbours.token))["checkins"] == [], "scoped to its household"
    assert "haven't saved a check-in yet" in neighbours.say("what did we say last week", new=True)["speech"]

    home.say("no thanks")
    asked = home.say("what did we say last week", new=True)
    assert "out loud" in asked["speech"] and asked["continue_conversation"] is True
    read = home.say("yes")
    assert "He made me breakfast on Tuesday" in read["speech"]
    assert "She fixed my bike without being asked" in read["speech"]


def test_long_pauses_split_the_words_and_short_ones_vanish() -> None:
    speech = (
        Say("Hold each other."),
        Pause(400),
        Sound("https://example.com/chime.mp3"),
        Pause(20_000),
        Say("That was twenty seconds."),
        Pause(900),
        Say("Another?"),
        Pause(5_000),
        Pause(5_000),
        Say("Still there?"),
    )
    assert spoken_parts(speech) == [
        (0, "Hold each other."),
        (20, "That was twenty seconds. Another?"),
        (10, "Still there?"),
    ]
    assert spoken_parts((Pause(60_000), Say("Time's up."))) == [(60, "Time's up.")]


def test_the_couple_talking_after_a_question_is_overheard_silence_not_sorry(
    app: Flask, home: Speaker
) -> None:
    question = home.say("a question about travel")
    assert question["continue_conversation"] is True
    overheard = home.say("well I always wanted to see Japan, remember that trip we almost booked")
    assert overheard["overheard"] is True and overheard["speech"] == "" and overheard["later"] == []
    assert overheard["continue_conversation"] is False
    asked_for = home.say("next one please", new=False)  # "hey nabu, next one" in the same conversation
    assert asked_for["heard"]["intent"] == "AMAZON.NextIntent" and asked_for["speech"]
    with app.extensions["store"].engine.connect() as conn:
        misses = conn.execute(text("SELECT count(*) FROM understanding_misses")).scalar()
    assert misses == 0, "talk overheard is no miss to count"


def test_no_to_the_reminder_is_not_now_not_goodbye(home: Speaker) -> None:
    due = home.send({"reminder": "checkin", "time_zone": ZONE})
    assert "Ready for your check-in?" in due["speech"]
    later = home.say("no, not tonight")
    assert "check-in" in later["speech"] and later["continue_conversation"] is False
    assert "Goodbye" not in later["speech"] and "Thanks for talking" not in later["speech"]


def test_a_check_in_is_dated_by_the_home_s_own_day_not_utc(app: Flask) -> None:
    # 01:00 UTC on Thursday 3 December is still Wednesday evening in New York.
    app.extensions["conversation"].clock = lambda: datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
    home = speaker_for(app)

    def say(words: str) -> dict[str, Any]:
        fresh = not home.listening
        return home.send({"text": words, "new_conversation": fresh, "time_zone": "America/New_York"})

    for words in ("start our check-in", "I'm Sam", "yes", "that's everyone", "the dinner you cooked"):
        say(words)
    say("let's finish this later")
    say("what did we say in our check-in")
    read = say("yes")
    assert "Wednesday, December 2" in read["speech"], read["speech"]
