"""`flask --app skill understanding`: where local understanding misses people, in counts only.

Each turn understood from words (the browser, the terminal chat, a local assistant) that
fell back, or that only a near miss recovered, adds one to a count for its platform and
place in the conversation ("checkin.answering"); the words themselves are never kept.
The operator reads the counts here and writes the phrasings people were missed on into
tests/nlu/corpus.yaml, then into the grammar.
"""

from __future__ import annotations

import json

import click
from flask import Flask, current_app
from flask.cli import with_appcontext


@click.command("understanding")
@click.option("--json", "as_json", is_flag=True, help="print the counts as JSON")
@with_appcontext
def understanding_command(as_json: bool) -> None:
    """Print how often each place in the conversation fell back or needed a near miss."""
    rows = current_app.extensions["store"].understanding_misses()
    if as_json:
        data = [{"platform": p, "place": w, "kind": k, "count": c} for p, w, k, c in rows]
        click.echo(json.dumps(data, indent=2))
        return
    if not rows:
        click.echo("no misses counted yet")
        return
    click.echo(f"{'platform':10} {'where':28} {'kind':10} {'count':>7}")
    for platform, place, kind, count in rows:
        click.echo(f"{platform:10} {place:28} {kind:10} {count:7}")


def init_app(app: Flask) -> None:
    """Register the command."""
    app.cli.add_command(understanding_command)
