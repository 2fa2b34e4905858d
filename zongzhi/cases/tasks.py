"""Background work on cases. Tasks only call a service; the service does the work."""

from django.tasks import task
from django.utils import timezone

from zongzhi.cases import services
from zongzhi.core.heartbeats import DEADLINE_SWEEP, beat


@task()
def sweep_deadlines() -> dict[str, int]:
    """Warn before deadlines, raise supervision orders on missed ones, resume pauses."""
    report = services.sweep_deadlines()
    # /healthz and the 系统状态 page show when the last sweep completed.
    now = timezone.now()
    beat(DEADLINE_SWEEP, started_at=now, now=now)
    return {"resumed": report.resumed, "warned": report.warned, "supervised": report.supervised}
