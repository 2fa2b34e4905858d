"""The screening pages as each role uses them: what to file, filing, a round, the
compliance view and launching a campaign."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.cases.models import Case
from zongzhi.conftest import Cast, make_user
from zongzhi.hazards.models import Hazard
from zongzhi.regions.models import Region
from zongzhi.regions.services import import_divisions
from zongzhi.regions.sources import DivisionRow
from zongzhi.screening import services
from zongzhi.screening.models import ScreeningReport, ScreeningRound, ScreeningSchedule
from zongzhi.screening.tests.factories import (
    campaign,
    category,
    overdue_campaign,
    report_of,
    today,
)
from zongzhi.units.models import Unit

# --- Helpers ----------------------------------------------------------------------------


def finding_data(index: int, cast: Cast, kind: str = "case", **overrides: Any) -> dict[str, str]:
    p = f"items-{index}-"
    data = {
        "kind": kind,
        "category": str(category("LLJF01" if kind == "case" else "LZJF01").pk),
        "title": "两户因排水沟占地争吵" if kind == "case" else "物业公司拖欠保洁工资",
        "description": "排水沟改道占用宅基地。" if kind == "case" else "两个月未发工资。",
        "region": str(cast.places.g1.pk),
        "address": "右所社区3组",
        "people_count": "2",
        "amount": "",
        "risk_level": "low",
        "risk_reasons": "",
        "applicant_name": "李春华" if kind == "case" else "",
        "applicant_phone": "13987700011" if kind == "case" else "",
        "responsible_unit": "" if kind == "case" else str(cast.units.t1_station.pk),
        "guardian_name": "" if kind == "case" else "张卫东",
        "guardian_phone": "",
    }
    data.update(overrides)
    return {p + name: value for name, value in data.items()}


def filing_post(*findings: dict[str, str], key: str = "form-key-1", **extra: str) -> dict[str, str]:
    data = {
        "idempotency_key": key,
        "note": "",
        "items-TOTAL_FORMS": str(max(len(findings), 1)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "50",
        "items": "1",
    }
    for finding in findings:
        data.update(finding)
    data.update(extra)
    return data


def zero_post(key: str = "form-key-1", note: str = "") -> dict[str, str]:
    return {
        "idempotency_key": key,
        "note": note,
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "50",
        "zero": "1",
    }


def field_block(page: str, name: str) -> str:
    """The label that holds the field `name`: the field and its own error message."""
    at = page.index(f'name="{name}"')
    start = page.rindex("<label", 0, at)
    return page[start : page.index("</label>", at)]


def worker(cast: Cast) -> Client:
    return cast.client_for(cast.by_role[Role.GRID_WORKER])


def url(report: ScreeningReport) -> str:
    return f"/screening/reports/{report.pk}/"


def add_villages(cast: Cast, count: int, start: int = 2) -> None:
    """`count` more villages in T1, each with one grid."""
    rows = []
    for n in range(start, start + count):
        village = f"530424001{n:03d}"
        rows.append(
            DivisionRow(
                line=2 * n,
                code=village,
                name=f"第{n}村",
                level="village",
                parent=cast.places.t1.code,
            )
        )
        rows.append(
            DivisionRow(
                line=2 * n + 1,
                code=f"{village}001",
                name=f"第{n}村第1网格",
                level="grid",
                parent=village,
            )
        )
    import_divisions(by=SYSTEM, rows=rows)


# --- The index --------------------------------------------------------------------------


def test_a_grid_worker_sees_what_to_file_open_ones_first(cast: Cast) -> None:
    late = overdue_campaign(cast.places.county, title="上周矛盾纠纷排查")
    current = campaign(cast.places.county, title="本周矛盾纠纷排查")
    done = campaign(cast.places.county, title="已报的排查", start=today() - timedelta(days=1))
    services.file_report(
        by=cast.by_role[Role.GRID_WORKER], report=report_of(done, cast.places.g1), zero=True
    )
    future = campaign(cast.places.county, title="下周排查", start=today() + timedelta(days=5))
    page = worker(cast).get("/screening/").content.decode()
    to_file = page[
        page.index('data-testid="to-file"') : page.index(
            "</ul>", page.index('data-testid="to-file"')
        )
    ]
    assert to_file.index("本周矛盾纠纷排查") < to_file.index("上周矛盾纠纷排查")
    assert "待上报" in to_file and "未上报" in to_file
    assert f'href="/screening/reports/{report_of(current, cast.places.g1).pk}/"' in to_file
    assert f"/screening/reports/{report_of(late, cast.places.g2).pk}/" not in page  # T2's grid
    assert "下周排查" not in to_file  # not begun
    assert "已报的排查" not in to_file
    filed = page[page.index('data-testid="filed"') :]
    assert "已报的排查" in filed and "按时上报" in filed and "零报告" in filed
    assert future.title not in to_file
    assert "发起专项排查" not in page  # a grid worker does not launch campaigns


def test_a_leader_has_nothing_to_file_but_may_launch_and_look_over(cast: Cast) -> None:
    campaign(cast.places.county, title="本周矛盾纠纷排查")
    page = cast.client_for(cast.by_role[Role.LEADER]).get("/screening/").content.decode()
    assert "没有待填报的报告" in page
    assert 'href="/screening/campaigns/new/"' in page
    assert 'href="/screening/compliance/"' in page
    assert "本周矛盾纠纷排查" in page  # the round, in the recent rounds


def test_a_care_worker_cannot_open_the_screening_pages(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.CARE_WORKER])
    assert client.get("/screening/").status_code == 403
    assert client.get("/screening/compliance/").status_code == 403


@pytest.mark.parametrize("rounds", [2, 8])
def test_the_index_costs_the_same_queries_however_many_reports(cast: Cast, rounds: int) -> None:
    for n in range(rounds):
        campaign(cast.places.county, title=f"排查{n}")
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    client.get("/screening/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/screening/")
    assert response.content.decode().count('class="case-row') == rounds
    assert len(queries) <= 9, [q["sql"] for q in queries]


# --- Filing -----------------------------------------------------------------------------


def test_the_filing_page_offers_the_zero_report_and_a_finding(cast: Cast) -> None:
    report = report_of(campaign(cast.places.county), cast.places.g1)
    page = worker(cast).get(url(report)).content.decode()
    assert "本期无发现，零报告" in page
    assert 'name="items-0-title"' in page
    assert 'name="idempotency_key"' in page
    # The place defaults to the grid worker's own grid, and offers nothing outside it.
    place = field_block(page, "items-0-region")
    assert f'value="{cast.places.g1.pk}" selected' in place
    assert cast.places.g2.name not in place
    # The units that may answer for a hazard here: the grid's township and county, not T2.
    units = field_block(page, "items-0-responsible_unit")
    assert cast.units.t1_station.name in units and cast.units.county_bureau.name in units
    assert cast.units.t2_station.name not in units


def test_a_zero_report_is_filed_from_the_page(cast: Cast) -> None:
    report = report_of(campaign(cast.places.county), cast.places.g1)
    client = worker(cast)
    response = client.post(url(report), zero_post(note="已走访12户"))
    assert response.status_code == 302
    assert response["Location"] == url(report)
    report.refresh_from_db()
    assert report.is_zero and report.note == "已走访12户"
    page = client.get(url(report)).content.decode()
    assert "零报告：本期无发现" in page
    assert "按时上报" in page
    assert 'data-testid="filing-form"' not in page


def test_findings_filed_from_the_page_link_to_their_case_and_hazard(cast: Cast) -> None:
    report = report_of(campaign(cast.places.county), cast.places.g1)
    client = worker(cast)
    post = filing_post(finding_data(0, cast), finding_data(1, cast, kind="hazard"))
    response = client.post(url(report), post)
    assert response.status_code == 302
    case = Case.objects.get()
    hazard = Hazard.objects.get()
    assert case.channel == Case.Channel.SCREENING
    assert case.parties.get().name == "李春华"
    assert hazard.responsible_unit == cast.units.t1_station
    assert hazard.guardian_name == "张卫东"
    page = client.get(url(report)).content.decode()
    assert f'href="/cases/{case.code}/"' in page
    assert f'href="/hazards/{hazard.pk}/"' in page
    assert "发现 2 项" in page


def test_an_untouched_extra_finding_block_is_ignored(cast: Cast) -> None:
    report = report_of(campaign(cast.places.county), cast.places.g1)
    blank = {
        "items-1-region": str(cast.places.g1.pk),
        "items-1-people_count": "1",
        "items-1-risk_level": "low",
    }
    post = filing_post(finding_data(0, cast), blank, **{"items-TOTAL_FORMS": "2"})
    assert worker(cast).post(url(report), post).status_code == 302
    assert Case.objects.count() == 1


def test_a_finding_removed_on_the_page_is_not_filed(cast: Cast) -> None:
    report = report_of(campaign(cast.places.county), cast.places.g1)
    removed = finding_data(1, cast, title="", **{"DELETE": "on"})
    post = filing_post(finding_data(0, cast), removed)
    assert worker(cast).post(url(report), post).status_code == 302
    assert Case.objects.count() == 1


def test_a_bad_second_finding_is_named_at_its_own_field_and_nothing_is_filed(cast: Cast) -> None:
    report = report_of(campaign(cast.places.county), cast.places.g1)
    # The form cannot know it; the hazard service refuses: T2's station is not above g1.
    bad = finding_data(1, cast, kind="hazard", responsible_unit=str(cast.units.t2_station.pk))
    response = worker(cast).post(url(report), filing_post(finding_data(0, cast), bad))
    assert response.status_code == 400
    page = response.content.decode()
    # T2's station is not offered at all, so the form names the field itself.
    assert "errorlist" in field_block(page, "items-1-responsible_unit")
    assert "errorlist" not in field_block(page, "items-0-title")
    assert Case.objects.count() == 0 and Hazard.objects.count() == 0
    report.refresh_from_db()
    assert report.filed_at is None


def test_a_service_refusal_is_shown_at_the_field_of_the_finding_it_concerns(cast: Cast) -> None:
    """A village committee is offered (it sits below a township reporter) but does not
    answer for a place in another village: the hazard service says so, at finding 2."""
    add_villages(cast, 1)
    township = campaign(cast.places.county, level=Region.Level.TOWNSHIP, title="乡镇专项排查")
    report = report_of(township, cast.places.t1)
    elsewhere = Region.objects.get(code="530424001002001")
    bad = finding_data(
        1,
        cast,
        kind="hazard",
        region=str(elsewhere.pk),
        responsible_unit=str(cast.units.v1_committee.pk),
    )
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    response = client.post(url(report), filing_post(finding_data(0, cast), bad))
    assert response.status_code == 400
    page = response.content.decode()
    assert "责任单位须是所在地或其上级的单位" in field_block(page, "items-1-responsible_unit")
    assert "责任单位须是所在地或其上级的单位" not in field_block(page, "items-0-title")
    assert Case.objects.count() == 0 and Hazard.objects.count() == 0


def test_missing_fields_of_each_finding_are_named_in_chinese_at_their_fields(cast: Cast) -> None:
    report = report_of(campaign(cast.places.county), cast.places.g1)
    first = finding_data(0, cast, applicant_name="", risk_level="high")
    second = finding_data(1, cast, kind="hazard", guardian_name="", responsible_unit="")
    response = worker(cast).post(url(report), filing_post(first, second))
    page = response.content.decode()
    assert response.status_code == 400
    assert "请填写反映人或当事人" in field_block(page, "items-0-applicant_name")
    assert "须写明原因" in field_block(page, "items-0-risk_reasons")
    assert "请选择责任单位" in field_block(page, "items-1-responsible_unit")
    assert "请填写包保责任人" in field_block(page, "items-1-guardian_name")
    assert "请填写包保责任人" not in field_block(page, "items-0-applicant_name")
    # What was typed is still there.
    assert "两户因排水沟占地争吵" in field_block(page, "items-0-title")
    assert Case.objects.count() == 0


def test_sending_the_filing_form_twice_files_once(cast: Cast) -> None:
    report = report_of(campaign(cast.places.county), cast.places.g1)
    client = worker(cast)
    post = filing_post(finding_data(0, cast), key="double-tap")
    assert client.post(url(report), post).status_code == 302
    assert client.post(url(report), post).status_code == 302
    assert Case.objects.count() == 1
    assert report.items.count() == 1


def test_a_zero_report_with_findings_written_is_refused(cast: Cast) -> None:
    report = report_of(campaign(cast.places.county), cast.places.g1)
    post = filing_post(finding_data(0, cast), zero="1")
    response = worker(cast).post(url(report), post)
    assert response.status_code == 400
    assert "您已填写排查发现" in response.content.decode()
    report.refresh_from_db()
    assert report.filed_at is None


def test_someone_elses_report_is_403_and_outside_the_scope_404(cast: Cast) -> None:
    round_ = campaign(cast.places.county)
    g1 = report_of(round_, cast.places.g1)
    leader = cast.client_for(cast.by_role[Role.LEADER])
    page = leader.get(url(g1)).content.decode()
    assert 'data-testid="filing-form"' not in page  # a leader reads it, without the form
    assert leader.post(url(g1), zero_post()).status_code == 403
    outsider = cast.client_for(cast.outsider)
    assert outsider.get(url(g1)).status_code == 404
    assert outsider.post(url(g1), zero_post()).status_code == 404
    g2 = report_of(round_, cast.places.g2)
    assert worker(cast).post(url(g2), zero_post()).status_code == 404
    assert not ScreeningReport.objects.filter(filed_at__isnull=False).exists()


def test_a_unit_handler_cannot_file_a_grids_report(cast: Cast) -> None:
    g1 = report_of(campaign(cast.places.county), cast.places.g1)
    handler = cast.client_for(cast.by_role[Role.UNIT_HANDLER])
    assert handler.post(url(g1), zero_post()).status_code in {403, 404}
    g1.refresh_from_db()
    assert g1.filed_at is None
    # Its own unit's report it files.
    units = campaign(
        cast.places.county,
        level=Region.Level.TOWNSHIP,
        reporters=ScreeningSchedule.Reporters.UNITS,
        title="站所专项排查",
    )
    station = report_of(units, cast.units.t1_station)
    assert handler.post(url(station), zero_post()).status_code == 302
    station.refresh_from_db()
    assert station.is_zero


def test_another_finding_block_comes_with_the_next_index(cast: Cast) -> None:
    report = report_of(campaign(cast.places.county), cast.places.g1)
    response = worker(cast).get(
        f"/screening/reports/{report.pk}/finding/", {"items-TOTAL_FORMS": "1"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="items-1-title"' in page
    assert "第 2 项" in page
    assert re.search(r'name="items-TOTAL_FORMS" value="2"[^>]*hx-swap-oob="true"', page)
    assert f'value="{cast.places.g1.pk}" selected' in page
    leader = cast.client_for(cast.by_role[Role.LEADER])
    assert (
        leader.get(
            f"/screening/reports/{report.pk}/finding/", {"items-TOTAL_FORMS": "1"}
        ).status_code
        == 403
    )


def test_a_report_filed_after_its_due_day_shows_as_late(cast: Cast) -> None:
    report = report_of(overdue_campaign(cast.places.county), cast.places.g1)
    client = worker(cast)
    assert "未上报" in client.get(url(report)).content.decode()
    client.post(url(report), zero_post())
    report.refresh_from_db()
    assert report.is_late
    page = client.get(url(report)).content.decode()
    assert re.search(r'data-testid="state">逾期上报<', page)


def test_a_round_that_has_not_begun_shows_when_it_begins(cast: Cast) -> None:
    report = report_of(
        campaign(cast.places.county, start=today() + timedelta(days=3)), cast.places.g1
    )
    page = worker(cast).get(url(report)).content.decode()
    assert "开始，届时再填报" in page
    assert 'data-testid="filing-form"' not in page


# --- The round page ---------------------------------------------------------------------


def test_the_round_page_shows_its_facts_and_the_reports_the_user_may_read(cast: Cast) -> None:
    round_ = services.launch_campaign(
        by=SYSTEM,
        title="欠薪隐患专项排查",
        region=cast.places.county,
        period_start=today(),
        period_end=today() + timedelta(days=6),
        due_on=today() + timedelta(days=8),
        reporters=ScreeningSchedule.Reporters.REGIONS,
        reporter_level=Region.Level.GRID,
        focus_categories=[category("LZJF01").parent],
        instructions="重点排查在建工地",
    )
    services.file_report(
        by=cast.by_role[Role.GRID_WORKER], report=report_of(round_, cast.places.g1), zero=True
    )
    page = (
        cast.client_for(cast.by_role[Role.LEADER])
        .get(f"/screening/rounds/{round_.pk}/")
        .content.decode()
    )
    assert "重点排查在建工地" in page
    assert "劳资纠纷/欠薪" in page
    assert (today() + timedelta(days=8)).isoformat() in page
    reports = page[page.index('data-testid="reports"') :]
    assert cast.places.g1.name in reports and "按时上报" in reports
    assert cast.places.g2.name not in reports  # T2 is not the T1 leader's
    assert cast.client_for(cast.outsider).get(f"/screening/rounds/{round_.pk}/").status_code == 200
    hidden = campaign(cast.places.t1, title="宁州街道排查")
    assert cast.client_for(cast.outsider).get(f"/screening/rounds/{hidden.pk}/").status_code == 404


def test_the_round_page_filters_by_state(cast: Cast) -> None:
    round_ = overdue_campaign(cast.places.county)
    county_leader = make_user("county_leader", Role.LEADER, region=cast.places.county)
    services.file_report(
        by=cast.by_role[Role.GRID_WORKER], report=report_of(round_, cast.places.g1), zero=True
    )
    client = cast.client_for(county_leader)
    page = client.get(f"/screening/rounds/{round_.pk}/?state=missing").content.decode()
    reports = page[page.index('data-testid="reports"') :]
    assert cast.places.g2.name in reports and cast.places.g1.name not in reports


# --- The compliance view ----------------------------------------------------------------


@pytest.fixture
def season(cast: Cast) -> dict[str, Any]:
    """Two rounds over both townships: last week's (g1 filed late, g2 missing) and this
    week's (g1 pending, g2 filed on time); and last week's police stations' round (T1's
    missing, T2's filed late)."""
    last_week = overdue_campaign(cast.places.county, title="上周排查")
    this_week = campaign(cast.places.county, title="本周排查")
    stations = overdue_campaign(
        cast.places.county,
        level=Region.Level.TOWNSHIP,
        reporters=ScreeningSchedule.Reporters.UNITS,
        unit_kinds=[Unit.Kind.POLICE],
        title="派出所排查",
    )
    services.file_report(
        by=cast.by_role[Role.GRID_WORKER], report=report_of(last_week, cast.places.g1), zero=True
    )
    outsider_grid = make_user("g2_grid", Role.GRID_WORKER, region=cast.places.g2)
    services.file_report(by=outsider_grid, report=report_of(this_week, cast.places.g2), zero=True)
    services.file_report(
        by=make_user("t2_police", Role.UNIT_HANDLER, unit=cast.units.t2_station),
        report=report_of(stations, cast.units.t2_station),
        zero=True,
    )
    leader = make_user("county_leader", Role.LEADER, region=cast.places.county)
    return {"leader": leader, "last_week": last_week, "this_week": this_week}


