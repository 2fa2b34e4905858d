"""`make serve`'s supervisor restarts a child that dies, with a pause that doubles and is
reset once the child stayed up; the other children keep running."""

import os
import re
import sys
import time
from pathlib import Path

from zongzhi.core.supervisor import Child, Supervisor

# Stops the supervisor from inside, as systemd's SIGTERM would, once the others have had
# time to die and be restarted a few times.
STOPPER = (
    "import os, signal, time; time.sleep({}); os.kill(os.getppid(), signal.SIGTERM); time.sleep(30)"
)


def _pauses(messages: list[str], name: str) -> list[float]:
    return [
        float(m.group(1))
        for m in (re.search(rf"^{name} exited .* restarting in ([\d.]+) s$", t) for t in messages)
        if m
    ]


def test_a_dying_child_is_restarted_with_a_doubling_pause_and_the_others_keep_running(
    tmp_path: Path,
) -> None:
    # Each time, the crasher leaves a process of its own behind (as a killed gunicorn
    # master leaves its workers, holding the port).
    left = tmp_path / "left"
    crasher = f"sleep 30 & echo $! >> {left}; exit 4"
    messages: list[str] = []
    supervisor = Supervisor(
        [
            Child("stopper", [sys.executable, "-c", STOPPER.format(0.8)]),
            Child("crasher", ["/bin/sh", "-c", crasher], restart=True),
            # Stays up longer than stable_seconds each time, so its pause never grows.
            Child("steady", ["/bin/sh", "-c", "sleep 0.15; exit 5"], restart=True),
        ],
        grace_seconds=1,
        poll_seconds=0.01,
        backoff_seconds=0.04,
        backoff_max_seconds=0.16,
        stable_seconds=0.1,
        say=messages.append,
    )
    assert supervisor.run() == 0, messages
    assert any(m == "received SIGTERM: stopping" for m in messages), messages
    crasher = _pauses(messages, "crasher")
    assert crasher[:4] == [0.04, 0.08, 0.16, 0.16], messages
    assert any("crasher exited with status 4" in m for m in messages)
    assert sum(m.startswith("restarted crasher (pid ") for m in messages) >= 3
    steady = _pauses(messages, "steady")
    assert len(steady) >= 2, messages
    assert set(steady) == {0.04}, messages
    assert not any("stopping the others" in m for m in messages), messages
    orphans = [int(pid) for pid in left.read_text().split()]
    assert len(orphans) >= 4
    assert not [pid for pid in orphans if _alive(pid)], "a dead child's process outlived it"


def _alive(pid: int) -> bool:
    """Whether `pid` still runs a second after it was sent SIGKILL (the kill is delivered
    when the process is next scheduled, not at once)."""
    deadline = time.monotonic() + 1
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return _running(pid)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead too (reaped by init later, or by pytest's own process).
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def test_a_child_that_dies_as_the_stop_comes_leaves_nothing_behind(tmp_path: Path) -> None:
    # The child leaves a process behind, asks the supervisor to stop and exits at once: by
    # the time the supervisor stops, it is already dead, and its group must go all the same.
    left = tmp_path / "left"
    last = f"sleep 30 & echo $! >> {left}; kill -TERM $PPID; exit 0"
    supervisor = Supervisor(
        [Child("last", ["/bin/sh", "-c", last], restart=True)],
        grace_seconds=1,
        poll_seconds=0.05,
        say=lambda text: None,
    )
    assert supervisor.run() == 0
    [orphan] = [int(pid) for pid in left.read_text().split()]
    assert not _alive(orphan), "a dead child's process outlived the stop"
