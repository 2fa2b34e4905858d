"""What the daily deadline sweep has already done on the generated cases.

The platform sweeps every morning (`cases.services.sweep_deadlines`): a case coming near
its deadline gets one warning, a case past it one automatic supervision order, each with
its timeline entry. Generated cases are written as they stand today, so without this the
first sweep on them would be a catch-up over two years of missed deadlines, and a
benchmark of "the sweep" would time that instead of a morning's run. This writes, for the
open cases, the warnings and orders the sweeps up to yesterday would have left, with the
rows and timeline entries the services write; today's are left to today's sweep.
"""

from datetime import date, timedelta
from functools import cache

from django.db.models import Max, OuterRef, Subquery

from zongzhi.benchmarks.cases import opening
from zongzhi.benchmarks.loading import Table, next_id
from zongzhi.cases import rules
from zongzhi.cases.models import Case, CaseEvent, DeadlineAlert, DeadlinePolicy, SupervisionOrder
from zongzhi.cases.rules import Step
from zongzhi.cases.services.supervision import (
    DEFAULT_SUPERVISION_DAYS,
    OVERDUE_ORDER_NOTE,
    OVERDUE_ORDER_TEXT,
)
from zongzhi.workdays.selectors import current_calendar

MODELS = [SupervisionOrder, DeadlineAlert]


def generate_sweeps(*, today: date) -> dict[str, int]:
    calendar = current_calendar()
    answer_days = dict(DeadlinePolicy.objects.values_list("pk", "supervision_days"))
    yesterday = today - timedelta(days=1)

    @cache
    def answer_due(day: date, days: int) -> date:
        return calendar.add_working_days(day, days)

    orders = Table(
        SupervisionOrder,
        ["id", "case_id", "text", "issued_at", "automatic", "for_due_on", "answer_due_on",
         "answer"],
    )  # fmt: skip
    alerts = Table(DeadlineAlert, ["case_id", "due_on", "sent_at"])
    events = Table(
        CaseEvent,
        ["case_id", "step", "from_status", "to_status", "at", "actor_name", "note", "data"],
    )
    order_id = next_id(SupervisionOrder)
    open_cases = (
        Case.objects.open()
        .filter(due_on__isnull=False, paused_since__isnull=True)
        # The last step so far: the sweep's entries come after it.
        .annotate(last_at=Max("events__at"))
        .values_list("pk", "status", "due_on", "warn_days", "policy_id", "last_at")
        .order_by("pk")
    )
    for pk, status, due_on, warn_days, policy_id, last_at in open_cases.iterator(10_000):
        # The warning: on the first morning within the window, and not before the step
        # that set the deadline. (Calendar days back: close enough for synthetic data.)
        assert due_on is not None  # filtered above
        window = rules.warning_days(status, warn_days)
        warned_on = max(due_on - timedelta(days=window), last_at.date() + timedelta(days=1))
        if warned_on <= min(due_on, yesterday):
            at = opening(warned_on)
            alerts.write((pk, due_on, at))
            events.write((pk, Step.WARN, status, status, at, "系统", "",
                          {"due_on": due_on.isoformat()}))  # fmt: skip
        day = due_on + timedelta(days=1)  # the sweep runs every morning, weekends too
        if day > yesterday:
            continue
        at = opening(day) + timedelta(minutes=1)
        answer_due_on = answer_due(day, answer_days.get(policy_id) or DEFAULT_SUPERVISION_DAYS)
        text = OVERDUE_ORDER_TEXT.format(due_on)
        orders.write((order_id, pk, text, at, True, due_on, answer_due_on, ""))
        events.write((pk, Step.SUPERVISE, status, status, at, "系统", OVERDUE_ORDER_NOTE, {
            "order": order_id, "for_due_on": due_on.isoformat(), "automatic": True,
        }))  # fmt: skip
        order_id += 1
    for table in (orders, alerts, events):
        table.flush()
    # A step stamps the case's updated_at, as the refresh of the rollups expects.
    swept = CaseEvent.objects.filter(step__in=[Step.WARN, Step.SUPERVISE])
    Case.objects.filter(pk__in=swept.values("case_id")).update(
        updated_at=Subquery(swept.filter(case=OuterRef("pk")).order_by("-at").values("at")[:1])
    )
    return {
        "supervisionorder": orders.count,
        "deadlinealert": alerts.count,
        "caseevent": events.count,
    }
