"""POST /web/turn and its neighbours through the Flask test client: what the page would get."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from dialogue import State
from skill.nlu import FALLBACK, recognizer_for
from skill.storage import HouseholdKey
from skill.web import _suggestion_table, suggestions_for

SESSION = "browser-session-0001"


class Page:
    """Plays one browser session's turns, echoing `elicit` back as the page does."""

    def __init__(self, client: FlaskClient, session_id: str = SESSION, time_zone: str | None = None) -> None:
        self.client = client
        self.session_id = session_id
        self.time_zone = time_zone
        self.elicit: dict[str, str] | None = None

    def send(self, **turn: Any) -> dict[str, Any]:
        body = {"session_id": self.session_id, "elicit": self.elicit, "time_zone": self.time_zone, **turn}
        result = self.client.post("/web/turn", json=body)
        assert result.status_code == 200, result.get_json()
        reply: dict[str, Any] = result.get_json()
        self.elicit = reply["elicit"]
        return reply

    def say(self, words: str) -> dict[str, Any]:
        return self.send(utterance=words)


@pytest.fixture
def web(client: FlaskClient) -> Page:
    return Page(client)


def refused(client: FlaskClient, body: Any, **kwargs: Any) -> str:
    """The reason a malformed turn is refused with (and that it is a 400, never a 500)."""
    if "data" in kwargs:
        result = client.post("/web/turn", **kwargs)
    else:
        result = client.post("/web/turn", json=body)
    assert result.status_code == 400, result.data
    reason: str = result.get_json()["error"]
    return reason


# --- refusing malformed turns ----------------------------------------------------------------


@pytest.mark.parametrize(
    "session_id",
    [
        None,
        "",
        "short",
        "x" * 15,
        "y" * 65,
        "has spaces in it 123",
        "semi;colon;000000000",
        "ünïcödé-session-id",
        12345,
    ],
)
def test_a_bad_session_id_is_refused_with_a_reason(client: FlaskClient, session_id: Any) -> None:
    body = (
        {"utterance": "a question"}
        if session_id is None
        else {"session_id": session_id, "utterance": "a question"}
    )
    assert "session_id" in refused(client, body)


def test_the_session_id_limits_are_16_and_64_characters(client: FlaskClient) -> None:
    for session_id in ("a" * 16, "B-_" + "9" * 61):
        result = client.post("/web/turn", json={"session_id": session_id, "launch": True})
        assert result.status_code == 200


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"data": "{not json", "content_type": "application/json"}, "not valid JSON"),
        ({"data": b"\xff\xfe", "content_type": "application/json"}, "not valid JSON"),
        ({"data": "[1, 2]", "content_type": "application/json"}, "JSON object"),
        ({"data": '"text"', "content_type": "application/json"}, "JSON object"),
        ({"data": "utterance=hi", "content_type": "application/x-www-form-urlencoded"}, "application/json"),
        ({"data": "[" * 5000 + "]" * 5000, "content_type": "application/json"}, "not valid JSON"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused(
    client: FlaskClient, kwargs: dict[str, Any], reason: str
) -> None:
    assert reason in refused(client, None, **kwargs)


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({}, "exactly one"),
        ({"utterance": "hi", "intent": "AMAZON.HelpIntent"}, "exactly one"),
        ({"utterance": "   "}, "empty"),
        ({"utterance": 42}, "utterance must be text"),
        ({"utterance": "a" * 501}, "longer than 500"),
        ({"launch": "yes"}, "launch"),
        ({"intent": ["AskQuestionIntent"]}, "intent must be text"),
        ({"intent": "AskQuestionIntent", "slots": ["family"]}, "slots"),
        ({"intent": "AskQuestionIntent", "slots": {"category": 3}}, "slot category must be text"),
        ({"utterance": "a question", "slots": {"category": "family"}}, "only with an intent"),
        ({"utterance": "a question", "time_zone": "Mars/Olympus"}, "time_zone"),
        ({"utterance": "a question", "time_zone": 7}, "time_zone"),
        ({"utterance": "a question", "elicit": "AnswerIntent"}, "elicit"),
    ],
)
def test_a_malformed_turn_is_refused_with_what_is_wrong(
    client: FlaskClient, extra: dict[str, Any], reason: str
) -> None:
    assert reason in refused(client, {"session_id": SESSION, **extra})