def dates() -> dict[str, str]:
    return {
        "first": (today() - timedelta(days=20)).isoformat(),
        "last": (today() + timedelta(days=20)).isoformat(),
    }


def row_of(page: str, name: str) -> list[int]:
    """The five counts of the table row that starts with `name`."""
    match = re.search(rf">{re.escape(name)}</a>\s*</td>(.*?)</tr>", page, re.S)
    if match is None:
        match = re.search(rf"<td>{re.escape(name)}<br>.*?</td>(.*?)</tr>", page, re.S)
    assert match, name
    return [int(n) for n in re.findall(r'<td class="num[^"]*">(\d+)</td>', match.group(1))]


def test_the_compliance_view_counts_each_state_by_township_and_by_unit(
    cast: Cast, season: dict[str, Any]
) -> None:
    client = cast.client_for(season["leader"])
    response = client.get("/screening/compliance/", dates())
    page = response.content.decode()
    assert response.status_code == 200
    totals = page[
        page.index('data-testid="totals"') : page.index(
            "</div>", page.index('data-testid="totals"')
        )
    ]
    # 6 expected: 2 grids × 2 rounds, 2 stations. Filed today for last week: late.
    assert [int(n) for n in re.findall(r'class="n">(\d+)<', totals)] == [6, 1, 2, 2, 1]
    # expected, on time, late, missing, pending
    assert row_of(page, cast.places.t1.name) == [3, 0, 1, 1, 1]
    assert row_of(page, cast.places.t2.name) == [3, 1, 1, 1, 0]
    assert row_of(page, cast.units.t2_station.name) == [1, 0, 1, 0, 0]
    assert row_of(page, cast.units.t1_station.name) == [1, 0, 0, 1, 0]
    assert f'href="?region={cast.places.t1.code}&amp;first=' in page
    missing = page[page.index('data-testid="missing"') :]
    assert cast.places.g2.name in missing and cast.units.t1_station.name in missing
    assert "上周排查" in missing


