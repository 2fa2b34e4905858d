"""Background work on cases. Tasks only call a service; the service does the work."""

from django.tasks import task

from zongzhi.cases import services


@task()
def sweep_deadlines() -> dict[str, int]:
    """Warn before deadlines, raise supervision orders on missed ones, resume pauses."""
    report = services.sweep_deadlines()
    return {"resumed": report.resumed, "warned": report.warned, "supervised": report.supervised}
