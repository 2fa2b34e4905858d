"""The morning e-mail: to the leaders who own the report, once, saying what is new (or
that nothing is)."""

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from zongzhi.accounts.rules import Role
from zongzhi.briefings import services
from zongzhi.briefings.models import DailyReport
from zongzhi.briefings.tests.factories import (
    DAY,
    case_at,
    centres,
    hazard_at,
    leader,
    local,
    morning,
)
from zongzhi.conftest import Cast, make_user

pytestmark = pytest.mark.django_db

ONE_DAY = timedelta(days=1)


def sent_to(address: str) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if m.to == [address]]


def test_the_report_goes_to_exactly_the_leaders_of_its_region_who_have_an_address(
    cast: Cast,
) -> None:
    centres(cast)
    t1_leader = cast.by_role[Role.LEADER]
    t1_leader.email = "zhang@ningzhou.gov.cn"
    t1_leader.save()
    leader("t1_deputy", cast.places.t1, "li@ningzhou.gov.cn")
    leader("t1_no_address", cast.places.t1)
    gone = leader("t1_retired", cast.places.t1, "retired@ningzhou.gov.cn")
    gone.is_active = False
    gone.save()
    leader("county_leader", cast.places.county, "wang@huaning.gov.cn")
    leader("v1_leader", cast.places.v1, "village@ningzhou.gov.cn")  # below the centre
    intake = make_user("t1_clerk", Role.INTAKE_OFFICER, region=cast.places.t1)
    intake.email = "clerk@ningzhou.gov.cn"
    intake.save()

    services.compile_daily_reports(now=morning())

    t1_report = DailyReport.objects.get(region=cast.places.t1)
    county_report = DailyReport.objects.get(region=cast.places.county)
    assert sorted(t1_report.emailed_to) == ["li@ningzhou.gov.cn", "zhang@ningzhou.gov.cn"]
    assert county_report.emailed_to == ["wang@huaning.gov.cn"]
    assert DailyReport.objects.get(region=cast.places.t2).emailed_to == []
    assert sorted(address for m in mail.outbox for address in m.to) == [
        "li@ningzhou.gov.cn",
        "wang@huaning.gov.cn",
        "zhang@ningzhou.gov.cn",
    ]


def test_the_email_lists_each_item_with_its_reasons_place_level_unit_and_link(
    cast: Cast,
) -> None:
    centres(cast)
    leader("t1_boss", cast.places.t1, "boss@ningzhou.gov.cn")
    case = case_at(cast, title="工地拖欠12名工人工资", risk_level="major", people_count=12)
    hazard = hazard_at(cast, title="某小区物业矛盾积累", unit=cast.units.v1_committee)
    with override_settings(ZONGZHI_SITE_URL="https://zz.huaning.gov.cn/"):
        services.compile_daily_reports(now=morning())

    [message] = sent_to("boss@ningzhou.gov.cn")
    report = DailyReport.objects.get(region=cast.places.t1)
    assert message.subject == "【涉稳信息日报】宁州街道 2026年3月10日（2条）"
    body = message.body
    assert "【新增重大风险、群体性】工地拖欠12名工人工资" in body
    assert f"事项 {case.code}" in body
    assert "地点：右所社区第1网格" in body
    assert "风险等级：重大" in body
    assert "责任单位：宁州街道综治中心（待派单）" in body
    assert f"https://zz.huaning.gov.cn/cases/{case.code}/" in body
    assert "【新增高风险】某小区物业矛盾积累" in body
    assert "责任单位：右所社区调委会" in body
    assert f"https://zz.huaning.gov.cn/hazards/{hazard.pk}/" in body
    assert f"https://zz.huaning.gov.cn/briefings/{report.pk}/" in body
    assert "无新增" not in body
    html, kind = message.alternatives[0]  # type: ignore[attr-defined]
    assert kind == "text/html"
    assert f'href="https://zz.huaning.gov.cn/cases/{case.code}/"' in str(html)


def test_nothing_new_is_reported_as_nothing_new(cast: Cast) -> None:
    centres(cast)
    leader("t1_boss", cast.places.t1, "boss@ningzhou.gov.cn")
    case_at(cast, risk_level="low")
    services.compile_daily_reports(now=morning())
    [message] = sent_to("boss@ningzhou.gov.cn")
    assert message.subject == "【涉稳信息日报】宁州街道 2026年3月10日（0条）"
    assert "昨日无新增涉稳信息" in message.body
    assert DailyReport.objects.get(region=cast.places.t1).items.count() == 0


