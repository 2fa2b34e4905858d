"""Background work of the foundation itself (the domain apps' tasks live in their apps)."""

from typing import Any

from django.tasks import task

from zongzhi.core import backups


@task()
def nightly_backup() -> dict[str, Any]:
    """One backup into ZONGZHI_BACKUP_DIR; the oldest beyond ZONGZHI_BACKUP_KEEP deleted."""
    return backups.nightly()