def test_the_compliance_view_drills_down_to_each_reporter(
    cast: Cast, season: dict[str, Any]
) -> None:
    client = cast.client_for(season["leader"])
    village = client.get("/screening/compliance/", {"region": cast.places.v1.code, **dates()})
    page = village.content.decode()
    assert row_of(page, cast.places.g1.name) == [2, 0, 1, 0, 1]
    grid = client.get("/screening/compliance/", {"region": cast.places.g1.code, **dates()})
    page = grid.content.decode()
    reporters = page[page.index('data-testid="reporters"') :]
    assert "逾期上报" in reporters and "待上报" in reporters
    late = report_of(season["last_week"], cast.places.g1)
    assert f'href="/screening/reports/{late.pk}/"' in reporters
    assert f"{today():%Y-%m-%d} 上报" in reporters
    # The trail leads back up.
    assert f'href="?region={cast.places.t1.code}&amp;' in page


def test_a_pending_report_is_not_counted_missing_until_its_due_day(cast: Cast) -> None:
    round_ = campaign(cast.places.county, days=1, due_in=0, start=today())
    leader = cast.client_for(cast.by_role[Role.LEADER])
    page = leader.get("/screening/compliance/", dates()).content.decode()
    assert row_of(page, cast.places.v1.name) == [1, 0, 0, 0, 1]
    ScreeningReport.objects.filter(round=round_).update(due_on=today() - timedelta(days=1))
    ScreeningRound.objects.filter(pk=round_.pk).update(
        period_start=today() - timedelta(days=1),
        period_end=today() - timedelta(days=1),
        due_on=today() - timedelta(days=1),
    )
    page = leader.get("/screening/compliance/", dates()).content.decode()
    assert row_of(page, cast.places.v1.name) == [1, 0, 0, 1, 0]
    assert "未上报" in page[page.index('data-testid="missing"') :]


