"""What /healthz, the 系统状态 page and the stale-heartbeat mail report: whether the
database answers, and how old each watched heartbeat is (settings.ZONGZHI_HEALTH_HEARTBEATS:
the worker, the scheduler, the last completed deadline sweep).

Who watches whom: a process cannot report its own death. The scheduler checks every other
heartbeat each minute in its own loop (not as a queued task, so a dead worker is still
reported); the worker's heartbeat thread checks the scheduler's. Both dead at once is what
/healthz is for: it is answered by the web process, for an outside monitor.
"""

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import mail
from django.db import DatabaseError, IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from zongzhi.accounts.models import RoleAssignment
from zongzhi.accounts.rules import Role
from zongzhi.core.heartbeats import last_beats
from zongzhi.core.models import HealthAlert

logger = logging.getLogger(__name__)

DATABASE = "database"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    age_seconds: int | None  # None: never seen (or the database did not answer)
    max_age_seconds: int | None = None

    def as_json(self) -> dict[str, object]:
        return {"ok": self.ok, "age_seconds": self.age_seconds}


def _ages(beats: dict[str, datetime], now: datetime) -> list[Check]:
    checks = []
    for name, max_age in settings.ZONGZHI_HEALTH_HEARTBEATS.items():
        at = beats.get(name)
        age = None if at is None else max(0, int((now - at).total_seconds()))
        checks.append(Check(name, age is not None and age < max_age, age, max_age))
    return checks


def run_checks(now: datetime | None = None) -> list[Check]:
    """The database first, then each heartbeat; one query in all (reading the heartbeats is
    the database's test). A database that does not answer makes every check unknown."""
    now = now or timezone.now()
    try:
        beats = last_beats(list(settings.ZONGZHI_HEALTH_HEARTBEATS))
    except DatabaseError:
        # The broken connection is closed by whoever owns it: Django at the request's end,
        # the worker's and the scheduler's reconnect loops.
        unknown = [Check(n, False, None, m) for n, m in settings.ZONGZHI_HEALTH_HEARTBEATS.items()]
        return [Check(DATABASE, False, None), *unknown]
    return [Check(DATABASE, True, None), *_ages(beats, now)]


def healthy(checks: list[Check]) -> bool:
    return all(c.ok for c in checks)


# --- Telling the administrators ---------------------------------------------------------


def _administrators() -> list[str]:
    rows = (
        RoleAssignment.objects.filter(role=Role.ADMINISTRATOR, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
        .distinct()
    )
    return sorted({address.strip() for address in rows})


def _describe(check: Check) -> str:
    if check.age_seconds is None:
        return f"{check.name}：从未记录"
    minutes = check.age_seconds // 60
    return f"{check.name}：已 {minutes} 分钟没有心跳（应在 {check.max_age_seconds} 秒内）"


def alert_stale(
    names: list[str], *, watching_since: datetime, now: datetime | None = None
) -> list[str]:
    """Mail the administrators about each of `names` that went stale, once per stale
    episode: a HealthAlert row claims the episode (two watchers mail once) and is removed
    when the heartbeat is fresh again. Returns the names mailed about now.

    A watcher that started less than a check's allowed age ago says nothing about it yet:
    at a fresh start the other process may still be starting, the first sweep not run."""
    now = now or timezone.now()
    database, *beats = run_checks(now)
    if not database.ok:
        return []  # nothing can be claimed; /healthz and the process logs tell the outage
    checks = {c.name: c for c in beats if c.name in names}
    fresh = [n for n, c in checks.items() if c.ok]
    if fresh:
        HealthAlert.objects.filter(name__in=fresh).delete()
    raised = []
    for name, check in checks.items():
        if check.ok or (now - watching_since).total_seconds() < (check.max_age_seconds or 0):
            continue
        try:
            with transaction.atomic():
                HealthAlert.objects.create(name=name, raised_at=now)
        except IntegrityError:
            continue  # told already in this episode
        raised.append(check)
    if raised:
        _mail([_describe(c) for c in raised])
    return [c.name for c in raised]


def _mail(lines: list[str]) -> None:
    to = _administrators()
    if not to:
        logger.warning("stale heartbeats, and no administrator has an e-mail: %s", lines)
        return
    link = str(settings.ZONGZHI_SITE_URL).rstrip("/") + reverse("system_status")
    body = "\n".join(
        [
            "以下后台进程或任务已停止工作，事项期限检查、通知和统计可能已中断：",
            "",
            *lines,
            "",
            f"系统状态：{link}",
        ]
    )
    message = mail.EmailMessage(subject="【综治平台】后台进程异常", body=body, to=to)
    try:
        mail.mailers.default.send_messages([message])
    except Exception:
        # The row stays: the page and /healthz still show it; the log says the mail failed.
        logger.exception("could not mail the administrators about %s", lines)


# --- Recent task failures (the 系统状态 page) --------------------------------------------

# A failure's message may quote what the task was handling: identity and phone numbers
# (runs of six or more digits) and e-mail addresses are masked before it is shown.
_NUMBER = re.compile(r"\d[\dXx]{5,}")
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


@dataclass(frozen=True)
class Failure:
    task: str
    finished_at: datetime | None
    error: str


def _last_line(traceback: str, exception_class: str) -> str:
    lines = [line for line in traceback.strip().splitlines() if line.strip()]
    text = lines[-1].strip() if lines else exception_class
    text = _ADDRESS.sub("…@…", _NUMBER.sub("***", text))
    return text[:200]


def recent_failures(limit: int = 20) -> list[Failure]:
    rows = (
        DBTaskResult.objects.filter(status="FAILED")
        .order_by("-finished_at")
        .values_list("task_path", "finished_at", "exception_class_path", "traceback")[:limit]
    )
    return [
        Failure(task=path, finished_at=at, error=_last_line(tb, exc)) for path, at, exc, tb in rows
    ]
