"""Background work of the foundation itself (the domain apps' tasks live in their apps):
the nightly backup, and the housekeeping of core's own tables."""

from typing import Any

from django.tasks import task

from zongzhi.core import audit, backups, ratelimit


@task()
def nightly_backup() -> dict[str, Any]:
    """One backup into ZONGZHI_BACKUP_DIR; the oldest beyond ZONGZHI_BACKUP_KEEP deleted."""
    return backups.nightly()


@task()
def prune_records() -> dict[str, int]:
    """Audit entries past ZONGZHI_AUDIT_DAYS, rate-limit windows past an hour."""
    return {"audit": audit.prune(), "rate_windows": ratelimit.prune()}
