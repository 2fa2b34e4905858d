"""The reads of the Open311 endpoint, in the standard's JSON shape (formats.py writes XML
from the same values). What a reader sees of a request is decided here; see the package
docstring (zongzhi/open311/__init__.py) for the rule."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from zongzhi.cases.models import Case
from zongzhi.cases.public import (
    OPEN311_OPEN,
    PublicUpdate,
    open311_status,
    public_status_name,
    public_updates_between,
)
from zongzhi.cases.rules import Status
from zongzhi.categories.models import Category
from zongzhi.open311 import rules
from zongzhi.open311.models import Submission
from zongzhi.regions.models import Region
from zongzhi.regions.rules import PREFIX_LENGTH, Level

# Only what came in through this door is published. A portal request's tracking code is
# the resident's own key to their request (it opens the portal's progress page and, with
# the phone's last digits, the rating), so listing it here would hand it to anyone; and a
# visit, a call or a petition is nobody's public business.
PUBLIC_CHANNELS = (Case.Channel.API,)
_BEGINNING = datetime(2000, 1, 1, tzinfo=UTC)
HANDLING = frozenset({Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS})


def w3c(value: datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


# --- services ----------------------------------------------------------------------------


def service_categories() -> QuerySet[Category]:
    """The services: the second-level categories in use, in the order staff see them."""
    return (
        Category.objects.filter(parent__isnull=False, is_active=True, parent__is_active=True)
        .select_related("parent")
        .order_by("parent__sort_order", "parent__code", "sort_order", "code")
    )


def service_list() -> list[dict[str, Any]]:
    services = []
    for category in service_categories():
        group = category.parent.name if category.parent else ""
        services.append(
            {
                "service_code": category.code,
                "service_name": category.name,
                "description": f"{group}：{category.name}",
                "metadata": True,
                "type": "realtime",
                "keywords": f"{group},{category.name}",
                "group": group,
            }
        )
    return services


def service_definition(code: str) -> dict[str, Any]:
    """Raises Category.DoesNotExist for a code that is no service."""
    category = service_categories().get(code=code)
    return rules.service_definition(category.code)


# --- filters -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    ids: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    window: rules.Window | None = None


def _when(params: Mapping[str, str], name: str) -> datetime | None:
    value = (params.get(name) or "").strip()
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            parsed = datetime.combine(day, time.min) if day else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError({name: f"{name} 须为 W3C 日期时间，如 2026-01-01T00:00:00+08:00"})
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _list(params: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in (params.get(name) or "").split(",") if v.strip())


def window_of(params: Mapping[str, str]) -> rules.Window:
    try:
        return rules.window(
            _when(params, "start_date"), _when(params, "end_date"), now=timezone.now()
        )
    except ValueError as error:
        raise ValidationError({"start_date": str(error)}) from error


def filters_of(params: Mapping[str, str]) -> Filters:
    """The standard's filters. service_request_id overrides all the others."""
    ids = _list(params, "service_request_id")
    if ids:
        if len(ids) > rules.MAX_IDS:
            raise ValidationError(
                {"service_request_id": f"一次最多查询{rules.MAX_IDS}个 service_request_id"}
            )
        return Filters(ids=ids)
    statuses = _list(params, "status")
    if any(s not in {"open", "closed"} for s in statuses):
        raise ValidationError({"status": "status 只能是 open 或 closed（可用逗号分隔）"})
    return Filters(codes=_list(params, "service_code"), statuses=statuses, window=window_of(params))


# --- requests ----------------------------------------------------------------------------


def public_cases() -> QuerySet[Case]:
    return Case.objects.filter(channel__in=PUBLIC_CHANNELS)


def requests_matching(filters: Filters) -> list[Case]:
    cases = public_cases().select_related(
        "category", "lead_unit", "centre", "region", "open311_submission"
    )
    if filters.ids:
        return list(cases.filter(code__in=filters.ids).order_by("-registered_at", "-pk"))
    if filters.codes:
        cases = cases.filter(category__code__in=filters.codes)
    if filters.window is not None:
        cases = cases.filter(
            registered_at__gte=filters.window.start, registered_at__lte=filters.window.end
        )
    if set(filters.statuses) == {"open"}:
        cases = cases.filter(status__in=list(OPEN311_OPEN))
    elif set(filters.statuses) == {"closed"}:
        cases = cases.exclude(status__in=list(OPEN311_OPEN))
    return list(cases.order_by("-registered_at", "-pk")[: rules.LIST_LIMIT])


