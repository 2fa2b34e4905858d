"""Notifications as pure rules, no database: which timeline steps notify, who they reach,
what a webhook may be, and how a failed delivery is retried.

A case's step (cases.rules.Step) becomes at most one notification `Event`. Its
`audience` names units (everyone holding a role in the unit, and the unit's webhook) and
roles held at exactly the case's centre (the centre's intake officers, its leaders). The
services turn that into rows; nothing here reads or writes the database.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

from zongzhi.accounts.rules import Role
from zongzhi.cases.rules import Step


class Event(StrEnum):
    DISPATCH = "dispatch"  # 派单: to the lead unit and its co-units
    TRANSFER = "transfer"  # 转办: to the new lead unit and the co-units
    WARN = "warn"  # 临期预警: to whoever holds the case now
    OVERDUE = "overdue"  # 超期督办 (the sweep's automatic order): as WARN, and the leaders
    SUPERVISE = "supervise"  # 督办 (a leader's order)
    WHISTLE = "whistle"  # 吹哨: to each summoned unit


EVENT_NAMES: dict[Event, Any] = {
    Event.DISPATCH: _("派单"),
    Event.TRANSFER: _("转办"),
    Event.WARN: _("临期预警"),
    Event.OVERDUE: _("超期督办"),
    Event.SUPERVISE: _("督办"),
    Event.WHISTLE: _("吹哨"),
}

# A test message from a unit's webhook page: not an event anyone subscribes to.
TEST = "test"

_STEP_EVENTS: dict[str, Event] = {
    Step.DISPATCH: Event.DISPATCH,
    Step.TRANSFER: Event.TRANSFER,
    Step.WARN: Event.WARN,
    Step.WHISTLE: Event.WHISTLE,
}


def event_for(step: str, data: Mapping[str, Any]) -> Event | None:
    """The notification a timeline step raises, if any. SUPERVISE is the overdue order
    when the sweep raised it (data["automatic"]), a leader's 督办 otherwise."""
    if step == Step.SUPERVISE:
        return Event.OVERDUE if data.get("automatic") else Event.SUPERVISE
    return _STEP_EVENTS.get(step)


NOTIFYING_STEPS = frozenset({*_STEP_EVENTS, Step.SUPERVISE})


@dataclass(frozen=True)
class Audience:
    units: frozenset[int]  # unit ids: their people and their webhooks
    centre_roles: frozenset[Role]  # roles held at exactly the case's centre region
    # The centre itself holds the case: its own unit's robot (综治中心 group) hears it.
    centre_robot: bool = False


def audience(
    event: Event,
    *,
    lead_unit: int | None,
    co_units: Iterable[int] = (),
    summoned: Iterable[int] = (),
) -> Audience:
    """Who an event reaches. Before dispatch (no lead unit) the case is the centre's, so
    its warnings and orders go to the centre's intake officers; an overdue order also goes
    to the centre's leaders, whatever stage the case is at."""
    nothing: frozenset[Role] = frozenset()
    if event in (Event.DISPATCH, Event.TRANSFER):
        units = {lead_unit, *co_units} - {None}
        return Audience(frozenset(u for u in units if u is not None), nothing)
    if event == Event.WHISTLE:
        return Audience(frozenset(summoned), nothing)
    leaders = frozenset({Role.LEADER}) if event == Event.OVERDUE else nothing
    if lead_unit is not None:
        return Audience(frozenset({lead_unit}), leaders)
    return Audience(frozenset(), frozenset({Role.INTAKE_OFFICER}) | leaders, centre_robot=True)


def wants_email(event: Event | str, muted: Iterable[str]) -> bool:
    """Everyone receives every event by e-mail until they turn it off."""
    return str(event) not in set(muted)


# --- Webhooks -------------------------------------------------------------------------


class WebhookKind(StrEnum):
    WECOM = "wecom"
    DINGTALK = "dingtalk"
    FEISHU = "feishu"
    GENERIC = "generic"


# Robots whose answer carries a result code besides the HTTP status (0: accepted).
ANSWERS_WITH_CODE = {
    WebhookKind.WECOM: "errcode",
    WebhookKind.DINGTALK: "errcode",
    WebhookKind.FEISHU: "code",
}

URL_MAX_LENGTH = 500


def url_problem(url: str) -> str | None:
    """Why `url` cannot be a webhook's address (in the user's words), or None."""
    if not url:
        return "请填写机器人地址（Webhook 地址）"
    if len(url) > URL_MAX_LENGTH:
        return f"机器人地址（Webhook 地址）不能超过{URL_MAX_LENGTH}个字符"
    if any(c.isspace() for c in url):
        return "机器人地址（Webhook 地址）不能包含空格"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        return "机器人地址（Webhook 地址）格式不正确"
    if parts.scheme.lower() not in ("http", "https"):
        return "机器人地址（Webhook 地址）须以 http:// 或 https:// 开头"
    if not parts.hostname:
        return "机器人地址（Webhook 地址）缺少主机名"
    return None


# --- Retries --------------------------------------------------------------------------

FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
# 1+2+4+8+16+32+60+60+60 minutes: about four hours of trying before giving up.
MAX_ATTEMPTS = 10
# How long a claimed delivery stays with the worker that claimed it. Longer than any one
# send can take (the HTTP timeout), so only a worker that died loses its claim.
CLAIM_LEASE = timedelta(minutes=5)
HTTP_TIMEOUT_SECONDS = 10


def backoff(failures: int) -> timedelta:
    """The wait after the `failures`-th failed attempt in a row: 1, 2, 4, 8 … minutes,
    never more than an hour."""
    if failures < 1:
        return timedelta(0)
    # Past 2**7 minutes the cap has long applied; stop doubling before the numbers grow.
    wait = FIRST_RETRY * (2 ** min(failures - 1, 16))
    return min(wait, LONGEST_WAIT)


def next_attempt_at(
    now: datetime, failures: int, max_attempts: int = MAX_ATTEMPTS
) -> datetime | None:
    """When to try again after `failures` failed attempts, or None: give up."""
    if failures >= max_attempts:
        return None
    return now + backoff(failures)
