"""De-identification of files closed longer ago than their programme keeps them."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from zongzhi.care import rules
from zongzhi.care.models import (
    CareAssessment,
    CareAssistance,
    CareEmergencyAccess,
    CareFile,
    CarePlanItem,
    CareTeamMember,
    CareTransfer,
    CareVisit,
)
from zongzhi.care.services.changes import (
    Duty,
    Kind,
    _append,
    _system,
    _today,
)


def deidentify_expired(today: date | None = None) -> int:
    """Files closed longer ago than their programme keeps them lose everything that names
    the person; what is left still counts (programme, place, dates, levels, visit dates)."""
    today = today or _today()
    done = 0
    for prog in rules.PROGRAMMES.values():
        try:
            cutoff = today.replace(year=today.year - prog.retention_years)
        except ValueError:  # 29 February
            cutoff = date(today.year - prog.retention_years, 2, 28)
        for file in CareFile.objects.filter(
            programme=prog.code, closed_on__lt=cutoff, deidentified_at__isnull=True
        ):
            _deidentify(file)
            done += 1
    return done


def _deidentify(file: CareFile) -> None:
    now = timezone.now()
    with transaction.atomic():
        CareFile.objects.filter(pk=file.pk).update(
            person_name="（已去标识化）",
            gender="",
            identity_encrypted="",
            identity_index="",
            identity_masked="",
            birth_date_encrypted="",
            minor_until=None,
            phone="",
            address="",
            guardian_name="",
            guardian_relation="",
            guardian_phone="",
            programme_note="",
            closing_note="",
            deidentified_at=now,
        )
        CareVisit.objects.filter(file=file).update(seen="", needs_raised="", follow_up="")
        CarePlanItem.objects.filter(file=file).update(need="—", measure="", who="")
        CareAssessment.objects.filter(file=file).update(note="")
        CareAssistance.objects.filter(file=file).update(note="")
        transfers = CareTransfer.objects.filter(file=file)
        transfers.update(
            person_name="（已去标识化）", identity_masked="", new_address="", reason=""
        )
        # A declined transfer keeps a (blank) reason: the table requires one.
        transfers.filter(status=CareTransfer.Status.DECLINED).update(decline_reason="—")
        CareTeamMember.objects.filter(file=file, duty=Duty.FAMILY).update(name="—", phone="")
        CareEmergencyAccess.objects.filter(file=file).update(reason="", review_note="")
        _append(file, Kind.DEIDENTIFY, _system(), at=now)
