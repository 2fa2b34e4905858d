"""The care-file export (特殊人群服务管理台账): one row per file a supervisor may read in a
place they supervise, filed in the shared ledger layout.

What an export carries is the list, never the file: identity numbers always masked, and
no visit texts, plan, assessment reasons or assistance. Every file in it is written to the
access log with the stated purpose (`access.log_export`), and nothing is exported without
one.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone, translation

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import grants_of
from zongzhi.accounts.rules import Action, grants_for_action
from zongzhi.care import access, rules, selectors
from zongzhi.care.models import CareFile, CareTeamMember
from zongzhi.core.services import actor_name
from zongzhi.ledgers import layout
from zongzhi.ledgers.exports import place_name
from zongzhi.ledgers.layout import Column, Kind
from zongzhi.regions.models import Region
from zongzhi.regions.rules import Level

TITLE = "特殊人群服务管理台账"
SHEET_NAME = "特殊人群档案"


class H:
    """The export's headers."""

    NUMBER = "序号"
    CODE = "档案编号"
    NAME = "姓名"
    IDENTITY = "身份证号码（已脱敏）"
    GENDER = "性别"
    PROGRAMME = "服务类别"
    LEVEL = "等级"
    PLACE = "现居住地"
    ADDRESS = "详细地址"
    ENROLLED = "纳入管理日期"
    NEXT_VISIT = "下次走访截止"
    LAST_VISIT = "最近走访"
    LEAD = "包保责任人"
    STATUS = "状态"


CARE_COLUMNS = [
    Column(H.NUMBER, 5, Kind.INT),
    Column(H.CODE, 15.5, Kind.CODE),
    Column(H.NAME, 9),
    Column(H.IDENTITY, 20, Kind.CODE),
    Column(H.GENDER, 5),
    Column(H.PROGRAMME, 16, Kind.WRAP),
    Column(H.LEVEL, 14.5),
    Column(H.PLACE, 14, Kind.WRAP),
    Column(H.ADDRESS, 18, Kind.WRAP),
    Column(H.ENROLLED, 11, Kind.DATE),
    Column(H.NEXT_VISIT, 11, Kind.DATE),
    Column(H.LAST_VISIT, 11, Kind.DATE),
    Column(H.LEAD, 9),
    Column(H.STATUS, 14, Kind.WRAP),
]


@dataclass(frozen=True)
class Export:
    filename: str
    content: bytes
    files: list[CareFile]

    @property
    def count(self) -> int:
        return len(self.files)


def export_regions(user: Actor) -> QuerySet[Region]:
    """The places a user may export: the county, townships and villages they supervise."""
    grants = grants_for_action(grants_of(user), Action.SUPERVISE_CARE)
    if getattr(user, "is_superuser", False):
        within = Q()
    else:
        within = Q(pk__in=[])
        for grant in grants:
            within |= Q(prefix__startswith=grant.region_prefix)
    return Region.objects.filter(
        within, level__gte=Level.COUNTY, level__lte=Level.VILLAGE
    ).order_by("code")


def may_export(user: Actor, region: Region) -> bool:
    return export_regions(user).filter(pk=region.pk).exists()


def export_files(
    *,
    by: Actor,
    region: Region,
    purpose: str,
    purpose_note: str = "",
    programme: str = "",
    include_closed: bool = False,
    now: datetime | None = None,
) -> Export:
    """The files `by` reads in `region`'s subtree (and those transferred to it, 双列管), as
    an Excel workbook; each one logged as exported with the purpose."""
    if not may_export(by, region):
        raise PermissionDenied("您无权导出该地的特殊人群档案")
    errors = {}
    problem = access.purpose_error(purpose, purpose_note)
    if problem:
        field = "purpose" if purpose not in rules.Purpose else "purpose_note"
        errors[field] = problem
    if programme and programme not in rules.PROGRAMMES:
        errors["programme"] = "请选择服务类别"
    if errors:
        raise ValidationError(errors)
    now = timezone.localtime(now)
    files: list[CareFile] = list(
        selectors.file_list(by, programme=programme, region=region, include_closed=include_closed)
        .order_by(
            "region__code",
            F("closed_on").asc(nulls_first=True),
            F("next_visit_due").asc(nulls_last=True),
            "code",
        )
        .prefetch_related(
            Prefetch(
                "team",
                queryset=CareTeamMember.objects.filter(active=True, duty=CareTeamMember.Duty.LEAD),
                to_attr="leads",
            )
        )
    )
    with translation.override("zh-hans"):  # a filed ledger is in Chinese
        place = place_name(region)
        scope = rules.programme(programme).name if programme else "全部类别"
        ledger = layout.Ledger(
            title=f"{place}{TITLE}",
            info=(
                f"范围：{place}，{scope}{'（含已结案）' if include_closed else ''}"
                f"　导出时间：{layout.chinese_date(now.date())} {now:%H:%M}"
                f"　导出人：{actor_name(by)}"
                f"　目的：{rules.PURPOSE_NAMES[rules.Purpose(purpose)]}"
                f"　共{len(files)}条　身份证号码已脱敏"
            ),
            columns=CARE_COLUMNS,
            rows=[file_row(n, f, now.date()) for n, f in enumerate(files, start=1)],
            sheet_name=SHEET_NAME,
        )
        content = layout.to_bytes(layout.workbook_for([ledger]))
    access.log_export(by, files, purpose=purpose, purpose_note=purpose_note)
    return Export(filename=f"{ledger.title}（{now:%Y%m%d}）.xlsx", content=content, files=files)


def file_row(number: int, file: CareFile, today: date) -> Sequence[Any]:
    leads: list[CareTeamMember] = file.leads  # type: ignore[attr-defined]
    prog = file.prog
    return [
        number,
        file.code,
        file.person_name,
        file.identity_masked,  # never the full number, whoever exports
        file.get_gender_display(),
        prog.name,
        prog.level_name(file.level),
        file.region.name,
        file.address,
        file.enrolled_on,
        file.next_visit_due,
        file.last_visit_on,
        "、".join(m.name for m in leads),
        status_name(file, today),
    ]


def status_name(file: CareFile, today: date) -> str:
    if file.closed_on is not None:
        return f"已结案（{file.closing_reason_name()}）"
    if file.in_transfer:
        return "转移待接收"
    if file.is_overdue(today):
        return "走访逾期"
    return "在管"
