"""Case pages: the work list, the intake form, the case page with its step forms, and the
leader's supervision list. Views parse and render; the services decide."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import (
    can,
    grants_of,
    holds,
    scope_q,
    visible_regions,
    visible_units,
)
from zongzhi.accounts.rules import Action, Role, grants_for_action
from zongzhi.cases import audit as party_audit
from zongzhi.cases import correction_forms, forms, rules, selectors, services
from zongzhi.cases.files import KINDS
from zongzhi.cases.models import Attachment, Case, MediationAgreement
from zongzhi.cases.rules import Step
from zongzhi.categories.models import Category
from zongzhi.core import audit
from zongzhi.core.downloads import file_response
from zongzhi.core.errors import KeyReused, Refused
from zongzhi.core.forms import add_service_errors, again_under_new_key
from zongzhi.intake import services as intake_services
from zongzhi.intake.selectors import similar_closed
from zongzhi.regions.models import Region
from zongzhi.regions.rules import PREFIX_LENGTH, Level
from zongzhi.units.models import Unit

PAGE_SIZE = 50
# The session key that makes the case page offer the receipt (受理回执) once, right after
# the case was registered at the counter.
RECEIPT_OFFER = "cases.receipt_offer"


# The most units the work list's filter offers (a province's administrator sees tens of
# thousands; the API's `unit` takes any).
UNIT_OPTIONS = 500


def case_index(request: HttpRequest) -> HttpResponse:
    todo = request.GET.get("view", "todo") != "all"
    categories = _category_options()
    form = forms.CaseSearchForm(
        request.GET,
        units=_unit_options(request.user),
        categories=[(code, label) for code, label, _pk in categories],
    )
    form.is_valid()
    search = (form.value("q") or "").strip()
    category = {code: pk for code, _label, pk in categories}.get(form.value("category") or "")
    filters = selectors.CaseFilter(
        unit=form.value("unit"),
        category=category,
        channel=form.value("channel") or "",
        risk=form.value("risk") or "",
        registered_from=form.value("registered_from"),
        registered_to=form.value("registered_to"),
        suspected_duplicate=bool(form.value("suspected_duplicate")),
    )
    status = form.value("status") or ""
    overdue = bool(form.value("overdue"))
    sort = form.value("sort") or ""
    cases = selectors.case_list(
        request.user,
        todo=todo,
        status=status,
        overdue=overdue,
        search=search,
        filters=filters,
        sort=sort,
    )
    page = selectors.case_page(cases, request.GET.get("page"), PAGE_SIZE)
    rows = selectors.with_urgency(page.object_list, today=timezone.localdate())
    return render(
        request,
        "cases/index.html",
        {
            "rows": rows,
            "flagged": selectors.flagged_duplicates(page.object_list),
            "page": page,
            "todo": todo,
            "status": status,
            "overdue": overdue,
            "q": search,
            "form": form,
            "filtered": bool(search) or filters != selectors.CaseFilter(),
            "statuses": Case.Status.choices,
            "can_register": _can_register(request.user),
        },
    )


def _unit_options(user: Actor) -> list[tuple[int, str]]:
    units = visible_units(user).order_by("region__prefix", "name").values_list("pk", "name")
    return list(units[:UNIT_OPTIONS])


def _category_options() -> list[tuple[str, str, int]]:
    """(code, label, id) of every active category, each top-level one before its own."""
    found = list(
        Category.objects.filter(is_active=True)
        .order_by("sort_order", "code")
        .values_list("pk", "code", "name", "parent_id")
    )
    options: list[tuple[str, str, int]] = []
    for pk, code, name, parent in found:
        if parent is None:
            options.append((code, name, pk))
            options += [
                (c_code, f"\u3000{c_name}", c_pk)
                for c_pk, c_code, c_name, c_parent in found
                if c_parent == pk
            ]
    return options


def _can_register(user: Actor) -> bool:
    return bool(_registrable_regions(user)[:1])


def _registrable_regions(user: Actor) -> QuerySet[Region]:
    return (
        Region.objects.filter(
            scope_q(user, Action.REGISTER_CASE, region_prefix="prefix"),
            level__gte=Region.Level.COUNTY,
            level__lte=Region.Level.GRID,
        )
        .filter(pk__in=visible_regions(user).values("pk"))
        .order_by("code")
    )


def _hands_over(user: Actor) -> bool:
    """Whether the user registers only as a unit's handler: a department hands over what
    it finds (部门移交)."""
    grants = grants_for_action(grants_of(user), Action.REGISTER_CASE)
    return bool(grants) and all(g.role == Role.UNIT_HANDLER for g in grants)


def case_new(request: HttpRequest) -> HttpResponse:
    regions = _registrable_regions(request.user)
    if not regions.exists():
        raise PermissionDenied("您无权登记事项")
    initial: dict[str, Any] = {}
    grid_worker = regions.count() <= 2  # a grid and its buildings' grid: a grid worker
    if grid_worker:
        initial = {"channel": Case.Channel.GRID, "region": regions.first()}
    elif _hands_over(request.user):
        initial = {"channel": Case.Channel.TRANSFER}
    form = forms.IntakeForm(
        request.POST or None, request.FILES or None, regions=regions, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        attach_to = request.POST.get("attach_to", "")
        try:
            new = _new_case(request.user, form)
            # The officer saw the likely duplicates in the form's panel and registered
            # anyway: a new matter, not one for triage to look at again. A grid worker's
            # report is always compared by the centre.
            new.duplicates_checked = (
                request.POST.get("duplicates_checked") == "1" and data["channel"] != "grid"
            )
            if attach_to:
                case, created = intake_services.register_into(
                    by=request.user,
                    new=new,
                    into=_other_case(request.user, attach_to),
                    idempotency_key=data["idempotency_key"],
                )
                if created:
                    messages.success(
                        request,
                        gettext("已登记并并入事项 %(into)s（本次反映查询码 %(code)s）")
                        % {"into": attach_to, "code": case.code},
                    )
                    return redirect("cases:detail", code=attach_to)
            else:
                case, created = services.case_register_from_form(
                    by=request.user, new=new, idempotency_key=data["idempotency_key"]
                )
        except ValidationError as error:
            add_service_errors(form, error)
        except KeyReused:
            form = again_under_new_key(
                lambda data: forms.IntakeForm(data, regions=regions), request
            )
        else:
            if not created:
                # The back button and the form sent again: the first case, not a second.
                messages.info(
                    request,
                    gettext("该诉求刚刚已登记：查询码 %(code)s，未重复登记") % {"code": case.code},
                )
                return redirect("cases:detail", code=case.code)
            messages.success(request, gettext("事项已登记，查询码 %(code)s") % {"code": case.code})
            if case.is_urgent:
                messages.warning(
                    request,
                    gettext("该事项有暴力或自伤倾向：请立即处置，并询问当事人是否需要转介关爱帮扶"),
                )
            # The counter hands the resident a receipt: the case page offers it at once.
            request.session[RECEIPT_OFFER] = case.code
            return redirect("cases:detail", code=case.code)
    return render(request, "cases/new.html", {"form": form, "grid_worker": grid_worker})


def _new_case(user: Actor, form: forms.IntakeForm) -> services.NewCase:
    data = form.cleaned_data
    review_of = None
    if data["review_of_code"]:
        try:
            review_of = _other_case(user, data["review_of_code"])
        except ValidationError:
            raise ValidationError({"review_of_code": "没有找到该查询码对应的事项"}) from None
    return services.NewCase(
        channel=data["channel"],
        category=data["category"],
        title=data["title"],
        description=data["description"],
        region=data["region"],
        address=data["address"],
        lng=data["lng"],
        lat=data["lat"],
        petition_stage=data["petition_stage"],
        review_of=review_of,
        parties=form.parties(),
        people_count=data["people_count"],
        amount=data["amount"],
        risk_level=data["risk_level"],
        risk_reasons=data["risk_reasons"],
        threat_of_violence=data["threat_of_violence"],
        threat_of_self_harm=data["threat_of_self_harm"],
        attachments=data["attachments"],
    )


def _get_visible(request: HttpRequest, code: str) -> Case:
    case = selectors.case_for_page(code)
    if case is None or not can(request.user, Action.VIEW_CASE, case):
        raise Http404("没有找到该事项")
    return case


# --- The step forms -------------------------------------------------------------------


@dataclass(frozen=True)
class StepForm:
    title: Promise
    form: Callable[..., Any]  # (data, case, user) -> bound or unbound form
    perform: Callable[[Any, Case, dict[str, Any]], Any]  # (user, case, cleaned_data)


def _units_for_dispatch(case: Case) -> QuerySet[Unit]:
    return (
        Unit.objects.filter(region__prefix__startswith=case.centre_prefix, is_active=True)
        .select_related("region")
        .order_by("region__code", "kind", "name")
    )


def _county_units(case: Case) -> QuerySet[Unit]:
    county = case.region_prefix[: PREFIX_LENGTH[Level.COUNTY]]
    return (
        Unit.objects.filter(region__prefix=county, is_active=True)
        .exclude(pk__in=case.unit_ids())
        .order_by("kind", "name")
    )


def _simple(cls: Any) -> Callable[..., Any]:
    return lambda data, case, user: cls(data)


def _dispatch_form(data: Any, case: Case, user: Actor) -> Any:
    suggestion = services.suggested_unit(case)
    return forms.DispatchForm(
        data, units=_units_for_dispatch(case), initial={"lead_unit": suggestion}
    )


def _answer_supervision_form(data: Any, case: Case, user: Actor) -> Any:
    return forms.AnswerSupervisionForm(
        data, orders=case.supervision_orders.filter(answered_at__isnull=True)
    )


def _code_form(data: Any, case: Case, user: Actor) -> Any:
    return forms.CaseCodeForm(data)


def _other_case(user: Actor, code: str) -> Case:
    other = Case.objects.filter(code=code.strip().upper()).first()
    if other is None or not can(user, Action.VIEW_CASE, other):
        raise ValidationError({"code": "没有找到该查询码对应的事项"})
    return other


def _dated(form: Any, case: Case, name: str) -> Any:
    """A date of something that happened on the case: from its registration to today.
    The browser's calendar offers only those days; the service refuses any other."""
    form.fields[name].bounded(
        earliest=timezone.localdate(case.registered_at), latest=timezone.localdate()
    )
    return form