def test_a_fault_inside_a_turn_is_a_spoken_apology_not_a_500(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("the database fell over")

    monkeypatch.setattr(app.extensions["conversation"], "exchange", broken)
    result = client.post("/web/turn", json={"session_id": SESSION, "utterance": "a question"})
    assert result.status_code == 200
    reply = result.get_json()
    assert reply["fault"] is True
    assert "sorry" in reply["speech_text"].lower()
    assert reply["segments"] and reply["reprompt_text"] and not reply["end_session"]


# --- a conversation ------------------------------------------------------------------------


def test_a_question_round_trip_by_utterance(web: Page) -> None:
    hello = web.send(launch=True)
    assert hello["new_session"] is True
    assert "Welcome to Heart to Heart" in hello["speech_text"]
    assert hello["speech_ssml"].startswith("<speak>") and hello["reprompt_text"]
    question = web.say("a question about growing up")
    assert question["heard"] == {"intent": "AskQuestionIntent", "slots": {"category": "FAMILY"}}
    assert question["new_session"] is False and question["end_session"] is False
    assert "family" in question["speech_text"].lower()
    assert question["card"]["title"] and question["card"]["text"] in question["speech_text"]
    assert "another one" in question["suggestions"]
    spoken = " ".join(str(part["say"]) for part in question["segments"] if "say" in part)
    assert question["card"]["text"] in spoken
    assert any(part.get("pause", 0) >= 400 for part in question["segments"]), "pauses are kept for the page"
    another = web.say("another one")
    assert another["card"]["text"] != question["card"]["text"]
    bye = web.say("stop")
    assert bye["end_session"] is True and bye["reprompt_text"] is None
    assert "open heart to heart" in bye["suggestions"]
    again = web.say("a question")
    assert again["new_session"] is True, "after a reply that ended the session, a new one starts"


def test_a_one_shot_invocation_opens_a_new_session_with_the_request(web: Page) -> None:
    web.say("a question")
    reply = web.say("Alexa, ask heart to heart for a question about faith")
    assert reply["new_session"] is True
    assert reply["heard"]["slots"] == {"category": "SPIRITUALITY"}


@pytest.mark.parametrize(
    "name", ["NoSuchIntent", "@EffectDone", "@PermissionAnswer", "amazon.helpintent", ""]
)
def test_an_unknown_intent_name_is_heard_as_the_fallback(web: Page, name: str) -> None:
    web.send(launch=True)
    if not name:
        reply = web.send(intent="NoSuch", slots={"whatever": "x"})
    else:
        reply = web.send(intent=name)
    assert reply["heard"]["intent"] == FALLBACK
    assert reply["speech_text"] and reply["reprompt_text"], "a hint, and the page keeps listening"
    assert reply["effects"] == []


def test_an_intent_with_slots_is_resolved_like_alexa_would(web: Page) -> None:
    reply = web.send(intent="AskQuestionIntent", slots={"category": "hopes and dreams", "unknown": "x"})
    assert reply["heard"] == {"intent": "AskQuestionIntent", "slots": {"category": "HOPES_AND_DREAMS"}}
    hug = web.send(intent="HugIntent", slots={"duration": "a minute"})
    assert "1 minute" in hug["speech_text"] or "60 seconds" in hug["speech_text"]
    assert sum(int(part.get("pause", 0)) for part in hug["segments"]) >= 60_000


def test_a_bare_answer_fills_the_elicited_slot_and_is_stored_as_from_alexa(app: Flask, web: Page) -> None:
    web.say("start our check in")
    assert web.say("my name is Sam")["elicit"] is None
    web.say("yes")
    first = web.say("just me")
    assert first["elicit"] == {"intent": "AnswerIntent", "slot": "answer"}
    saved = web.say("The long walk we took on Sunday")  # no carrier phrase: matches no intent
    assert saved["heard"] == {
        "intent": "AnswerIntent",
        "slots": {"answer": "The long walk we took on Sunday"},
    }
    assert "Saved" in saved["speech_text"] or "kept" in saved["speech_text"]
    web.say("pause")
    exported = app.extensions["store"].export(HouseholdKey("web", SESSION))
    [checkin] = exported["checkins"]
    assert [a["text"] for a in checkin["answers"]] == ["The long walk we took on Sunday"]
    web.say("what did we say last week")
    played = web.say("yes, go ahead")
    assert "The long walk we took on Sunday" in played["speech_text"]
    assert "The long walk we took on Sunday" in played["card"]["text"]


def test_without_an_elicitation_unmatched_words_are_the_fallback(web: Page) -> None:
    web.send(launch=True)
    reply = web.say("the long walk we took on sunday")
    assert reply["heard"]["intent"] == FALLBACK


def test_check_ins_are_deleted_by_voice_and_the_household_erased_by_the_page(
    app: Flask, client: FlaskClient, web: Page
) -> None:
    web.say("start our check in")
    web.say("my name is Sam")
    web.say("yes")
    web.say("just me")
    web.say("my answer is the garden")
    web.say("pause")
    assert "delete" in web.say("delete our check ins")["speech_text"].lower()
    web.say("yes")
    store = app.extensions["store"]
    assert store.export(HouseholdKey("web", SESSION))["checkins"] == []
    assert "haven't saved a check-in" in web.say("what did we say last week")["speech_text"]
    result = client.delete(f"/web/household/{SESSION}")
    assert result.status_code == 200 and result.get_json()["deleted"] is True
    assert store.load_state(HouseholdKey("web", SESSION)) is None
    assert client.delete(f"/web/household/{SESSION}").get_json()["deleted"] is False
    assert client.delete("/web/household/bad id").status_code in (400, 404)
    assert client.delete("/web/household/short").status_code == 400


def test_reset_ends_the_conversation_but_keeps_the_household(
    app: Flask, client: FlaskClient, web: Page
) -> None:
    web.say("a question about family")
    assert web.say("another one")["new_session"] is False
    result = client.post("/web/reset", json={"session_id": SESSION})
    assert result.status_code == 200 and "open heart to heart" in result.get_json()["suggestions"]
    reply = web.say("another one")
    assert reply["new_session"] is True
    state = State.from_json(app.extensions["store"].load_state(HouseholdKey("web", SESSION)))
    assert sum(len(ids) for ids in state.household.asked.values()) == 3, "the deck position survived"
    assert client.post("/web/reset", json={"session_id": "nope"}).status_code == 400


def test_the_browser_household_is_not_an_alexa_household(app: Flask, web: Page) -> None:
    web.say("a question")
    store = app.extensions["store"]
    assert store.load_state(HouseholdKey("web", SESSION)) is not None
    assert store.load_state(HouseholdKey("alexa", SESSION)) is None


# --- effects ---------------------------------------------------------------------------------


def test_a_tech_free_evening_is_a_timer_the_page_runs_and_the_dialogue_knows(app: Flask, web: Page) -> None:
    started = web.say("start a tech free evening for an hour and a half")
    assert started["end_session"] is True
    [timer] = started["effects"]
    assert timer["type"] == "timer" and timer["purpose"] == "evening"
    assert timer["duration_seconds"] == 5400 and timer["label"] == "Tech-free evening"
    assert timer["announce"] and timer["id"].startswith("web-")
    state = State.from_json(app.extensions["store"].load_state(HouseholdKey("web", SESSION)))
    assert state.household.alerts["evening"]["id"] == timer["id"], (
        "recorded as done, like Alexa's @EffectDone"
    )
    left = web.say("how long is left")
    assert "1 hour and 30 minutes" in left["speech_text"] and left["effects"] == []
    ended = web.say("end the tech free evening")
    assert ended["effects"] == [{"type": "cancel_timer", "id": timer["id"], "purpose": "evening"}]
    assert "Nothing's running right now" in web.say("how long is left")["speech_text"]
    state = State.from_json(app.extensions["store"].load_state(HouseholdKey("web", SESSION)))
    assert "evening" not in state.household.alerts


def test_the_hug_quiet_is_one_real_twenty_second_pause(web: Page) -> None:
    hug = web.say("start a hug")
    pauses = [int(part["pause"]) for part in hug["segments"] if "pause" in part]
    assert max(pauses) == 20_000
    assert any("sound" in part for part in hug["segments"]), "chimes around the quiet"
    assert '<break time="10000ms"/><break time="10000ms"/>' in hug["speech_ssml"]


def parse_ics(text: str) -> dict[str, list[str]]:
    """Unfold an iCalendar text and gather each property's values."""
    assert "\r\n" in text
    unfolded = text.replace("\r\n ", "").replace("\r\n\t", "")
    found: dict[str, list[str]] = {}
    for line in unfolded.split("\r\n"):
        if line:
            name, _, value = line.partition(":")
            found.setdefault(name, []).append(value)
    return found


def test_a_weekly_reminder_is_offered_as_an_ics_with_a_weekly_rule(client: FlaskClient) -> None:
    web = Page(client, time_zone="Europe/Berlin")
    reply = web.say("remind us every sunday at eight")
    [reminder] = [effect for effect in reply["effects"] if effect["type"] == "reminder"]
    assert reminder["recurrence"] == {"freq": "WEEKLY", "days": ["SU"], "interval": 1}
    assert reminder["time_zone"] == "Europe/Berlin"
    first = datetime.fromisoformat(reminder["at"])
    assert first.weekday() == 6 and (first.hour, first.minute) == (20, 0)
    result = client.get(reminder["calendar_url"])
    assert result.status_code == 200 and result.mimetype == "text/calendar"
    assert (
        "attachment" in result.headers["Content-Disposition"]
        and ".ics" in result.headers["Content-Disposition"]
    )
    ics = parse_ics(result.get_data(as_text=True))
    assert ics["BEGIN"][0] == "VCALENDAR" and "VEVENT" in ics["BEGIN"] and ics["END"][-1] == "VCALENDAR"
    assert ics["RRULE"][-1] == "FREQ=WEEKLY;INTERVAL=1;BYDAY=SU"
    assert ics["DTSTART;TZID=Europe/Berlin"] == [first.strftime("%Y%m%dT200000")]
    assert ics["TZID"] == ["Europe/Berlin"], "the zone's rules travel with the event"
    assert "check-in" in ics["SUMMARY"][0]


def test_a_calendar_for_any_weekly_reminder_whatever_its_purpose(client: FlaskClient) -> None:
    from dialogue.effects import Recurrence, ScheduleReminder
    from skill.web.effects import describe

    effect = ScheduleReminder(
        datetime(2026, 12, 2, 7, 30),
        "Time to stretch, together.",
        "stretch",
        None,
        Recurrence("WEEKLY", ("WE", "FR")),
    )
    described = describe(effect, "web-abc", datetime.now(UTC))
    query = parse_qs(urlsplit(described["calendar_url"]).query)
    assert query["days"] == ["WE,FR"] and "tz" not in query
    ics = parse_ics(client.get(described["calendar_url"]).get_data(as_text=True))
    assert ics["RRULE"] == ["FREQ=WEEKLY;INTERVAL=1;BYDAY=WE,FR"]
    assert ics["DTSTART"] == ["20261202T073000"], "floating local time without a zone"
    assert ics["SUMMARY"] == ["Time to stretch\\, together."]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "start=tomorrow&summary=x&id=a",
        "start=2026-13-40T20:00&summary=x&id=a",
        "start=2026-11-29T20:00&summary=&id=a",
        "start=2026-11-29T20:00&summary=x&id=bad%20id",
        "start=2026-11-29T20:00&summary=x&id=a&tz=Nowhere/City",
        "start=2026-11-29T20:00&summary=x&id=a&freq=HOURLY",
        "start=2026-11-29T20:00&summary=x&id=a&freq=WEEKLY&days=XX",
        "start=2026-11-29T20:00&summary=x&id=a&freq=WEEKLY&interval=0",
        "start=2026-11-29T20:00&summary=bell%07ring&id=a",
        # what a stranger sends: Unicode digits, years out of range, a trailing newline
        "interval=²&freq=weekly&start=2026-12-06T20:00&summary=Check-in&id=abc",
        "start=9999-12-31T23:00&summary=Check-in&id=abc&tz=Europe/London",
        "start=0001-01-01T00:00&summary=Check-in&id=abc&tz=Europe/London",
        "start=2026-12-06T20:00&summary=Check-in&id=abc%0A",
    ],
)
def test_a_calendar_request_that_describes_no_reminder_is_refused(client: FlaskClient, query: str) -> None:
    result = client.get(f"/web/calendar.ics?{query}")
    assert result.status_code == 400 and result.get_json()["error"]


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata"])
def test_a_weekly_reminder_stays_at_eight_across_a_clock_change(client: FlaskClient, zone: str) -> None:
    """A calendar reading the file (icalendar parses it, dateutil repeats it) rings at eight
    local time every week, before and after the zone's daylight-saving change."""
    from dateutil.rrule import rrulestr  # type: ignore[import-untyped]
    from icalendar import Calendar

    query = urlencode(
        {
            "start": "2026-03-01T20:00",
            "summary": "Check-in",
            "id": "dst",
            "tz": zone,
            "freq": "WEEKLY",
            "days": "SU",
        }
    )
    result = client.get(f"/web/calendar.ics?{query}")
    calendar = Calendar.from_ical(result.get_data())
    (event,) = calendar.walk("VEVENT")
    start = event.decoded("dtstart")
    assert calendar.get_missing_tzids() == set() and start.tzinfo is not None
    ical = event["rrule"].to_ical()
    rule = ical.decode() if isinstance(ical, bytes) else str(ical)
    sundays = list(rrulestr(f"{rule};COUNT=10", dtstart=start))
    offsets = {sunday.utcoffset() for sunday in sundays}
    assert all(sunday.hour == 20 and sunday.minute == 0 for sunday in sundays)
    assert len(offsets) == (1 if zone == "Asia/Kolkata" else 2), "the ten Sundays cross a clock change"


