"""`manage.py run_all`: the pages, the task worker and the scheduler as one command, all
stopped together."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from zongzhi.core.supervisor import Child, Supervisor

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children_of(pid: int) -> dict[int, str]:
    """The live processes whose parent is `pid`, with their command lines (Linux /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found[int(entry.name)] = cmdline
    return found


def _migrated_database_url(tmp_path: Path) -> str:
    """A database with the schema for the child processes: the test database itself on
    PostgreSQL (the transactional test empties it afterwards), a copy of it on SQLite (held
    in memory) — instead of migrating a new one, which took most of this test's time."""
    if connection.vendor == "sqlite":
        target = tmp_path / "db.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        copy.close()
        return f"sqlite:///{target}"
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = quote(db["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@"
    # scripts/with-postgres's URL puts the socket directory and port among the options.
    options = db.get("OPTIONS", {})
    host = quote(str(options.get("host") or db["HOST"] or "localhost"), safe="")
    port = options.get("port") or db["PORT"] or 5432
    return f"postgres://{credentials}/{db['NAME']}?host={host}&port={port}"


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes from /proc")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_run_all_serves_pages_runs_the_worker_and_scheduler_and_stops_all_on_ctrl_c(
    tmp_path: Path,
) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": _migrated_database_url(tmp_path),
        "DJANGO_DEBUG": "true",
    }
    env.pop("ZONGZHI_TASK_BACKEND", None)
    port = _free_port()
    supervisor = subprocess.Popen(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, MANAGE, "run_all", "--web", "runserver", "--bind", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        status = None
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/") as page:
                    status = page.status
                    break
            except OSError:
                time.sleep(0.2)
        assert status == 200, "the page did not answer"
        children = _children_of(supervisor.pid)
        commands = " | ".join(children.values())
        assert "runserver" in commands
        assert "run_worker" in commands
        assert "run_scheduler" in commands
        assert len(children) == 3

        supervisor.send_signal(signal.SIGINT)
        output = supervisor.communicate(timeout=30)[0].decode()
        assert supervisor.returncode == 0, output
        assert "received SIGINT" in output
        time.sleep(0.2)
        assert not any(_alive(pid) for pid in children), "a child outlived the supervisor"
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()


def test_a_child_that_dies_stops_the_others_and_the_status_says_so() -> None:
    messages: list[str] = []
    supervisor = Supervisor(
        [
            Child("sleeper", [sys.executable, "-c", "import time; time.sleep(60)"]),
            Child("crasher", [sys.executable, "-c", "import sys; sys.exit(3)"]),
        ],
        grace_seconds=5,
        poll_seconds=0.05,
        say=messages.append,
    )
    started = time.monotonic()
    assert supervisor.run() == 3
    assert time.monotonic() - started < 10
    assert any("crasher exited with status 3" in m for m in messages)


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_period() -> None:
    stubborn = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"
    messages: list[str] = []
    supervisor = Supervisor(
        [
            Child("stubborn", [sys.executable, "-c", stubborn]),
            Child(
                "crasher", [sys.executable, "-c", "import time, sys; time.sleep(0.5); sys.exit(2)"]
            ),
        ],
        grace_seconds=0.5,
        poll_seconds=0.05,
        say=messages.append,
    )
    assert supervisor.run() == 2
    assert any("stubborn did not stop in time" in m for m in messages)
