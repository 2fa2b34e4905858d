"""The file pages: the list, enrolment, the file itself (with the stated purpose that opens
its sensitive sections and the logged reveal of the identity number), the file's access
log, and emergency access with its review. Views parse and render; access, the services
and the selectors decide. Every page that shows one file's contents writes the access log.
"""

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from zongzhi.accounts.permissions import holds
from zongzhi.accounts.rules import Action
from zongzhi.care import access, rules, selectors, services
from zongzhi.care.forms import files as forms
from zongzhi.care.models import CareAccess, CareFile, CareTransfer
from zongzhi.care.views.common import purpose_is_stated, readable_file_or_404, remember_purpose
from zongzhi.core.forms import add_service_errors

PAGE_SIZE = 50
What = CareAccess.What
Via = CareAccess.Via


def _pk(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _require(request: HttpRequest, action: Action, refusal: str) -> None:
    if not holds(request.user, action):
        raise PermissionDenied(refusal)


# --- The list ---------------------------------------------------------------------------


def file_index(request: HttpRequest) -> HttpResponse:
    _require(request, Action.VIEW_CARE, "您无权查看特殊人群档案")
    today = timezone.localdate()
    programme = request.GET.get("programme", "")
    programme = programme if programme in rules.PROGRAMMES else ""
    overdue = request.GET.get("overdue") == "1"
    include_closed = request.GET.get("closed") == "1"
    search = request.GET.get("q", "").strip()
    regions = list(selectors.filter_regions(request.user))
    region_pk = _pk(request.GET.get("region"))
    region = next((r for r in regions if r.pk == region_pk), None)
    files = selectors.file_list(
        request.user,
        programme=programme,
        region=region,
        include_closed=include_closed,
        overdue_on=today if overdue else None,
        search=search,
    )
    page = Paginator(files, PAGE_SIZE).get_page(request.GET.get("page"))
    kept = request.GET.copy()
    kept.pop("page", None)
    return render(
        request,
        "care/index.html",
        {
            "rows": selectors.file_rows(request.user, page.object_list, today),
            "page": page,
            "query": kept.urlencode(),
            "programme": programme,
            "programmes": rules.PROGRAMME_CHOICES,
            "region": region,
            "regions": regions,
            "overdue": overdue,
            "include_closed": include_closed,
            "q": search,
            "can_enrol": holds(request.user, Action.ENROL_CARE),
            "supervisor": holds(request.user, Action.SUPERVISE_CARE),
        },
    )


# --- Enrolment --------------------------------------------------------------------------


# Identity numbers and birth dates never reach an error report (the exception reporter
# shows POST data and local variables).
@sensitive_post_parameters("identity_number", "birth_date")
@sensitive_variables("form", "new")
def file_new(request: HttpRequest) -> HttpResponse:
    _require(request, Action.ENROL_CARE, "您无权建立特殊人群档案")
    regions = selectors.enrol_regions(request.user)
    first_two = list(regions[:2])
    if not first_two:
        raise PermissionDenied("您无权建立特殊人群档案")
    # Someone who works in one place (a village's care worker) enrols there.
    initial = {"region": first_two[0]} if len(first_two) == 1 else {}
    form = forms.EnrolForm(request.POST or None, regions=regions, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new = services.NewFile(
            programme=data["programme"],
            person_name=data["person_name"],
            region=data["region"],
            level=data["level"],
            level_reasons=data["level_reasons"],
            identity_number=data["identity_number"],
            birth_date=data["birth_date"],
            gender=data["gender"],
            phone=data["phone"],
            address=data["address"],
            guardian_name=data["guardian_name"],
            guardian_relation=data["guardian_relation"],
            guardian_phone=data["guardian_phone"],
            enrolled_on=data["enrolled_on"],
            expected_end_on=data["expected_end_on"],
            programme_note=data["programme_note"],
            assessment_note=data["assessment_note"],
        )
        try:
            file = services.care_file_register(
                by=request.user, new=new, idempotency_key=data["idempotency_key"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                gettext("已建档 %(code)s，首次走访截止 %(date)s")
                % {"code": file.code, "date": f"{file.next_visit_due:%Y-%m-%d}"},
            )
            return redirect("care:detail", code=file.code)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "care/new.html",
        {"form": form, "reason_groups": form.reason_groups()},
        status=status,
    )


# --- One file ---------------------------------------------------------------------------


def _age(birth: date | None, today: date) -> int | None:
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _render_detail(
    request: HttpRequest,
    file: CareFile,
    *,
    purpose_form: forms.PurposeForm | None = None,
    identity_form: forms.PurposeForm | None = None,
    full_identity: str | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    prog = file.prog
    sensitive = purpose_is_stated(request, file)
    is_open = file.is_open and file.deidentified_at is None
    may_keep = is_open and access.may_keep(user, file)
    may_manage = is_open and access.may_manage(user, file)
    supervises = access.supervises(user, file)
    may_see_identity = bool(file.identity_masked) and access.may_see_identity(user, file)
    transfers = list(file.transfers.select_related("from_region", "to_region"))
    context: dict[str, Any] = {
        "file": file,
        "prog": prog,
        "visit_rules": prog.rules_on(today),
        "sensitivity": rules.SENSITIVITY_NAMES[prog.sensitivity],
        "today": today,
        "age": _age(file.birth_date(), today),
        "overdue": file.is_overdue(today),
        "team": list(file.team.filter(active=True)),
        "alerts": list(file.alerts.filter(cleared_at__isnull=True)),
        "pending": next((t for t in transfers if t.status == CareTransfer.Status.PENDING), None),
        "transfers": transfers,
        "events": list(file.events.all()),
        "sensitive": sensitive,
        "may_keep": may_keep,
        "may_manage": may_manage,
        "may_transfer": may_manage and not file.in_transfer,
        "may_read_log": supervises,
        "may_see_identity": may_see_identity,
        "full_identity": full_identity,
        "purpose_form": purpose_form or forms.PurposeForm(),
        "identity_form": identity_form or forms.PurposeForm(prefix="reveal"),
    }
    if sensitive:
        context.update(
            plan=list(file.plan.all()),
            assessments=[
                (a, prog.level_name(a.level), [prog.level_reason_name(r) for r in a.reasons])
                for a in file.assessments.all()
            ],
            visits=list(file.visits.all()),
            assistance=list(file.assistance.all()),
        )
    return render(request, "care/detail.html", context, status=status)


@never_cache
def file_detail(request: HttpRequest, code: str) -> HttpResponse:
    file = readable_file_or_404(request, code)
    access.log_read(request.user, file, What.FILE, Via.PAGE)
    return _render_detail(request, file)


@never_cache
@require_POST
def state_purpose(request: HttpRequest, code: str) -> HttpResponse:
    file = readable_file_or_404(request, code)
    form = forms.PurposeForm(request.POST)
    if not form.is_valid():
        access.log_read(request.user, file, What.FILE, Via.PAGE)
        return _render_detail(request, file, purpose_form=form, status=400)
    data = form.cleaned_data
    remember_purpose(request, file)
    access.log_read(
        request.user,
        file,
        What.SENSITIVE,
        Via.PAGE,
        purpose=data["purpose"],
        purpose_note=data["purpose_note"],
    )
    return redirect("care:detail", code=file.code)


@never_cache
@require_POST
@sensitive_variables("number")
def reveal_identity(request: HttpRequest, code: str) -> HttpResponse:
    """The full number, shown in this one response only: never kept in the session, so
    the next plain visit of the page shows the mask again."""
    file = readable_file_or_404(request, code)
    if not access.may_see_identity(request.user, file):
        raise PermissionDenied("您无权查看完整身份证号码")
    form = forms.PurposeForm(request.POST, prefix="reveal")
    if form.is_valid():
        try:
            number = access.reveal_identity(
                request.user,
                file,
                Via.PAGE,
                purpose=form.cleaned_data["purpose"],
                purpose_note=form.cleaned_data["purpose_note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _render_detail(request, file, full_identity=number)
    access.log_read(request.user, file, What.FILE, Via.PAGE)
    return _render_detail(request, file, identity_form=form, status=400)


def access_log(request: HttpRequest, code: str) -> HttpResponse:
    """Who read the file, when, and why: for the supervisors of its place. Reading the
    log is not itself a read of the file."""
    file = readable_file_or_404(request, code)
    if not access.supervises(request.user, file):
        raise PermissionDenied("只有档案所在地的督导可以查看查阅记录")
    page = Paginator(file.accesses.order_by("-at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "care/access_log.html", {"file": file, "page": page})


# --- Emergency access -------------------------------------------------------------------


@sensitive_post_parameters("lookup")
@require_http_methods(["GET", "POST"])
@sensitive_variables("form", "lookup")
def emergency(request: HttpRequest) -> HttpResponse:
    _require(request, Action.SUPERVISE_CARE, "只有特殊人群督导可以申请紧急查阅")
    form = forms.EmergencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        file = access.find_for_emergency(request.user, form.cleaned_data["lookup"])
        if file is None:
            form.add_error(None, gettext("未找到档案"))
        elif access.may_read(request.user, file):
            # Already the reader's own file: no emergency needed, nothing to review.
            return redirect("care:detail", code=file.code)
        else:
            try:
                grant = access.grant_emergency(request.user, file, form.cleaned_data["reason"])
            except access.EmergencyRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.warning(
                    request,
                    gettext("已开启紧急查阅，%(until)s 前有效，事后由档案所在地督导复核")
                    % {"until": f"{timezone.localtime(grant.expires_at):%Y-%m-%d %H:%M}"},
                )
                return redirect("care:detail", code=file.code)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "care/emergency.html",
        {"form": form, "hours": rules.EMERGENCY_HOURS},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def emergency_reviews(request: HttpRequest) -> HttpResponse:
    _require(request, Action.SUPERVISE_CARE, "只有特殊人群督导可以复核紧急查阅")
    failed: forms.ReviewForm | None = None
    if request.method == "POST":
        pk = _pk(request.POST.get("emergency"))
        form = forms.ReviewForm(request.POST, auto_id=f"id_%s_{pk}")
        grant = selectors.emergencies_to_review(request.user).filter(pk=pk or 0).first()
        if grant is None:
            raise Http404("没有这条待复核的紧急查阅")
        if form.is_valid():
            try:
                services.care_file_review_emergency(
                    by=request.user, emergency=grant, note=form.cleaned_data["note"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, gettext("已复核紧急查阅"))
                return redirect("care:emergency_reviews")
        failed = form
    rows = [
        (
            grant,
            failed
            if failed is not None and failed.data.get("emergency") == str(grant.pk)
            else forms.ReviewForm(initial={"emergency": grant.pk}, auto_id=f"id_%s_{grant.pk}"),
        )
        for grant in selectors.emergencies_to_review(request.user)
    ]
    return render(
        request,
        "care/emergency_reviews.html",
        {"rows": rows},
        status=400 if failed is not None else 200,
    )
