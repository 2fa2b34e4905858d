"""Heartbeats: each background process says every few seconds that it lives, and a job
says when it last completed; /healthz, the 系统状态 page, the stale-heartbeat mail and the
task leases read them (zongzhi.core.health, zongzhi.core.leases)."""

import os
import socket
from datetime import datetime

from django.db.models import Max
from django.utils import timezone

from zongzhi.core.models import ProcessHeartbeat

WORKER = "worker"
SCHEDULER = "scheduler"
# Written by the cases app's sweep when it completes (core names it, cases writes it).
DEADLINE_SWEEP = "deadline_sweep"


def process_instance() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(
    name: str, *, instance: str = "", started_at: datetime, now: datetime | None = None
) -> None:
    """Record that `name` (this process, or a job that just completed) is alive now."""
    now = now or timezone.now()
    ProcessHeartbeat.objects.update_or_create(
        name=name,
        instance=instance,
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "beat_at": now,
        },
    )


def last_beats(names: list[str]) -> dict[str, datetime]:
    """The freshest beat of each name that has one (one query)."""
    rows = (
        ProcessHeartbeat.objects.filter(name__in=names)
        .values("name")
        .annotate(last=Max("beat_at"))
        .values_list("name", "last")
    )
    return dict(rows)


def live_instances(name: str, *, since: datetime) -> set[str]:
    """The instances of `name` that have beaten since `since`."""
    return set(
        ProcessHeartbeat.objects.filter(name=name, beat_at__gte=since).values_list(
            "instance", flat=True
        )
    )
