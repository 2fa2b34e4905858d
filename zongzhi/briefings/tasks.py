"""Background work on the daily report. Tasks only call a service; the service does the work."""

from django.tasks import task

from zongzhi.briefings import services


@task()
def compile_daily_reports() -> dict[str, int]:
    """Make this morning's report for every centre and send it to its leaders."""
    reports = services.compile_daily_reports()
    return {
        "reports": len(reports),
        "items": sum(len(r.items.all()) for r in reports),
        "emailed": sum(len(r.emailed_to) for r in reports),
    }