# --- the page and its suggestions -------------------------------------------------------------


def test_the_page_is_served_at_the_root_and_at_simulator(client: FlaskClient) -> None:
    for path in ("/", "/simulator"):
        result = client.get(path)
        assert result.status_code == 200 and result.mimetype == "text/html"
        html = result.get_data(as_text=True)
        assert 'aria-live="polite"' in html and '<label for="say">' in html
        assert "default-src 'self'" in result.headers["Content-Security-Policy"]
    for asset in ("simulator.js", "simulator.css"):
        with client.get(f"/web/static/{asset}") as served:
            assert served.status_code == 200


def test_the_page_loads_nothing_from_elsewhere(client: FlaskClient) -> None:
    for asset in ("/", "/web/static/simulator.js", "/web/static/simulator.css"):
        with client.get(asset) as result:
            text = result.get_data(as_text=True)
        assert "http://" not in text and "https://" not in text and "//cdn" not in text, asset


def test_every_suggestion_means_something_where_it_is_offered() -> None:
    from dialogue.flows import FLOWS

    recognizer = recognizer_for("en-US")
    for where, chips in _suggestion_table().items():
        flow, _, step = where.partition(".")
        pseudo = where in ("ended", "offer")  # the session closed; a yes or no asked at the menu
        if not pseudo:
            assert flow in FLOWS, where
            if step:
                FLOWS[flow].steps(step)  # raises for a step the flow does not have
        for chip in chips:
            if chip.endswith("…"):
                continue  # a lead-in the person finishes ("my answer is …")
            heard = recognizer.understand(chip, "home.menu" if pseudo else where)
            assert heard.intent != FALLBACK or chip == "open heart to heart", (where, chip)


