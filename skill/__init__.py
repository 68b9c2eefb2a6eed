"""Heart to Heart's host: the Flask app, the platform adapters and the storage."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from skill import config as settings

log = logging.getLogger(__name__)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings, store, conversation, the Alexa endpoint and the commands.

    Settings come from the environment, or, when `config` is given, from it alone.
    """
    app = Flask(__name__, instance_relative_config=True)
    # "//" in a path is not redirected: werkzeug's redirect would name the client's own Host.
    app.url_map.merge_slashes = False
    # A mapping is the whole configuration (defaults fill the rest; the environment is not
    # read at all then), so a test's app never depends on what the shell exported.
    if config is None:
        app.config.update(settings.from_environment())
    else:
        app.config.update(settings.from_environment({}))
        app.config.update(settings.normalise(config))
    if not app.config.get("DATABASE_URL"):
        os.makedirs(app.instance_path, exist_ok=True)
        path = os.path.join(app.instance_path, "heart_to_heart.sqlite3")
        app.config["DATABASE_URL"] = f"sqlite:///{path}"

    from functools import partial
    from random import Random

    from skill import alexa, cli, health, observability, purge, storage, understanding
    from skill.conversation import Conversation, process_random
    from skill.storage.crypto import AnswerCipher, keys_from

    key_file = Path(app.instance_path) / "answer.key"
    cipher = AnswerCipher(keys_from(app.config.get("ANSWER_KEYS"), key_file))
    store = storage.SqlStore(app.config["DATABASE_URL"], cipher)
    app.extensions["store"] = store
    # Request logs wrap the whole app (the readiness gate's 503s are logged too); the
    # migrations run in health.init_app, deferred rather than fatal when the database is down.
    observability.init_app(app)
    health.init_app(app, store)
    # RNG_SEED (tests): every turn draws from Random(seed), so replies repeat exactly.
    seed = app.config.get("RNG_SEED")
    rng = process_random if seed is None else partial(Random, seed)
    app.extensions["conversation"] = Conversation(store, rng=rng)
    alexa.init_app(app)
    if app.config["WEB_SIMULATOR"]:
        from skill import web  # imported only when served: production runs without it

        web.init_app(app)
    if app.config["ASSIST_API"]:
        from skill import assist  # a local assistant's endpoint (Home Assistant), when asked for

        assist.init_app(app)
    cli.init_app(app)
    understanding.init_app(app)
    purge.init_app(app)
    return app
