"""The body of scripts/drill-restart (run it through that script: it needs the throwaway
PostgreSQL of scripts/with-postgres, whose data directory lies beside its socket)."""

# ruff: noqa: S603 (the commands run are this script's own, with fixed arguments)

import glob
import http.server
import json
import os
import pwd
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

PORT = 8765
HEALTHZ = f"http://127.0.0.1:{PORT}/healthz"
MANAGE = [sys.executable, "manage.py"]
LEASE = 20
ENV = {
    **os.environ,
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "drill-only-secret-key-0123456789-0123456789-0123456789",
    "ZONGZHI_FIELD_KEYS": "ZGVtby1vbmx5LWZpZWxkLWtleS1jaGFuZ2UtbWUtMDA=",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    # Short beats and a short lease, so the drill takes minutes, not a quarter of an hour.
    "ZONGZHI_HEARTBEAT_SECONDS": "5",
    "ZONGZHI_TASK_LEASE_SECONDS": str(LEASE),
    "PYTHONUNBUFFERED": "1",
}
T0 = time.monotonic()


def say(text: str) -> None:
    print(f"[{time.monotonic() - T0:7.1f} s] {text}", flush=True)


def pg_ctl(*args: str) -> None:
    host = parse_qs(urlsplit(os.environ["DATABASE_URL"]).query)["host"][0]
    data = os.path.join(host, "data")
    pg = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))[-1]
    command = [pg, "-D", data, "-l", os.path.join(host, "server.log"), "-w", *args]
    owner = pwd.getpwuid(os.stat(data).st_uid).pw_name
    if os.getuid() == 0 and owner != "root":
        command = ["runuser", "-u", owner, "--", *command]
    subprocess.run(command, cwd=host, check=True, stdout=subprocess.DEVNULL)


