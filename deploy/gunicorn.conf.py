"""gunicorn settings for Heart to Heart: `gunicorn -c deploy/gunicorn.conf.py 'skill:create_app()'`.

Every setting can be changed from the environment without editing this file:

| variable          | default                     | meaning                                              |
|-------------------|-----------------------------|------------------------------------------------------|
| `BIND`            | `0.0.0.0:${PORT:-8000}`     | address to listen on                                 |
| `WEB_CONCURRENCY` | CPUs (SQLite), 2 x CPUs + 1 (PostgreSQL) | worker processes                        |
| `WORKER_TIMEOUT`  | 7                           | seconds before a stuck worker is killed and replaced |
| `GRACEFUL_TIMEOUT`| 10                          | seconds in-flight requests get on SIGTERM / restart  |
| `MAX_REQUESTS`    | 10000                       | requests before a worker is recycled (with jitter)   |
| `LOG_LEVEL`       | info                        | level of the app's and gunicorn's logs               |

Shutdown: on SIGTERM (what orchestrators and `docker stop` send) the master stops
accepting connections and each sync worker finishes the request it is serving before it
exits, up to `graceful_timeout`; tests/skill/test_serving.py checks it. SIGHUP reloads the
configuration and replaces the workers gracefully the same way. SIGINT and SIGQUIT are the
quick shutdown: in-flight requests are cut off.
"""

import os

_cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

bind = os.environ.get("BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"


def _default_workers(database_url: str) -> int:
    """PostgreSQL: 2 x CPUs + 1. SQLite (the default): one per CPU, at least two.

    A turn waits at most ~3 s on Amazon's timer APIs, so on PostgreSQL (row locks: turns of
    different households run side by side) extra workers keep the CPUs busy while some
    wait. SQLite has one writer at a time and every turn writes, so workers beyond the CPUs
    only queue on its lock and preempt the turn that holds it: on 2 cores, 5 workers served
    fewer requests than 2, with four times the p99 (bench/serve_bench.py). Two at least, so
    a probe is answered while one worker is busy.
    """
    if database_url.startswith(("postgresql", "postgres:")):
        return 2 * _cpus + 1
    return max(2, _cpus)


# sync workers: one request at a time per process, balanced across workers (gthread was
# bimodal under keep-alive load, see DESIGN.md).
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or _default_workers(os.environ.get("DATABASE_URL", "")))
# Alexa waits about 8 seconds for an answer; a worker stuck longer than this is of no use,
# and its household row lock must be released (the killed worker's transaction rolls back).
timeout = int(os.environ.get("WORKER_TIMEOUT") or 7)
# In-flight requests get this long to finish on SIGTERM, SIGHUP and max_requests restarts;
# a request cannot run longer than `timeout` anyway. Keep it under the orchestrator's own
# grace period (Kubernetes: 30 s, docker stop: 10 s; set --stop-timeout 15 there).
graceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT") or 10)
# Recycle workers now and then (slow leaks in dependencies), not all at the same moment.
max_requests = int(os.environ.get("MAX_REQUESTS") or 10_000)
max_requests_jitter = max_requests // 10
# The heartbeat file on tmpfs: a slow overlay filesystem in a container cannot make a
# healthy worker look stuck.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicorn 24+ opens a management socket in the home folder by default; several servers on
# one machine would share its path, and nothing here uses it.
control_socket_disable = True
# Let a TLS proxy on the same host pass X-Forwarded-* (the app reads no client IPs).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs: the app writes one JSON line per request itself (skill.observability: request id,
# status, latency, no user text), so gunicorn's access log is off rather than doubled.
accesslog = None
loglevel = os.environ.get("LOG_LEVEL", "info")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json_line": {"format": "%(message)s"},
        "plain": {"format": "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"},
    },
    "handlers": {
        "requests": {
            "class": "logging.StreamHandler",
            "formatter": "json_line",
            "stream": "ext://sys.stderr",
        },
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"},
    },
    "loggers": {
        "skill.requests": {"level": loglevel.upper(), "handlers": ["requests"], "propagate": False},
        "skill": {"level": loglevel.upper(), "handlers": ["console"], "propagate": False},
        "dialogue": {"level": loglevel.upper(), "handlers": ["console"], "propagate": False},
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["console"], "propagate": False},
    },
    "root": {"level": "WARNING", "handlers": ["console"]},
}


def on_starting(server):  # gunicorn calls this in the master, before forking workers
    """Migrate the database once, before any worker starts, in a child process.

    Workers then find the schema current instead of racing to migrate a new database, and
    none of them carries Alembic in memory (about 10 MB a worker); the child keeps the
    master lean too. A failure is logged and does not stop the server: workers retry the
    migration before their first request and answer 503 until it succeeds (skill/health.py).
    AUTO_MIGRATE=false turns it off, as it does for the workers.
    """
    if os.environ.get("AUTO_MIGRATE", "true").strip().lower() in ("0", "false", "no", "off"):
        return
    import subprocess
    import sys

    command = [sys.executable, "-m", "flask", "--app", "skill", "migrate"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    except subprocess.TimeoutExpired:
        server.log.warning("database migration before start timed out; workers will retry")
        return
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        server.log.warning("database migration before start failed (%s); workers will retry", reason)
