"""Background work on notifications. Tasks only call a service; the service does the work."""

from django.tasks import task

from zongzhi.notifications import services


@task()
def send_due() -> dict[str, int]:
    """Send every e-mail and robot message whose time has come; failures wait and retry."""
    report = services.send_due()
    return {"sent": report.sent, "retrying": report.retrying, "failed": report.failed}