def _from_tomorrow(form: Any, name: str) -> Any:
    """A date still to come (the clock resumes on it)."""
    form.fields[name].bounded(earliest=timezone.localdate() + timedelta(days=1))
    return form


STEP_FORMS: dict[str, StepForm] = {
    "accept": StepForm(
        _("受理"),
        _simple(forms.NoteForm),
        lambda u, c, d: services.case_accept(by=u, case=c, note=d["note"]),
    ),
    "reject": StepForm(
        _("不予受理"),
        _simple(forms.RejectForm),
        lambda u, c, d: services.case_reject(by=u, case=c, reason=d["reason"], notice=d["notice"]),
    ),
    "dispatch": StepForm(
        _("派单"),
        _dispatch_form,
        lambda u, c, d: services.case_dispatch(
            by=u, case=c, lead_unit=d["lead_unit"], co_units=list(d["co_units"]), note=d["note"]
        ),
    ),
    "start": StepForm(
        _("签收办理"),
        _simple(forms.NoteForm),
        lambda u, c, d: services.case_start(by=u, case=c, note=d["note"]),
    ),
    "return": StepForm(
        _("退回"),
        _simple(forms.ReasonForm),
        lambda u, c, d: services.case_return(by=u, case=c, reason=d["reason"]),
    ),
    "transfer": StepForm(
        _("转办"),
        lambda data, case, user: forms.TransferForm(data, units=_units_for_dispatch(case)),
        lambda u, c, d: services.case_transfer(
            by=u, case=c, lead_unit=d["lead_unit"], note=d["note"]
        ),
    ),
    "escalate": StepForm(
        _("上报"),
        _simple(forms.ReasonForm),
        lambda u, c, d: services.case_escalate(by=u, case=c, reason=d["reason"]),
    ),
    "whistle": StepForm(
        _("吹哨"),
        lambda data, case, user: forms.WhistleForm(data, units=_county_units(case)),
        lambda u, c, d: services.case_whistle(
            by=u, case=c, units=list(d["units"]), reason=d["reason"]
        ),
    ),
    "answer_whistle": StepForm(
        _("吹哨报到"),
        _simple(forms.AnswerForm),
        lambda u, c, d: services.case_answer_whistle(by=u, case=c, answer=d["answer"]),
    ),
    "supervise": StepForm(
        _("督办"),
        _simple(forms.SuperviseForm),
        lambda u, c, d: services.case_supervise(
            by=u, case=c, text=d["text"], answer_days=d["answer_days"]
        ),
    ),
    "answer_supervision": StepForm(
        _("督办反馈"),
        _answer_supervision_form,
        lambda u, c, d: services.case_answer_supervision(
            by=u, case=c, order=d["order"], answer=d["answer"]
        ),
    ),
    "request_extension": StepForm(
        _("申请延期"),
        _simple(forms.ExtensionForm),
        lambda u, c, d: services.case_request_extension(
            by=u, case=c, days=d["days"], reason=d["reason"]
        ),
    ),
    "grant_extension": StepForm(
        _("批准延期"),
        _simple(forms.GrantExtensionForm),
        lambda u, c, d: services.case_grant_extension(
            by=u, case=c, note=d["note"], applicant_told_by=d["applicant_told_by"]
        ),
    ),
    "refuse_extension": StepForm(
        _("不予延期"),
        _simple(forms.RequiredNoteForm),
        lambda u, c, d: services.case_refuse_extension(by=u, case=c, note=d["note"]),
    ),
    "pause": StepForm(
        _("中止计时"),
        lambda data, case, user: _from_tomorrow(forms.PauseForm(data), "until"),
        lambda u, c, d: services.case_pause(
            by=u, case=c, reason=d["reason"], until=d["until"], note=d["note"]
        ),
    ),
    "resume": StepForm(
        _("恢复计时"),
        _simple(forms.NoteForm),
        lambda u, c, d: services.case_resume(by=u, case=c, note=d["note"]),
    ),
    "progress": StepForm(
        _("办理记录"),
        _simple(forms.RequiredNoteForm),
        lambda u, c, d: services.case_record_progress(by=u, case=c, note=d["note"]),
    ),
    "mediate": StepForm(
        _("调解记录"),
        lambda data, case, user: _dated(forms.SessionForm(data), case, "held_on"),
        lambda u, c, d: services.case_record_session(by=u, case=c, **d),
    ),
    "agree": StepForm(
        _("调解协议书"),
        lambda data, case, user: _dated(forms.AgreementForm(data), case, "made_on"),
        lambda u, c, d: services.case_make_agreement(by=u, case=c, **d),
    ),
    "close": StepForm(
        _("办结"),
        _simple(forms.CloseForm),
        lambda u, c, d: services.case_close(
            by=u, case=c, outcome=d["outcome"], note=d["note"], reply=d["reply"]
        ),
    ),
    "visit": StepForm(
        _("回访"),
        _simple(forms.VisitForm),
        lambda u, c, d: services.case_visit(
            by=u, case=c, satisfaction=d["satisfaction"], note=d["note"]
        ),
    ),
    "archive": StepForm(
        _("归档"),
        _simple(forms.NoteForm),
        lambda u, c, d: services.case_archive(by=u, case=c, note=d["note"]),
    ),
    "merge": StepForm(
        _("合并重复事项"),
        _code_form,
        lambda u, c, d: services.case_merge(
            by=u, case=c, into=_other_case(u, d["code"]), note=d["note"]
        ),
    ),
    "attach": StepForm(
        _("补充附件"),
        _simple(forms.AttachForm),
        lambda u, c, d: services.case_attach(
            by=u, case=c, uploads=d["attachments"], note=d["note"]
        ),
    ),
    "relate": StepForm(
        _("关联事项"),
        _code_form,
        lambda u, c, d: services.case_relate(
            by=u, case=c, other=_other_case(u, d["code"]), note=d["note"]
        ),
    ),
}


