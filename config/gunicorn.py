"""gunicorn's settings for `make serve` (`manage.py run_all --web gunicorn` passes this file
with --config, and the bind address with --bind). Read by gunicorn, not by Django: it
imports nothing from the project, so it loads whatever the working directory.

Environment:
- WEB_CONCURRENCY: how many worker processes (default: two per core plus one, at most 8;
  each holds a copy of the application, some 150–250 MB once PDFs and workbooks are made).
- ZONGZHI_WEB_TIMEOUT: seconds a request may take before its worker is replaced (default
  120: a county's ledger export or a printed notice takes seconds, never minutes).
"""

import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(f"{name} must be an integer, got {raw!r}") from exc


def _cores() -> int:
    # The cores this process may run on (a container's CPU set), not the machine's.
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


wsgi_app = "config.wsgi:application"
workers = _int("WEB_CONCURRENCY", min(2 * _cores() + 1, 8))
# Synchronous workers: every request is short and the database is the bottleneck.
worker_class = "sync"
timeout = _int("ZONGZHI_WEB_TIMEOUT", 120)
# On SIGTERM a worker finishes the request it is serving (an upload, an export) first.
graceful_timeout = 30
# Behind nginx, connections are reused between the proxy and gunicorn.
keepalive = 5
# A worker is replaced after this many requests, so memory a large workbook or PDF left
# behind is given back; the jitter keeps the workers from all restarting at once.
max_requests = 1000
max_requests_jitter = 100
# Access and error log to stdout/stderr, for the journal (systemd) or the terminal.
accesslog = "-"
errorlog = "-"
# The client's address as the proxy passed it, and the time taken in milliseconds.
access_log_format = '%(h)s %({x-forwarded-for}i)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
# Workers' heartbeat files in memory: a slow disk would make workers look stuck. gunicorn
# makes each with mkstemp, so the shared directory is safe to use.
_SHM = "/dev/shm"  # noqa: S108
worker_tmp_dir = _SHM if os.path.isdir(_SHM) else None
# No control socket (gunicorn 25+ opens one in $HOME by default): two instances on one
# host would contend for the same path, and the supervisor or systemd is what manages
# the server.
control_socket_disable = True