def test_suggestions_fall_back_from_step_to_flow_to_home() -> None:
    assert "another one" in suggestions_for("questions.asked")
    assert suggestions_for("questions.nowhere") == suggestions_for("home")
    assert suggestions_for("unknown.step") == suggestions_for("home")


def test_a_reply_is_json_a_page_can_rely_on(web: Page) -> None:
    reply = web.say("let's play remember when")
    assert set(reply) >= {
        "session_id",
        "new_session",
        "heard",
        "speech_ssml",
        "speech_text",
        "segments",
        "reprompt_text",
        "card",
        "end_session",
        "effects",
        "suggestions",
        "elicit",
    }
    json.dumps(reply)
    for part in reply["segments"]:
        assert len(part) == 1 and next(iter(part)) in ("say", "pause", "sound")


@pytest.mark.parametrize(
    "body",
    [
        {"intent": "StartEveningIntent", "slots": {"duration": "² hours"}},
        {"intent": "StartEveningIntent", "slots": {"until": "8:²"}},
        {"intent": "StartEveningIntent", "slots": {"duration": "PT²H"}},
        {"intent": "HugIntent", "slots": {"duration": "PT2M\n"}},
    ],
)
def test_unicode_digits_and_trailing_newlines_in_slots_are_no_numbers_and_no_fault(
    client: FlaskClient, body: dict[str, Any]
) -> None:
    result = client.post("/web/turn", json={"session_id": SESSION, **body})
    assert result.status_code == 200 and "fault" not in result.get_json()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"session_id": SESSION, "utterance": "a question \ud800"}, "not valid text"),
        ({"session_id": SESSION + "\n", "utterance": "hi"}, "session_id"),
    ],
)
def test_a_lone_surrogate_or_a_trailing_newline_is_refused_with_a_reason(
    client: FlaskClient, body: dict[str, Any], reason: str
) -> None:
    result = client.post("/web/turn", json=body)
    assert result.status_code == 400 and reason in result.get_json()["error"]


