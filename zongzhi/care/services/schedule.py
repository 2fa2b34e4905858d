"""The scheduled sweep: missed visits, their escalation to the supervisors, and transfers
nobody answered in time."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from zongzhi.care import rules
from zongzhi.care.models import (
    CareAlert,
    CareEvent,
    CareFile,
    CareTransfer,
)
from zongzhi.care.services.changes import (
    Kind,
    _append,
    _system,
)


@dataclass
class SweepResult:
    missed: int = 0
    escalated: int = 0
    transfers_escalated: int = 0


def sweep_care(now: datetime | None = None) -> SweepResult:
    """Raise the schedule's alerts, once each: a missed visit (to the team), the same
    missed visit after the programme's grace days (to the supervisors), and a transfer
    nobody answered in time (to the receiving place's supervisors)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = SweepResult()
    missed = (
        CareFile.objects.open()
        .filter(next_visit_due__lt=today)
        .exclude(
            Exists(
                CareAlert.objects.filter(
                    file=OuterRef("pk"),
                    kind=CareAlert.Kind.VISIT_MISSED,
                    for_date=OuterRef("next_visit_due"),
                )
            )
        )
    )
    result.missed = _raise(missed, CareAlert.Kind.VISIT_MISSED, Kind.VISIT_MISSED, now)
    for prog in rules.PROGRAMMES.values():
        late = (
            CareFile.objects.open()
            .filter(programme=prog.code)
            .filter(next_visit_due__lt=today - timedelta(days=prog.escalate_after_days))
            .exclude(
                Exists(
                    CareAlert.objects.filter(
                        file=OuterRef("pk"),
                        kind=CareAlert.Kind.VISIT_ESCALATED,
                        for_date=OuterRef("next_visit_due"),
                    )
                )
            )
        )
        result.escalated += _raise(late, CareAlert.Kind.VISIT_ESCALATED, Kind.VISIT_ESCALATED, now)
    for transfer in CareTransfer.objects.filter(
        status=CareTransfer.Status.PENDING, answer_due_on__lt=today, escalated_at__isnull=True
    ).select_related("file", "to_region"):
        with transaction.atomic():
            updated = CareTransfer.objects.filter(pk=transfer.pk, escalated_at__isnull=True).update(
                escalated_at=now
            )
            if not updated:
                continue
            CareAlert.objects.create(
                file=transfer.file,
                kind=CareAlert.Kind.TRANSFER_UNANSWERED,
                for_date=transfer.answer_due_on,
                to_supervisors=True,
                region_prefix=transfer.to_prefix,
                raised_at=now,
            )
            _append(
                transfer.file,
                Kind.TRANSFER_ESCALATED,
                _system(),
                note=f"{transfer.to_region.name}逾期未答复（期限{transfer.answer_due_on}）",
                data={"transfer_id": transfer.pk},
                at=now,
            )
        result.transfers_escalated += 1
    return result


def _raise(files: Any, alert_kind: str, event_kind: str, now: datetime) -> int:
    """One alert and one timeline entry per file. The unique constraint on (file, kind,
    date) keeps a concurrent sweep from raising the same alert twice."""
    to_supervisors = alert_kind == CareAlert.Kind.VISIT_ESCALATED
    raised = 0
    for pk, due, prefix in files.values_list("pk", "next_visit_due", "region_prefix"):
        try:
            with transaction.atomic():
                CareAlert.objects.create(
                    file_id=pk,
                    kind=alert_kind,
                    for_date=due,
                    to_supervisors=to_supervisors,
                    region_prefix=prefix,
                    raised_at=now,
                )
                CareEvent.objects.create(
                    file_id=pk,
                    at=now,
                    kind=event_kind,
                    actor_name="系统",
                    note=f"应于{due}前走访",
                    data={"due": due.isoformat()},
                )
        except IntegrityError:
            continue
        raised += 1
    return raised
