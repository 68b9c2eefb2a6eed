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
from skill.nlu import matcher_for


def speech_text(ssml: str) -> str:
    """What Alexa would say, without the SSML tags."""
    return to_text((Say(html.unescape(re.sub(r"<[^>]+>", " ", ssml))),))


class ChatClient:
    """Sends typed utterances as Alexa requests to /alexa, in process or over HTTP."""

    def __init__(self, post: Any, device: SimulatedDevice) -> None:
        self.post = post
        self.device = device

    def say(self, text: str) -> tuple[str, bool]:
        """Send one utterance; returns what Alexa would say and whether the session ended."""
        words = text.strip().lower()
        if words in ("open heart to heart", "launch", "alexa open heart to heart"):
            envelope = self.device.launch()
        else:
            match = matcher_for(self.device.locale).match(text)
            envelope = self.device.intent(match.intent, match.slots)
        status, body = self.post(envelope)
        if status != 200:
            return f"[HTTP {status}] {body.get('error', body)}", False
        response = body.get("response", {})
        ended = bool(response.get("shouldEndSession", True))
        if ended:
            self.device.closed()
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


def init_app(app: Flask) -> None:
    """Register the operator commands."""
    app.cli.add_command(chat_command)