def test_the_compliance_view_starts_at_the_users_own_place_and_this_month(cast: Cast) -> None:
    page = cast.client_for(cast.by_role[Role.LEADER]).get("/screening/compliance/").content.decode()
    assert f"{cast.places.t1.name}排查报送情况" in page
    assert f'value="{today().replace(day=1).isoformat()}"' in page


def test_a_place_outside_the_users_scope_is_404(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.LEADER])
    assert client.get("/screening/compliance/", {"region": cast.places.t2.code}).status_code == 404


def test_a_backwards_period_is_named_and_the_month_shown(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.LEADER])
    page = client.get(
        "/screening/compliance/", {"first": "2026-03-10", "last": "2026-03-01"}
    ).content.decode()
    assert "结束日期不能早于开始日期" in page


@pytest.mark.parametrize("villages", [2, 12])
def test_the_compliance_view_costs_the_same_queries_however_many_places(
    cast: Cast, villages: int, django_assert_max_num_queries: Any
) -> None:
    add_villages(cast, villages)
    campaign(cast.places.county, title="本周排查")
    overdue_campaign(cast.places.county, title="上周排查")
    overdue_campaign(
        cast.places.county,
        level=Region.Level.VILLAGE,
        reporters=ScreeningSchedule.Reporters.UNITS,
        title="调委会排查",
    )
    leader = make_user("county_leader", Role.LEADER, region=cast.places.county)
    client = cast.client_for(leader)
    client.get("/screening/compliance/")
    for region in (cast.places.county, cast.places.t1):
        with django_assert_max_num_queries(15):
            response = client.get("/screening/compliance/", {"region": region.code, **dates()})
        assert response.status_code == 200
    page = response.content.decode()
    assert len(re.findall(r">第\d+村</a>", page)) == villages  # one row per village of T1
    assert row_of(page, "第2村") == [2, 0, 0, 1, 1]


