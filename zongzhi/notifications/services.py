"""Every write of notifications: the outbox rows a case step leaves, sending what is due,
people's choices and units' robots.

`on_case_event` runs inside the case step's transaction (cases.services.steps._append):
it only writes rows, so a step that is refused leaves no notification behind, and a
notification is never sent for a step that did not happen. `send_due` sends afterwards,
outside any transaction, claiming each delivery with a conditional UPDATE so that two
workers never send the same one.
"""

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.models import RoleAssignment
from zongzhi.accounts.permissions import Action, can, grants_of, require
from zongzhi.cases.models import Assignment, Case, CaseEvent, Summons
from zongzhi.cases.public import day_text
from zongzhi.notifications import rules, webhooks
from zongzhi.notifications.models import (
    Delivery,
    DeliveryAttempt,
    Notification,
    Preference,
    UnitWebhook,
)
from zongzhi.notifications.rules import Event
from zongzhi.units.models import Unit

logger = logging.getLogger(__name__)


def site_url() -> str:
    """Where the links point: the address people open the platform at."""
    return str(settings.ZONGZHI_SITE_URL).rstrip("/")


# --- Writing the outbox ---------------------------------------------------------------


def _day(value: date | str | None) -> str:
    if value is None or value == "":
        return gettext("未定")
    return day_text(value)


def _lines(kind: Event, case: Case, event: CaseEvent) -> list[str]:
    data = event.data or {}
    place = f"{case.region.name} {case.address}".strip()
    lines = [
        gettext("事项：%(code)s %(title)s") % {"code": case.code, "title": case.title},
        gettext("地点：%(place)s") % {"place": place},
        gettext("办理期限：%(day)s") % {"day": _day(case.due_on)},
    ]
    if kind == Event.DISPATCH:
        lines.append(gettext("主办单位：%(unit)s") % {"unit": data.get("lead_unit", "")})
        if data.get("co_units"):
            lines.append(gettext("协办单位：%(units)s") % {"units": "、".join(data["co_units"])})
    elif kind == Event.TRANSFER:
        lines.append(
            gettext("由%(from)s转至%(to)s")
            % {"from": data.get("from_unit") or gettext("中心"), "to": data.get("lead_unit", "")}
        )
    elif kind == Event.WARN:
        lines.append(gettext("期限将至，请抓紧办理"))
    elif kind == Event.OVERDUE:
        lines.append(
            gettext("已超过办理期限（%(day)s），系统已自动督办，请说明情况并加快办理")
            % {"day": _day(data.get("for_due_on"))}
        )
    elif kind == Event.WHISTLE:
        lines.append(gettext("召集单位：%(units)s") % {"units": "、".join(data.get("units", []))})
        lines.append(gettext("报到期限：%(day)s") % {"day": _day(data.get("answer_due_on"))})
    if kind == Event.SUPERVISE:
        lines.append(gettext("反馈期限：%(day)s") % {"day": _day(data.get("answer_due_on"))})
    if event.note and kind in (Event.TRANSFER, Event.SUPERVISE, Event.WHISTLE):
        label = {
            Event.TRANSFER: gettext("转办说明"),
            Event.SUPERVISE: gettext("督办要求"),
            Event.WHISTLE: gettext("吹哨事由"),
        }[kind]
        lines.append(gettext("%(label)s：%(text)s") % {"label": label, "text": event.note})
    return lines


def _units_of(kind: Event, case: Case) -> tuple[list[int], list[int]]:
    """The co-units (dispatch, transfer) or the units just summoned (whistle)."""
    if kind in (Event.DISPATCH, Event.TRANSFER):
        co = Assignment.objects.filter(case=case, kind=Assignment.Kind.CO)
        return list(co.values_list("unit_id", flat=True)), []
    if kind == Event.WHISTLE:
        # The summonses this step wrote share one moment; older open ones were refused.
        waiting = list(
            Summons.objects.filter(case=case, answered_at__isnull=True).values_list(
                "unit_id", "summoned_at"
            )
        )
        latest = max((at for _, at in waiting), default=None)
        return [], [unit for unit, at in waiting if at == latest]
    return [], []


