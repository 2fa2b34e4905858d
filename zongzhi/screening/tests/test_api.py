"""The screening API: the reports a caller sees and owes, filing with findings or as a zero
report through the service, the idempotency key, scope, errors and queries."""

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from zongzhi.accounts.rules import Role
from zongzhi.cases.models import Case
from zongzhi.cases.tests.api_client import KeyClient, assert_error
from zongzhi.conftest import Cast
from zongzhi.hazards.models import Hazard
from zongzhi.regions.models import Region
from zongzhi.screening.models import ScreeningItem, ScreeningReport
from zongzhi.screening.tests.factories import campaign, overdue_campaign, report_of

REPORTS = "/api/screening/reports"


def url(report: ScreeningReport, tail: str = "") -> str:
    return f"{REPORTS}/{report.pk}{tail}"


def finding(cast: Cast, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "kind": "case",
        "category": "LLJF01",
        "title": "两户因排水沟占地争吵",
        "description": "两户因排水沟改道占用宅基地发生争吵。",
        "region": cast.places.g1.code,
        "applicant_name": "李春华",
    }
    values.update(overrides)
    return values


def test_a_grid_worker_files_findings_and_each_becomes_a_record(cast: Cast) -> None:
    round_ = campaign(cast.places.t1)
    report = report_of(round_, cast.places.g1)
    grid = KeyClient(cast.by_role[Role.GRID_WORKER])
    owed = grid.get(REPORTS, {"to_file": "true", "state": "pending"}).json()
    assert [r["id"] for r in owed["items"]] == [report.pk]
    hazard = finding(
        cast,
        kind="hazard",
        category="LZJF01",
        title="物业拖欠保洁工资",
        risk_level="medium",
        responsible_unit=cast.units.t1_station.pk,
        guardian_name="张卫东",
    )
    filed = grid.post(
        url(report, "/file"), {"items": [finding(cast), hazard]}, **{"Idempotency-Key": "r-1"}
    )
    assert filed.status_code == 200, filed.content
    body = filed.json()
    assert body["state"] == {"code": "on_time", "name": "按时上报"}
    assert [(i["kind"]["code"], i["title"]) for i in body["items"]] == [
        ("case", "两户因排水沟占地争吵"),
        ("hazard", "物业拖欠保洁工资"),
    ]
    assert Case.objects.get().channel == Case.Channel.SCREENING
    # The retry returns the report as filed and registers nothing again.
    again = grid.post(
        url(report, "/file"), {"items": [finding(cast), hazard]}, **{"Idempotency-Key": "r-1"}
    )
    assert again.status_code == 200 and again.json() == body
    assert (Case.objects.count(), Hazard.objects.count(), ScreeningItem.objects.count()) == (
        1,
        1,
        2,
    )
    assert grid.get(REPORTS, {"to_file": "true", "state": "pending"}).json()["count"] == 0


def test_a_zero_report_and_its_refusals(cast: Cast) -> None:
    report = report_of(campaign(cast.places.t1), cast.places.g1)
    grid = KeyClient(cast.by_role[Role.GRID_WORKER])
    empty = grid.post(url(report, "/file"), {})
    assert (
        assert_error(empty, 400, "invalid", "zero")["message"] == "请填写排查发现，或确认本期零报告"
    )
    both = grid.post(url(report, "/file"), {"zero": True, "items": [finding(cast)]})
    assert_error(both, 400, "invalid", "zero")
    unknown = grid.post(url(report, "/file"), {"items": [finding(cast, region="000")]})
    assert_error(unknown, 400, "invalid", "items.0.region")
    assert grid.post(url(report, "/file"), {"zero": True, "note": "本周无"}).json()["is_zero"]
    twice = grid.post(url(report, "/file"), {"zero": True})
    assert "本期已于" in assert_error(twice, 400, "invalid", "zero")["message"]
    assert not Case.objects.exists()


def test_a_key_used_for_another_report_is_refused(cast: Cast) -> None:
    round_ = campaign(cast.places.t1, level=Region.Level.VILLAGE)
    grid_round = campaign(cast.places.t1, title="第二轮")
    intake = KeyClient(cast.by_role[Role.INTAKE_OFFICER])
    first = report_of(round_, cast.places.v1)
    other = report_of(grid_round, cast.places.g1)
    assert (
        intake.post(url(first, "/file"), {"zero": True, "idempotency_key": "k"}).status_code == 200
    )
    reused = intake.post(url(other, "/file"), {"zero": True, "idempotency_key": "k"})
    assert_error(reused, 400, "invalid", "idempotency_key")
    assert ScreeningReport.objects.get(pk=other.pk).filed_at is None


def test_reports_outside_scope_do_not_exist_and_cannot_be_filed(cast: Cast) -> None:
    t2_report = report_of(campaign(cast.places.t2), cast.places.g2)
    t1_report = report_of(campaign(cast.places.t1), cast.places.g1)
    for role, user in cast.by_role.items():
        api = KeyClient(user)
        assert_error(api.get(url(t2_report)), 404, "not_found")
        assert_error(api.post(url(t2_report, "/file"), {"zero": True}), 404, "not_found")
        ids = {r["id"] for r in api.get(REPORTS).json()["items"]}
        assert t2_report.pk not in ids, role
    # Reading is not filing: a leader sees the grid's report but may not file it.
    leader = KeyClient(cast.by_role[Role.LEADER])
    assert leader.get(url(t1_report)).status_code == 200
    assert_error(leader.post(url(t1_report, "/file"), {"zero": True}), 403, "forbidden")
    assert not ScreeningReport.objects.filter(filed_at__isnull=False).exists()


def test_the_list_filters_by_round_and_state(cast: Cast) -> None:
    late = overdue_campaign(cast.places.t1)
    current = campaign(cast.places.t1, level=Region.Level.VILLAGE)
    intake = KeyClient(cast.by_role[Role.INTAKE_OFFICER])

    def ids(**params: Any) -> set[int]:
        return {r["id"] for r in intake.get(REPORTS, params).json()["items"]}

    missing = report_of(late, cast.places.g1)
    assert ids(state="missing") == {missing.pk}
    assert ids(round=current.pk) == {report_of(current, cast.places.v1).pk}
    assert_error(intake.get(REPORTS, {"state": "lost"}), 422, "invalid_input", "state")


def test_the_list_and_the_detail_cost_the_same_queries_however_many(cast: Cast) -> None:
    intake = KeyClient(cast.by_role[Role.INTAKE_OFFICER])
    intake.get(REPORTS)

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as q:
            assert intake.get(path).status_code == 200
        return len(q)

    report = report_of(campaign(cast.places.t1, level=Region.Level.VILLAGE), cast.places.v1)
    few = queries(REPORTS), queries(url(report))
    for n in range(4):
        campaign(cast.places.t1, title=f"第{n}轮")
    filed = report_of(campaign(cast.places.t1, title="多发现"), cast.places.g1)
    grid = KeyClient(cast.by_role[Role.GRID_WORKER])
    items = [finding(cast, title=f"纠纷{n}") for n in range(3)]
    assert grid.post(url(filed, "/file"), {"items": items}).status_code == 200
    assert (queries(REPORTS), queries(url(filed))) == few
    assert few[0] <= 4 and few[1] <= 5