# What the page says once a step is taken: a sentence for each ("调解协议书已生成"), not the
# step's name behind 已 ("已调解协议书").
STEP_DONE: dict[str, Promise] = {
    "accept": _("事项已受理"),
    "reject": _("已决定不予受理"),
    "dispatch": _("事项已派单"),
    "start": _("已签收，开始办理"),
    "return": _("事项已退回"),
    "transfer": _("事项已转办"),
    "escalate": _("事项已上报"),
    "whistle": _("已吹哨，召集的部门将收到通知"),
    "answer_whistle": _("报到情况已记录"),
    "supervise": _("督办单已下达"),
    "answer_supervision": _("督办反馈已提交"),
    "request_extension": _("延期申请已提交"),
    "grant_extension": _("已批准延期"),
    "refuse_extension": _("已决定不予延期"),
    "pause": _("已中止计时"),
    "resume": _("已恢复计时"),
    "progress": _("办理记录已保存"),
    "mediate": _("调解记录已保存"),
    "agree": _("调解协议书已生成"),
    "close": _("事项已办结"),
    "visit": _("回访已记录"),
    "archive": _("事项已归档"),
    "merge": _("重复事项已合并"),
    "relate": _("事项已关联"),
    "attach": _("附件已添加"),
    "correct": _("事项已更正"),
    "add_party": _("当事人已增加"),
    "edit_party": _("当事人信息已修改"),
    "remove_party": _("当事人已删除"),
}