def request_by_id(code: str) -> Case:
    """Raises Case.DoesNotExist, also for a case that came in through a door that is not
    public (whether it exists is not told)."""
    return (
        public_cases()
        .select_related("category", "lead_unit", "centre", "region", "open311_submission")
        .get(code=code)
    )


def _areas(cases: Iterable[Case]) -> dict[str, Region]:
    """The village (or the township, or the region itself when it is above a village) each
    case's region lies in, by the case's region prefix. One query."""
    wanted = {_area_prefix(c.region) for c in cases}
    return {r.prefix: r for r in Region.objects.filter(prefix__in=wanted)}


def _area_prefix(region: Region) -> str:
    if region.level > Level.VILLAGE:
        return region.prefix[: PREFIX_LENGTH[Level.VILLAGE]]
    return region.prefix


def _latest_updates(cases: list[Case]) -> dict[str, PublicUpdate]:
    latest: dict[str, PublicUpdate] = {}
    if not cases:
        return latest
    end = timezone.now() + timedelta(days=1)
    for code, update in public_updates_between([c.pk for c in cases], _BEGINNING, end):
        latest[code] = update  # oldest first: the last one wins
    return latest


def _submitted_by(case: Case, reader: Any) -> bool:
    if reader is None:
        return False
    try:
        submission: Submission = cast(Any, case).open311_submission
    except Submission.DoesNotExist:
        return False
    return submission.client_id == reader.pk


def request_rows(cases: list[Case], *, reader: Any = None) -> list[dict[str, Any]]:
    """Each case as the standard's request. Anyone reads the public fields; `reader`, the
    client system calling with its api_key, also reads the description and the address
    and point it sent, for the requests it submitted itself."""
    areas = _areas(cases)
    latest = _latest_updates(cases)
    rows = []
    for case in cases:
        area = areas.get(_area_prefix(case.region), case.region)
        update = latest.get(case.code)
        own = _submitted_by(case, reader)
        # When it should be done: the handling deadline, once accepted (before that, due_on
        # is only the deadline for deciding whether to accept).
        expected = (
            w3c(timezone.make_aware(datetime.combine(case.due_on, time(23, 59, 59))))
            if case.status in HANDLING and case.due_on
            else None
        )
        rows.append(
            {
                "service_request_id": case.code,
                "status": open311_status(case.status),
                "status_notes": update.text if update else public_status_name(case.status),
                "service_name": case.category.name,
                "service_code": case.category.code,
                "description": case.description if own else None,
                "agency_responsible": (
                    case.lead_unit.name if case.lead_unit else f"{case.centre.name}综治中心"
                ),
                "service_notice": None,
                "requested_datetime": w3c(case.registered_at),
                "updated_datetime": w3c(update.at if update else case.registered_at),
                "expected_datetime": expected,
                "address": (case.address or area.name) if own else area.name,
                "address_id": area.code,
                "zipcode": None,
                "lat": case.lat if own else None,
                "long": case.lng if own else None,
                "media_url": None,
            }
        )
    return rows


# --- updates and tokens ------------------------------------------------------------------


def update_rows(window: rules.Window) -> list[dict[str, Any]]:
    """mySociety's servicerequestupdates: every public step of a public request in the
    window, oldest first (progress, the reply on closing, the return-visit result)."""
    return [
        {
            "update_id": str(update.id),
            "service_request_id": code,
            "status": open311_status(update.status),
            "updated_datetime": w3c(update.at),
            "description": update.text,
            "media_url": "",
        }
        for code, update in public_updates_between(public_cases(), window.start, window.end)
    ]


def token_rows(token: str) -> list[dict[str, Any]]:
    """Raises Submission.DoesNotExist for an unknown token."""
    submission = Submission.objects.select_related("case").get(token=token)
    return [{"service_request_id": submission.case.code, "token": submission.token}]
