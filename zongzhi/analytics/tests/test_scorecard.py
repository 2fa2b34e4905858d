"""The unit scorecard (考评): the rule, the weights an administrator sets, the page, the
Excel export, and who may see and set what.

The ranking tests insert Case rows directly (tests/case_rows.py): they are about counting;
the page and permission tests make their cases through the services."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from zongzhi.accounts.rules import Role
from zongzhi.analytics import indicators, rollups
from zongzhi.analytics import scorecard as sc
from zongzhi.analytics.indicators import INDICATORS, Figure, rate
from zongzhi.analytics.models import ScorecardWeight
from zongzhi.analytics.tests import case_rows
from zongzhi.analytics.tests.case_rows import DAY0, Shape
from zongzhi.cases.models import Case
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.factories import case_in
from zongzhi.conftest import Cast, make_user
from zongzhi.ledgers import layout
from zongzhi.units.models import Unit

URL = reverse("analytics:scorecard")
WEIGHTS_URL = reverse("analytics:scorecard_weights")
END = DAY0 + timedelta(days=30)


def fig(code: str, numerator: int, denominator: int) -> Figure:
    return Figure(INDICATORS[code], numerator, denominator, rate(numerator, denominator))


def weights(**values: int) -> dict[str, Decimal]:
    return {code: Decimal(values.get(code, 0)) for code in sc.SCORABLE}


# --- The rule -------------------------------------------------------------------------------


def test_the_default_weights_are_the_four_rates_the_reports_quote() -> None:
    assert {INDICATORS[c].name: w for c, w in sc.DEFAULT_WEIGHTS.items()} == {
        "化解率": 30,
        "办结率": 25,
        "按期办结率": 25,
        "满意率": 20,
    }
    assert set(sc.DEFAULT_WEIGHTS) <= set(sc.SCORABLE)


def test_a_rate_without_a_denominator_leaves_the_score_weight_and_all() -> None:
    figures = {code: fig(code, 0, 0) for code in sc.SCORABLE}
    figures |= {
        "resolution_rate": fig("resolution_rate", 9, 10),  # 90.00
        "closure_rate": fig("closure_rate", 10, 10),  # 100.00
        "on_time_rate": fig("on_time_rate", 7, 10),  # 70.00
    }
    # Nobody visited yet: 满意率 is "—" and its 20 leave the sum.
    expected = (30 * Decimal(90) + 25 * Decimal(100) + 25 * Decimal(70)) / 80
    assert sc.score(figures, sc.DEFAULT_WEIGHTS) == expected.quantize(Decimal("0.01"))
    assert sc.score({c: fig(c, 0, 0) for c in sc.SCORABLE}, sc.DEFAULT_WEIGHTS) is None


def test_the_score_is_rounded_half_up_to_two_places() -> None:
    figures = {code: fig(code, 0, 0) for code in sc.SCORABLE}
    figures |= {"resolution_rate": fig("resolution_rate", 1, 8)}  # 12.50
    figures |= {"closure_rate": fig("closure_rate", 1, 4)}  # 25.00
    # (12.5 × 1 + 25 × 1) / 2 = 18.75; (12.5 × 1 + 25 × 2) / 3 = 20.8333…
    assert sc.score(figures, weights(resolution_rate=1, closure_rate=1)) == Decimal("18.75")
    assert sc.score(figures, weights(resolution_rate=1, closure_rate=2)) == Decimal("20.83")


figure_draw = st.integers(0, 50).flatmap(lambda d: st.tuples(st.integers(0, d), st.just(d)))


@given(
    pairs=st.fixed_dictionaries({code: figure_draw for code in sc.SCORABLE}),
    drawn=st.fixed_dictionaries({code: st.integers(0, 100) for code in sc.SCORABLE}),
)
def test_a_score_is_a_weighted_mean_of_the_rates_that_count(
    pairs: dict[str, tuple[int, int]], drawn: dict[str, int]
) -> None:
    figures = {code: fig(code, *pair) for code, pair in pairs.items()}
    w = {code: Decimal(n) for code, n in drawn.items()}
    counted = [figures[c].value for c in sc.SCORABLE if w[c] > 0 and figures[c].value is not None]
    result = sc.score(figures, w)
    if not counted:
        assert result is None
        return
    assert result is not None
    assert min(counted) <= result <= max(counted)  # type: ignore[type-var]
    # Doubling every weight changes nothing; a rate with no weight changes nothing.
    assert sc.score(figures, {c: v * 2 for c, v in w.items()}) == result


def test_equal_scores_share_a_rank_and_no_score_has_none() -> None:
    scores = [Decimal(90), Decimal(80), Decimal(80), Decimal(70), None]
    assert sc.ranks(scores) == [1, 2, 2, 4, None]


# --- The scorecard of a place ---------------------------------------------------------------


def closed(outcome: str, *, late: bool = False, satisfaction: str = "") -> Shape:
    status = Status.VISITED if satisfaction else Status.CLOSED
    return Shape(status, 0, 20 if late else 5, 10, outcome, satisfaction, with_unit=True)


def insert(cast: Cast, cases: list[tuple[Any, Unit, Shape]]) -> None:
    cats = case_rows.categories()
    Case.objects.bulk_create(
        case_rows.build(
            region=region,
            category=cats[n % len(cats)],
            channel=Case.Channel.VISIT,
            registered_at=case_rows.at(DAY0 + timedelta(days=n % 28), 600),
            shape=shape,
            unit=unit,
        )
        for n, (region, unit, shape) in enumerate(cases)
    )
    rollups.rebuild_rollups()


def t1_county(cast: Cast) -> None:
    """In T1: the police station resolved 3 of 4, all closed on time, two visited and
    satisfied; the mediation committee resolved 1 of 2, one closed late, none visited; the
    county bureau closed one case in T1, unresolved. One case in T2 for T2's station, and
    one waiting for a unit."""
    u, p = cast.units, cast.places
    mediated = Case.Outcome.MEDIATED
    insert(
        cast,
        [
            (p.g1, u.t1_station, closed(mediated, satisfaction="satisfied")),
            (p.b1, u.t1_station, closed(mediated, satisfaction="basically")),
            (p.g1, u.t1_station, closed(mediated)),
            (p.v1, u.t1_station, closed(Case.Outcome.NOT_MEDIATED)),
            (p.v1, u.v1_committee, closed(mediated, late=True)),
            (p.v1, u.v1_committee, Shape(Status.IN_PROGRESS, 0, None, 10, with_unit=True)),
            (p.g1, u.county_bureau, closed(Case.Outcome.UNFOUNDED)),
            (p.g2, u.t2_station, closed(mediated)),
            (p.g1, u.t1_station, Shape(Status.REGISTERED, due_after=1)),
            (p.g1, None, Shape(Status.ACCEPTED, 0, None, 10)),
        ],
    )


def test_the_units_with_cases_in_the_place_are_ranked_by_score_with_the_indicators_figures(
    cast: Cast,
) -> None:
    t1_county(cast)
    u = cast.units
    card = sc.scorecard(cast.places.t1.prefix, DAY0, END)
    assert [r.unit for r in card.rows] == [u.t1_station, u.county_bureau, u.v1_committee]
    assert [r.rank for r in card.rows] == [1, 2, 3]
    station, bureau, committee = card.rows
    # Every value is the indicators' own for that unit's cases there.
    for row in card.rows:
        for code, figure in row.figures.items():
            cases = indicators.records(code, cast.places.t1.prefix, DAY0, END, END)
            base = indicators.records(
                code, cast.places.t1.prefix, DAY0, END, END, part="denominator"
            )
            assert figure.numerator == cases.filter(lead_unit=row.unit).count()
            assert figure.denominator == base.filter(lead_unit=row.unit).count()
    assert station.figures["resolution_rate"].display == "75.00%"
    assert station.figures["satisfaction_rate"].display == "100.00%"
    # 75 × 30 + 100 × 25 + 100 × 25 + 100 × 20, over 100.
    assert station.score == Decimal("92.50")
    # The committee: 1 of 2 resolved, 1 of 2 closed, closed late, nobody visited (—).
    assert committee.figures["satisfaction_rate"].display == "—"
    assert committee.score == (
        (30 * Decimal(50) + 25 * Decimal(50) + 25 * Decimal(0)) / 80
    ).quantize(Decimal("0.01"))
    # The county bureau is assessed on its case in T1 (unfounded, but closed on time:
    # (0 × 30 + 100 × 25 + 100 × 25) / 80), and T2's station is not listed.
    assert bureau.figures["resolution_rate"].display == "0.00%"
    assert bureau.score == Decimal("62.50")
    assert u.t2_station not in [r.unit for r in card.rows]
    # T2's scorecard has T2's station only.
    assert [r.unit for r in sc.scorecard(cast.places.t2.prefix, DAY0, END).rows] == [u.t2_station]


def test_new_weights_reorder_the_ranking(cast: Cast) -> None:
    t1_county(cast)
    admin = cast.by_role[Role.ADMINISTRATOR]
    u = cast.units
    # Only the resolution rate counts: the committee (1 of 2) passes the bureau (0 of 1).
    sc.set_weights(by=admin, weights={"resolution_rate": "100"})
    card = sc.scorecard(cast.places.t1.prefix, DAY0, END)
    assert [r.unit for r in card.rows] == [u.t1_station, u.v1_committee, u.county_bureau]
    # Only the on-time rate: the station and the bureau share the first place (ties in
    # the order of their names), the committee (late) comes third.
    sc.set_weights(by=admin, weights={"on_time_rate": "100"})
    card = sc.scorecard(cast.places.t1.prefix, DAY0, END)
    assert [(r.unit, r.rank) for r in card.rows] == [
        (u.county_bureau, 1),
        (u.t1_station, 1),
        (u.v1_committee, 3),
    ]


# --- Setting the weights ---------------------------------------------------------------------


def stored() -> dict[str, Decimal]:
    return dict(ScorecardWeight.objects.values_list("indicator", "weight"))


def test_an_administrator_sets_the_weights_and_who_and_when_is_recorded(cast: Cast) -> None:
    admin = cast.by_role[Role.ADMINISTRATOR]
    assert sc.current_weights().is_default
    result = sc.set_weights(
        by=admin, weights={"resolution_rate": "40", "closure_rate": "35.5", "visit_rate": ""}
    )
    assert not result.is_default
    assert result.values["resolution_rate"] == Decimal(40)
    assert result.values["closure_rate"] == Decimal("35.5")
    assert result.values["on_time_rate"] == 0  # left out: weighs nothing
    assert result.updated_by == admin
    assert abs(result.updated_at - timezone.now()) < timedelta(minutes=1)
    assert set(stored()) == set(sc.SCORABLE)


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        ({"resolution_rate": "101"}, "resolution_rate", "化解率的权重应为0到100之间的数字"),
        ({"closure_rate": "-1"}, "closure_rate", "办结率的权重应为0到100之间的数字"),
        ({"on_time_rate": "很多"}, "on_time_rate", "按期办结率的权重应为0到100之间的数字"),
        ({"on_time_rate": "NaN"}, "on_time_rate", "按期办结率的权重应为0到100之间的数字"),
        ({"resolution_rate": "10.555"}, "resolution_rate", "化解率的权重最多保留两位小数"),
        (
            {"resolution_rate": "0", "satisfaction_rate": ""},
            "__all__",
            "至少要有一项指标的权重大于0",
        ),
        ({"received": "50"}, "__all__", "只能为化解率、办结率等比率指标设置权重：received"),
        ({"overdue": "50"}, "__all__", "只能为化解率、办结率等比率指标设置权重：overdue"),
    ],
)
def test_bad_weights_are_refused_in_chinese_naming_the_field_and_nothing_changes(
    cast: Cast, given: dict[str, str], field: str, message: str
) -> None:
    admin = cast.by_role[Role.ADMINISTRATOR]
    sc.set_weights(by=admin, weights={"resolution_rate": "60", "closure_rate": "40"})
    before = stored()
    with pytest.raises(ValidationError) as refused:
        sc.set_weights(by=admin, weights={"satisfaction_rate": "10", **given})
    assert message in refused.value.message_dict[field]
    assert stored() == before


def test_only_administrators_set_weights(cast: Cast) -> None:
    for role in (Role.INTAKE_OFFICER, Role.LEADER, Role.UNIT_HANDLER):
        with pytest.raises(PermissionDenied):
            sc.set_weights(by=cast.by_role[role], weights={"resolution_rate": "100"})
    assert stored() == {}


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    drawn=st.dictionaries(
        st.sampled_from(sorted(sc.SCORABLE)),
        st.one_of(
            st.decimals(-10, 120, places=2, allow_nan=False).map(str),
            st.sampled_from(["", "abc", "1e2", "0.001"]),
        ),
    )
)
def test_weights_are_stored_exactly_as_given_or_refused_whole(
    cast: Cast, drawn: dict[str, str]
) -> None:
    ScorecardWeight.objects.all().delete()
    admin = cast.by_role[Role.ADMINISTRATOR]

    def valid(text: str) -> Decimal | None:
        if text == "":
            return Decimal(0)
        try:
            value = Decimal(text)
        except ArithmeticError:
            return None
        ok = 0 <= value <= 100 and value == value.quantize(Decimal("0.01"))
        return value if ok else None

    parsed = {c: valid(t) for c, t in drawn.items()}
    acceptable = all(v is not None for v in parsed.values()) and any(parsed.values())
    try:
        result = sc.set_weights(by=admin, weights=drawn)
    except ValidationError:
        assert not acceptable
        assert stored() == {}
        return
    assert acceptable
    for code in sc.SCORABLE:
        assert result.values[code] == (parsed.get(code) or 0)


# --- The pages -----------------------------------------------------------------------------


def served_cases(cast: Cast) -> None:
    """Through the services: in T1 a case archived (resolved, satisfied), one closed, one
    in progress, all led by T1's police station."""
    case_in(cast, Status.ARCHIVED)
    case_in(cast, Status.CLOSED)
    case_in(cast, Status.IN_PROGRESS)
    rollups.refresh_rollups()