def test_after_a_missed_morning_nothing_new_names_the_days_it_covers(cast: Cast) -> None:
    centres(cast)
    leader("t1_boss", cast.places.t1, "boss@ningzhou.gov.cn")
    services.compile_daily_reports(now=morning())
    services.compile_daily_reports(now=morning(DAY + 3 * ONE_DAY))
    last = sent_to("boss@ningzhou.gov.cn")[-1]
    assert "3月10日至3月12日无新增涉稳信息" in last.body


def test_a_leader_gets_each_report_once(cast: Cast) -> None:
    centres(cast)
    leader("t1_boss", cast.places.t1, "boss@ningzhou.gov.cn")
    case_at(cast, risk_level="high")
    services.compile_daily_reports(now=morning())
    services.compile_daily_reports(now=morning())
    report = DailyReport.objects.get(region=cast.places.t1)
    services.send_daily_report(report, ["boss@ningzhou.gov.cn"])
    assert len(sent_to("boss@ningzhou.gov.cn")) == 1
    # The next morning's report is a new report.
    services.compile_daily_reports(now=morning(DAY + ONE_DAY))
    assert len(sent_to("boss@ningzhou.gov.cn")) == 2


def test_a_leader_appointed_later_that_morning_gets_the_report_on_the_next_run(
    cast: Cast,
) -> None:
    centres(cast)
    leader("t1_boss", cast.places.t1, "boss@ningzhou.gov.cn")
    services.compile_daily_reports(now=morning())
    leader("t1_new", cast.places.t1, "new@ningzhou.gov.cn")
    services.compile_daily_reports(now=morning().replace(hour=9))
    assert len(sent_to("boss@ningzhou.gov.cn")) == 1
    assert len(sent_to("new@ningzhou.gov.cn")) == 1


def test_a_failed_send_keeps_the_report_and_the_next_run_sends_it(cast: Cast) -> None:
    centres(cast)
    leader("t1_boss", cast.places.t1, "boss@ningzhou.gov.cn")
    case_at(cast, risk_level="high")
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=OSError("mail server down"),
    ):
        services.compile_daily_reports(now=morning())
    report = DailyReport.objects.get(region=cast.places.t1)
    assert report.items.count() == 1
    assert report.emailed_to == []
    assert mail.outbox == []
    services.compile_daily_reports(now=morning().replace(hour=8))
    assert len(sent_to("boss@ningzhou.gov.cn")) == 1
    report.refresh_from_db()
    assert report.emailed_to == ["boss@ningzhou.gov.cn"]


def test_the_command_makes_the_reports_and_prints_each_regions_count(cast: Cast) -> None:
    centres(cast)
    leader("t1_boss", cast.places.t1, "boss@ningzhou.gov.cn")
    # The command runs for this morning, as the scheduler does.
    today = timezone.localdate()
    case_at(cast, at=local(today - ONE_DAY, 12), risk_level="high")
    out = StringIO()
    call_command("compile_daily_reports", stdout=out)
    lines = out.getvalue().splitlines()
    day = f"{today.year}年{today.month}月{today.day}日"
    assert f"华宁县 {day}：1 条，已发送 0 人" in lines
    assert f"宁州街道 {day}：1 条，已发送 1 人" in lines
    assert f"盘溪镇 {day}：0 条，已发送 0 人" in lines
    again = StringIO()
    call_command("compile_daily_reports", stdout=again)
    assert again.getvalue().strip() == "今日日报均已生成，没有新的日报"


def test_the_scheduled_task_returns_what_it_made(cast: Cast) -> None:
    from zongzhi.briefings.tasks import compile_daily_reports

    centres(cast)
    leader("t1_boss", cast.places.t1, "boss@ningzhou.gov.cn")
    case_at(cast, at=local(timezone.localdate() - ONE_DAY, 12), risk_level="major")
    result = compile_daily_reports.enqueue()
    assert result.return_value == {"reports": 3, "items": 2, "emailed": 1}