def _people(
    audience: rules.Audience, kind: Event, *, centre_id: int, actor_id: int | None
) -> dict[int, str]:
    """user id → address of everyone the audience names who wants `kind` by e-mail."""
    where = Q(unit_id__in=sorted(audience.units)) if audience.units else Q(pk__in=[])
    if audience.centre_roles:
        where |= Q(region_id=centre_id, role__in=sorted(audience.centre_roles))
    rows = (
        RoleAssignment.objects.filter(where, user__is_active=True)
        .exclude(user__email="")
        .values_list("user_id", "user__email", "user__notification_preference__muted")
    )
    found: dict[int, str] = {}
    for user_id, address, muted in rows:
        # Someone does not need an e-mail about the step they took themselves.
        if user_id != actor_id and rules.wants_email(kind, muted or []):
            found[user_id] = address.strip()
    return found


def _robots(audience: rules.Audience, kind: Event, *, centre_id: int) -> list[UnitWebhook]:
    """The active robots of the units named, and of the centre's own unit (综治中心) when
    the centre holds the case; those that push `kind`."""
    where = Q(unit_id__in=sorted(audience.units)) if audience.units else Q(pk__in=[])
    if audience.centre_robot:
        where |= Q(unit__kind=Unit.Kind.CENTRE, unit__region_id=centre_id)
    hooks = UnitWebhook.objects.filter(where, is_active=True, unit__is_active=True)
    return [h for h in hooks.only("pk", "events") if str(kind) in (h.events or [])]


def on_case_event(case: Case, event: CaseEvent) -> Notification | None:
    """Write what `event` must send, in the caller's transaction; nothing for a step that
    notifies nobody. A constant number of queries, however many recipients."""
    kind = rules.event_for(event.step, event.data or {})
    if kind is None:
        return None
    co_units, summoned = _units_of(kind, case)
    audience = rules.audience(
        kind, lead_unit=case.lead_unit_id, co_units=co_units, summoned=summoned
    )
    people = _people(audience, kind, centre_id=case.centre_id, actor_id=event.actor_id)
    robots = _robots(audience, kind, centre_id=case.centre_id)
    if not people and not robots:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        subject = f"【{rules.EVENT_NAMES[kind]}】{case.code} {case.title}"[:200]
        lines = _lines(kind, case, event)
    now = event.at
    notification = Notification.objects.create(
        event=kind,
        case=case,
        case_event=event,
        subject=subject,
        text="\n".join(lines),
        link=site_url() + reverse("cases:detail", args=[case.code]),
        created_at=now,
    )
    Delivery.objects.bulk_create(
        [
            *(
                Delivery(
                    notification=notification,
                    channel=Delivery.Channel.EMAIL,
                    user_id=user_id,
                    address=address,
                    next_attempt_at=now,
                    created_at=now,
                )
                for user_id, address in sorted(people.items())
            ),
            *(
                Delivery(
                    notification=notification,
                    channel=Delivery.Channel.WEBHOOK,
                    webhook=hook,
                    next_attempt_at=now,
                    created_at=now,
                )
                for hook in robots
            ),
        ]
    )
    transaction.on_commit(_send_soon, robust=True)
    return notification


def _send_soon() -> None:
    """Once the step is committed, have a worker send at once rather than at the next
    scheduled run."""
    from zongzhi.notifications.tasks import send_due

    send_due.enqueue()


# --- Sending --------------------------------------------------------------------------


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def _claim(pk: int, now: datetime) -> Delivery | None:
    """Take the delivery for this worker, or None if another has it (or it is done). The
    claim is the conditional UPDATE: of two workers, one changes the row, the other none."""
    claimed = Delivery.objects.filter(
        pk=pk, status=Delivery.Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + rules.CLAIM_LEASE)
    if not claimed:
        return None
    return (
        Delivery.objects.select_related("notification__case", "webhook__unit").filter(pk=pk).first()
    )


