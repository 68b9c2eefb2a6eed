"""`flask --app skill purge-web`: browser households nobody has used for a while are deleted.

A browser household (the simulator's) exists only as long as the page's session id is kept;
once idle for `--days` (30 unless said) it is deleted with everything it kept (state,
check-ins, answers). Run it from cron or a scheduled task where the simulator is on.
"""

from __future__ import annotations

from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from dialogue.ports import utc_now
from skill.storage import HouseholdKey

PLATFORM = "web"
IDLE_DAYS = 30


@click.command("purge-web")
@click.option("--days", default=IDLE_DAYS, show_default=True, type=click.IntRange(1, 36500))
@with_appcontext
def purge_web_command(days: int) -> None:
    """Delete browser households idle for DAYS days, with everything they kept."""
    store = current_app.extensions["store"]
    users = store.idle_households(PLATFORM, utc_now() - timedelta(days=days))
    deleted = sum(store.delete_household(HouseholdKey(PLATFORM, user)) for user in users)
    click.echo(
        f"deleted {deleted} browser household{'s' if deleted != 1 else ''} idle for {days} days or more"
    )


def init_app(app: Flask) -> None:
    """Register the command."""
    app.cli.add_command(purge_web_command)