def healthz() -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(HEALTHZ, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        body = error.read()
        try:
            return error.code, json.loads(body)
        except ValueError:
            return error.code, {"body": body[:200].decode(errors="replace")}
    except OSError as error:
        return 0, {"error": str(error)}


def _beaten_since(body: dict[str, object], seconds: float) -> bool:
    """Whether the worker and the scheduler have both written a heartbeat in the last
    `seconds` (after the restart, not fresh only from before the outage)."""
    ages = [body.get(name) for name in ("worker", "scheduler")]
    return all(isinstance(a, dict) and (a.get("age_seconds") or 0) <= seconds for a in ages)


def wait_healthy(limit: float) -> tuple[float, dict[int, int]]:
    """Poll /healthz every second until 200 with heartbeats written since we began; the
    seconds it took and the statuses seen."""
    started = time.monotonic()
    seen: dict[int, int] = {}
    while time.monotonic() - started < limit:
        status, body = healthz()
        seen[status] = seen.get(status, 0) + 1
        if status == 200 and _beaten_since(body, time.monotonic() - started):
            return time.monotonic() - started, seen
        time.sleep(1)
    say(f"still not healthy: {status} {body}")
    return -1.0, seen


def shell(code: str) -> str:
    result = subprocess.run(
        [*MANAGE, "shell", "--no-imports", "-c", code],
        env=ENV,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip().splitlines()[-1]


def task_state(task_id: str) -> dict[str, object]:
    out = shell(
        "import json; from django_tasks_db.models import DBTaskResult as R; "
        f"r = R.objects.get(pk='{task_id}'); "
        "print(json.dumps({'status': r.status, 'workers': r.worker_ids}))"
    )
    result: dict[str, object] = json.loads(out)
    return result


def start(log_name: str, *argv: str) -> subprocess.Popen[bytes]:
    """`manage.py ARGV` with the drill's settings, its output in var/drill-LOG_NAME.log."""
    with open(f"var/drill-{log_name}.log", "w") as log:
        # The child holds its own copy of the file; ours can close at once.
        return subprocess.Popen([*MANAGE, *argv], env=ENV, stdout=log, stderr=subprocess.STDOUT)


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def restart_drill() -> bool:
    say("migrating the throwaway database")
    subprocess.run([*MANAGE, "migrate", "--noinput", "-v0"], env=ENV, check=True)
    system = start("run_all", "run_all", "--web", "runserver", "--bind", f"127.0.0.1:{PORT}")
    try:
        took, _ = wait_healthy(120)
        say(f"run_all started: /healthz 200 after {took:.1f} s: {healthz()[1]}")
        if took < 0:
            return False
        time.sleep(3)
        pg_ctl("stop", "-m", "immediate")
        say("PostgreSQL stopped (pg_ctl stop -m immediate)")
        status, body = healthz()
        say(f"/healthz while it is down: {status} {body}")
        time.sleep(10)
        pg_ctl("start")
        say("PostgreSQL started again")
        took, seen = wait_healthy(180)
        status, body = healthz()
        say(
            f"/healthz 200 with heartbeats written since, {took:.1f} s after the start; "
            f"statuses seen {seen}; {body}"
        )
        alive = system.poll() is None
        say(f"run_all still running (no child exited): {alive}")
        return 0 <= took < 180 and 500 not in seen and alive
    finally:
        system.send_signal(signal.SIGINT)
        system.wait(timeout=60)


def lease_drill() -> bool:
    workers: list[subprocess.Popen[bytes]] = []
    try:
        first = start("worker-a", "run_worker", "--no-startup-delay", "--worker-id", "drill-a")
        workers.append(first)
        task_id = shell("from zongzhi.core.tasks import hold; print(hold.enqueue(45).id)")
        say(f"enqueued a 45-second task {task_id}; worker drill-a (pid {first.pid}) takes it")
        while task_state(task_id)["status"] != "RUNNING":
            time.sleep(0.5)
        time.sleep(2)
        first.kill()
        first.wait()
        killed = time.monotonic()
        say(f"worker drill-a killed with SIGKILL mid-task: {task_state(task_id)}")
        second = start("worker-b", "run_worker", "--no-startup-delay", "--worker-id", "drill-b")
        workers.append(second)
        say(f"worker drill-b started (pid {second.pid}); lease {LEASE} s")
        taken = None
        while time.monotonic() - killed < LEASE + 120:
            state = task_state(task_id)
            if taken is None and state["workers"] == ["drill-a", "drill-b"]:
                taken = time.monotonic() - killed
                say(f"taken up again by drill-b {taken:.1f} s after the kill: {state}")
            if state["status"] == "SUCCESSFUL":
                say(f"completed {time.monotonic() - killed:.1f} s after the kill: {state}")
                return taken is not None
            time.sleep(2)
        say(f"not completed: {task_state(task_id)}")
        return False
    finally:
        stop(workers)


class Robot(http.server.BaseHTTPRequestHandler):
    """A group robot that hangs on its first message (the worker is killed meanwhile) and
    answers the others at once."""

    hits: ClassVar[list[float]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Robot.hits.append(time.monotonic())
        if len(Robot.hits) == 1:
            time.sleep(30)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"errcode": 0}')

    def log_message(self, format: str, *args: object) -> None:
        return


def delivery_state(pk: str) -> dict[str, object]:
    out = shell(
        "import json; from zongzhi.notifications.models import Delivery as D; "
        f"d = D.objects.get(pk={pk}); "
        "print(json.dumps({'status': d.status, 'attempts': d.attempts}))"
    )
    result: dict[str, object] = json.loads(out)
    return result


def webhook_drill() -> bool:
    """kill -9 of the worker while it sends a robot message: the delivery is sent after
    its claim lapses (notifications.rules.CLAIM_LEASE), by the scheduler's next send_due."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT + 1), Robot)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        pk = shell(
            "from django.conf import settings; from django.utils import timezone; "
            "from zongzhi.demo.county import load_demo; "
            "from zongzhi.units.models import Unit; "
            "from zongzhi.notifications.models import UnitWebhook, Notification, Delivery; "
            "load_demo(settings.ZONGZHI_DIVISIONS_DIR, cases=0); now = timezone.now(); "
            "h = UnitWebhook.objects.create(unit=Unit.objects.order_by('pk').first(), "
            f"kind='generic', url='http://127.0.0.1:{PORT + 1}/hook'); "
            "n = Notification.objects.create(event='dispatch', subject='演练', text='演练', "
            "created_at=now); "
            "d = Delivery.objects.create(notification=n, channel='webhook', webhook=h, "
            "next_attempt_at=now, created_at=now); print(d.pk)"
        )
        first = start("webhook-a", "run_worker", "--no-startup-delay", "--worker-id", "hook-a")
        processes.append(first)
        shell("from zongzhi.notifications.tasks import send_due; send_due.enqueue(); print(1)")
        while not Robot.hits:
            time.sleep(0.2)
        first.kill()
        first.wait()
        killed = time.monotonic()
        say(f"worker hook-a killed with SIGKILL while sending delivery {pk}: {delivery_state(pk)}")
        processes.append(
            start("webhook-b", "run_worker", "--no-startup-delay", "--worker-id", "hook-b")
        )
        processes.append(start("webhook-s", "run_scheduler"))
        say("worker hook-b and a scheduler started")
        while time.monotonic() - killed < 480:
            state = delivery_state(pk)
            if state["status"] == "sent":
                say(
                    f"delivered {time.monotonic() - killed:.1f} s after the kill, robot called "
                    f"{len(Robot.hits)} times: {state}"
                )
                return len(Robot.hits) == 2
            time.sleep(5)
        say(f"not delivered: {delivery_state(pk)}")
        return False
    finally:
        stop(processes)
        server.shutdown()


def main() -> int:
    restarted = restart_drill()
    say(f"database restart drill: {'PASSED' if restarted else 'FAILED'}")
    leased = lease_drill()
    say(f"task lease drill: {'PASSED' if leased else 'FAILED'}")
    delivered = webhook_drill()
    say(f"webhook drill: {'PASSED' if delivered else 'FAILED'}")
    return 0 if restarted and leased and delivered else 1


if __name__ == "__main__":
    sys.exit(main())