def _message(notification: Notification) -> webhooks.Message:
    return webhooks.Message(
        event=notification.event,
        subject=notification.subject,
        lines=notification.text.splitlines(),
        link=notification.link,
        case_code=notification.case.code if notification.case is not None else "",
    )


def _send_email(delivery: Delivery) -> webhooks.Outcome:
    n = delivery.notification
    body = n.text + (f"\n\n{gettext('查看事项')}：{n.link}" if n.link else "")
    message = mail.EmailMessage(subject=n.subject, body=body, to=[delivery.address])
    started = time.monotonic()
    try:
        mail.mailers.default.send_messages([message])
    except Exception as e:
        took = int((time.monotonic() - started) * 1000)
        return webhooks.Outcome(False, None, f"邮件发送失败：{e}"[:300], took)
    return webhooks.Outcome(True, None, "", int((time.monotonic() - started) * 1000))


def _send(delivery: Delivery) -> webhooks.Outcome | None:
    """One try; None when there is nothing to send to any more (the robot switched off)."""
    if delivery.channel == Delivery.Channel.EMAIL:
        return _send_email(delivery)
    hook = delivery.webhook
    assert hook is not None
    if not hook.is_active or not hook.unit.is_active:
        return None
    return webhooks.post(hook.kind, hook.url, _message(delivery.notification), secret=hook.secret)


def _record(delivery: Delivery, outcome: webhooks.Outcome | None, now: datetime) -> str:
    with transaction.atomic():
        if outcome is None:
            delivery.status = Delivery.Status.CANCELLED
            delivery.next_attempt_at = None
            delivery.last_error = gettext("群机器人已停用，不再发送")
            delivery.save(update_fields=["status", "next_attempt_at", "last_error"])
            return delivery.status
        DeliveryAttempt.objects.create(
            delivery=delivery,
            at=now,
            ok=outcome.ok,
            status_code=outcome.status_code,
            error=outcome.error,
            duration_ms=outcome.duration_ms,
        )
        delivery.attempts += 1
        if outcome.ok:
            delivery.status = Delivery.Status.SENT
            delivery.sent_at = now
            delivery.next_attempt_at = None
            delivery.last_error = ""
        else:
            delivery.last_error = outcome.error
            delivery.next_attempt_at = rules.next_attempt_at(
                now, delivery.attempts, delivery.max_attempts
            )
            if delivery.next_attempt_at is None:
                delivery.status = Delivery.Status.FAILED
        delivery.save(
            update_fields=["status", "attempts", "next_attempt_at", "sent_at", "last_error"]
        )
    return delivery.status


def send_delivery(pk: int, *, now: datetime | None = None) -> Delivery | None:
    """Claim, send and log one delivery; None if it was not this worker's to send."""
    now = now or timezone.now()
    delivery = _claim(pk, now)
    if delivery is None:
        return None
    try:
        outcome = _send(delivery)
    except Exception as e:
        logger.exception("delivery %s: sending failed", pk)
        outcome = webhooks.Outcome(False, None, f"发送出错：{e}"[:300], 0)
    _record(delivery, outcome, now)
    return delivery