def test_an_intake_officer_reads_the_scorecard_with_each_value_linking_to_its_records(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    served_cases(cast)
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    with django_assert_max_num_queries(9):
        response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "宁州派出所" in html
    assert "化解率 30" in html and "满意率 20" in html  # the weights in force
    assert "当前为默认权重" in html
    assert "设置权重" not in html  # not an administrator
    rows = response.context["rows"]
    [row] = rows
    today = timezone.localdate()
    figures = row["score"].figures
    assert figures["resolution_rate"].display == "66.67%"  # 2 of the 3 accepted
    assert figures["closure_rate"].display == "66.67%"
    assert figures["satisfaction_rate"].display == "100.00%"  # the one visited
    for code, cell in zip(sc.SCORABLE, row["cells"], strict=True):
        query = parse_qs(urlparse(cell["url"]).query)
        assert urlparse(cell["url"]).path == reverse("analytics:records")
        assert query["indicator"] == [code]
        assert query["region"] == [cast.places.t1.code]
        assert query["unit"] == [str(cast.units.t1_station.pk)]
        assert query["from"] == [today.replace(day=1).isoformat()]
        assert parse_qs(urlparse(cell["base_url"]).query)["part"] == ["denominator"]
    assert f'href="{cell["url"].replace("&", "&amp;")}"' in html


def test_the_scorecard_page_costs_the_same_queries_for_many_units(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    t1_county(cast)
    client = cast.client_for(cast.by_role[Role.LEADER])
    query = {"from": DAY0.isoformat(), "to": END.isoformat()}
    with django_assert_max_num_queries(9):
        response = client.get(URL, query)
    assert len(response.context["rows"]) == 3
    with django_assert_max_num_queries(9):
        xlsx = client.get(URL, {**query, "format": "xlsx"})
    assert xlsx.status_code == 200


def test_the_scorecard_exports_as_a_filed_excel_sheet_in_ranking_order(cast: Cast) -> None:
    t1_county(cast)
    client = cast.client_for(cast.by_role[Role.LEADER])
    page = client.get(URL, {"from": DAY0.isoformat(), "to": END.isoformat()})
    assert "format=xlsx" in page.context["xlsx_url"]
    response = client.get(page.context["xlsx_url"])
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    ws = load_workbook(BytesIO(response.content)).active
    assert ws.cell(layout.TITLE_ROW, 1).value == "宁州街道单位考评表"
    info = ws.cell(layout.INFO_ROW, 1).value
    assert "2026年1月1日至2026年1月31日" in info
    assert "化解率30、办结率25、按期办结率25、满意率20" in info
    headers = [c.value for c in ws[layout.HEADER_ROW]]
    assert headers[:4] == ["排名", "单位", "综合得分", "化解率\n（%）"]
    body = [[c.value for c in row] for row in ws.iter_rows(min_row=layout.FIRST_DATA_ROW)]
    card = sc.scorecard(cast.places.t1.prefix, DAY0, END)
    assert [r[1] for r in body] == [r.unit.name for r in card.rows]
    assert [r[0] for r in body] == [1, 2, 3]
    assert body[0][2] == float(card.rows[0].score)  # a number Excel can sort and sum
    satisfaction = headers.index("满意率\n（%）")
    assert body[1][satisfaction] is None  # no one visited: blank, not 0


def test_bad_dates_are_said_in_chinese(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.LEADER])
    response = client.get(URL, {"from": "2026-13-01", "to": "2026-01-31"})
    assert response.status_code == 400
    assert "开始日期格式不对" in response.content.decode()
    response = client.get(URL, {"from": "2026-02-01", "to": "2026-01-31"})
    assert "结束日期不能早于开始日期" in response.content.decode()


def test_leaders_of_another_township_cannot_see_this_townships_scorecard(cast: Cast) -> None:
    t1_county(cast)
    t2_leader = make_user("t2_leader", Role.LEADER, region=cast.places.t2)
    client = cast.client_for(t2_leader)
    query = {"from": DAY0.isoformat(), "to": END.isoformat()}
    assert client.get(URL, {**query, "region": cast.places.t1.code}).status_code == 404
    assert client.get(URL, {**query, "region": cast.places.county.code}).status_code == 404
    xlsx = client.get(URL, {**query, "region": cast.places.t1.code, "format": "xlsx"})
    assert xlsx.status_code == 404
    own = client.get(URL, query)
    assert own.context["region"] == cast.places.t2
    assert "宁州派出所" not in own.content.decode()
    assert [r["score"].unit for r in own.context["rows"]] == [cast.units.t2_station]
    # And T1's leader cannot read T2's.
    t1 = cast.client_for(cast.by_role[Role.LEADER])
    assert t1.get(URL, {**query, "region": cast.places.t2.code}).status_code == 404


def test_people_without_analytics_cannot_open_the_scorecard(cast: Cast) -> None:
    for user in (cast.by_role[Role.UNIT_HANDLER], cast.by_role[Role.CARE_WORKER]):
        assert cast.client_for(user).get(URL).status_code == 403


def test_an_intake_officer_can_read_but_not_set_the_weights(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    assert client.get(WEIGHTS_URL).status_code == 403
    assert client.post(WEIGHTS_URL, {"resolution_rate": "100"}).status_code == 403
    assert stored() == {}
    assert client.get(URL).status_code == 200


def test_an_administrator_sets_weights_on_the_page(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    client = cast.client_for(cast.by_role[Role.ADMINISTRATOR])
    with django_assert_max_num_queries(6):
        page = client.get(WEIGHTS_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "目前使用默认权重" in html
    assert 'value="30"' in html  # the defaults, to start from
    form = {code: "" for code in sc.SCORABLE} | {
        "resolution_rate": "50",
        "closure_rate": "20",
        "on_time_rate": "20",
        "satisfaction_rate": "10",
    }
    with django_assert_max_num_queries(14):
        response = client.post(WEIGHTS_URL, form)
    assert response.status_code == 302
    assert stored()["resolution_rate"] == Decimal(50)
    after = client.get(WEIGHTS_URL).content.decode()
    assert "考评权重已保存" in after
    assert "最近由 t1_admin" in after
    # The leader's scorecard now uses them.
    leader_page = cast.client_for(cast.by_role[Role.LEADER]).get(URL).content.decode()
    assert "化解率 50" in leader_page and "当前为默认权重" not in leader_page


def test_bad_weights_on_the_page_are_shown_at_the_field_and_nothing_is_saved(
    cast: Cast,
) -> None:
    client = cast.client_for(cast.by_role[Role.ADMINISTRATOR])
    response = client.post(WEIGHTS_URL, {"resolution_rate": "120", "closure_rate": "20"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "化解率的权重应为0到100之间的数字" in html
    assert 'data-testid="error-resolution_rate"' in html
    assert stored() == {}
    response = client.post(WEIGHTS_URL, {code: "0" for code in sc.SCORABLE})
    assert "至少要有一项指标的权重大于0" in response.content.decode()
    assert stored() == {}


# --- On a phone -------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_scorecard_and_the_weights_read_on_a_phone(
    cast: Cast, live_server: Any, phone_page: Any
) -> None:
    from zongzhi.browser import ARTIFACTS, fits_the_phone, sign_in
    from zongzhi.conftest import PASSWORD

    t1_county(cast)
    page = phone_page
    sign_in(page, live_server.url, "t1_leader", PASSWORD)
    page.goto(f"{live_server.url}{URL}?from={DAY0.isoformat()}&to={END.isoformat()}")
    table = page.get_by_test_id("scorecard")
    first = table.locator("tbody tr").first
    assert "宁州派出所" in first.inner_text()
    assert fits_the_phone(page)  # the table scrolls inside its box, not the page
    page.screenshot(path=str(ARTIFACTS / "analytics-scorecard.png"), full_page=True)
    # A value opens the records behind it.
    first.get_by_role("link", name="75.00%").click()
    page.wait_for_load_state()
    assert "/analytics/records/" in page.url

    sign_in(page, live_server.url, "t1_admin", PASSWORD)
    page.goto(f"{live_server.url}{WEIGHTS_URL}")
    page.get_by_label("化解率").fill("120")
    page.get_by_role("button", name="保存权重").click()
    page.wait_for_load_state()
    assert (
        "化解率的权重应为0到100之间的数字"
        in page.get_by_test_id("error-resolution_rate").inner_text()
    )
    assert fits_the_phone(page)
    page.screenshot(path=str(ARTIFACTS / "analytics-scorecard-weights.png"), full_page=True)
    page.get_by_label("化解率").fill("40")
    page.get_by_role("button", name="保存权重").click()
    page.wait_for_load_state()
    assert "考评权重已保存" in page.content()
    assert ScorecardWeight.objects.get(indicator="resolution_rate").weight == Decimal(40)


def test_a_scorecard_value_opens_that_units_cases_only(cast: Cast) -> None:
    """The records behind one unit's 化解率 are the cases that unit leads, and their count
    is that unit's numerator, not the place's."""
    from django.utils import timezone

    from zongzhi.analytics import indicators
    from zongzhi.analytics.tests.seeds import seed_cases
    from zongzhi.cases.tests.factories import category

    today = timezone.localdate()
    kind = category("FCWY01")
    seed_cases(cast.places.g1, kind, total=7, resolved=5, unit=cast.units.t1_station)
    seed_cases(cast.places.g1, kind, total=4, resolved=1, unit=cast.units.v1_committee)
    prefix = cast.places.t1.prefix
    station = cast.units.t1_station.pk
    behind = indicators.records("resolution_rate", prefix, today, today, today, unit=station)
    assert behind.count() == 5
    assert set(behind.values_list("lead_unit_id", flat=True)) == {station}
    figure = indicators.figures(prefix, today, today, today, unit=station)["resolution_rate"]
    assert (figure.numerator, figure.denominator, figure.display) == (5, 7, "71.43%")
    assert indicators.figures(prefix, today, today, today)["resolution_rate"].numerator == 6
