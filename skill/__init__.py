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
    """Build the app: settings, store, conversation, the Alexa endpoint and the commands."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(settings.from_environment())
    if config is not None:
        app.config.update(settings.normalise(config))
    if not app.config.get("DATABASE_URL"):
        os.makedirs(app.instance_path, exist_ok=True)
        path = os.path.join(app.instance_path, "heart_to_heart.sqlite3")
        app.config["DATABASE_URL"] = f"sqlite:///{path}"

    from skill import alexa, cli, storage
    from skill.conversation import Conversation
    from skill.storage.crypto import AnswerCipher, keys_from

    key_file = Path(app.instance_path) / "answer.key"
    cipher = AnswerCipher(keys_from(app.config.get("ANSWER_KEYS"), key_file))
    store = storage.SqlStore(app.config["DATABASE_URL"], cipher)
    if app.config["AUTO_MIGRATE"]:
        storage.migrate(store)
    app.extensions["store"] = store
    app.extensions["conversation"] = Conversation(store)
    alexa.init_app(app)
    cli.init_app(app)
    return app
