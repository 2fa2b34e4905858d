"""Compiling the daily information report (涉稳信息日报) and sending it to its leaders.

Every morning the scheduler runs `compile_daily_reports`: one report for each centre's
subtree (the county's, and each township's that has a centre), covering the time since
that region's previous report ended. It is idempotent: a report exists once per region
and day, and a leader gets a report's e-mail once.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from zongzhi.accounts.models import RoleAssignment
from zongzhi.accounts.rules import Role
from zongzhi.briefings import rules
from zongzhi.briefings.models import DailyReport, DailyReportItem
from zongzhi.cases import rules as case_rules
from zongzhi.cases.models import Case
from zongzhi.cases.models.case import overdue_q
from zongzhi.hazards import rules as hazard_rules
from zongzhi.hazards.models import Hazard
from zongzhi.regions.models import Region
from zongzhi.units.models import Unit

__all__ = [
    "centres",
    "compile_daily_reports",
    "leaders_by_region",
    "send_daily_report",
    "site_url",
]

logger = logging.getLogger(__name__)

NEWS_LEVELS = sorted(rules.NEWS_LEVELS)
# The centres that report: the county's and the townships'.
REPORT_LEVELS = frozenset({Region.Level.COUNTY, Region.Level.TOWNSHIP})


def site_url() -> str:
    """Where the links in an e-mail point: the address people open the platform at."""
    return str(settings.ZONGZHI_SITE_URL).rstrip("/")


# --- Which regions get a report -----------------------------------------------------------


def centres() -> dict[Region, Unit]:
    """Each centre region's own unit (综治中心): the county and every township that has an
    active one get a report, and that unit answers for a case until it is dispatched."""
    units = (
        Unit.objects.filter(kind=Unit.Kind.CENTRE, is_active=True)
        .select_related("region")
        .order_by("region__code", "pk")
    )
    found: dict[Region, Unit] = {}
    for unit in units:
        found.setdefault(unit.region, unit)
    return found


# --- Compiling -------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    first_day: date
    end_day: date


def _window(today: date, previous_end: datetime | None) -> Window:
    tz = timezone.get_current_timezone()
    start, end = rules.window(today, previous_end, tz)
    first_day, end_day = rules.local_dates(start, end, tz)
    return Window(start, end, first_day, end_day)


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _case_items(
    region: Region, w: Window, centre_units: dict[Region, Unit]
) -> list[DailyReportItem]:
    registered = Q(registered_at__gte=w.start, registered_at__lt=w.end)
    news = registered & (
        Q(risk_level__in=NEWS_LEVELS)
        | Q(people_count__gte=case_rules.GROUP_SIZE)
        | Q(threat_of_violence=True)
        | Q(threat_of_self_harm=True)
    )
    # Late from the day after its deadline (overdue_q); missed in the window when the
    # deadline fell on one of the window's days.
    missed = overdue_q(w.end_day) & Q(due_on__gte=w.first_day)
    cases = (
        Case.objects.counted()
        .filter(region_prefix__startswith=region.prefix)
        .filter(news | missed)
        # Which of the two it is, said by the same conditions that found it.
        .annotate(is_new=_flag(registered), is_missed=_flag(missed))
        .select_related("region", "lead_unit", "centre")
        .order_by("registered_at", "pk")
    )
    items = []
    for case in cases:
        reasons = rules.case_reasons(
            new=case.is_new,
            risk_level=case.risk_level,
            people_count=case.people_count,
            urgent=case.is_urgent,
            overdue=case.is_missed,
            group_size=case_rules.GROUP_SIZE,
        )
        if not reasons:
            continue
        unit = case.lead_unit or centre_units.get(case.centre)
        items.append(
            DailyReportItem(
                case=case,
                reasons=[r.value for r in reasons],
                code=case.code,
                title=case.title,
                place=case.region.name,
                level=case.risk_level,
                unit=unit,
                unit_name=unit.name if unit is not None else case.centre.name,
                awaiting_dispatch=case.lead_unit is None,
            )
        )
    return items


def _hazard_items(region: Region, w: Window) -> list[DailyReportItem]:
    registered = Q(registered_at__gte=w.start, registered_at__lt=w.end)
    news = registered & Q(level__in=NEWS_LEVELS)
    # Overdue from the day after its review date (HazardQuerySet.review_overdue); missed
    # in the window when the date fell on one of the window's days.
    missed = Q(
        status__in=list(hazard_rules.OPEN),
        next_review_on__gte=w.first_day,
        next_review_on__lt=w.end_day,
    )
    hazards = (
        Hazard.objects.filter(region_prefix__startswith=region.prefix)
        .filter(news | missed)
        .annotate(is_new=_flag(registered), is_missed=_flag(missed))
        .select_related("region", "responsible_unit")
        .order_by("registered_at", "pk")
    )
    items = []
    for hazard in hazards:
        reasons = rules.hazard_reasons(
            new=hazard.is_new, level=hazard.level, review_overdue=hazard.is_missed
        )
        if not reasons:
            continue
        items.append(
            DailyReportItem(
                hazard=hazard,
                reasons=[r.value for r in reasons],
                code=hazard.code,
                title=hazard.title,
                place=hazard.region.name,
                level=hazard.level,
                unit=hazard.responsible_unit,
                unit_name=hazard.responsible_unit.name,
            )
        )
    return items


def _compile_one(
    region: Region,
    *,
    today: date,
    previous_end: datetime | None,
    now: datetime,
    centre_units: dict[Region, Unit],
) -> DailyReport | None:
    w = _window(today, previous_end)
    items = _case_items(region, w, centre_units) + _hazard_items(region, w)
    items.sort(key=lambda i: rules.severity_key([rules.Reason(r) for r in i.reasons], i.level))
    report = DailyReport(
        region=region,
        region_prefix=region.prefix,
        report_date=today,
        window_start=w.start,
        window_end=w.end,
        generated_at=now,
    )
    try:
        with transaction.atomic():
            report.save()
            for item in items:
                item.report = report
            DailyReportItem.objects.bulk_create(items)
    except IntegrityError:
        return None  # another worker made this region's report for today first
    return report


def compile_daily_reports(now: datetime | None = None, *, send: bool = True) -> list[DailyReport]:
    """Make today's report for every centre region that has none yet, then (unless
    `send` is false: the demo's history) send each of today's reports to the leaders who
    have not received it. Returns the reports made by this call (with their items), each
    with the addresses it was sent to."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    centre_units = centres()
    regions = [r for r in centre_units if r.level in REPORT_LEVELS]
    latest = {
        row["region_id"]: row
        for row in DailyReport.objects.filter(region__in=regions)
        .values("region_id")
        .annotate(last_date=Max("report_date"), last_end=Max("window_end"))
    }
    made: list[int] = []
    for region in regions:
        previous = latest.get(region.pk)
        # A region already reported today (or, when run for a past morning, later) is
        # left alone: a second report would cover time the first one did.
        if previous is not None and previous["last_date"] >= today:
            continue
        report = _compile_one(
            region,
            today=today,
            previous_end=previous["last_end"] if previous is not None else None,
            now=now,
            centre_units=centre_units,
        )
        if report is not None:
            made.append(report.pk)
    todays = list(
        DailyReport.objects.filter(region__in=regions, report_date=today)
        .select_related("region")
        .prefetch_related("items")
        .order_by("region__code")
    )
    recipients = leaders_by_region([r.region_id for r in todays]) if send else {}
    for report in todays if send else []:
        try:
            send_daily_report(report, recipients.get(report.region_id, []))
        except Exception:
            # One mail server hiccup must not cost the other regions their report; the
            # next run sends what this one could not.
            logger.exception("daily report %s: sending failed", report.pk)
    return [r for r in todays if r.pk in made]


