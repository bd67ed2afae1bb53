"""gunicorn settings for ``make serve`` (see docs/serving.md); each can be set from the environment.

Sync workers: each handles one request at a time with its own database connection, which
suits short queries on a machine with few cores. Put a buffering proxy (nginx, Caddy) in
front so that slow clients do not hold a worker.
"""

from __future__ import annotations

import gc
import os

wsgi_app = "conflictkb.wsgi:application"

# The usual rule for sync workers: two per core plus one, so a core never waits idle while a
# worker waits on PostgreSQL. Lower it when the database server shares the machine.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)

# A sync worker is killed when one request runs longer than this: the streaming CSV export of
# a large selection is the longest request, hence more than gunicorn's default 30 s.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
# Time a worker gets to finish its request after a restart or shutdown signal.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Seconds an idle keep-alive connection from the proxy stays open.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))

# Recycle each worker after some 20,000 requests, so slow memory growth stays bounded; the
# jitter keeps the workers from restarting all at once. Not much sooner: a new worker starts
# with an empty memory cache (answers kept for readers) and takes ~200 ms over its first request, while a
# response served from the cache takes about 1 ms.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10

accesslog = "-"
# The access log keeps no credentials (ACLED's clients put a key and e-mail in the URL).
logger_class = "conflictkb.access_log.RedactingLogger"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def post_worker_init(worker: object) -> None:
    """Leave the loaded application out of the garbage collector's full passes.

    Django, DRF and the app are some 80,000 long-lived objects; every full collection walked
    them all, pausing one request in twenty by 40–60 ms. Frozen, they are skipped.
    """
    gc.freeze()