# --- Campaigns --------------------------------------------------------------------------


def test_a_leader_launches_a_campaign_from_the_page(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.LEADER])
    form = client.get("/screening/campaigns/new/").content.decode()
    assert cast.places.t2.name not in form  # only places in the leader's township
    post = {
        "title": "节前矛盾纠纷大排查",
        "region": str(cast.places.t1.pk),
        "period_start": today().isoformat(),
        "period_end": (today() + timedelta(days=6)).isoformat(),
        "due_on": (today() + timedelta(days=8)).isoformat(),
        "reporters": "regions",
        "reporter_level": str(Region.Level.GRID),
        "focus_categories": [str(category("LZJF01").parent_id)],
        "instructions": "重点排查欠薪",
    }
    response = client.post("/screening/campaigns/new/", post)
    round_ = ScreeningRound.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/screening/rounds/{round_.pk}/"
    assert [r.region for r in round_.reports.all()] == [cast.places.g1]
    assert client.post("/screening/campaigns/new/", post).status_code == 302
    assert ScreeningRound.objects.count() == 1  # sent twice, launched once
    page = worker(cast).get("/screening/").content.decode()
    assert "节前矛盾纠纷大排查" in page


def test_a_bad_campaign_names_its_fields_and_launches_nothing(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.LEADER])
    post = {
        "title": "排查",
        "region": str(cast.places.t1.pk),
        "period_start": "2026-03-10",
        "period_end": "2026-03-01",
        "due_on": "2026-03-01",
        "reporters": "regions",
        "reporter_level": str(Region.Level.COUNTY),
    }
    response = client.post("/screening/campaigns/new/", post)
    page = response.content.decode()
    assert response.status_code == 400
    assert "截止日期不能早于起始日期" in field_block(page, "period_end")
    assert "填报层级须低于排查范围" in field_block(page, "reporter_level")
    assert ScreeningRound.objects.count() == 0


