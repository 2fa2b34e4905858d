"""The project's scheduled jobs: which task runs how often.

`zongzhi.core.scheduler` enqueues them (settings.ZONGZHI_SCHEDULE names `jobs`); the list
is kept here, at the project level, because the jobs are the domain apps' tasks and core,
the foundation, imports no domain app.
"""

from datetime import timedelta

from zongzhi.analytics.tasks import refresh_rollups
from zongzhi.briefings.tasks import compile_daily_reports
from zongzhi.care.tasks import deidentify_expired, sweep_care
from zongzhi.cases.tasks import sweep_deadlines
from zongzhi.core.scheduler import Periodic
from zongzhi.core.tasks import nightly_backup, prune_records, prune_task_results
from zongzhi.hazards.tasks import sweep_hazard_reviews
from zongzhi.intake.tasks import train_suggestions
from zongzhi.notifications.tasks import send_due
from zongzhi.screening.tasks import open_due_rounds


def jobs() -> list[Periodic]:
    return [
        Periodic("cases.sweep_deadlines", timedelta(hours=1), sweep_deadlines),
        # Figures lag the cases by five minutes at most.
        Periodic("analytics.refresh_rollups", timedelta(minutes=5), refresh_rollups),
        Periodic("hazards.sweep_reviews", timedelta(hours=1), sweep_hazard_reviews),
        Periodic("screening.open_rounds", timedelta(hours=1), open_due_rounds),
        Periodic("care.sweep", timedelta(hours=1), sweep_care),
        # Notifications go out as their steps commit; this pass sends the retries.
        Periodic("notifications.send_due", timedelta(minutes=1), send_due),
        # The audit log's old entries and the API keys' past rate windows.
        Periodic("core.prune_records", timedelta(hours=1), prune_records),
        # 02:00 Beijing time (18:00 UTC), when nobody is reading files.
        Periodic("care.deidentify", timedelta(days=1), deidentify_expired, timedelta(hours=18)),
        # 03:00 Beijing time (19:00 UTC): quiet, and after the de-identification, so a
        # backup keeps nothing the retention rule has removed.
        Periodic("core.backup", timedelta(days=1), nightly_backup, timedelta(hours=19)),
        # 07:00 Beijing time (23:00 UTC): the report is waiting when the day begins.
        Periodic(
            "briefings.daily_reports", timedelta(days=1), compile_daily_reports, timedelta(hours=23)
        ),
        # 01:00 Beijing time (17:00 UTC): the category model learns the day's closed cases.
        Periodic(
            "intake.train_suggestions", timedelta(days=1), train_suggestions, timedelta(hours=17)
        ),
        # 03:00 Beijing time (19:00 UTC): the task queue's finished rows, kept for two weeks.
        Periodic(
            "core.prune_task_results", timedelta(days=1), prune_task_results, timedelta(hours=19)
        ),
    ]