def _step_done(key: str, spec: StepForm) -> str:
    done = STEP_DONE.get(key)
    return str(done) if done is not None else gettext("%(step)s：已完成") % {"step": spec.title}


# 更正 and the parties (当事人): the forms offered through allowed_forms ("correct",
# "add_party"); a party's own edit and remove forms sit beside it in the parties list.


def _correct_form(data: Any, case: Case, user: Actor) -> Any:
    fields = rules.correctable_by(selectors.case_facts(user, case))
    return correction_forms.CorrectionForm(data, case=case, fields=fields)


STEP_FORMS.update(
    {
        "correct": StepForm(
            _("更正"),
            _correct_form,
            lambda u, c, d: services.case_correct(
                by=u, case=c, changes={f: v for f, v in d.items() if f != "note"}, note=d["note"]
            ),
        ),
        "add_party": StepForm(
            _("增加当事人"),
            lambda data, case, user: correction_forms.PartyForm(data),
            lambda u, c, d: services.case_add_party(by=u, case=c, details=_party_details(d)),
        ),
        "edit_party": StepForm(
            _("修改当事人"),
            lambda data, case, user: correction_forms.EditPartyForm(data, case=case),
            lambda u, c, d: services.case_edit_party(
                by=u, case=c, party=d["party"], details=_party_details(d)
            ),
        ),
        "remove_party": StepForm(
            _("删除当事人"),
            lambda data, case, user: correction_forms.RemovePartyForm(data, case=case),
            lambda u, c, d: services.case_remove_party(
                by=u, case=c, party=d["party"], note=d["note"]
            ),
        ),
    }
)


