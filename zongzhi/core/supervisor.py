"""A small process supervisor: the web server, the task worker and the scheduler as one
command (`manage.py run_all`).

Why it is built this way:

- Each child runs in a session (process group) of its own, so a Ctrl-C at the terminal
  reaches only the supervisor, which then stops the children in order and once — not a
  SIGINT to every process at the same moment, and a child's own children (runserver's
  reloader, gunicorn's workers) are stopped with it through their group.
- SIGINT and SIGTERM both mean "stop everything": the children get SIGTERM, then SIGKILL
  after a grace period. A child that ends by itself stops the others too: half a system
  (pages served, nothing sweeping deadlines) must not look alive. The exit status says
  whether a child failed, so a service manager restarts the whole.
- Restarting is a policy per child (`Child.restart`), chosen by the caller: under
  `make serve` (`run_all --web gunicorn`) a child that dies is started again after a
  pause that doubles from `backoff_seconds` up to `backoff_max_seconds`, and falls back to
  the first pause once the child has stayed up `stable_seconds` — a crash loop (a database
  that is down, a port that is taken) neither spins the processor nor floods the log, and
  one crash an hour is retried at once. Each death and restart is logged. A child without
  the policy keeps the rule above: it stops the whole.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import FrameType


@dataclass(frozen=True)
class Child:
    name: str
    argv: Sequence[str]
    # Started again when it dies (with backoff) instead of stopping the others.
    restart: bool = False


@dataclass
class Running:
    child: Child
    process: subprocess.Popen[bytes]
    stopped_by_us: bool = False
    started_at: float = field(default_factory=time.monotonic)
    # The pause before the next restart, and when that restart is due (None: running).
    backoff: float = 0.0
    restart_at: float | None = None


@dataclass
class Supervisor:
    children: Sequence[Child]
    grace_seconds: float = 10.0
    poll_seconds: float = 0.2
    backoff_seconds: float = 1.0
    backoff_max_seconds: float = 30.0
    stable_seconds: float = 60.0
    say: Callable[[str], None] = field(default=lambda text: print(text, file=sys.stderr))
    _stop_signal: int | None = None

    def run(self) -> int:
        """Start every child, wait until a signal comes or a child ends, stop the rest.
        0 when stopped by a signal and every child went quietly; otherwise the failing
        child's exit status (1 when it was killed by a signal of its own)."""
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        running: list[Running] = []
        try:
            for child in self.children:
                running.append(Running(child, self._start(child)))
                self.say(f"started {child.name} (pid {running[-1].process.pid})")
            failed = self._wait(running)
        finally:
            self._stop(running)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return failed

    def _start(self, child: Child) -> subprocess.Popen[bytes]:
        return subprocess.Popen(list(child.argv), start_new_session=True)  # noqa: S603

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._stop_signal = signum

    def _wait(self, running: list[Running]) -> int:
        while self._stop_signal is None:
            now = time.monotonic()
            for r in running:
                if r.restart_at is not None:
                    if now >= r.restart_at:
                        r.process, r.started_at, r.restart_at = self._start(r.child), now, None
                        self.say(f"restarted {r.child.name} (pid {r.process.pid})")
                    continue
                code = r.process.poll()
                if code is None:
                    continue
                # What the dead child left in its group goes with it: gunicorn's workers
                # outlive a killed master, holding the port its successor needs.
                _signal_group(r.process, signal.SIGKILL)
                if not r.child.restart:
                    self.say(f"{r.child.name} exited with status {code}: stopping the others")
                    return code if code > 0 else 1
                self._schedule_restart(r, code, now)
            time.sleep(self.poll_seconds)
        self.say(f"received {signal.Signals(self._stop_signal).name}: stopping")
        return 0

    def _schedule_restart(self, r: Running, code: int, now: float) -> None:
        uptime = now - r.started_at
        if r.backoff == 0.0 or uptime >= self.stable_seconds:
            r.backoff = self.backoff_seconds
        else:
            r.backoff = min(r.backoff * 2, self.backoff_max_seconds)
        r.restart_at = now + r.backoff
        self.say(
            f"{r.child.name} exited with status {code} after {uptime:.1f} s: "
            f"restarting in {r.backoff:g} s"
        )

    def _stop(self, running: list[Running]) -> None:
        alive = [r for r in running if r.process.poll() is None]
        for r in alive:
            r.stopped_by_us = True
            _signal_group(r.process, signal.SIGTERM)
        deadline = time.monotonic() + self.grace_seconds
        for r in alive:
            try:
                r.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say(f"{r.child.name} did not stop in time: killing it")
                _signal_group(r.process, signal.SIGKILL)
                r.process.wait()
        for r in running:
            # The group may hold grandchildren that outlived their parent, also of a child
            # that died on its own between the last look and the stop.
            _signal_group(r.process, signal.SIGKILL)


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the whole group has gone already
        os.killpg(process.pid, sig)
