"""gunicorn settings for Heart to Heart: `gunicorn -c deploy/gunicorn.conf.py 'skill:create_app()'`."""

import multiprocessing
import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
# sync workers stayed balanced under keep-alive load where gthread did not (see DESIGN.md).
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
# Alexa waits about 8 seconds for an answer; a worker stuck longer than that is of no use.
timeout = int(os.environ.get("WORKER_TIMEOUT", "7"))
graceful_timeout = 20
keepalive = 5
max_requests = 10_000
max_requests_jitter = 1_000
accesslog = "-"
