"""Operator commands: `flask --app skill chat` talks to the skill from a terminal."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from dialogue.speech import Say, to_text
from skill.alexa.simulate import SimulatedDevice
from skill.nlu import FALLBACK, matcher_for
from skill.storage import HouseholdKey


def speech_text(ssml: str) -> str:
    """What Alexa would say, without the SSML tags."""
    return to_text((Say(html.unescape(re.sub(r"<[^>]+>", " ", ssml))),))


class ChatClient:
    """Sends typed utterances as Alexa requests to /alexa, in process or over HTTP."""

    def __init__(self, post: Any, device: SimulatedDevice) -> None:
        self.post = post
        self.device = device
        self.elicit: tuple[str, str] | None = None

    def say(self, text: str) -> tuple[str, bool]:
        """Send one utterance; returns what Alexa would say and whether the session ended."""
        words = text.strip().lower()
        if words in ("open heart to heart", "launch", "alexa open heart to heart"):
            envelope = self.device.launch()
        else:
            match = matcher_for(self.device.locale).match(text)
            if match.intent == FALLBACK and self.elicit is not None:
                # Alexa fills an elicited slot with whatever is said next; so does the chat.
                intent, slot = self.elicit
                envelope = self.device.intent(intent, {slot: (text.strip(), None)})
            else:
                envelope = self.device.intent(match.intent, match.slots)
        status, body = self.post(envelope)
        if status != 200:
            return f"[HTTP {status}] {body.get('error', body)}", False
        response = body.get("response", {})
        ended = bool(response.get("shouldEndSession", True))
        if ended:
            self.device.closed()
        self.elicit = None
        for directive in response.get("directives", []):
            if directive.get("type") == "Dialog.ElicitSlot":
                self.elicit = (directive["updatedIntent"]["name"], directive["slotToElicit"])
        speech = response.get("outputSpeech", {}).get("ssml", "")
        return speech_text(speech), ended


def _in_process_post(app: Flask) -> Any:
    client = app.test_client()

    def post(envelope: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        result = client.post("/alexa", json=envelope)
        return result.status_code, result.get_json() or {}

    return post


def _http_post(url: str) -> Any:
    import requests

    def post(envelope: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        result = requests.post(
            url, data=json.dumps(envelope), timeout=10, headers={"Content-Type": "application/json"}
        )
        return result.status_code, result.json()

    return post


@click.command("chat")
@with_appcontext
@click.option("--url", default=None, help="POST to a running server's /alexa instead of in process.")
@click.option("--user", default="amzn1.ask.account.LOCALCHAT", help="Alexa user id (the household).")
def chat_command(url: str | None, user: str) -> None:
    """Talk to Heart to Heart in the terminal, through the same /alexa webhook Amazon calls."""
    from skill import create_app

    if url is None:
        # Typed requests are unsigned, so this in-process app has verification off.
        local = create_app(
            {"DATABASE_URL": current_app.config["DATABASE_URL"], "ALEXA_VERIFY_SIGNATURES": False}
        )
        post = _in_process_post(local)
    else:
        post = _http_post(url)
    client = ChatClient(post, SimulatedDevice(user_id=user))
    try:
        _chat_loop(client)
    finally:
        if url is None:
            local.extensions["store"].dispose()


def _chat_loop(client: ChatClient) -> None:
    click.echo("Type what you would say to Alexa ('open heart to heart' to start, Ctrl-D to quit).")
    while True:
        try:
            text = input("you> ")
        except EOFError:
            click.echo()
            return
        if not text.strip():
            continue
        reply, ended = client.say(text)
        click.echo(f"alexa> {reply}")
        if ended:
            click.echo("(session ended)")


@click.command("export-household")
@click.option("--platform", default="alexa", show_default=True, help="alexa or web.")
@click.option("--user", required=True, help="The platform's user id (Alexa: amzn1.ask.account.…).")
@with_appcontext
def export_command(platform: str, user: str) -> None:
    """Print everything stored for one household as JSON, check-in answers decrypted."""
    store = current_app.extensions["store"]
    data = store.export(HouseholdKey(platform, user))
    if data is None:
        raise click.ClickException("no such household")
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@click.command("migrate")
@with_appcontext
def migrate_command() -> None:
    """Bring the database schema to the newest revision (a no-op when it is current).

    deploy/gunicorn.conf.py runs this once, in a child process, before any worker starts.
    """
    from skill.storage import migrate

    try:
        migrate(current_app.extensions["store"])
    except Exception as error:  # the database is down or refuses us: say so, without the URL
        raise click.ClickException(f"database migration failed: {type(error).__name__}") from error
    click.echo("database schema is current")


def init_app(app: Flask) -> None:
    """Register the operator commands."""
    app.cli.add_command(chat_command)
    app.cli.add_command(export_command)
    app.cli.add_command(migrate_command)