def _party_details(data: dict[str, Any]) -> services.PartyDetails:
    return services.PartyDetails(
        role=data["role"],
        kind=data["kind"],
        name=data["name"],
        phone=data["phone"],
        address=data["address"],
        identity_number=data["identity_number"],
    )


def _party_forms(
    case: Case, allowed: list[str], failed: tuple[str, Any] | None
) -> list[dict[str, Any]]:
    """Each party's edit and remove forms, when the parties may be changed now."""
    if "add_party" not in allowed:
        return []
    rows = []
    for party in case.parties.all():
        row: dict[str, Any] = {"party": party}
        for key, cls in (
            ("edit_party", correction_forms.EditPartyForm),
            ("remove_party", correction_forms.RemovePartyForm),
        ):
            mine = (
                failed is not None
                and failed[0] == key
                and failed[1].data.get("party") == str(party.pk)
            )
            form = failed[1] if failed is not None and mine else cls(None, case=case, party=party)
            row[key] = {"key": key, "title": STEP_FORMS[key].title, "form": form, "open": mine}
        rows.append(row)
    return rows


def case_detail(request: HttpRequest, code: str) -> HttpResponse:
    case = _get_visible(request, code)
    if (
        case.merged_into_id
        and case.merged_into is not None
        and can(request.user, Action.VIEW_CASE, case.merged_into)
    ):
        messages.info(
            request,
            gettext("事项 %(code)s 已合并至 %(into)s")
            % {"code": case.code, "into": case.merged_into.code},
        )
        return redirect("cases:detail", code=case.merged_into.code)
    party_audit.note_party_read(request.user, case, "事项页面")
    return _render_detail(request, case)


def _render_detail(
    request: HttpRequest, case: Case, *, failed: tuple[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    allowed = selectors.allowed_forms(request.user, case)
    step_forms = []
    for key in allowed:
        spec = STEP_FORMS[key]
        form = failed[1] if failed and failed[0] == key else spec.form(None, case, request.user)
        step_forms.append(
            {
                "key": key,
                "title": spec.title,
                "form": form,
                "open": bool(failed and failed[0] == key),
            }
        )
    today = timezone.localdate()
    row = selectors.with_urgency([case], today=today)[0]
    timeline = selectors.timeline(case)
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "urgency": row.urgency,
            "today": today,
            "timeline": timeline,
            "step_forms": step_forms,
            # Right after registering at the counter: hand the resident the receipt.
            "offer_receipt": request.session.pop(RECEIPT_OFFER, None) == case.code,
            "rejected": any(e.step == Step.REJECT and e.case_id == case.pk for e in timeline),
            "party_forms": _party_forms(case, allowed, failed),
            # 类案参考: for the people working an open case, how such matters ended.
            "similar": (
                similar_closed(
                    case, readable=selectors.case_scope_q(request.user, Action.VIEW_CASE)
                )
                if case.status in rules.OPEN
                else []
            ),
        },
        status=status,
    )


