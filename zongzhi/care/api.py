"""The care registry's API (/api/care/): the readable list, one file, the visits due.

The same rules as the pages: a file outside `access.readable_files` does not exist (404);
every read of one file is logged (via=api); its sensitive sections need a stated purpose
(`purpose` in the query), logged with it. The API never returns a full identity number:
there is no reveal here.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from zongzhi.api_common import responses
from zongzhi.care import access, rules, selectors
from zongzhi.care.models import CareFile, CareTeamMember, CareTransfer

router = Router(tags=["特殊人群"])

NOT_FOUND = "没有这份档案，或您无权查阅"
SENSITIVE_SECTIONS = ["programme_note", "plan", "assessments", "visits", "assistance"]


# --- Schemas --------------------------------------------------------------------------


class Coded(Schema):
    code: str = Field(description="代码")
    name: str = Field(description="名称")


def _coded(code: str, name: Any) -> dict[str, str]:
    return {"code": code, "name": str(name)}


class FileRow(Schema):
    """档案列表中的一行（不逐行记入查阅记录）。"""

    code: str = Field(description="档案编号")
    name: str = Field(description="姓名")
    identity_masked: str = Field(description="身份证号码（脱敏，如5304**********1234）")
    programme: Coded = Field(description="服务类别")
    level: Coded = Field(description="当前等级")
    region: Coded = Field(description="现居住地（区划代码和名称）")
    next_visit_due: date | None = Field(description="下次走访截止日期（已结案为空）")
    in_transfer: bool = Field(description="是否正在转移、待转入地接收（双列管）")
    closed_on: date | None = Field(description="结案日期（在管为空）")

    @staticmethod
    def resolve_name(obj: CareFile) -> str:
        return obj.person_name

    @staticmethod
    def resolve_programme(obj: CareFile) -> dict[str, str]:
        return _coded(obj.programme, obj.prog.name)

    @staticmethod
    def resolve_level(obj: CareFile) -> dict[str, str]:
        return _coded(obj.level, obj.prog.level_name(obj.level))

    @staticmethod
    def resolve_region(obj: CareFile) -> dict[str, str]:
        return _coded(obj.region.code, obj.region.name)


class DueRow(FileRow):
    """本人包保的到期或即将到期的走访。"""

    overdue: bool = Field(description="是否已逾期")

    @staticmethod
    def resolve_overdue(obj: CareFile) -> bool:
        return obj.is_overdue(timezone.localdate())


class Guardian(Schema):
    name: str = Field(description="监护人姓名")
    relation: str = Field(description="与本人关系")
    phone: str = Field(description="监护人电话")


class TeamMemberOut(Schema):
    name: str = Field(description="姓名")
    duty: Coded = Field(description="在包保小组中的职责")
    has_account: bool = Field(description="是否为平台用户")
    joined_on: date = Field(description="加入日期")


class TransferOut(Schema):
    status: Coded = Field(description="转移状态")
    from_region: Coded = Field(description="转出地")
    to_region: Coded = Field(description="转入地")
    proposed_at: datetime = Field(description="发起时间")
    answer_due_on: date = Field(description="答复期限")


class PlanItemOut(Schema):
    need: str = Field(description="需求")
    measure: str = Field(description="措施")
    who: str = Field(description="落实人")
    added_on: date = Field(description="制定日期")
    due_on: date | None = Field(description="完成时限")
    done_on: date | None = Field(description="完成日期（未落实为空）")


class AssessmentOut(Schema):
    assessed_on: date = Field(description="评估日期")
    level: Coded = Field(description="等级")
    reasons: list[Coded] = Field(description="评估依据")
    note: str = Field(description="评估说明")
    rules_version: str = Field(description="所依据的走访规则版本")
    next_visit_due: date = Field(description="据此确定的下次走访截止")
    by_name: str = Field(description="评估人")


class VisitOut(Schema):
    visited_on: date = Field(description="走访日期")
    method: Coded = Field(description="走访方式")
    seen: str = Field(description="走访情况")
    needs_raised: str = Field(description="提出的需求")
    follow_up: str = Field(description="后续跟进")
    by_name: str = Field(description="走访人")


class AssistanceOut(Schema):
    kind: Coded = Field(description="救助类别")
    amount: Decimal | None = Field(description="金额（元）")
    granted_on: date = Field(description="发放日期")
    note: str = Field(description="说明")


class FileDetail(Schema):
    """一份档案。敏感部分（服务管理情况、帮扶措施、风险评估及依据、走访内容、救助帮扶）
    须说明查阅目的后返回；未说明时这些字段为空，并在 withheld 中列出。"""

    code: str = Field(description="档案编号")
    name: str = Field(description="姓名")
    identity_masked: str = Field(description="身份证号码（脱敏）；接口不提供完整号码")
    gender: Coded | None = Field(description="性别")
    phone: str = Field(description="联系电话")
    programme: Coded = Field(description="服务类别")
    legal_basis: list[str] = Field(description="服务类别的法律依据")
    sensitivity: Coded = Field(description="档案所含信息的类别（健康、刑事司法、未成年人等）")
    minor: bool = Field(description="是否为未成年人档案（另有查阅限制）")
    level: Coded = Field(description="当前等级")
    level_assessed_on: date = Field(description="最近评估日期")
    region: Coded = Field(description="现居住地")
    address: str = Field(description="详细地址")
    guardian: Guardian | None = Field(description="监护人")
    enrolled_on: date = Field(description="纳入管理日期")
    expected_end_on: date | None = Field(description="预计结束日期")
    last_visit_on: date | None = Field(description="最近走访日期")
    next_visit_due: date | None = Field(description="下次走访截止")
    closed_on: date | None = Field(description="结案日期")
    closing_reason: Coded | None = Field(description="结案原因")
    team: list[TeamMemberOut] = Field(description="包保小组（在组成员）")
    in_transfer: bool = Field(description="是否正在转移、待转入地接收")
    transfer: TransferOut | None = Field(description="待接收的转移（无则为空）")
    purpose: Coded | None = Field(description="本次说明的查阅目的")
    withheld: list[str] = Field(description="因未说明查阅目的而未返回的部分")
    withheld_reason: str | None = Field(description="未返回敏感部分的原因")
    programme_note: str | None = Field(description="服务管理情况（敏感）")
    plan: list[PlanItemOut] | None = Field(description="一人一策：帮扶措施（敏感）")
    assessments: list[AssessmentOut] | None = Field(description="风险评估及依据（敏感）")
    visits: list[VisitOut] | None = Field(description="走访记录（敏感）")
    assistance: list[AssistanceOut] | None = Field(description="救助帮扶（敏感）")


class ListFilters(Schema):
    programme: str = Field("", description="服务类别代码，空为全部")
    include_closed: bool = Field(False, description="是否包含已结案的档案")


class Page(PageNumberPagination):
    class Input(PageNumberPagination.Input):
        page: int = Field(1, ge=1, le=100_000, description="页码，从1开始")

    page_size = 50


# --- Endpoints ------------------------------------------------------------------------


@router.get(
    "/files",
    response=responses({200: list[FileRow]}),
    summary="可查阅的档案列表",
    description="本人可查阅的特殊人群档案（包保小组成员、所在地督导、转入地督导、紧急查阅），"
    "按下次走访截止日期排序；身份证号码脱敏。列表不逐行记入查阅记录。",
)
@paginate(Page)
def file_list(request: HttpRequest, filters: Query[ListFilters]) -> Any:
    return selectors.file_list(
        request.user, programme=filters.programme, include_closed=filters.include_closed
    )


@router.get(
    "/files/{code}",
    response=responses({200: FileDetail}, 400, 404),
    summary="一份档案",
    description="查阅一份档案，记入查阅记录（途径：接口）。敏感部分须以 purpose 说明查阅目的"
    "（" + "、".join(f"{p.value}：{rules.PURPOSE_NAMES[p]}" for p in rules.Purpose) + "；"
    "referral 须在 purpose_note 中写明接收单位和依据），并另记一条查阅敏感内容的记录。"
    "无权查阅或不存在的档案返回404。",
)
def file_detail(
    request: HttpRequest,
    code: str,
    purpose: str | None = Query(None, description="查阅目的代码"),
    purpose_note: str = Query("", max_length=200, description="目的说明"),
) -> Any:
    file = access.readable_files(request.user).select_related("region").filter(code=code).first()
    if file is None:
        raise Http404(NOT_FOUND)
    if purpose is not None:
        problem = access.purpose_error(purpose, purpose_note)
        if problem:
            field = "purpose" if purpose not in rules.Purpose else "purpose_note"
            raise ValidationError({field: problem})
    access.log_read(request.user, file, access.What.FILE, access.Via.API)
    today = timezone.localdate()
    body = _basics(file, today)
    if purpose is not None:
        access.log_read(
            request.user,
            file,
            access.What.SENSITIVE,
            access.Via.API,
            purpose=purpose,
            purpose_note=purpose_note,
        )
        body["purpose"] = _coded(purpose, rules.PURPOSE_NAMES[rules.Purpose(purpose)])
    if purpose is not None or not file.needs_purpose(today):
        body.update(_sensitive(file))
    else:
        body["withheld"] = SENSITIVE_SECTIONS
        body["withheld_reason"] = "该档案含{}，查阅敏感部分须说明查阅目的（purpose）".format(
            "未成年人信息"
            if file.is_minor(today)
            else rules.SENSITIVITY_NAMES[file.prog.sensitivity]
        )
    return Status(200, body)


@router.get(
    "/visits/due",
    response=responses({200: list[DueRow]}),
    summary="本人的待走访",
    description="本人所在包保小组的在管档案中，已逾期或"
    f"{selectors.DUE_SOON_DAYS}天内到期的走访，逾期最久的在前。",
)
def visits_due(request: HttpRequest) -> Any:
    return selectors.visits_due(request.user, timezone.localdate())


# --- Building the detail --------------------------------------------------------------


def _basics(file: CareFile, today: date) -> dict[str, Any]:
    prog = file.prog
    team = file.team.filter(active=True).order_by("duty", "pk")
    transfer = (
        CareTransfer.objects.filter(file=file, status=CareTransfer.Status.PENDING)
        .select_related("from_region", "to_region")
        .first()
    )
    return {
        "code": file.code,
        "name": file.person_name,
        "identity_masked": file.identity_masked,
        "gender": _coded(file.gender, file.get_gender_display()) if file.gender else None,
        "phone": file.phone,
        "programme": _coded(prog.code, prog.name),
        "legal_basis": list(prog.legal_basis),
        "sensitivity": _coded(prog.sensitivity.value, rules.SENSITIVITY_NAMES[prog.sensitivity]),
        "minor": file.is_minor(today),
        "level": _coded(file.level, prog.level_name(file.level)),
        "level_assessed_on": file.level_assessed_on,
        "region": _coded(file.region.code, file.region.name),
        "address": file.address,
        "guardian": (
            {
                "name": file.guardian_name,
                "relation": file.guardian_relation,
                "phone": file.guardian_phone,
            }
            if file.guardian_name
            else None
        ),
        "enrolled_on": file.enrolled_on,
        "expected_end_on": file.expected_end_on,
        "last_visit_on": file.last_visit_on,
        "next_visit_due": file.next_visit_due,
        "closed_on": file.closed_on,
        "closing_reason": (
            _coded(file.closing_reason, file.closing_reason_name()) if file.closing_reason else None
        ),
        "team": [_member(m) for m in team],
        "in_transfer": file.in_transfer,
        "transfer": _transfer(transfer) if transfer is not None else None,
        "purpose": None,
        "withheld": [],
        "withheld_reason": None,
        **dict.fromkeys(SENSITIVE_SECTIONS),
    }


def _member(member: CareTeamMember) -> dict[str, Any]:
    return {
        "name": member.name,
        "duty": _coded(member.duty, member.get_duty_display()),
        "has_account": member.user_id is not None,
        "joined_on": member.joined_on,
    }


def _transfer(transfer: CareTransfer) -> dict[str, Any]:
    return {
        "status": _coded(transfer.status, transfer.get_status_display()),
        "from_region": _coded(transfer.from_region.code, transfer.from_region.name),
        "to_region": _coded(transfer.to_region.code, transfer.to_region.name),
        "proposed_at": transfer.proposed_at,
        "answer_due_on": transfer.answer_due_on,
    }


def _sensitive(file: CareFile) -> dict[str, Any]:
    prog = file.prog
    return {
        "programme_note": file.programme_note,
        "plan": [
            {
                "need": p.need,
                "measure": p.measure,
                "who": p.who,
                "added_on": p.added_on,
                "due_on": p.due_on,
                "done_on": p.done_on,
            }
            for p in file.plan.all()
        ],
        "assessments": [
            {
                "assessed_on": a.assessed_on,
                "level": _coded(a.level, prog.level_name(a.level)),
                "reasons": [_coded(r, prog.level_reason_name(r)) for r in a.reasons],
                "note": a.note,
                "rules_version": a.rules_version,
                "next_visit_due": a.next_visit_due,
                "by_name": a.by_name,
            }
            for a in file.assessments.order_by("-assessed_on", "-pk")
        ],
        "visits": [
            {
                "visited_on": v.visited_on,
                "method": _coded(v.method, v.get_method_display()),
                "seen": v.seen,
                "needs_raised": v.needs_raised,
                "follow_up": v.follow_up,
                "by_name": v.by_name,
            }
            for v in file.visits.order_by("-visited_on", "-pk")
        ],
        "assistance": [
            {
                "kind": _coded(a.kind, a.get_kind_display()),
                "amount": a.amount,
                "granted_on": a.granted_on,
                "note": a.note,
            }
            for a in file.assistance.order_by("-granted_on", "-pk")
        ],
    }