def test_the_reminder_question_at_the_end_of_a_check_in_gets_yes_no_chips_and_survives_a_miss(
    web: Page,
) -> None:
    for words in ("start our check in", "I'm Sam", "yes", "just me"):
        web.say(words)
    for words in (
        "Okay, um, honestly the sunshine",
        "our walks",
        "more sleep",
        "nothing unsaid",
        "a quiet week",
    ):
        reply = web.say(words)
    assert "remind you every week" in reply["speech_text"] and reply["suggestions"][:2] == [
        "yes",
        "no thanks",
    ]
    missed = web.say("shot")  # a stray word: the question is asked again, not dropped
    assert "Sorry" in missed["speech_text"] and "remind" in missed["speech_text"]
    assert missed["suggestions"][:2] == ["yes", "no thanks"]
    web.say("no thanks")
    web.say("open heart to heart")
    web.say("what did I say about appreciation")
    read = web.say("yes")
    assert "Sam said: honestly the sunshine." in read["speech_text"]  # "Okay, um," was not kept
    assert read["card"]["text"].count("\n") == 0, "the card holds only what was asked for"


def test_no_session_id_in_any_log_line_and_no_redirect_to_the_clients_host(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    web = Page(client)
    web.say("open heart to heart")
    assert client.delete(f"/web/household/{SESSION}").status_code == 200
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/web/household/<session id>" in logged and SESSION not in logged
    doubled = client.get("/web/static//simulator.js", headers={"Host": "evil.example"})
    assert doubled.status_code == 404 and "evil.example" not in doubled.headers.get("Location", "")


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_new_browser_households_are_limited_per_client_and_minute(
    make_app: Callable[[dict[str, Any]], Flask],
    sqlite_url: str,
    request: pytest.FixtureRequest,
    database: str,
) -> None:
    url = sqlite_url if database == "sqlite" else str(request.getfixturevalue("postgres_url"))
    app = make_app({"DATABASE_URL": url, "WEB_RATE_LIMIT": 3, "TRUSTED_PROXIES": "10.0.0.1"})
    client = app.test_client()
    unique = uuid.uuid4().hex[:8]

    def start(number: int, **environ: str) -> Any:
        body = {"session_id": f"limited-{unique}-{number:04d}", "launch": True}
        return client.post("/web/turn", json=body, environ_base={"REMOTE_ADDR": "192.0.2.7", **environ})

    assert [start(n).status_code for n in range(3)] == [200, 200, 200]
    refused = start(3)
    assert refused.status_code == 429 and "try again in a minute" in refused.get_json()["error"]
    assert start(0).status_code == 200, "a household that exists is never limited"
    assert start(4, REMOTE_ADDR="192.0.2.8").status_code == 200, "another client has its own limit"
    # Behind the trusted proxy the client is the address it forwards; anyone else's header is ignored.
    behind = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.9"}
    assert [start(n, **behind).status_code for n in range(5, 9)] == [200, 200, 200, 429]
    spoofed = {"HTTP_X_FORWARDED_FOR": "203.0.113.50"}  # not from the proxy: still 192.0.2.7
    assert start(9, **spoofed).status_code == 429
    with app.extensions["store"].engine.connect() as conn:
        stored = conn.execute(text("SELECT client FROM web_clients")).scalars().all()
    assert not any("192.0.2" in client_id or "198.51" in client_id for client_id in stored)


def test_idle_browser_households_are_purged_with_all_they_kept(app: Flask, client: FlaskClient) -> None:
    for session in ("idle-household-0000001", "fresh-household-000001"):
        page = Page(client, session_id=session)
        for words in ("start our check in", "I'm Sam", "yes", "just me", "the sunshine"):
            page.say(words)
    store = app.extensions["store"]
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE households SET updated_at = :old WHERE platform_user = 'idle-household-0000001'"),
            {"old": datetime(2020, 1, 1, tzinfo=UTC)},
        )
    result = app.test_cli_runner().invoke(args=["purge-web", "--days", "30"])
    assert result.exit_code == 0 and "deleted 1 browser household idle" in result.output
    assert store.load_state(HouseholdKey("web", "idle-household-0000001")) is None
    assert store.load_state(HouseholdKey("web", "fresh-household-000001")) is not None
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM answers")).scalar_one() == 1  # the fresh one's
