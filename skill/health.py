"""Health and readiness: `GET /healthz` (the process answers) and `GET /readyz` (it can serve).

- ``/healthz``: 200 ``{"status": "ok"}`` whenever the worker can answer at all; it touches
  no database, so a load balancer or orchestrator restarts only processes that are stuck.
- ``/readyz``: 200 ``{"status": "ready"}`` when the database answers a trivial query (the
  store's ``ping()``) and the schema is migrated; otherwise 503 with a JSON ``reason``
  (the kind of failure, never the database URL, which may hold a password).

The app starts even when the database is down. With ``AUTO_MIGRATE`` on, the migrations
run at app creation; if the database cannot be reached then, the failure is logged and
the migrations are retried before the next request (at most once a second) until they
succeed. Until then ``/readyz`` and every other route except ``/healthz`` answer 503
``{"error": "database unavailable"}``, so a worker never serves on a stale schema, and a
database outage at boot does not crash-loop gunicorn (whose master exits when a worker
cannot boot).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from skill import storage

log = logging.getLogger(__name__)
blueprint = Blueprint("health", __name__)

_RETRY_SECONDS = 1.0
_UNGATED = frozenset({"health.healthz", "health.readyz"})


class Schema:
    """Whether this app's database schema is migrated, and the deferred migration if not."""

    def __init__(self, store: storage.SqlStore, auto_migrate: bool) -> None:
        self.store = store
        self.pending = auto_migrate
        self.last_error: str | None = None
        self._last_try = float("-inf")
        self._lock = threading.Lock()

    def migrate(self, *, wait: bool = False) -> bool:
        """Run the migrations if still pending; True once the schema is current."""
        if not self.pending:
            return True
        with self._lock:
            if not self.pending:
                return True
            now = time.monotonic()
            if not wait and now - self._last_try < _RETRY_SECONDS:
                return False
            self._last_try = now
            try:
                storage.migrate(self.store)
            except Exception as error:  # the database is down or refuses us: retry later
                self.last_error = type(error).__name__
                log.error("database migration deferred: %s", self.last_error)
                return False
            self.pending = False
            self.last_error = None
            return True


def _unavailable(reason: str) -> Response:
    response = jsonify({"status": "unavailable", "reason": reason})
    response.status_code = 503
    return response


@blueprint.get("/healthz")
def healthz() -> Response:
    """The process is alive and answering; no database involved."""
    return jsonify({"status": "ok"})


@blueprint.get("/readyz")
def readyz() -> Response:
    """Ready to serve: the database answers and the schema is migrated."""
    schema: Schema = current_app.extensions["schema"]
    if not schema.migrate(wait=True):
        return _unavailable(f"database migration pending ({schema.last_error or 'not run'})")
    try:
        schema.store.ping()
    except Exception as error:
        log.warning("readiness: database unreachable: %s", type(error).__name__)
        return _unavailable(f"database unreachable ({type(error).__name__})")
    return jsonify({"status": "ready"})


def _gate() -> Any:
    """Before any request but the probes: the schema must be migrated."""
    schema: Schema = current_app.extensions["schema"]
    if schema.pending and request.endpoint not in _UNGATED and not schema.migrate():
        response = jsonify({"error": "database unavailable"})
        response.status_code = 503
        return response
    return None


def init_app(app: Flask, store: storage.SqlStore) -> None:
    """Migrate now if `AUTO_MIGRATE` (deferring on failure) and register the probes."""
    schema = Schema(store, bool(app.config["AUTO_MIGRATE"]))
    schema.migrate(wait=True)
    app.extensions["schema"] = schema
    app.before_request(_gate)
    app.register_blueprint(blueprint)
