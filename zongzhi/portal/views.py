"""The resident portal (群众门户): public pages, no sign-in. The views read the request and
render; every rule is in services, rules and selectors."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zongzhi.cases.models import Case
from zongzhi.core.errors import KeyReused, Refused
from zongzhi.core.http import client_address
from zongzhi.portal import forms, selectors, services
from zongzhi.regions.models import Region
from zongzhi.regions.rules import Level


def _refused(
    request: HttpRequest, template: str, context: dict[str, Any], refusal: services.Throttled
) -> HttpResponse:
    now = timezone.now()
    context["refusal"] = refusal.message(now)
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(refusal.retry_after(now))
    return response


@login_not_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """我要反映: the request form. A refused or invalid submission shows the form again with
    what was typed, and writes nothing."""
    if request.method != "POST":
        return render(request, "portal/index.html", {"form": forms.SubmitForm()})
    form = forms.SubmitForm(request.POST)
    if not form.is_valid():
        if "ticket" in form.errors:
            # A form from before a key change or a tampered one: a fresh ticket, same data.
            data = request.POST.copy()
            data["ticket"] = services.new_ticket()
            form = forms.SubmitForm(data)
            form.is_valid()
            form.add_error(None, _("表单已失效，请核对内容后重新提交"))
        return render(request, "portal/index.html", {"form": form}, status=400)
    submission = form.submission()
    try:
        case = services.submit_request(submission=submission, ip=client_address(request))
    except services.Throttled as refusal:
        return _refused(request, "portal/index.html", {"form": form}, refusal)
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return render(request, "portal/index.html", {"form": form}, status=400)
    except KeyReused:
        # This form was sent before with other words: a fresh ticket, and the resident
        # decides whether this is another request.
        data = request.POST.copy()
        data["ticket"] = services.new_ticket()
        form = forms.SubmitForm(data)
        form.is_valid()
        form.add_error(
            None,
            _(
                "这张表单刚才已提交过，本次内容有改动，未作处理。如确是另一件诉求，请核对后再次提交。"
            ),
        )
        return render(request, "portal/index.html", {"form": form}, status=409)
    if case.idempotency_key != submission.ticket.key:
        # Neither this form's case nor its retry: the same request, registered moments ago.
        messages.info(
            request, _("该诉求刚刚已登记：查询码 %(code)s，无需重复提交。") % {"code": case.code}
        )
    url = reverse("portal:submitted") + "?" + urlencode({"t": services.submitted_token(case)})
    return HttpResponseRedirect(url)


@login_not_required
@require_GET
def hx_villages(request: HttpRequest) -> HttpResponse:
    """The village list of the chosen township, as <option>s for the form's select."""
    raw = request.GET.get("township", "")
    township = (
        Region.objects.filter(pk=int(raw), level=Level.TOWNSHIP).first() if raw.isdigit() else None
    )
    return render(request, "portal/_villages.html", {"villages": forms.villages_of(township)})


@login_not_required
@require_GET
def submitted(request: HttpRequest) -> HttpResponse:
    case = services.case_from_submitted_token(request.GET.get("t", ""))
    if case is None:
        return HttpResponseRedirect(reverse("portal:track"))
    return render(
        request,
        "portal/submitted.html",
        {"case": case, "track_url": _track_url(case.code)},
    )


def _track_url(code: str) -> str:
    return reverse("portal:track") + "?" + urlencode({"code": code})


def _track_page(
    request: HttpRequest,
    case: Case | None,
    *,
    code: str,
    rate_form: forms.RateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {"code": code}
    if case is None:
        if code:
            context["not_found"] = True
            status = 404
        return render(request, "portal/track.html", context, status=status)
    progress = selectors.progress(case)
    context["progress"] = progress
    if progress.can_rate:
        context["rate_form"] = rate_form or forms.RateForm(
            initial={"code": case.code}, needs_phone_tail=progress.rating_needs_phone_tail
        )
    return render(request, "portal/track.html", context, status=status)


@login_not_required
@require_GET
def track(request: HttpRequest) -> HttpResponse:
    """查询进度: the tracking code in, the case's public progress out."""
    code = request.GET.get("code", "").strip()
    if not code:
        return render(request, "portal/track.html", {"code": ""})
    try:
        case = services.find_case(code=code, ip=client_address(request))
    except services.Throttled as refusal:
        return _refused(request, "portal/track.html", {"code": code}, refusal)
    return _track_page(request, case, code=code)


@login_not_required
@require_POST
def rate(request: HttpRequest) -> HttpResponse:
    """评价: the resident's return visit, once the case is closed."""
    code = request.POST.get("code", "").strip()
    try:
        case = services.find_case(code=code, ip=client_address(request))
    except services.Throttled as refusal:
        return _refused(request, "portal/track.html", {"code": code}, refusal)
    if case is None:
        return _track_page(request, None, code=code)
    needs_tail = bool(services.applicant_phone(case))
    form = forms.RateForm(request.POST, needs_phone_tail=needs_tail)
    if not form.is_valid():
        return _track_page(request, case, code=code, rate_form=form, status=400)
    data = form.cleaned_data
    try:
        services.rate_case(
            case=case,
            satisfaction=data["satisfaction"],
            note=data["note"],
            phone_tail=data["phone_tail"],
        )
    except services.Throttled as refusal:
        form.add_error(None, refusal.message(timezone.now()))
        response = _track_page(request, case, code=code, rate_form=form, status=429)
        response["Retry-After"] = str(refusal.retry_after(timezone.now()))
        return response
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _track_page(request, case, code=code, rate_form=form, status=400)
    except Refused as refusal:
        messages.warning(request, str(refusal))
        return HttpResponseRedirect(_track_url(case.code))
    messages.success(request, _("感谢您的评价！"))
    return HttpResponseRedirect(_track_url(case.code))