# --- Sending -----------------------------------------------------------------------------


def leaders_by_region(region_ids: Iterable[int]) -> dict[int, list[str]]:
    """The addresses of the leaders who own each region's report: active users holding
    the leader's role at exactly that region, with an e-mail address."""
    found: dict[int, list[str]] = {}
    assignments = (
        RoleAssignment.objects.filter(
            role=Role.LEADER, region_id__in=list(region_ids), user__is_active=True
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("region_id", "user__username")
    )
    for a in assignments:
        assert a.region_id is not None
        address = a.user.email.strip()
        if address and address not in found.setdefault(a.region_id, []):
            found[a.region_id].append(address)
    return found


def subject_of(report: DailyReport, count: int) -> str:
    d = report.report_date
    return f"【涉稳信息日报】{report.region.name} {d.year}年{d.month}月{d.day}日（{count}条）"


def _messages(report: DailyReport, addresses: list[str]) -> list[mail.EmailMultiAlternatives]:
    items = list(report.items.all())
    base = site_url()
    lines = [
        {
            "item": item,
            "link": base
            + (
                reverse("hazards:detail", args=[item.hazard_id])
                if item.hazard_id is not None
                else reverse("cases:detail", args=[item.code])
            ),
        }
        for item in items
    ]
    context = {
        "report": report,
        "lines": lines,
        "count": len(items),
        "report_link": base + reverse("briefings:detail", args=[report.pk]),
    }
    # The leaders read it in the interface's first language, whoever ran the task.
    with translation.override(settings.LANGUAGE_CODE):
        subject = subject_of(report, len(items))
        text = render_to_string("briefings/email.txt", context)
        html = render_to_string("briefings/email.html", context)
    messages = []
    for address in addresses:
        message = mail.EmailMultiAlternatives(subject=subject, body=text, to=[address])
        message.attach_alternative(html, "text/html")
        messages.append(message)
    return messages


def send_daily_report(report: DailyReport, addresses: list[str]) -> list[str]:
    """Send the report to those of `addresses` that have not had it; returns them.

    The report's row is locked while sending, so two runs never send it twice."""
    if all(a in report.emailed_to for a in addresses):
        return []
    with transaction.atomic():
        locked = DailyReport.objects.select_for_update().get(pk=report.pk)
        pending = [a for a in addresses if a not in locked.emailed_to]
        if not pending:
            report.emailed_to = locked.emailed_to
            return []
        mail.mailers.default.send_messages(_messages(report, pending))
        locked.emailed_to = [*locked.emailed_to, *pending]
        locked.save(update_fields=["emailed_to"])
    report.emailed_to = locked.emailed_to
    return pending