def send_due(*, now: datetime | None = None, limit: int = 200) -> SendReport:
    """Send every delivery whose time has come (at most `limit` in one run)."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    report = SendReport()
    for pk in due:
        delivery = send_delivery(pk, now=now)
        if delivery is None:
            continue
        if delivery.status == Delivery.Status.SENT:
            report.sent += 1
        elif delivery.status == Delivery.Status.PENDING:
            report.retrying += 1
        else:
            report.failed += 1
    return report


# --- People's choices -----------------------------------------------------------------


def received_events(user: Actor) -> set[Event]:
    pk = user.pk
    muted = (
        (Preference.objects.filter(user_id=pk).values_list("muted", flat=True).first() or [])
        if pk is not None
        else []
    )
    return {e for e in Event if rules.wants_email(e, muted)}


def preferences_save(*, by: Actor, receive: Iterable[str]) -> set[Event]:
    """What `by` receives by e-mail from now on: the events in `receive`."""
    chosen = set(receive)
    unknown = chosen - {str(e) for e in Event}
    if unknown:
        raise ValidationError({"events": gettext("未知的通知类型")})
    muted = [str(e) for e in Event if e not in chosen]
    if by.pk is None:
        raise PermissionDenied("只有本人可以设置自己的通知")  # no person, no inbox
    Preference.objects.update_or_create(user_id=by.pk, defaults={"muted": muted})
    return {e for e in Event if e in chosen}


# --- A unit's robot -------------------------------------------------------------------


def may_change_webhook(user: Actor, unit: Unit) -> bool:
    return can(user, Action.CHANGE_UNIT, unit)


def may_see_webhook(user: Actor, unit: Unit) -> bool:
    """The unit's administrators, and the unit's own people (read only)."""
    if may_change_webhook(user, unit):
        return True
    return any(g.unit_id == unit.pk for g in grants_of(user))


@transaction.atomic
def webhook_save(
    *,
    by: Actor,
    unit: Unit,
    kind: str,
    url: str,
    events: Iterable[str],
    is_active: bool = True,
    secret: str | None = None,
) -> UnitWebhook:
    """Set the unit's robot. `secret` None keeps the one stored; "" removes it."""
    require(by, Action.CHANGE_UNIT, unit)
    url = (url or "").strip()
    problem = rules.url_problem(url)
    if problem is not None:
        raise ValidationError({"url": problem})
    if kind not in UnitWebhook.Kind.values:
        raise ValidationError({"kind": gettext("请选择机器人类型")})
    chosen = set(events)
    if chosen - {str(e) for e in Event}:
        raise ValidationError({"events": gettext("未知的通知类型")})
    hook = UnitWebhook.objects.select_for_update().filter(unit=unit).first() or UnitWebhook(
        unit=unit
    )
    hook.kind = kind
    hook.url = url
    hook.events = [str(e) for e in Event if e in chosen]
    hook.is_active = is_active
    if secret is not None:
        hook.secret = secret.strip()
    hook.updated_by_id = by.pk
    hook.full_clean()
    hook.save()
    return hook


def webhook_send_test(*, by: Actor, unit: Unit, now: datetime | None = None) -> Delivery:
    """Send a test message to the unit's robot now, once (no retries), logged like any
    other delivery."""
    if not may_change_webhook(by, unit):
        raise PermissionDenied(gettext("您无权修改该单位的群机器人"))
    hook = UnitWebhook.objects.filter(unit=unit).first()
    if hook is None:
        raise ValidationError({"url": gettext("请先保存机器人地址")})
    now = now or timezone.now()
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        notification = Notification.objects.create(
            event=rules.TEST,
            subject=gettext("【测试消息】%(unit)s") % {"unit": unit.name},
            text=gettext("这是一条测试消息：%(unit)s的群机器人已接入综治中心工作平台。")
            % {"unit": unit.name},
            link=site_url() + reverse("notifications:unit_webhook", args=[unit.pk]),
            created_at=now,
        )
        delivery = Delivery.objects.create(
            notification=notification,
            channel=Delivery.Channel.WEBHOOK,
            webhook=hook,
            max_attempts=1,
            next_attempt_at=now,
            created_at=now,
        )
    claimed = _claim(delivery.pk, now)
    assert claimed is not None  # made just now, by this call
    # Sent even when the robot is switched off: the test is how one checks it first.
    outcome = webhooks.post(hook.kind, hook.url, _message(notification), secret=hook.secret)
    _record(claimed, outcome, now)
    return claimed
