"""Housekeeping of core's own tables."""

from django.tasks import task

from zongzhi.core import audit, ratelimit


@task()
def prune_records() -> dict[str, int]:
    """Audit entries past ZONGZHI_AUDIT_DAYS, rate-limit windows past an hour."""
    return {"audit": audit.prune(), "rate_windows": ratelimit.prune()}