@require_POST
def case_step(request: HttpRequest, code: str, key: str) -> HttpResponse:
    case = _get_visible(request, code)
    spec = STEP_FORMS.get(key)
    if spec is None:
        raise Http404("没有这个操作")
    form = spec.form(request.POST, case, request.user)
    if form.is_multipart():
        # A step that carries files (补充附件); the form factories take the text only.
        form.files = request.FILES
    if form.is_valid():
        try:
            spec.perform(request.user, case, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except Refused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _step_done(key, spec))
            return redirect("cases:detail", code=case.code)
    fresh = selectors.case_for_page(case.code)
    assert fresh is not None
    return _render_detail(request, fresh, failed=(key, form), status=400)


def supervision(request: HttpRequest) -> HttpResponse:
    if not holds(request.user, Action.SUPERVISE_CASE):
        raise PermissionDenied("督办清单供领导使用")
    today = timezone.localdate()
    lists = selectors.supervision_list(request.user, today=today)
    return render(
        request,
        "cases/supervision.html",
        {
            "overdue": selectors.with_urgency(lists["overdue"], today=today),
            "near": lists["near"],
            "extensions": lists["extensions"],
            "orders": lists["orders"],
            "summonses": lists["summonses"],
            "today": today,
        },
    )


def agreement_file(request: HttpRequest, code: str, pk: int, fmt: str) -> HttpResponse:
    case = _get_visible(request, code)
    agreement = (
        MediationAgreement.objects.select_related("committee", "case")
        .filter(pk=pk, case=case)
        .first()
    )
    if agreement is None:
        raise Http404("没有找到该调解协议书")
    from zongzhi.cases import documents

    if fmt == "docx":
        body = documents.agreement_docx(agreement)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        body = documents.agreement_pdf(agreement)
        content_type = "application/pdf"
    audit.record(request.user, audit.Kind.EXPORT, f"事项 {case.code}", f"调解协议书 {fmt}")
    response = HttpResponse(body, content_type=content_type)
    filename = f"调解协议书-{case.code}.{fmt}"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# --- Attachments ------------------------------------------------------------------------


def _attachment(request: HttpRequest, code: str, pk: int) -> Attachment:
    """The file, for someone who may read its case; 404 for anyone else, as for the case."""
    case = _get_visible(request, code)
    attachment = Attachment.objects.filter(pk=pk, case=case).first()
    if attachment is None:
        raise Http404("没有找到该附件")
    return attachment


def attachment_file(request: HttpRequest, code: str, pk: int) -> FileResponse:
    """The file itself, streamed after the scope check (never from MEDIA_URL). Photos,
    PDFs, text and recordings open in the browser; documents download; `?download=1`
    always downloads."""
    attachment = _attachment(request, code, pk)
    kind = KINDS.get(attachment.content_type)
    inline = kind is not None and kind.inline and request.GET.get("download") != "1"
    return file_response(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        filename=attachment.name,
        inline=inline,
    )


def attachment_thumbnail(request: HttpRequest, code: str, pk: int) -> FileResponse:
    attachment = _attachment(request, code, pk)
    if not services.thumbnail_of(attachment):
        raise Http404("该附件没有缩略图")
    return file_response(
        attachment.thumbnail.open("rb"), content_type="image/jpeg", filename="", inline=True
    )


def receipt_file(request: HttpRequest, code: str) -> FileResponse:
    """受理回执 (PDF) for whoever may read the case: handed over the counter."""
    case = _get_visible(request, code)
    from zongzhi.cases import receipts

    audit.record(request.user, audit.Kind.EXPORT, f"事项 {case.code}", "受理回执")
    return _pdf_response(receipts.receipt_pdf(case), f"受理回执-{case.code}.pdf")


def rejection_notice_file(request: HttpRequest, code: str) -> FileResponse:
    """不予受理告知书 (PDF), once the case was turned down."""
    case = _get_visible(request, code)
    from zongzhi.cases import receipts

    event = receipts.rejection_event(case)
    if event is None:
        raise Http404("该事项没有不予受理的记录")
    audit.record(request.user, audit.Kind.EXPORT, f"事项 {case.code}", "不予受理告知书")
    return _pdf_response(receipts.notice_pdf(case, event), f"不予受理告知书-{case.code}.pdf")


def _pdf_response(body: bytes, filename: str) -> FileResponse:
    # Inline: the counter opens it in the browser's viewer and prints it at once.
    return file_response(
        BytesIO(body), content_type="application/pdf", filename=filename, inline=True
    )
