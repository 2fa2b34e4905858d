"""Notification pages: a person's e-mail choices, and a unit's group robot. Views parse
and render; the services decide and write."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from zongzhi.accounts.permissions import Action, can
from zongzhi.notifications import selectors, services
from zongzhi.notifications.forms import PreferencesForm, WebhookForm
from zongzhi.notifications.models import Delivery
from zongzhi.notifications.rules import EVENT_NAMES, Event
from zongzhi.units.models import Unit


def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        initial={"events": [str(e) for e in services.received_events(request.user)]},
    )
    if request.method == "POST" and form.is_valid():
        services.preferences_save(by=request.user, receive=form.cleaned_data["events"])
        messages.success(request, gettext("已保存通知设置"))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "address": getattr(request.user, "email", "")},
    )


def _unit_for(request: HttpRequest, pk: int) -> Unit:
    unit = Unit.objects.select_related("region").filter(pk=pk).first()
    if unit is None or not can(request.user, Action.VIEW_UNIT, unit):
        raise Http404("没有找到该单位")
    if not services.may_see_webhook(request.user, unit):
        raise PermissionDenied("群机器人设置由管理员和本单位人员查看")
    return unit


def unit_webhook(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit_for(request, pk)
    editable = services.may_change_webhook(request.user, unit)
    hook = selectors.webhook_of(unit)
    initial = (
        {"kind": hook.kind, "url": hook.url, "events": hook.events, "is_active": hook.is_active}
        if hook is not None
        else {"events": [str(e) for e in Event], "is_active": True}
    )
    bound = request.POST if request.method == "POST" else None
    form = WebhookForm(bound, initial=initial) if editable else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("您无权修改该单位的群机器人")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.webhook_save(
                    by=request.user,
                    unit=unit,
                    kind=data["kind"],
                    url=data["url"],
                    events=data["events"],
                    is_active=data["is_active"],
                    secret=form.secret_to_save(),
                )
            except ValidationError as e:
                form.add_error(None, e)
            else:
                messages.success(request, gettext("已保存群机器人设置"))
                return redirect("notifications:unit_webhook", pk=unit.pk)
    return render(
        request,
        "notifications/unit_webhook.html",
        {
            "unit": unit,
            "hook": hook,
            "form": form,
            "editable": editable,
            "shown_url": (hook.url if editable else selectors.masked_url(hook.url))
            if hook is not None
            else "",
            "hook_event_names": [EVENT_NAMES[Event(e)] for e in hook.events if e in Event]
            if hook is not None
            else [],
            "log": selectors.delivery_log(unit),
            "Status": Delivery.Status,
        },
    )


@require_POST
def unit_webhook_test(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit_for(request, pk)
    try:
        delivery = services.webhook_send_test(by=request.user, unit=unit)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        if delivery.status == Delivery.Status.SENT:
            messages.success(request, gettext("测试消息已送达"))
        else:
            messages.error(
                request,
                gettext("测试消息未送达：%(error)s") % {"error": delivery.last_error},
            )
    return redirect("notifications:unit_webhook", pk=unit.pk)