def test_a_grid_worker_cannot_launch_a_campaign(cast: Cast) -> None:
    assert worker(cast).get("/screening/campaigns/new/").status_code == 403


def test_the_admin_lists_schedules_rounds_and_reports(cast: Cast) -> None:
    from zongzhi.accounts.models import User

    admin = User.objects.create_superuser(username="root", password="x" * 12)
    campaign(cast.places.county)
    client = Client()
    client.force_login(admin)
    for page in ("screeningschedule", "screeninground", "screeningreport"):
        assert client.get(f"/admin/screening/{page}/").status_code == 200
    assert client.get("/admin/screening/screeningschedule/add/").status_code == 200
    assert client.get("/admin/screening/screeninground/add/").status_code == 403
    report = ScreeningReport.objects.first()
    assert report is not None
    assert client.get(f"/admin/screening/screeningreport/{report.pk}/change/").status_code == 200


def test_filing_a_report_someone_filed_meanwhile_says_so_and_files_nothing(cast: Cast) -> None:
    report = report_of(campaign(cast.places.county), cast.places.g1)
    officer = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    assert officer.post(url(report), zero_post(key="officer")).status_code == 302
    response = worker(cast).post(url(report), filing_post(finding_data(0, cast), key="worker"))
    page = response.content.decode()
    assert response.status_code == 400
    assert f"本期已于{today():%Y-%m-%d}上报" in page
    assert "零报告：本期无发现" in page
    assert Case.objects.count() == 0
