"""The analytics API: the indicators' definitions, the figures of a place and a period and
their breakdowns — the seeds' 98.64% exactly, only for places inside the caller's grants,
Chinese errors naming the parameter, and a valid OpenAPI document."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from zongzhi.accounts.rules import Role
from zongzhi.analytics import indicators
from zongzhi.analytics.tests.seeds import SEED_RESOLVED, SEED_TOTAL, seed_3099, seed_cases
from zongzhi.cases.models import Case
from zongzhi.cases.tests.factories import category
from zongzhi.conftest import Cast

INDICATORS = "/api/analytics/indicators"
FIGURES = "/api/analytics/figures"
BREAKDOWN = "/api/analytics/breakdown"


def get(cast: Cast, role: Role, url: str, **params: Any) -> Any:
    return cast.client_for(cast.by_role[role]).get(url, params)


@pytest.fixture
def seeded(cast: Cast) -> Cast:
    """The seeds' fixture in village V1 (township T1): 3,099 screened disputes, 3,057
    resolved, registered today (rows written straight to the table: a counting test)."""
    seed_3099(cast.places.g1, category("LLJF01"), unit=cast.units.t1_station)
    return cast


def by_code(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["code"]: f for f in body["figures"]}


# --- The document and the door --------------------------------------------------------


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for item in node for r in _refs(item)]
    return []


def test_the_openapi_document_still_loads_and_describes_the_endpoints(cast: Cast) -> None:
    response = get(cast, Role.LEADER, "/api/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    paths = document["paths"]
    for path in [INDICATORS, FIGURES, BREAKDOWN]:
        assert paths[path]["get"]["tags"] == ["统计分析"], path
    assert "/api/care/files" in paths  # the other routers are still there
    schemas = document["components"]["schemas"]
    for ref in _refs(document):
        assert ref.rsplit("/", 1)[1] in schemas, ref
    params = {p["name"]: p for p in paths[FIGURES]["get"]["parameters"]}
    assert params["region"]["required"] is True
    assert params["start"]["description"].startswith("开始日期")
    assert schemas["FigureOut"]["properties"]["value"]["description"].startswith("数值")


def test_an_anonymous_call_gets_401_in_json(cast: Cast) -> None:
    for url in [INDICATORS, FIGURES, BREAKDOWN]:
        response = Client().get(url, {"region": cast.places.t1.code, "by": "month"})
        assert response.status_code == 401, url
        assert response.json()["code"] == "unauthenticated"


# --- Indicators -----------------------------------------------------------------------


def test_the_indicators_are_the_modules_definitions(cast: Cast) -> None:
    response = get(cast, Role.LEADER, INDICATORS)
    assert response.status_code == 200
    body = response.json()
    assert [i["code"] for i in body] == [
        *indicators.INDICATORS,
        *indicators.REGISTER_INDICATORS,
    ]
    rate = next(i for i in body if i["code"] == "resolution_rate")
    assert rate == {
        "code": "resolution_rate",
        "name": "化解率",
        "formula": "化解数 ÷ 受理数",
        "is_rate": True,
        "source": "rollup",
    }
    assert next(i for i in body if i["code"] == "received")["is_rate"] is False


# --- Figures --------------------------------------------------------------------------


def test_the_seeds_figures_come_back_exactly(
    seeded: Cast, django_assert_max_num_queries: Any
) -> None:
    cast = seeded
    leader = cast.client_for(cast.by_role[Role.LEADER])
    for region in (cast.places.t1, cast.places.v1):
        # Three more: screening, hazards and care beside the cases, one each.
        with django_assert_max_num_queries(9):
            response = leader.get(FIGURES, {"region": region.code})
        assert response.status_code == 200
        body = response.json()
        assert body["region"] == {"code": region.code, "name": region.name}
        today = timezone.localdate()
        assert body["start"] == today.replace(day=1).isoformat()
        assert body["end"] == today.isoformat()
        figures = by_code(body)
        assert list(figures) == [*indicators.INDICATORS, *indicators.REGISTER_INDICATORS]
        rate = figures["resolution_rate"]
        assert rate["value"] == "98.64"
        assert rate["display"] == "98.64%"
        assert (rate["numerator"], rate["denominator"]) == (SEED_RESOLVED, SEED_TOTAL)
        assert figures["received"]["value"] == "3099"
        assert figures["received"]["denominator"] is None
        assert figures["closure_rate"]["display"] == "100.00%"
        # Nothing visited yet: no satisfaction rate, shown as a dash, never 0% or 100%.
        assert figures["satisfaction_rate"]["value"] is None
        assert figures["satisfaction_rate"]["display"] == "—"


def test_a_period_without_the_cases_has_none_of_them(seeded: Cast) -> None:
    today = timezone.localdate()
    last_year = today.replace(year=today.year - 1)
    body = get(
        seeded,
        Role.LEADER,
        FIGURES,
        region=seeded.places.t1.code,
        start=(last_year - timedelta(days=30)).isoformat(),
        end=last_year.isoformat(),
    ).json()
    assert by_code(body)["received"]["numerator"] == 0
    assert by_code(body)["resolution_rate"]["display"] == "—"


def test_a_place_outside_the_callers_grants_is_not_found(seeded: Cast) -> None:
    cast = seeded
    for role, code in [
        (Role.LEADER, cast.places.county.code),  # above the T1 leader's grant
        (Role.LEADER, cast.places.t2.code),
        (Role.LEADER, "999999999999"),  # no such place
        (Role.GRID_WORKER, cast.places.g1.code),  # no statistics grant at all
        (Role.CARE_WORKER, cast.places.v1.code),
    ]:
        for url in (FIGURES, BREAKDOWN):
            response = get(cast, role, url, region=code, by="category")
            assert response.status_code == 404, (role, code, url)
            assert response.json()["code"] == "not_found"
            assert response.json()["message"] == "没有这个区划，或它不在您的统计范围内"
            assert "3099" not in response.content.decode()
    outsider = cast.client_for(cast.outsider)
    assert outsider.get(FIGURES, {"region": cast.places.t1.code}).status_code == 404
    assert outsider.get(FIGURES, {"region": cast.places.t2.code}).status_code == 200


@pytest.mark.parametrize(
    ("params", "field", "detail"),
    [
        ({"start": "2026-02-30"}, "start", "开始日期格式不对"),
        ({"end": "昨天"}, "end", "结束日期格式不对"),
        ({"start": "2026-03-01", "end": "2026-02-01"}, "end", "结束日期不能早于开始日期"),
        ({"start": "2000-01-01", "end": "2026-01-01"}, "end", "不能超过10年"),
    ],
)
def test_bad_dates_are_refused_naming_the_parameter(
    cast: Cast, params: dict[str, str], field: str, detail: str
) -> None:
    for url in (FIGURES, BREAKDOWN):
        response = get(cast, Role.LEADER, url, region=cast.places.t1.code, by="month", **params)
        assert response.status_code == 400, url
        body = response.json()
        assert body["code"] == "invalid" and body["field"] == field
        assert detail in body["message"]


# --- Breakdown ------------------------------------------------------------------------


def test_the_breakdown_by_category_channel_unit_and_month(
    seeded: Cast, django_assert_max_num_queries: Any
) -> None:
    cast = seeded
    # A few more, another category and channel, never dispatched (written straight to
    # the table: a counting test).
    seed_cases(
        cast.places.g1,
        category("LZJF01"),
        total=4,
        resolved=3,
        channel=Case.Channel.HOTLINE,
    )
    today = timezone.localdate()
    expected: dict[str, list[tuple[str, str, str, str]]] = {
        "category": [
            ("LLJF01", "邻里纠纷 / 相邻关系", "3099", "98.64%"),
            ("LZJF01", "劳资纠纷/欠薪 / 拖欠工资", "4", "75.00%"),
        ],
        "channel": [
            ("hotline", "12345热线", "4", "75.00%"),
            ("screening", "排查发现", "3099", "98.64%"),
        ],
        "unit": [
            (str(cast.units.t1_station.pk), "宁州派出所", "3099", "98.64%"),
            ("", "未派单", "4", "75.00%"),
        ],
        "month": [(f"{today:%Y-%m}", f"{today.year}年{today.month}月", "3103", "98.61%")],
    }
    leader = cast.client_for(cast.by_role[Role.LEADER])
    for by, rows in expected.items():
        # Three more: screening, hazards and care beside the cases, one each.
        with django_assert_max_num_queries(9):
            response = leader.get(BREAKDOWN, {"region": cast.places.t1.code, "by": by})
        assert response.status_code == 200, by
        body = response.json()
        assert body["by"] == by
        got = [
            (
                r["key"],
                r["name"],
                by_code(r)["received"]["value"],
                by_code(r)["resolution_rate"]["display"],
            )
            for r in body["rows"]
        ]
        assert sorted(got) == sorted(rows), by
        # The live overdue count is the place's, not a group's.
        assert "overdue" not in by_code(body["rows"][0])


def test_an_unknown_breakdown_is_refused_naming_the_parameter(cast: Cast) -> None:
    response = get(cast, Role.LEADER, BREAKDOWN, region=cast.places.t1.code, by="person")
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "分组方式只能是 category、channel、unit、month",
        "message_en": "The request has invalid values; see field.",
        "field": "by",
        "errors": [{"field": "by", "message": "分组方式只能是 category、channel、unit、month"}],
    }
